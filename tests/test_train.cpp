#include <doctest/doctest.h>

#include <memory>

#include "dqn/dqn_agent.hpp"
#include "dqn/train.hpp"
#include "gridworld/maze.hpp"

namespace {
using Env = saerl::Maze<5>;
using Net = saerl::Mlp<float, Env::kObs, 16, Env::kActions>;
using Agent = saerl::DqnAgent<Env, Net, 8, 1000>;
}  // namespace

TEST_CASE("the runner counts steps and episodes, resets the environment and updates on schedule") {
  auto agent = std::make_unique<Agent>();
  saerl::Rng rng(1);
  saerl::DqnConfig c;
  c.learn_start = 50;
  c.train_every = 2;
  agent->init(c, rng);
  saerl::DqnRunner<Agent, Env> runner;
  runner.epsilon = {1.0f, 1.0f, 1};  // random actions: episodes end by the step limit or the goal
  Env env;
  env.reset(rng);
  long ended = 0;
  for (int t = 0; t < 600; ++t) ended += runner.step(*agent, env, rng);
  CHECK(runner.steps == 600);
  CHECK(runner.episodes == ended);
  CHECK(ended >= 600 / Env::kMaxSteps);  // every episode is at most kMaxSteps long
  // updates every 2nd step from the step at which 50 transitions were stored (the 50th)
  CHECK(agent->updates == (600 - 50) / 2 + 1);
}

TEST_CASE("the runner anneals the learning rate when a schedule is set, and leaves it alone otherwise") {
  saerl::Rng rng(2);
  saerl::DqnConfig c;
  c.learn_start = 10;
  c.train_every = 1;
  c.lr = 1e-3f;
  Env env;
  env.reset(rng);

  auto agent = std::make_unique<Agent>();
  agent->init(c, rng);
  saerl::DqnRunner<Agent, Env> runner;
  runner.epsilon = {1.0f, 1.0f, 1};
  runner.learning_rate = {1e-3f, 1e-4f, 100};
  for (int t = 0; t < 50; ++t) runner.step(*agent, env, rng);
  CHECK(agent->adam.lr == doctest::Approx(1e-3f + (1e-4f - 1e-3f) * 0.5f));
  for (int t = 0; t < 100; ++t) runner.step(*agent, env, rng);
  CHECK(agent->adam.lr == doctest::Approx(1e-4f));

  auto fixed = std::make_unique<Agent>();
  fixed->init(c, rng);
  saerl::DqnRunner<Agent, Env> plain;
  plain.epsilon = {1.0f, 1.0f, 1};
  for (int t = 0; t < 50; ++t) plain.step(*fixed, env, rng);
  CHECK(fixed->adam.lr == 1e-3f);
}
