// saerl eval: DIR/dqn.bin's greedy policy judged exactly (every legal start, random black,
// the 50-move cap) and over --games sampled games.
#include <memory>

#include "../../core/io/mlp_io.hpp"
#include "../../dqn/evaluate.hpp"
#include "../../gridworld/rook_exact.hpp"
#include "commands.hpp"

namespace saerl {
namespace {

template <class S>
int evaluate(const Options& o) {
  using Game = typename S::Game;
  auto agent = std::make_unique<typename S::Agent>();
  Status s = load_mlp(agent->online, in_dir(o.out, "dqn.bin").c_str());
  if (!s.ok()) return fail(s);
  auto exact = std::make_unique<RookExact<S::kBoard>>();
  exact->init(Game::Opponent::random);
  auto actions = std::make_unique<uint8_t[]>(Game::kPositions);
  auto batch = std::make_unique<GreedyBatch<Game, typename S::Net>>();
  batch->actions(agent->online, exact->legal, exact->legal_count, actions.get());
  const ExactComparison c = exact->evaluate_actions(actions.get());
  auto solver = std::make_unique<RookSolver<S::kBoard>>();
  solver->solve(1.0f);
  Rng rng(o.seed);
  const RookEvaluation e = evaluate_rook(*agent, solver.get(), int(o.games), rng);
  std::printf("%s preset, %dx%d: exact over %d legal starts against the random black\n"
              "  return ratio %.4f: expected return %.2f of the optimal %.2f (gap %.2f)\n"
              "  mate probability %.5f, moves to mate %.2f (optimal %.2f); sure mates from %.4f of the starts,\n"
              "  %.2f extra moves there\n"
              "sampled, %d games: checkmate %.4f, moves to mate %.2f, illegal %.4f, blunder %.4f, stalemate %.4f,\n"
              "  timeout %.4f; DTM-optimal moves in the positions visited %.4f\n",
              S::kName, S::kBoard, S::kBoard, exact->legal_count, c.return_ratio, c.policy.expected_return,
              c.optimal.expected_return, c.return_gap, c.policy.mate_prob, c.policy.moves_to_mate,
              c.optimal.moves_to_mate, c.sure_mate_starts, c.extra_moves, e.games, e.checkmate_rate,
              e.mean_moves_to_mate, e.illegal_rate, e.blunder_rate, e.stalemate_rate, e.timeout_rate,
              e.optimal_action_rate);
  return 0;
}

}  // namespace

int cmd_eval(const Options& o) {
  return with_setup(o, true, [&](auto setup) { return evaluate<decltype(setup)>(o); });
}

}  // namespace saerl
