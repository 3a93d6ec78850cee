// The divergence guard (core/nn/divergence.hpp, DqnRunner, SaeTrainer): a NaN or infinity in a loss
// or a weight stops training with a Status naming the step and the tensor.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/nn/divergence.hpp"
#include "dqn/dqn_agent.hpp"
#include "dqn/train.hpp"
#include "gridworld/rook_checkmate.hpp"
#include "sae/sae_trainer.hpp"

using namespace saerl;

namespace {
using Game = RookCheckmate<5>;
using Net = Mlp<float, Game::kObs, 16, 16, Game::kActions>;
using Agent = DqnAgent<Game, Net, 8, 500>;

struct DqnRun {
  std::unique_ptr<Agent> agent = std::make_unique<Agent>();
  DqnRunner<Agent, Game> runner;
  Game env;
  Rng rng{3};
  DqnRun() {
    DqnConfig c;
    c.learn_start = 50;
    c.train_every = 2;
    agent->init(c, rng);
    runner.epsilon = {0.5f, 0.05f, 1000};
    env.reset(rng);
  }
  // Steps until the guard trips or `limit` steps; returns the steps taken.
  long run(long limit) {
    long t = 0;
    while (t < limit && runner.health.ok()) runner.step(*agent, env, rng), ++t;
    return t;
  }
};
}  // namespace

TEST_CASE("check_finite names the tensor, the index and NaN or infinity; check_finite_mlp names the layer") {
  const float x[4] = {1, 2, INFINITY, NAN};
  CHECK(check_finite(x, 2, "w", 5).ok());
  Status s = check_finite(x, 4, "w", 5);
  CHECK(s.code == StatusCode::diverged);
  CHECK(std::string(s.message) == "step 5: w holds an infinity at index 2 (training diverged)");
  CHECK(std::string(check_finite_loss(NAN, "DQN loss", 9).message) == "step 9: the DQN loss is NaN (training diverged)");
  CHECK(check_finite_loss(0.5, "DQN loss", 9).ok());

  auto net = std::make_unique<Net>();
  Rng rng(1);
  net->init(rng);
  CHECK(check_finite_mlp(*net, "online network", 1).ok());
  net->params[Net::weight_offset(1) + Net::kSizes[1] * Net::kSizes[2] + 3] = NAN;  // b1[3]
  CHECK(std::string(check_finite_mlp(*net, "online network", 12).message) ==
        "step 12: online network b1 holds NaN at index 3 (training diverged)");
}

TEST_CASE("a NaN weight stops DQN training at the next update, naming the step and the tensor") {
  DqnRun r;
  CHECK(r.run(300) == 300);
  CHECK(r.runner.health.ok());
  r.agent->online.params[0] = NAN;  // W0, index 0 (the update spreads it, but this one comes first)
  const long updates = r.agent->updates;
  r.run(100);
  CHECK(r.runner.health.code == StatusCode::diverged);
  // updates come every 2nd step: the first one after step 300 is step 302
  CHECK(std::string(r.runner.health.message) == "step 302: online network W0 holds NaN at index 0 (training diverged)");
  CHECK(r.agent->updates == updates + 1);
  const long after = r.agent->updates;
  for (int i = 0; i < 20; ++i) r.runner.step(*r.agent, r.env, r.rng);
  CHECK(r.agent->updates == after);  // no further update once diverged
}

TEST_CASE("an absurd learning rate makes DQN training diverge, and the guard stops it") {
  DqnRun r;
  r.run(100);
  r.agent->adam.lr = 1e30f;
  const long steps = r.run(2000);
  CHECK(steps < 2000);
  CHECK(r.runner.health.code == StatusCode::diverged);
  const std::string m = r.runner.health.message;
  CHECK(m.rfind("step ", 0) == 0);
  CHECK((m.find("online network") != std::string::npos || m.find("DQN loss") != std::string::npos));
}

TEST_CASE("a NaN input stops SAE training without an optimizer step, naming the step and the loss") {
  using SaeT = Sae<float, 8, 16>;
  auto sae = std::make_unique<SaeT>();
  auto trainer = std::make_unique<SaeTrainer<SaeT, 4>>();
  Rng rng(2);
  sae->init(SaeVariant::topk, 4, nullptr, rng);
  SaeConfig c;
  c.variant = SaeVariant::topk;
  c.k = 4;
  trainer->init(c);
  std::vector<float> x(4 * 8);
  for (float& v : x) v = rng.normal();
  for (int i = 0; i < 5; ++i) trainer->step(*sae, x.data(), 4);
  CHECK(trainer->health.ok());
  std::vector<float> before(sae->params, sae->params + SaeT::kParams);
  x[5] = NAN;
  trainer->step(*sae, x.data(), 4);
  CHECK(trainer->health.code == StatusCode::diverged);
  CHECK(std::string(trainer->health.message) == "step 6: the SAE loss is NaN (training diverged)");
  CHECK(std::memcmp(before.data(), sae->params, sizeof(float) * SaeT::kParams) == 0);
  CHECK(trainer->adam.step == 5);
  sae->w_dec()[17] = INFINITY;
  CHECK(std::string(trainer->check_finite(*sae).message) == "step 6: SAE W_dec holds an infinity at index 17 (training diverged)");
}
