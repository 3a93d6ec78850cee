// saerl play: one game of DIR/dqn.bin's greedy policy from a random start (--seed) against the
// random black, with the board and the Q-values of every move.
#include <memory>

#include "../../core/io/mlp_io.hpp"
#include "../../gridworld/render.hpp"
#include "commands.hpp"

namespace saerl {
namespace {

template <class S>
int play(const Options& o) {
  using Game = typename S::Game;
  constexpr int N = S::kBoard;
  auto agent = std::make_unique<typename S::Agent>();
  Status s = load_mlp(agent->online, in_dir(o.out, "dqn.bin").c_str());
  if (!s.ok()) return fail(s);
  Rng rng(o.seed);
  Game env;
  env.reset(rng);
  char board[render_position_size<N>()], name[16];
  for (;;) {
    render_position<N>(env.pos, board, sizeof board);
    float q[Game::kActions];
    agent->q_values(env.pos, q);
    const int a = argmax(q, Game::kActions);
    std::printf("%s\nQ-values:", board);
    for (int i = 0; i < Game::kActions; ++i)
      std::printf("%s%s %.2f", i % 6 ? ", " : "\n  ", Game::action_name(i, name, sizeof name), q[i]);
    const auto r = env.step(a, rng);
    std::printf("\nmove %d: %s -> reward %.0f\n\n", env.moves, Game::action_name(a, name, sizeof name), r.reward);
    if (r.done) {
      render_position<N>(env.pos, board, sizeof board);
      std::printf("%s\ngame over: %s after %d moves\n", board, Game::outcome_name(r.outcome), env.moves);
      return 0;
    }
  }
}

}  // namespace

int cmd_play(const Options& o) {
  return with_setup(o, true, [&](auto setup) { return play<decltype(setup)>(o); });
}

}  // namespace saerl
