// saerl/examples/study.hpp — one run of the follow-up study's protocol (saerl sweep --protocol
// study; docs/SWEEP.md): the study's SAE recipe on a trained DQN's hidden layer, once on the
// positions greedy play visits and once on every legal position (the visitation control), and
// the live features of each.
//
//   StudyRun r = study_run<Net, Game, SaeT, 256>(net, k, sae_steps, rng);
//   // r.on_policy.live: features that fire at least once on the greedy-play data
//   // r.all.live:       the same recipe trained and counted on every legal position
//
// The study's recipe, on this layer: TopK (k features per input, no L1 term, no AuxK, no
// resampling of dead features), Adam at a constant 1e-3 (no warm-up, no decay), the decoder
// bias initialised to the data mean and subtracted before encoding, unit-norm decoder rows.
// A feature is live when its code is > 0 on at least one row of the data the SAE was trained
// on (the study counted TopK codes > 0 over the games its DQN played).
#pragma once
#include <memory>

#include "../core/base/rng.hpp"
#include "../sae/activation_dataset.hpp"
#include "../sae/metrics.hpp"
#include "../sae/sae_trainer.hpp"
#include "../sae/train.hpp"
#include "pipeline.hpp"

namespace saerl {

// Positions of greedy play per run: a fixed number of steps, whatever the games' lengths.
constexpr int kStudyPositions = 8192;

// One SAE of the protocol: what it learned and how many of its features are live.
struct StudySae {
  int live = 0;
  double fvu = 0, l0 = 0;
  int rows = 0;  // the rows it was trained and counted on
};

struct StudyRun {
  StudySae on_policy, all;
  int distinct_states = 0;     // distinct states among the greedy-play rows
  int distinct_positions = 0;  // distinct placements of the pieces among them (the rook's: the states)
};

// The study's SAE recipe as an SaeConfig (k features per input).
inline SaeConfig study_sae_config(int k) {
  SaeConfig c;
  c.variant = SaeVariant::topk;
  c.k = k;
  c.lr = 1e-3f;
  c.lr_warmup = 0;     // constant learning rate
  c.total_steps = 0;   // no decay
  c.aux_coeff = 0;     // no AuxK: dead features stay dead, as in the study
  c.l1 = 0;
  return c;
}

// Trains the recipe on rows[0, count) and measures it on the same rows.
template <class SaeT, int B>
StudySae train_study_sae(const float* rows, int count, int k, long steps, Rng& rng) {
  constexpr int D = SaeT::kIn;
  StudySae out;
  out.rows = count;
  if (count < 1) return out;
  float mean[D] = {};
  for (int i = 0; i < count; ++i) axpy(1.0f / float(count), rows + long(i) * D, mean, D);
  auto sae = std::make_unique<SaeT>();
  sae->init(SaeVariant::topk, k, mean, rng);
  auto trainer = std::make_unique<SaeTrainer<SaeT, B>>();
  trainer->init(study_sae_config(k));
  auto batch = std::make_unique<float[]>(size_t(B) * D);
  SaeRun run;
  run.steps = steps;
  run.resample_every = 0;
  SaeCallbacks none;
  const Status s = train_sae(run, *sae, *trainer, rows, count, rng, batch.get(), no_extra_loss, none);
  if (!s.ok()) return out;  // (a diverged run counts no live feature; the caller sees fvu 0, live 0)
  auto work = std::make_unique<SaeWorkspace<SaeT, B>>();
  const SaeMetrics m = evaluate_sae_rows(*sae, rows, count, *work);
  out.live = m.live;
  out.fvu = m.fvu;
  out.l0 = m.l0;
  return out;
}

// Distinct values among ids[0, n), each in [0, range).
inline int count_distinct(const int32_t* ids, int n, int range) {
  auto seen = std::make_unique<uint8_t[]>(size_t(range));
  int distinct = 0;
  for (int i = 0; i < n; ++i)
    if (ids[i] >= 0 && ids[i] < range && !seen[ids[i]]) seen[ids[i]] = 1, ++distinct;
  return distinct;
}

// The greedy policy of a network, as collect_rollouts and play_pellets want an agent.
template <class Net, class Game>
struct GreedyNet {
  using Network = Net;
  const Net& online;
  MlpActivations<Net, 1> acts;
  explicit GreedyNet(const Net& net) : online(net) {}
  int greedy(const typename Game::State& s) {
    float obs[Game::kObs];
    Game::observe(s, obs);
    return argmax(mlp_forward(online, obs, 1, acts), Game::kActions);
  }
};

// The protocol's measurements of one trained network; every draw comes from rng.
template <class Net, class Game, class SaeT, int B>
StudyRun study_run(const Net& net, int k, long sae_steps, Rng& rng) {
  constexpr int D = SaeT::kIn;
  static_assert(HiddenLayer<Net>::kWidth == D, "study_run: the SAE must read the DQN's hidden width");
  StudyRun r;
  {  // greedy play from uniform legal starts against the random black, until kStudyPositions
    using Rollouts = ActivationDataset<float, D, kStudyPositions>;
    auto data = std::make_unique<Rollouts>();
    auto policy = std::make_unique<GreedyNet<Net, Game>>(net);
    collect_rollouts<GreedyNet<Net, Game>, Game>(*policy, 1 << 30, rng, *data);
    r.distinct_states = r.distinct_positions = count_distinct(data->source, data->size, Game::kPositions);
    r.on_policy = train_study_sae<SaeT, B>(data->row(0), data->size, k, sae_steps, rng);
  }
  {  // the visitation control: every legal position once
    using All = ActivationDataset<float, D, Game::kLegalPositions>;
    auto data = std::make_unique<All>();
    collect_all_positions<Net, Game>(net, *data);
    r.all = train_study_sae<SaeT, B>(data->row(0), data->size, k, sae_steps, rng);
  }
  return r;
}

}  // namespace saerl
