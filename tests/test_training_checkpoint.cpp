// dqn/dqn_checkpoint.hpp and sae/sae_checkpoint.hpp: training saved part-way and resumed in a
// fresh object ends bit-identical to training straight through; a loaded checkpoint whose
// values are out of range is refused.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "dqn/dqn_checkpoint.hpp"
#include "gridworld/rook_checkmate.hpp"
#include "sae/sae_checkpoint.hpp"
#include "tests/temp_files.hpp"

using namespace saerl;

namespace {
using Game = RookCheckmate<5>;
using Net = Mlp<float, Game::kObs, 16, 16, Game::kActions>;
using Agent = DqnAgent<Game, Net, 8, 300>;  // a replay of 300 wraps around in 1,000 steps
const uint32_t kKind = fourcc("TDQN");

struct DqnRun {
  std::unique_ptr<Agent> agent = std::make_unique<Agent>();
  DqnRunner<Agent, Game> runner;
  Game env;
  Rng rng;
  explicit DqnRun(uint64_t seed, float priority_alpha = 0) : rng(seed) {
    DqnConfig c;
    c.priority_alpha = priority_alpha;
    c.learn_start = 50;
    c.train_every = 2;
    c.n_step = 3;
    c.double_dqn = true;
    agent->init(c, rng);
    runner.epsilon = {0.5f, 0.05f, 1000};
    env.reset(rng);
  }
  void run(int steps) {
    for (int t = 0; t < steps; ++t) runner.step(*agent, env, rng);
  }
  template <class Ar>
  void fields(Ar& ar) {
    dqn_agent_fields(ar, *agent);
    dqn_runner_fields(ar, runner);
    ar.value(env.pos);
    ar.value(env.moves);
    ar.rng(rng);
  }
  Status save(const std::string& path) {
    CheckpointWriter w;
    Status s = w.write(path.c_str(), kKind, [&](auto& ar) { fields(ar); });
    return s.ok() ? w.commit() : s;
  }
  Status load(const std::string& path) {
    Status s = load_checkpoint(path.c_str(), kKind, [&](auto& ar) { fields(ar); });
    return s.ok() ? check_dqn_agent(*agent, squares_ok) : s;
  }
  static bool squares_ok(const Game::Position& p) {
    return p.wk < Game::kSquares && p.wr < Game::kSquares && p.bk < Game::kSquares;
  }
};

template <class T>
bool same_bytes(const T* a, const T* b, int n) {
  return std::memcmp(a, b, sizeof(T) * size_t(n)) == 0;
}
}  // namespace

TEST_CASE("a DQN run saved at step 400 and resumed in a fresh agent ends bit-identical to the straight run") {
  saerl_test::TempDir tmp;
  float alpha = 0;
  SUBCASE("uniform replay") {}
  SUBCASE("prioritized replay: the priorities are saved too") { alpha = 0.6f; }
  DqnRun straight(11, alpha);
  straight.run(1000);

  DqnRun first(11, alpha);
  first.run(400);
  REQUIRE(first.save(tmp.path("run.ckpt")).ok());
  DqnRun resumed(99, alpha);  // another seed: everything it holds differs until it loads
  resumed.run(70);
  REQUIRE(resumed.load(tmp.path("run.ckpt")).ok());
  resumed.run(600);

  CHECK(same_bytes(straight.agent->online.params, resumed.agent->online.params, Net::kParams));
  CHECK(same_bytes(straight.agent->target.params, resumed.agent->target.params, Net::kParams));
  CHECK(same_bytes(straight.agent->adam.v, resumed.agent->adam.v, Net::kParams));
  CHECK(same_bytes(straight.agent->priority.node, resumed.agent->priority.node, 2 * Agent::Priorities::kLeaves));
  CHECK((alpha > 0) == (straight.agent->priority.total() > 0));
  CHECK(straight.agent->updates == resumed.agent->updates);
  CHECK(straight.runner.episodes == resumed.runner.episodes);
  CHECK(straight.rng.next_u32() == resumed.rng.next_u32());
  CHECK(straight.agent->updates > 100);
}

TEST_CASE("a DQN checkpoint whose replay or states are out of range is refused") {
  saerl_test::TempDir tmp;
  DqnRun r(5);
  r.run(200);
  SUBCASE("replay size beyond the capacity") {
    r.agent->replay.size = 301;
  }
  SUBCASE("a stored square off the board") {
    r.agent->replay.items[3].s2.bk = 25;
  }
  SUBCASE("a stored action beyond the last") {
    r.agent->replay.items[0].action = Game::kActions;
  }
  SUBCASE("an n-step window longer than n") {
    r.agent->pending_count = 3;
  }
  REQUIRE(r.save(tmp.path("bad.ckpt")).ok());
  DqnRun other(6);
  const Status s = other.load(tmp.path("bad.ckpt"));
  CHECK(s.code == StatusCode::invalid_argument);
  CHECK(std::string(s.message).find("checkpoint") != std::string::npos);
}

TEST_CASE("a prioritized DQN checkpoint whose priorities are out of range is refused") {
  saerl_test::TempDir tmp;
  DqnRun r(5, 0.6f);
  r.run(200);
  REQUIRE(r.agent->replay.size > 10);
  REQUIRE(r.agent->replay.size < 250);
  SUBCASE("a stored transition of priority 0") {
    r.agent->priority.set(7, 0.0f);
  }
  SUBCASE("a priority on an empty slot") {
    r.agent->priority.set(250, 1.0f);
  }
  SUBCASE("an inner sum that is not the sum of its children") {
    r.agent->priority.node[1] += 1.0f;
  }
  SUBCASE("a priority that is not a number") {
    r.agent->priority.set(3, std::nanf(""));
  }
  REQUIRE(r.save(tmp.path("bad.ckpt")).ok());
  DqnRun other(6, 0.6f);
  const Status s = other.load(tmp.path("bad.ckpt"));
  CHECK(s.code == StatusCode::invalid_argument);
  CHECK(std::string(s.message).find("checkpoint") != std::string::npos);
}

TEST_CASE("SAE training saved at step 30 and resumed in a fresh trainer ends bit-identical to the straight run") {
  using SaeT = Sae<float, 8, 32>;
  using Trainer = SaeTrainer<SaeT, 16>;
  std::vector<float> x(16 * 8 * 4);
  Rng data_rng(4);
  for (float& v : x) v = data_rng.normal();
  struct Run {
    std::unique_ptr<SaeT> sae = std::make_unique<SaeT>();
    std::unique_ptr<Trainer> trainer = std::make_unique<Trainer>();
    Rng rng;
    explicit Run(uint64_t seed) : rng(seed) {
      sae->init(SaeVariant::topk, 4, nullptr, rng);
      SaeConfig c;
      c.variant = SaeVariant::topk;
      c.k = 4;
      c.dead_after = 64;  // so that AuxK and the dead-feature clock matter
      c.total_steps = 80;
      trainer->init(c);
    }
    void run(const std::vector<float>& x, int from, int to) {
      for (int t = from; t < to; ++t) trainer->step(*sae, x.data() + (t % 4) * 16 * 8, 16);
    }
  };
  saerl_test::TempDir tmp;
  const std::string path = tmp.path("sae.ckpt");
  const uint32_t kind = fourcc("TSAE");
  Run straight(1), first(1), resumed(2);
  straight.run(x, 0, 80);
  first.run(x, 0, 30);
  CheckpointWriter w;
  REQUIRE(w.write(path.c_str(), kind, [&](auto& ar) { sae_training_fields(ar, *first.sae, *first.trainer); ar.rng(first.rng); }).ok());
  REQUIRE(w.commit().ok());
  resumed.run(x, 0, 7);
  REQUIRE(load_checkpoint(path.c_str(), kind, [&](auto& ar) { sae_training_fields(ar, *resumed.sae, *resumed.trainer); ar.rng(resumed.rng); }).ok());
  CHECK(check_sae_training(*resumed.sae, *resumed.trainer).ok());
  resumed.run(x, 30, 80);
  CHECK(same_bytes(straight.sae->params, resumed.sae->params, SaeT::kParams));
  CHECK(same_bytes(straight.trainer->adam.m, resumed.trainer->adam.m, SaeT::kParams));
  CHECK(straight.trainer->dead_count() == resumed.trainer->dead_count());

  resumed.sae->k = SaeT::kFeatures + 1;
  CHECK(check_sae_training(*resumed.sae, *resumed.trainer).code == StatusCode::invalid_argument);
}
