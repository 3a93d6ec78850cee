// saerl/dqn/train.hpp — the environment loop that feeds a DqnAgent: act epsilon-greedily,
// step, record, and update every `train_every` steps once the replay holds enough.
//
//   saerl::DqnRunner<Agent, Env> runner;
//   runner.epsilon = {0.3f, 0.01f, total_steps / 2};
//   runner.learning_rate = {5e-4f, 5e-5f, total_steps};        // optional; start 0 = keep Adam's
//   env.reset(rng);
//   for (long t = 0; t < total_steps; ++t) runner.step(agent, env, rng);
//   // runner.episodes, runner.steps, runner.updates() for progress
#pragma once
#include "linear_schedule.hpp"

namespace saerl {

template <class Agent, class Env>
struct DqnRunner {
  LinearSchedule epsilon;
  LinearSchedule learning_rate{0.0f, 0.0f, 0};  // start 0: leave the agent's learning rate alone
  long steps = 0;
  long episodes = 0;
  double episode_return = 0, last_return = 0;

  // One environment step (and possibly one gradient step). Returns true when an episode ended.
  bool step(Agent& agent, Env& env, Rng& rng) {
    const typename Env::State s = env.state();
    const int a = agent.act(s, epsilon.at(steps), rng);
    const auto r = env.step(a, rng);
    agent.record(s, a, r.reward, env.state(), r.done);
    episode_return += r.reward;
    ++steps;
    if (agent.ready() && steps % agent.config.train_every == 0) {
      if (learning_rate.start > 0) agent.adam.lr = learning_rate.at(steps);
      agent.update(rng);
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
