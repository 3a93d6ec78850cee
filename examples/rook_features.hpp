// saerl/examples/rook_features.hpp — the fourth teaching example: the whole rook-checkmate
// study in miniature, from a DQN to one feature's heat map.
//
//   1. train a small DQN (75-64-32-24) on the 5x5 rook checkmate for a moment (5,000 steps:
//      it barely plays, but its hidden layer already encodes the board);
//   2. collect its second hidden layer's pre-activations z_1 on all 7,040 legal positions
//      (examples/pipeline.hpp);
//   3. train a TopK SAE with 4x as many features on them (sae/sae_trainer.hpp);
//   4. match every feature against the ground-truth predicates of gridworld/predicates.hpp and
//      average each feature's activation per square of each piece (examples/report.hpp,
//      sae/feature_analysis.hpp);
//   5. pick the feature that best detects one piece on one square, and keep its heat map;
//      the same search over the layer's raw units shows that none of them is such a detector.
//
//   auto r = std::make_unique<saerl::RookFeaturesResult>();
//   saerl::rook_features(/*seed=*/1, /*dqn_steps=*/5000, /*sae_steps=*/2000, *r);
//   r->description;          // "fires when the white rook is on d5 (precision 0.90, recall 1.00)"
//   r->heat[piece][square];  // the feature's mean activation with that piece on that square
//   r->f1, r->neuron_f1;     // 0.95 for that feature, 0.43 for the best raw unit
//
// examples/rook_features.cpp prints it; tests/test_examples.cpp checks it.
#pragma once
#include <memory>

#include "../dqn/dqn_agent.hpp"
#include "../dqn/train.hpp"
#include "../sae/metrics.hpp"
#include "report.hpp"

namespace saerl {

using Game5 = RookCheckmate<5>;
using Predicates5 = RookPredicates<5>;
using MiniNet = Mlp<float, Game5::kObs, 64, 32, Game5::kActions>;
using MiniAgent = DqnAgent<Game5, MiniNet, 32, 50000>;
using MiniSae = Sae<float, HiddenLayer<MiniNet>::kWidth, 4 * HiddenLayer<MiniNet>::kWidth>;

struct RookFeaturesResult {
  double checkmate_rate = 0;  // the DQN's, over 1,000 games against the random black
  double fvu = 0, l0 = 0;     // the SAE's, on all legal positions
  int live = 0;
  int feature = -1;           // the best piece-on-square feature
  int piece = 0, square = 0;  // its predicate: piece (0 K, 1 R, 2 k) on square (row * 5 + col)
  double precision = 0, recall = 0, f1 = 0;
  char description[160] = {0};
  double heat[3][25];         // mean activation of the feature per piece and square
  double neuron_f1 = 0;       // the same search over the raw hidden units (active: z > 0)
};

namespace detail {

// The feature whose best predicate is "piece on square" with the highest F1 (-1 if none).
template <class Report>
int best_piece_square_feature(const Report& r) {
  int best = -1;
  for (int j = 0; j < Report::kFeatures; ++j)
    if (r.best_predicate[j] >= Predicates5::kNamed && (best < 0 || r.f1[j] > r.f1[best])) best = j;
  return best;
}

}  // namespace detail

inline void rook_features(uint64_t seed, long dqn_steps, long sae_steps, RookFeaturesResult& r) {
  constexpr int D = MiniSae::kIn;
  Rng rng(seed);
  // 1. the DQN: Double DQN with 3-step returns, as the default preset
  DqnConfig c;
  c.lr = 1e-3f;
  c.n_step = 3;
  c.double_dqn = true;
  c.learn_start = 1000;
  auto agent = std::make_unique<MiniAgent>();
  agent->init(c, rng);
  DqnRunner<MiniAgent, Game5> runner;
  runner.epsilon = {0.3f, 0.01f, dqn_steps / 2};
  Game5 env;
  env.reset(rng);
  for (long t = 0; t < dqn_steps; ++t) runner.step(*agent, env, rng);
  Rng eval_rng(seed + 1);
  r.checkmate_rate = evaluate_rook(*agent, static_cast<const RookSolver<5>*>(nullptr), 1000, eval_rng).checkmate_rate;

  // 2. its hidden vectors on every legal position; 3. a TopK SAE on them
  auto a = std::make_unique<FeatureAnalysis<MiniSae>>();
  collect_all_positions<MiniNet, Game5>(agent->online, a->data);
  float mean[D];
  a->data.mean(0, a->data.size, mean);
  auto sae = std::make_unique<MiniSae>();
  SaeConfig sc;
  sc.variant = SaeVariant::topk;
  sc.k = 3;
  sc.lr = 3e-3f;
  sc.lr_warmup = 100;
  sc.total_steps = sae_steps;
  sae->init(sc.variant, sc.k, mean, rng);
  constexpr int B = 32;
  auto trainer = std::make_unique<SaeTrainer<MiniSae, B>>();
  trainer->init(sc);
  float batch[B * D];
  for (long t = 0; t < sae_steps; ++t) {
    for (int b = 0; b < B; ++b) copy(a->data.row(int(rng.below(uint32_t(a->data.size)))), batch + b * D, D);
    trainer->step(*sae, batch, B);
  }
  const SaeMetrics m = evaluate_sae(*sae, a->data, 0, a->data.size, a->work);
  r.fvu = m.fvu;
  r.l0 = m.l0;
  r.live = m.live;

  // 4. labels and heat maps (no solver: the distance-to-mate predicates stay false)
  analyse_rook_features(agent->online, *sae, static_cast<const int8_t*>(nullptr), *a);
  // 5. the best piece-on-square feature, and its heat map
  const auto& rep = a->report;
  const int j = r.feature = detail::best_piece_square_feature(rep);
  if (j >= 0) {
    r.piece = (rep.best_predicate[j] - Predicates5::kNamed) / 25;
    r.square = (rep.best_predicate[j] - Predicates5::kNamed) % 25;
    r.precision = rep.precision[j];
    r.recall = rep.recall[j];
    r.f1 = rep.f1[j];
    describe_feature(rep, j, predicate_phrase, r.description, sizeof r.description);
    for (int p = 0; p < 3; ++p)
      for (int s = 0; s < 25; ++s) r.heat[p][s] = a->heat.mean(j, p, s);
  }

  // the raw neurons, for comparison: an "SAE" whose encoder is the identity, f = relu(z)
  using Neurons = Sae<float, D, D>;
  auto neurons = std::make_unique<Neurons>();
  neurons->init(SaeVariant::relu, 1, nullptr, rng);
  fill(neurons->params, Neurons::kParams, 0.0f);
  for (int d = 0; d < D; ++d) neurons->w_enc()[d * D + d] = neurons->w_dec()[d * D + d] = 1.0f;
  auto n = std::make_unique<FeatureAnalysis<Neurons>>();
  analyse_rook_features(agent->online, *neurons, static_cast<const int8_t*>(nullptr), *n);
  const int best_neuron = detail::best_piece_square_feature(n->report);
  r.neuron_f1 = best_neuron >= 0 ? n->report.f1[best_neuron] : 0;
}

}  // namespace saerl
