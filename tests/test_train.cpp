#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "dqn/dqn_agent.hpp"
#include "dqn/train.hpp"
#include "gridworld/maze.hpp"

namespace {
using Game = saerl::Maze<5>;
using Net = saerl::Mlp<float, Game::kObs, 16, Game::kActions>;
using Agent = saerl::DqnAgent<Game, Net, 8, 1000>;
}  // namespace

TEST_CASE("the runner counts steps and episodes, resets the environment and updates on schedule") {
  auto agent = std::make_unique<Agent>();
  saerl::Rng rng(1);
  saerl::DqnConfig c;
  c.learn_start = 50;
  c.train_every = 2;
  agent->init(c, rng);
  saerl::DqnRunner<Agent, Game> runner;
  runner.epsilon = {1.0f, 1.0f, 1};  // random actions: episodes end by the step limit or the goal
  Game env;
  env.reset(rng);
  long ended = 0;
  for (int t = 0; t < 600; ++t) ended += runner.step(*agent, env, rng);
  CHECK(runner.steps == 600);
  CHECK(runner.episodes == ended);
  CHECK(ended >= 600 / Game::kMaxSteps);  // every episode is at most kMaxSteps long
  // updates every 2nd step from the step at which 50 transitions were stored (the 50th)
  CHECK(agent->updates == (600 - 50) / 2 + 1);
}

TEST_CASE("the runner anneals the learning rate when a schedule is set, and leaves it alone otherwise") {
  saerl::Rng rng(2);
  saerl::DqnConfig c;
  c.learn_start = 10;
  c.train_every = 1;
  c.lr = 1e-3f;
  Game env;
  env.reset(rng);

  auto agent = std::make_unique<Agent>();
  agent->init(c, rng);
  saerl::DqnRunner<Agent, Game> runner;
  runner.epsilon = {1.0f, 1.0f, 1};
  runner.learning_rate = {1e-3f, 1e-4f, 100};
  for (int t = 0; t < 50; ++t) runner.step(*agent, env, rng);
  CHECK(agent->adam.lr == doctest::Approx(1e-3f + (1e-4f - 1e-3f) * 0.5f));
  for (int t = 0; t < 100; ++t) runner.step(*agent, env, rng);
  CHECK(agent->adam.lr == doctest::Approx(1e-4f));

  auto fixed = std::make_unique<Agent>();
  fixed->init(c, rng);
  saerl::DqnRunner<Agent, Game> plain;
  plain.epsilon = {1.0f, 1.0f, 1};
  for (int t = 0; t < 50; ++t) plain.step(*fixed, env, rng);
  CHECK(fixed->adam.lr == 1e-3f);
}

namespace {

// Counts what train_dqn calls, and can stop the run or poison a weight at a chosen step.
struct Recorder : saerl::DqnCallbacks {
  Agent* agent = nullptr;
  long stop_at = -1, nan_at = -1;
  long steps_seen = 0, evaluations[8] = {0}, checkpoints[8] = {0};
  int n_eval = 0, n_ckpt = 0;
  bool stop(long t) { return t == stop_at; }
  void before_step(long t) {
    if (t == nan_at) agent->online.params[0] = std::nanf("");
  }
  void progress(long) { ++steps_seen; }
  void evaluate(long t) {
    if (n_eval < 8) evaluations[n_eval++] = t;
  }
  saerl::Status checkpoint(long t) {
    if (n_ckpt < 8) checkpoints[n_ckpt++] = t;
    return saerl::Status::success();
  }
};

saerl::DqnTrainConfig small_run() {
  saerl::DqnTrainConfig c;
  c.agent.learn_start = 20;
  c.agent.train_every = 2;
  c.steps = 300;
  c.epsilon = {1.0f, 0.1f, 150};
  c.learning_rate = {1e-3f, 1e-4f, 300};
  c.eval_every = 100;
  c.checkpoint_every = 120;
  return c;
}

}  // namespace

TEST_CASE("train_dqn evaluates every eval_every steps and at the end, and checkpoints before the end") {
  auto agent = std::make_unique<Agent>();
  saerl::DqnRunner<Agent, Game> runner;
  Game env;
  saerl::Rng rng(3);
  saerl::DqnTrainConfig c = small_run();
  c.steps = 250;
  saerl::start_dqn_training(c, *agent, runner, env, rng);
  Recorder r;
  r.agent = agent.get();
  CHECK(saerl::train_dqn(c, *agent, runner, env, rng, r).ok());
  CHECK(r.steps_seen == 250);
  CHECK(runner.steps == 250);
  REQUIRE(r.n_eval == 3);
  CHECK(r.evaluations[0] == 100);
  CHECK(r.evaluations[1] == 200);
  CHECK(r.evaluations[2] == 250);
  REQUIRE(r.n_ckpt == 2);
  CHECK(r.checkpoints[0] == 120);
  CHECK(r.checkpoints[1] == 240);
  CHECK(agent->adam.lr == doctest::Approx(1e-3f + (1e-4f - 1e-3f) * (250.0f / 300.0f)));
}

TEST_CASE("train_dqn goes on from the runner's step: two halves end bit-identical to one run") {
  saerl::DqnTrainConfig c = small_run();
  auto whole = std::make_unique<Agent>(), halves = std::make_unique<Agent>();
  saerl::DqnRunner<Agent, Game> r1, r2;
  Game e1, e2;
  saerl::Rng g1(4), g2(4);
  saerl::DqnCallbacks none;
  saerl::start_dqn_training(c, *whole, r1, e1, g1);
  CHECK(saerl::train_dqn(c, *whole, r1, e1, g1, none).ok());
  saerl::start_dqn_training(c, *halves, r2, e2, g2);
  saerl::DqnTrainConfig first = c;
  first.steps = 137;
  CHECK(saerl::train_dqn(first, *halves, r2, e2, g2, none).ok());
  CHECK(r2.steps == 137);
  CHECK(saerl::train_dqn(c, *halves, r2, e2, g2, none).ok());
  CHECK(r2.steps == 300);
  CHECK(whole->updates > 100);
  CHECK(std::memcmp(whole->online.params, halves->online.params, sizeof whole->online.params) == 0);
}

TEST_CASE("train_dqn stops when asked, and stops with the divergence guard's message on a NaN") {
  saerl::DqnTrainConfig c = small_run();
  auto agent = std::make_unique<Agent>();
  saerl::DqnRunner<Agent, Game> runner;
  Game env;
  saerl::Rng rng(5);
  saerl::start_dqn_training(c, *agent, runner, env, rng);
  Recorder r;
  r.agent = agent.get();
  r.stop_at = 77;
  saerl::Status s = saerl::train_dqn(c, *agent, runner, env, rng, r);
  CHECK(s.code == saerl::StatusCode::stopped);
  CHECK(runner.steps == 76);

  r.stop_at = -1;
  r.nan_at = 150;  // after the first update: the next update's guard sees it
  r.n_ckpt = 0;
  s = saerl::train_dqn(c, *agent, runner, env, rng, r);
  CHECK(s.code == saerl::StatusCode::diverged);
  CHECK(std::strstr(s.message, "W0") != nullptr);
  CHECK(runner.steps < 160);
  CHECK(r.n_ckpt == 1);  // step 120 only: nothing is checkpointed after the NaN
}

TEST_CASE("with an episode limit the runner cuts episodes after that many steps, without ending them") {
  auto agent = std::make_unique<Agent>();
  saerl::Rng rng(6);
  saerl::DqnConfig c;
  c.learn_start = 1000000;  // no updates: only the recording is looked at
  agent->init(c, rng);
  saerl::DqnRunner<Agent, Game> runner;
  runner.epsilon = {1.0f, 1.0f, 1};
  runner.episode_limit = 3;
  Game env;
  env.reset(rng);
  long ended = 0;
  for (int t = 0; t < 300; ++t) ended += runner.step(*agent, env, rng);
  CHECK(runner.episodes == ended);
  CHECK(ended >= 100);  // every episode lasts at most 3 steps
  int terminal = 0;
  for (int i = 0; i < agent->replay.size; ++i) terminal += agent->replay.items[i].done;
  CHECK(terminal < ended);  // cut episodes store no terminal transition
  CHECK(agent->replay.size == 300);
}
