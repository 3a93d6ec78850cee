// saerl/dqn/train.hpp — the environment loop that feeds a DqnAgent: act epsilon-greedily,
// step, record, and update every `train_every` steps once the replay holds enough.
//
//   saerl::DqnRunner<Agent, Env> runner;
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

#include "../core/status.hpp"
#include "../core/tensor.hpp"
#include "linear_schedule.hpp"

namespace saerl {

template <class Agent, class Env>
struct DqnRunner {
  LinearSchedule epsilon;
  LinearSchedule learning_rate{0.0f, 0.0f, 0};  // start 0: leave the agent's learning rate alone
  long steps = 0;
  long episodes = 0;
  double episode_return = 0, last_return = 0;
  Status health;  // ok until an update leaves a NaN or infinity in the loss or the network

  // One environment step (and possibly one gradient step). Returns true when an episode ended.
  bool step(Agent& agent, Env& env, Rng& rng) {
    const typename Env::State s = env.state();
    const int a = agent.act(s, epsilon.at(steps), rng);
    const auto r = env.step(a, rng);
    agent.record(s, a, r.reward, env.state(), r.done);
    episode_return += r.reward;
    ++steps;
    if (health.ok() && agent.ready() && steps % agent.config.train_every == 0) {
      if (learning_rate.start > 0) agent.adam.lr = learning_rate.at(steps);
      const double loss = double(agent.update(rng));
      // a NaN or infinity anywhere makes the sum of squares non-finite (a vectorized pass)
      const double norm2 = double(sum_squares(agent.online.params, Agent::Network::kParams));
      if (!std::isfinite(loss) || !std::isfinite(norm2)) health = agent.check_finite(steps);
    }
    if (!r.done) return false;
    ++episodes;
    last_return = episode_return;
    episode_return = 0;
    env.reset(rng);
    return true;
  }
};

}  // namespace saerl
