// saerl/examples/presets.hpp — compiled-in configurations chosen with --preset.
//
// A preset fixes the network's shape (a template parameter, so each preset is a type) and
// the training hyperparameters.
//   paper    the study's 75-512-512-24 network and hyperparameters (DESIGN.md)
//   default  a smaller network tuned so training takes about a minute on one core
#pragma once
#include "../core/mlp.hpp"
#include "../dqn/dqn_agent.hpp"
#include "../dqn/epsilon_schedule.hpp"
#include "../gridworld/rook_checkmate.hpp"

namespace saerl {

struct DefaultPreset {
  static constexpr const char* kName = "default";
  using Env = RookCheckmate<5>;
  using Net = Mlp<float, Env::kObs, 128, 128, Env::kActions>;
  using Agent = DqnAgent<Env, Net, 32, 50000>;
  static constexpr long kSteps = 1500000;  // environment steps
  static DqnConfig config() {
    DqnConfig c;
    c.lr = 5e-4f;
    c.gamma = 0.98f;
    c.learn_start = 2000;
    c.train_every = 4;
    c.target_every = 500;
    c.n_step = 1;
    c.double_dqn = false;
    return c;
  }
  static EpsilonSchedule epsilon() { return EpsilonSchedule{0.3f, 0.01f, kSteps / 2}; }
};

struct PaperPreset {
  static constexpr const char* kName = "paper";
  using Env = RookCheckmate<5>;
  using Net = Mlp<float, Env::kObs, 512, 512, Env::kActions>;
  using Agent = DqnAgent<Env, Net, 32, 50000>;
  static constexpr long kSteps = 1500000;
  static DqnConfig config() {
    DqnConfig c;
    c.lr = 5e-4f;
    c.gamma = 0.98f;
    c.learn_start = 2000;
    c.train_every = 4;
    c.target_every = 500;
    return c;
  }
  static EpsilonSchedule epsilon() { return EpsilonSchedule{0.08f, 0.01f, kSteps / 2}; }
};

}  // namespace saerl
