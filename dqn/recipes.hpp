// saerl/dqn/recipes.hpp — training recipes for the rook checkmate and the pellet maze, as
// DqnTrainConfig values.
//
//   saerl::DqnTrainConfig c = saerl::rook_dqn_recipe();   // masters 5x5: docs/RESULTS.md
//   saerl::DqnTrainConfig p = saerl::pellets_dqn_recipe(); // Pellets<PelletsMaze7, 2>
//   saerl::start_dqn_training(c, *agent, runner, env, rng);
//   saerl::train_dqn(c, *agent, runner, env, rng, callbacks);
#pragma once
#include "train.hpp"

namespace saerl {

// The recipe measured here to master the 5x5 rook checkmate against the random black (exact
// return ratio about 0.99 over five seeds, docs/RESULTS.md). From docs/DESIGN.md's measured recipe
// (Adam 5e-4, batch 32, replay 50,000, target copied every 500 updates, rewards / 100), each
// change measured: Double DQN with 3-step returns, the returns cut before a random move (so
// they value the greedy policy, not the epsilon-greedy one), gamma 0.85 (a larger gap between
// a faster and a slower mate: 0.98 plateaued at a ratio of 0.975), random moves drawn among
// those the agent does not already believe to lose (Q > -0.9), epsilon 0.3 -> 0.05 over the
// first half, batch 64 with one update per 8 steps, the learning rate annealed 5e-4 -> 5e-5,
// 1.2 million steps; and Gaussian noise of std 0.1 added to the second hidden layer's
// pre-activation in training (DqnConfig::hidden_noise), so that Q ignores small changes of the
// layer an SAE reads: five seeds 0.990-0.993 with it (0.988-0.991 without), and a TopK SAE's
// held-out FVU falls from 0.071 to 0.047 (docs/FAITHFUL.md).
inline DqnTrainConfig rook_dqn_recipe() {
  DqnTrainConfig d;
  d.steps = 1200000;
  d.agent.gamma = 0.85f;
  d.agent.train_every = 8;
  d.agent.n_step = 3;
  d.agent.double_dqn = true;
  d.agent.cut_at_exploration = true;
  d.agent.explore_floor = -0.9f;
  d.agent.hidden_noise = 0.1f;
  d.epsilon = LinearSchedule{0.3f, 0.05f, d.steps / 2};
  d.learning_rate = LinearSchedule{5e-4f, 5e-5f, d.steps};
  d.eval_every = 50000;
  return d;
}

// The same recipe over another number of steps: the schedules keep their shape.
inline DqnTrainConfig with_steps(DqnTrainConfig d, long steps) {
  d.epsilon.steps = long(double(d.epsilon.steps) * double(steps) / double(d.steps));
  if (d.learning_rate.start > 0) d.learning_rate.steps = long(double(d.learning_rate.steps) * double(steps) / double(d.steps));
  d.steps = steps;
  return d;
}

// The rook recipe for an N x N board. 5x5: rook_dqn_recipe(). Larger boards get more steps
// (the game grows: 7,040 legal starts on 5x5, 25,440 on 6x6, 72,380 on 7x7, 175,168 on 8x8) and
// each sampled transition replaced by its image under a random symmetry of the board
// (DqnConfig::symmetries) on 7x7 and 8x8; 7x7 5-step returns and gamma 0.9; 8x8 16-step
// returns and gamma 0.98, 3 million steps (and a network of 256, examples/cli/setup.hpp). As
// measured on each (docs/RESULTS.md): on 8x8 with gamma 0.9 the agent never learned to mate
// (probability 0.03 after 3 million steps); gamma 0.99 with 8 steps and the symmetries mated
// from 97% of starts after 3 or 10 million; 16 steps and gamma 0.98 learned as far in fewer
// moves. Longer runs did not help there. On 7x7 gamma 0.99 did worse (return ratio 0.885
// against 0.927 after 4 million steps).
inline DqnTrainConfig rook_dqn_recipe(int n) {
  DqnTrainConfig d = rook_dqn_recipe();
  if (n <= 5) return d;
  d.agent.hidden_noise = 0;  // (measured without it on the larger boards)
  d = with_steps(d, n == 6 ? 2400000 : n == 7 ? 4000000 : 3000000);
  d.eval_every = d.steps / 24;
  if (n == 7) d.agent.n_step = 5, d.agent.gamma = 0.9f;
  if (n == 8) d.agent.n_step = 16, d.agent.gamma = 0.98f;
  if (n >= 7) d.agent.symmetries = true;
  return d;
}

// The study's hyperparameters (docs/DESIGN.md): plain DQN with 1-step returns, gamma 0.98, Adam
// 5e-4 constant, epsilon 0.08 -> 0.01. (The study updated 10 times per episode and copied the
// target every 20 episodes; here one update per 4 steps and a copy every 500 updates.)
inline DqnTrainConfig study_dqn_recipe() {
  DqnTrainConfig d;  // DqnConfig's defaults are the study's
  d.steps = 1500000;
  d.epsilon = LinearSchedule{0.08f, 0.01f, d.steps / 2};
  d.learning_rate = LinearSchedule{0.0f, 0.0f, 0};
  d.eval_every = 50000;
  return d;
}

// The pellet maze (gridworld/pellets.hpp, 7x7, two ghosts at chase 0.8) on a 109-128-128-4
// network, batch 64, replay 100,000 (examples/pellets_pipeline.hpp's PelletsTypes). The rook
// recipe's shape, measured here: Double DQN, 3-step returns cut before a random move, one
// update per 8 steps, epsilon 0.3 -> 0.05 over the first half, the learning rate 5e-4 -> 5e-5,
// noise 0.1 on the layer the SAEs read; then what differs: rewards x 0.04 (a clear is worth
// 45, so Q stays near the rook's scale), gamma 0.98 (a pellet's worth lies many steps ahead:
// the capture costs nothing but the pellets left, so the agent must see far to run), and no
// exploration floor (every move is plausible; none loses at once). 1,000,000 steps: mean score
// 39.97 over 10,000 games (seed 2: 39.52) where the expectimax reference scores 41.28 and
// random play 2.14; gamma 0.95: 39.24; without the noise 39.61, and the SAEs reconstruct the
// layer worse (docs/RESULTS.md, "Pellet maze").
inline DqnTrainConfig pellets_dqn_recipe() {
  DqnTrainConfig d = with_steps(rook_dqn_recipe(), 1000000);
  d.agent.gamma = 0.98f;
  d.agent.reward_scale = 0.04f;
  d.agent.explore_floor = DqnConfig().explore_floor;  // off: every move is plausible
  d.eval_every = 100000;
  return d;
}

}  // namespace saerl
