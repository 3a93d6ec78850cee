// saerl/examples/recipe.hpp — every training constant of a run, in one struct per game: the
// DQN's (dqn/recipes.hpp) and, per SAE variant, the SAE's; the program's presets
// (examples/cli/setup.hpp) and the pellet maze's run (examples/pellets_pipeline.hpp) read them.
//
//   saerl::Recipe r = saerl::default_recipe(5);      // the rook checkmate on 5x5
//   saerl::PelletsRecipe p = saerl::pellets_recipe(); // the pellet maze
//   saerl::SaeConfig c = r.sae[int(saerl::SaeVariant::topk)].config;
#pragma once
#include "../dqn/recipes.hpp"
#include "../sae/sae_trainer.hpp"

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
  long eval_games = 1000;        // games sampled per evaluation in training (the pellet maze's curve)
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

// The pellet maze's run: the DQN of pellets_dqn_recipe(), the SAEs of the default recipe,
// untuned (the same variants, sparsity and policy-fidelity term: the DQN's Q-values are of the
// rook's order, a clear's 45 being 1.8 after x 0.04 as a mate's 100 is 1 after / 100, so the
// term's temperature carries over; TopK keeps 0.955 of the DQN's score at held-out FVU 0.037,
// docs/RESULTS.md), and what the SAEs read: `states` states of the DQN's greedy play, the last
// games' `holdout` of them held out. The reference player is expectimax to `reference_depth`
// moves (gridworld/pellets_expectimax.hpp; depth 3 costs 64 times more for no better score in
// a probe of 100 games).
struct PelletsRecipe : Recipe {
  int states = 32768;
  int reference_depth = 2;
};

inline PelletsRecipe pellets_recipe() {
  PelletsRecipe r;
  static_cast<Recipe&>(r) = default_recipe();
  r.name = "pellets";
  r.dqn = pellets_dqn_recipe();
  r.eval_games = 200;  // games per point of the training curve
  return r;
}

}  // namespace saerl
