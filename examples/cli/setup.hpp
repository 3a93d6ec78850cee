// saerl/examples/cli/setup.hpp — the presets of build/saerl: for each preset and board size,
// the types (game, network, agent, SAE; sizes are template parameters) and the recipe (every
// training constant, in one struct), and the dispatch from --preset/--board to them.
//
//   default  N = 5..8: the recipe measured here to master the game (README, docs/RESULTS.md)
//   paper    5x5: the study's 75-512-512-24 network, trained with the default recipe; with
//            --recipe study, the study's own hyperparameters
//   tiny     5x5: 75-64-64-24 and a 256-feature SAE, what the microcontroller firmware runs
//
//   return with_setup(o, [&](auto setup) { return train<decltype(setup)>(o); });
#pragma once
#include <cstring>

#include "../../core/nn/mlp.hpp"
#include "../../core/io/mlp_io.hpp"
#include "../../dqn/dqn_agent.hpp"
#include "../../dqn/recipes.hpp"
#include "../../gridworld/rook_checkmate.hpp"
#include "../../sae/sae_trainer.hpp"
#include "common.hpp"
#include "options.hpp"

namespace saerl {

// One SAE variant's training: the trainer's configuration, the steps, the fidelity terms.
struct SaeRecipe {
  SaeConfig config;
  long steps = 6000;
  float q_fidelity = 0, policy_fidelity = 0, policy_temperature = 0.01f;
};

// Every training constant of a preset.
struct Recipe {
  const char* name = "default";
  DqnTrainConfig dqn;
  long eval_games = 1000;        // sampled games beside each exact evaluation during training
  SaeRecipe sae[4];              // by SaeVariant
  double holdout = 0.2;          // SAE data: the fraction of positions held out for FVU and L0
  long resample_every = 1500;    // relu: dead features resampled this often, in the first half
  float initial_threshold = 0.1f;  // jumprelu: theta at the start
};

// The default recipe: the DQN's from dqn/recipes.hpp for an n x n board, and an SAE recipe
// per variant. The ReLU + L1 SAE is the study's, trained on MSE alone. TopK, BatchTopK and
// JumpReLU add the policy-fidelity term (examples/pipeline.hpp QFidelity) at weight 0.05 and
// temperature 0.1: on a 5x5 DQN trained without noise (seed 1) it raised the spliced policy's
// exact return from 0.75 to 0.98 of the DQN's and the action agreement from 0.59 to 0.86
// (TopK), for a held-out FVU of 0.082 instead of 0.071; on the default, noise-trained DQN
// TopK reaches FVU 0.049 and 0.987 of the return. A colder policy (t 0.01) or a larger weight
// costs more FVU for little more agreement (docs/FAITHFUL.md: the measurements). BatchTopK's
// k and JumpReLU's L0 coefficient were tuned on the noise-trained DQN (docs/RESULTS.md).
inline Recipe default_recipe(int n = 5) {
  Recipe r;
  r.dqn = rook_dqn_recipe(n);
  for (int v = 0; v < 4; ++v) {
    SaeConfig& c = r.sae[v].config;
    c.variant = SaeVariant(v);
    // BatchTopK keeps k per input on average in training; at inference its threshold lets a
    // few more through (and the fidelity term more still), so it trains with k = 12 for L0 <= 16
    c.k = c.variant == SaeVariant::batchtopk ? 12 : 16;
    c.lr = 1e-3f;
    c.l1 = 1.2e-2f;
    c.l0 = 2.5e-3f;            // jumprelu: L0 about 15 with the fidelity term, on the noise-trained DQN
    c.jump_bandwidth = 0.05f;  // the hidden activations are of order 0.5
    r.sae[v].steps = c.variant == SaeVariant::relu ? 15000 : 6000;
    c.total_steps = r.sae[v].steps;
    if (c.variant != SaeVariant::relu) r.sae[v].policy_fidelity = 0.05f, r.sae[v].policy_temperature = 0.1f;
  }
  return r;
}

// The study's DQN hyperparameters (dqn/recipes.hpp) with the default SAE recipes.
inline Recipe study_recipe() {
  Recipe r = default_recipe();
  r.name = "study";
  r.dqn = study_dqn_recipe();
  return r;
}

// The types of a preset: the rook checkmate on N x N, a DQN of two hidden layers of width
// Hidden trained in batches of AgentBatch, SAEs of 4 x Hidden features.
template <int N, int Hidden, int AgentBatch>
struct RookTypes {
  static constexpr int kBoard = N, kHidden = Hidden, kSaeBatch = 256;
  using Game = RookCheckmate<N>;
  using Net = Mlp<float, Game::kObs, kHidden, kHidden, Game::kActions>;
  using Agent = DqnAgent<Game, Net, AgentBatch, 50000>;
  using SaeT = Sae<float, kHidden, 4 * kHidden>;
};

template <int N>
struct DefaultSetup : RookTypes<N, 128, 64> {
  static constexpr const char* kName = "default";
  static Recipe recipe() { return default_recipe(N); }
};

struct PaperSetup : RookTypes<5, 512, 32> {
  static constexpr const char* kName = "paper";
  // the wider network learns faster per step: half the default's steps reach the same ratio
  static Recipe recipe() {
    Recipe r = default_recipe();
    r.name = "paper";
    r.dqn = with_steps(r.dqn, 600000);
    r.dqn.agent.hidden_noise = 0;  // measured without it (docs/RESULTS.md)
    return r;
  }
};

struct TinySetup : RookTypes<5, 64, 64> {
  static constexpr const char* kName = "tiny";
  static Recipe recipe() {
    Recipe r = default_recipe();
    r.name = "tiny";
    return r;
  }
};

inline bool parse_sae_variant(const char* name, SaeVariant* v) {
  for (int i = 0; i <= int(SaeVariant::jumprelu); ++i)
    if (std::strcmp(name, sae_variant_name(SaeVariant(i))) == 0) return *v = SaeVariant(i), true;
  return false;
}

// The recipe a command runs with: the preset's, or the study's with --recipe study, and the
// options that override it.
template <class S>
Status recipe_for(const Options& o, Recipe* out) {
  Recipe r = S::recipe();
  if (o.recipe && std::strcmp(o.recipe, "study") == 0) r = study_recipe();
  else if (o.recipe && std::strcmp(o.recipe, "default") != 0)
    return Status::error(StatusCode::invalid_argument, "--recipe: unknown recipe '%s' (default | study)", o.recipe);
  DqnTrainConfig& d = r.dqn;
  if (o.steps > 0) d = with_steps(d, o.steps);
  if (o.eval_every > 0) d.eval_every = o.eval_every;
  if (o.lr > 0) d.agent.lr = float(o.lr), d.learning_rate.start = d.learning_rate.start > 0 ? float(o.lr) : 0;
  if (o.lr_end > 0) d.learning_rate = LinearSchedule{d.agent.lr, float(o.lr_end), d.steps};
  if (o.gamma > 0) d.agent.gamma = float(o.gamma);
  if (o.n_step > 0) d.agent.n_step = int(o.n_step);
  if (o.double_dqn >= 0) d.agent.double_dqn = o.double_dqn != 0;
  if (o.target_every > 0) d.agent.target_every = int(o.target_every);
  if (o.train_every > 0) d.agent.train_every = int(o.train_every);
  if (o.hidden_noise >= 0) d.agent.hidden_noise = float(o.hidden_noise);
  d.checkpoint_every = o.checkpoint_every;
  *out = r;
  return Status::success();
}

namespace detail {

// Fills a missing --preset and --board from DIR/dqn.bin's shape (obs, hidden, hidden, actions)
// when the command reads a trained network and the file is there.
inline void preset_from_model(const Options& o, const char** preset, int* board) {
  Header h;
  if (!saerl::read_header(in_dir(o.out, "dqn.bin").c_str(), &h).ok() || h.shape_count != 4) return;
  for (int n = 5; n <= 8; ++n)
    if (h.shape[0] == uint32_t(3 * n * n) && !o.board) *board = n;
  if (!o.preset) *preset = h.shape[1] == 512 ? "paper" : h.shape[1] == 64 ? "tiny" : "default";
}

}  // namespace detail

// Calls f(Setup{}) for the setup --preset and --board name (with `from_model`, those missing
// are read from DIR/dqn.bin). Returns f's exit status, or 2 with a message.
template <class F>
int with_setup(const Options& o, bool from_model, F&& f) {
  const char* preset = o.preset ? o.preset : "default";
  int board = o.board ? o.board : 5;
  if (from_model) detail::preset_from_model(o, &preset, &board);
  if (std::strcmp(preset, "default") == 0) {
    switch (board) {
      case 5: return f(DefaultSetup<5>{});
      case 6: return f(DefaultSetup<6>{});
      case 7: return f(DefaultSetup<7>{});
      case 8: return f(DefaultSetup<8>{});
      default: break;
    }
  }
  const bool paper = std::strcmp(preset, "paper") == 0, tiny = std::strcmp(preset, "tiny") == 0;
  if (!paper && !tiny && std::strcmp(preset, "default") != 0)
    return fail("--preset: unknown preset '%s' (default | paper | tiny)", preset);
  if (board != 5) return fail("--board %d: the %s preset plays 5x5 only (the default preset plays 5 to 8)", board, preset);
  return paper ? f(PaperSetup{}) : f(TinySetup{});
}

}  // namespace saerl
