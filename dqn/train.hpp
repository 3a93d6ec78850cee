// saerl/dqn/train.hpp — training a DqnAgent: the environment loop (DqnRunner: act
// epsilon-greedily, step, record, update every `train_every` steps once the replay holds
// enough) and a whole run around it (train_dqn: schedules, evaluation, checkpoints, stopping).
//
//   saerl::DqnTrainConfig config;                    // the agent's hyperparameters and schedules
//   saerl::DqnRunner<Agent, Game> runner;
//   Game env;
//   saerl::start_dqn_training(config, *agent, runner, env, rng);
//   struct : saerl::DqnCallbacks {                   // override what you need
//     void evaluate(long step) { /* measure the greedy policy */ }
//   } callbacks;
//   saerl::Status s = saerl::train_dqn(config, *agent, runner, env, rng, callbacks);
//
// One step at a time, without train_dqn:
//   saerl::DqnRunner<Agent, Game> runner;
//   runner.epsilon = {0.3f, 0.01f, total_steps / 2};
//   runner.learning_rate = {5e-4f, 5e-5f, total_steps};        // optional; start 0 = keep Adam's
//   env.reset(rng);
//   for (long t = 0; t < total_steps; ++t) runner.step(agent, env, rng);
//   // runner.episodes, runner.steps, runner.updates() for progress
//   if (!runner.health.ok()) { /* diverged: runner.health.message names the step and tensor */ }
//
// The divergence guard: after each update the loss and the online network are checked; on a NaN
// or infinity `health` receives the agent's check_finite() (the first network tensor holding
// one, else the loss) and the runner makes no further update; the caller stops and keeps its
// last good checkpoint.
#pragma once
#include <cmath>

#include "../core/base/status.hpp"
#include "../core/math/tensor.hpp"
#include "dqn_agent.hpp"
#include "linear_schedule.hpp"

namespace saerl {

template <class Agent, class Game>
struct DqnRunner {
  LinearSchedule epsilon;
  LinearSchedule learning_rate{0.0f, 0.0f, 0};  // start 0: leave the agent's learning rate alone
  int episode_limit = 0;  // > 0: an episode is cut after this many steps (and bootstrapped, not ended)
  long steps = 0;
  int episode_steps = 0;
  long episodes = 0;
  double episode_return = 0, last_return = 0;
  Status health;  // ok until an update leaves a NaN or infinity in the loss or the network

  // One environment step (and possibly one gradient step). Returns true when an episode ended.
  bool step(Agent& agent, Game& env, Rng& rng) {
    const typename Game::State s = env.state();
    const int a = agent.act(s, epsilon.at(steps), rng);
    const auto r = env.step(a, rng);
    const bool truncated = !r.done && episode_limit > 0 && ++episode_steps >= episode_limit;
    agent.record(s, a, r.reward, env.state(), r.done, truncated);
    episode_return += r.reward;
    ++steps;
    if (health.ok() && agent.ready() && steps % agent.config.train_every == 0) {
      if (learning_rate.start > 0) agent.adam.lr = learning_rate.at(steps);
      const double loss = double(agent.update(rng));
      // a NaN or infinity anywhere makes the sum of squares non-finite (a vectorized pass)
      const double norm2 = double(sum_squares(agent.online.params, Agent::Network::kParams));
      if (!std::isfinite(loss) || !std::isfinite(norm2)) health = agent.check_finite(steps);
    }
    if (!r.done && !truncated) return false;
    episode_steps = 0;
    ++episodes;
    last_return = episode_return;
    episode_return = 0;
    env.reset(rng);
    return true;
  }
};

// Everything a training run needs besides the agent's type: its hyperparameters and schedules.
struct DqnTrainConfig {
  DqnConfig agent;
  long steps = 800000;                        // environment steps
  LinearSchedule epsilon{0.3f, 0.01f, 400000};  // exploration over steps
  LinearSchedule learning_rate{0.0f, 0.0f, 0};  // start 0: Adam keeps agent.lr
  long eval_every = 50000;                    // steps between evaluate() calls (0: only at the end)
  long checkpoint_every = 0;                  // steps between checkpoint() calls (0: never)
  int episode_limit = 0;                      // > 0: training episodes are cut after this many steps
};

// What train_dqn calls; derive from this and hide the members you need (calls are static).
struct DqnCallbacks {
  bool stop(long /*step*/) { return false; }  // before each step: true ends the run (Status stopped)
  void before_step(long /*step*/) {}          // before each step (tests inject faults here)
  void progress(long /*step*/) {}             // after each step: keep it cheap
  void evaluate(long /*step*/) {}             // every eval_every steps and after the last
  Status checkpoint(long /*step*/) { return Status::success(); }  // after the divergence guard passed
};

// A fresh run: the agent initialised, the runner's schedules set, the first episode started.
template <class Agent, class Game>
void start_dqn_training(const DqnTrainConfig& config, Agent& agent, DqnRunner<Agent, Game>& runner, Game& env,
                        Rng& rng) {
  agent.init(config.agent, rng);
  runner = DqnRunner<Agent, Game>{};
  runner.epsilon = config.epsilon;
  runner.learning_rate = config.learning_rate;
  runner.episode_limit = config.episode_limit;
  env.reset(rng);
}

// Runs the loop from step runner.steps + 1 (0 for a fresh run, more after a checkpoint was
// loaded) to config.steps. Returns ok, the divergence guard's Status (a NaN or an infinity:
// stop and keep the last checkpoint), a checkpoint's failure, or StatusCode::stopped.
template <class Agent, class Game, class Callbacks>
Status train_dqn(const DqnTrainConfig& config, Agent& agent, DqnRunner<Agent, Game>& runner, Game& env, Rng& rng,
                 Callbacks& callbacks) {
  for (long t = runner.steps + 1; t <= config.steps; ++t) {
    if (callbacks.stop(t)) return Status::error(StatusCode::stopped, "training stopped at step %ld", t);
    callbacks.before_step(t);
    runner.step(agent, env, rng);
    if (!runner.health.ok()) return runner.health;
    callbacks.progress(t);
    if ((config.eval_every > 0 && t % config.eval_every == 0) || t == config.steps) callbacks.evaluate(t);
    if (config.checkpoint_every > 0 && t % config.checkpoint_every == 0 && t < config.steps) {
      Status s = agent.check_finite(t);
      if (s.ok()) s = callbacks.checkpoint(t);
      if (!s.ok()) return s;
    }
  }
  return agent.check_finite(config.steps);
}

}  // namespace saerl
