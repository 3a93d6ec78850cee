// saerl steer: one counterfactual steering case in the terminal. Feature J of DIR/sae-V.bin is
// written into the hidden layer of a position x where its label is false (examples/steering.hpp
// says exactly how); the board x' where the label holds, and the DQN's moves on x, steered,
// and on x', show whether the network uses the feature as its label says.
#include <memory>

#include "../../gridworld/render.hpp"
#include "../../sae/sae_io.hpp"
#include "../report.hpp"
#include "../steering.hpp"
#include "commands.hpp"

namespace saerl {
namespace {

template <class S>
int steer(const Options& o) {
  SaeVariant variant;
  if (!o.variant || !parse_sae_variant(o.variant, &variant))
    return fail("steer: --variant %s: give one of relu | topk | batchtopk | jumprelu", o.variant ? o.variant : "missing");
  if (o.feature < 0) return fail("steer: --feature is required (a feature number; `saerl report` lists labelled ones)");
  using Game = typename S::Game;
  constexpr int N = S::kBoard;
  auto net = std::make_unique<typename S::Net>();
  Status s = load_mlp(*net, in_dir(o.out, "dqn.bin").c_str());
  if (!s.ok()) return fail(s);
  auto sae = std::make_unique<typename S::SaeT>();
  s = load_sae(*sae, in_dir(o.out, "sae-%s.bin", o.variant).c_str());
  if (!s.ok()) return fail(s);
  auto solver = std::make_unique<RookSolver<N>>();
  solver->solve(1.0f);
  auto cf = std::make_unique<Counterfactuals<N>>();
  prepare_counterfactuals(*net, solver->dtm, *cf);
  auto analysis = std::make_unique<FeatureAnalysis<typename S::SaeT, N>>();
  s = analyse_rook_features(*net, *sae, solver->dtm, *analysis);
  if (!s.ok()) return fail(s);
  SteeringCase<N> c;
  s = steering_case(*net, *sae, analysis->report, *cf, solver.get(), int(o.feature), o.seed, SteeringOptions(), c);
  if (!s.ok()) return fail(s);

  char phrase[96], board[render_position_size<N>()], board_prime[render_position_size<N>()];
  render_position<N>(c.x, board, sizeof board);
  render_position<N>(c.x_prime, board_prime, sizeof board_prime);
  char moves[5][16];  // the moves on x, steered, through the reconstruction, random, on x'
  const int actions[5] = {c.action_x, c.action_steered, c.action_reconstruction, c.action_random, c.action_x_prime};
  for (int i = 0; i < 5; ++i) Game::action_name(actions[i], moves[i], sizeof moves[i]);
  std::printf("feature %d of %s: \"%s\" (precision %.2f); %d positions where it is false and a board makes it true\n"
              "x (seed %llu):\n%s\nx', the nearest board where it holds:\n%s\n",
              c.feature, o.variant, predicate_phrase<N>(c.predicate, phrase, sizeof phrase),
              analysis->report.precision[c.feature], c.candidates, o.seed, board, board_prime);
  std::printf("the DQN on x:                            %s\n"
              "feature %d written (value %.3f, %d erased): %s%s\n"
              "  the same, through the reconstruction:  %s\n"
              "  a random feature %d written instead:    %s\n"
              "the DQN on x':                           %s%s\n"
              "%s\n",
              moves[0], c.feature, c.value, c.erased, moves[1], c.steered_optimal ? " (optimal on x')" : "", moves[2],
              c.random_feature, moves[3], moves[4], c.x_prime_optimal ? " (optimal on x')" : "",
              c.action_steered == c.action_x_prime ? "steered: the DQN plays its move of x'"
                                                   : "steered: the DQN does not play its move of x'");
  return 0;
}

}  // namespace

int cmd_steer(const Options& o) {
  return with_setup(o, true, [&](auto setup) { return steer<decltype(setup)>(o); });
}

}  // namespace saerl
