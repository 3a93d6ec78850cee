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
#include "../../gridworld/rook_checkmate.hpp"
#include "../recipe.hpp"
#include "common.hpp"
#include "options.hpp"

namespace saerl {

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

// 8x8 on a network twice as wide (75 -> 192 inputs, 175,168 legal starts): after 3 million
// steps it mated from 98.1% of starts where the 128-wide one mated from 97.2% (docs/RESULTS.md).
template <int N>
struct DefaultSetup : RookTypes<N, N == 8 ? 256 : 128, 64> {
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

// The options that override a recipe's DQN constants (--steps, --lr, --gamma, ...).
inline void apply_dqn_options(const Options& o, DqnTrainConfig* config) {
  DqnTrainConfig& d = *config;
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
}

// The options that override one SAE variant's recipe (--k, --l1, --sae-steps, ...).
inline void apply_sae_options(const Options& o, SaeRecipe* recipe) {
  SaeRecipe& sr = *recipe;
  SaeConfig& config = sr.config;
  if (o.k > 0) config.k = int(o.k);
  if (o.l1 >= 0) config.l1 = float(o.l1);
  if (o.l0 >= 0) config.l0 = float(o.l0);
  if (o.sae_steps > 0) sr.steps = o.sae_steps;
  config.total_steps = sr.steps;
  if (o.q_fidelity >= 0) sr.q_fidelity = float(o.q_fidelity);
  if (o.policy_fidelity >= 0) sr.policy_fidelity = float(o.policy_fidelity);
  if (o.policy_temperature > 0) sr.policy_temperature = float(o.policy_temperature);
}

// Features per input of matching pursuit over an SAE's dictionary (inference-time optimisation,
// measured beside the encoder at the same budget): TopK's and BatchTopK's k, 16 for the
// others; 0 (not measured) with --pursuit 0.
inline int pursuit_budget(const Options& o, const SaeConfig& c) {
  const bool sparse_k = c.variant == SaeVariant::topk || c.variant == SaeVariant::batchtopk;
  return o.pursuit == 0 ? 0 : sparse_k ? c.k : 16;
}

// The recipe a command runs with: the preset's, or the study's with --recipe study, and the
// options that override it.
template <class S>
Status recipe_for(const Options& o, Recipe* out) {
  Recipe r = S::recipe();
  if (o.recipe && std::strcmp(o.recipe, "study") == 0) r = study_recipe();
  else if (o.recipe && std::strcmp(o.recipe, "default") != 0)
    return Status::error(StatusCode::invalid_argument, "--recipe: unknown recipe '%s' (default | study)", o.recipe);
  apply_dqn_options(o, &r.dqn);
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
