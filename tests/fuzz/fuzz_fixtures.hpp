// The small objects the fuzz targets load into, shared with make_seeds.cpp, which writes a
// valid file of each for the seed corpus. Small, so that inputs stay short and runs fast; the
// loaders' code paths do not depend on the sizes.
#pragma once
#include <cstring>
#include <memory>
#include <vector>

#include "dqn/dqn_agent.hpp"
#include "examples/cli/run_checkpoint.hpp"
#include "gridworld/rook_checkmate.hpp"
#include "tests/fuzz/fuzz_file.hpp"

namespace fuzz {

using Net = saerl::Mlp<float, 6, 5, 3>;
using SaeT = saerl::Sae<float, 4, 8>;
using Game = saerl::RookCheckmate<5>;
using AgentNet = saerl::Mlp<float, Game::kObs, 4, Game::kActions>;
using Agent = saerl::DqnAgent<Game, AgentNet, 4, 16>;
using Trainer = saerl::SaeTrainer<SaeT, 2>;
constexpr long kSteps = 100;  // the run's length, as the checkpoint's run text says

inline saerl::DqnTrainConfig dqn_config() {
  saerl::DqnTrainConfig c;
  c.steps = kSteps;
  return c;
}
inline saerl::SaeRecipe sae_recipe() {
  saerl::SaeRecipe r;
  r.steps = kSteps;
  return r;
}

// train-dqn's state for a small agent, freshly initialised
struct DqnRun {
  std::unique_ptr<Agent> agent = std::make_unique<Agent>();
  saerl::DqnRunner<Agent, Game> runner;
  Game env;
  saerl::Rng rng{1}, eval_rng{2};
  saerl::DqnProgress p;
  const saerl::RunText expected = saerl::dqn_run_text("fuzz", 5, 1, dqn_config());
  DqnRun() {
    saerl::DqnConfig c;
    c.learn_start = 4;
    c.train_every = 1;
    c.n_step = 3;
    agent->init(c, rng);
    runner.epsilon = {0.5f, 0.1f, kSteps};
    env.reset(rng);
    p.run = expected;
  }
  template <class Ar>
  void fields(Ar& ar) { saerl::dqn_run_fields(ar, p, *agent, runner, env, rng, eval_rng); }
};

// train-sae's state for a small SAE, freshly initialised
struct SaeRun {
  std::unique_ptr<SaeT> sae = std::make_unique<SaeT>();
  std::unique_ptr<Trainer> trainer = std::make_unique<Trainer>();
  saerl::Rng rng{3};
  saerl::SaeProgress p;
  const saerl::RunText expected = saerl::sae_run_text("fuzz", 5, 1, "topk", sae_recipe(), 0);
  SaeRun() {
    sae->init(saerl::SaeVariant::topk, 2, nullptr, rng);
    saerl::SaeConfig c;
    c.variant = saerl::SaeVariant::topk;
    c.k = 2;
    c.dead_after = 8;
    trainer->init(c);
    p.run = expected;
  }
  template <class Ar>
  void fields(Ar& ar) { saerl::sae_run_fields(ar, p, *sae, *trainer, rng); }
};

// The file a checkpoint target loads. An input whose first byte is even is the file itself; an
// odd one becomes the body of a file with a valid header and checksum (cut or zero-padded to
// the body's size, its run text set to the expected one), so that the fuzzer also reaches the
// checks of the loaded values and the training that runs on them.
template <class Run>
const char* checkpoint_file(const uint8_t* data, size_t size, uint32_t kind, Run& run) {
  if (size == 0 || data[0] % 2 == 0) return fuzz_file(data, size);
  saerl::detail::Archive<saerl::detail::MeasureImpl> measure;
  run.fields(measure);
  std::vector<uint8_t> file(saerl::kCheckpointHeaderBytes + measure.total + 8, 0);
  saerl::detail::checkpoint_header(file.data(), kind, measure);
  uint8_t* body = file.data() + saerl::kCheckpointHeaderBytes;
  std::memcpy(body, data + 1, size - 1 < measure.total ? size - 1 : measure.total);
  std::memcpy(body, run.expected.s, sizeof run.expected.s);  // the run text is the first field
  const uint64_t sum = saerl::fnv1a64(file.data(), file.size() - 8);
  saerl::detail::put_le(file.data() + file.size() - 8, sum, 8);
  return fuzz_file(file.data(), file.size());
}

}  // namespace fuzz
