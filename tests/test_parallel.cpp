#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/math/matmul.hpp"
#include "core/nn/optim.hpp"
#include "core/base/parallel.hpp"
#include "dqn/dqn_agent.hpp"
#include "gridworld/rook_checkmate.hpp"
#include "sae/sae_trainer.hpp"
#include "tests/gradcheck.hpp"

namespace {

// Sets the thread count for one scope and restores one thread after it.
struct Threads {
  explicit Threads(int n) { saerl::set_threads(n); }
  ~Threads() { saerl::set_threads(1); }
};

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(T) * a.size()) == 0;
}

// The four products of (m, n, k) at the current thread count, one after the other in one vector.
std::vector<float> products(int m, int n, int k, double zeros) {
  saerl::Rng rng(uint64_t(m * 7 + n * 3 + k));
  std::vector<float> A(size_t(m) * k), B(size_t(k) * n), bias(n), out;
  saerl_test::random_fill(A.data(), m * k, rng);
  for (float& a : A)
    if (rng.uniform() < zeros) a = 0.0f;
  saerl_test::random_fill(B.data(), k * n, rng);
  saerl_test::random_fill(bias.data(), n, rng);
  std::vector<float> C(size_t(m) * n);
  saerl::matmul_nn(A.data(), B.data(), C.data(), m, n, k);
  out.insert(out.end(), C.begin(), C.end());
  saerl::matmul_nn_bias(A.data(), B.data(), bias.data(), C.data(), m, n, k);
  out.insert(out.end(), C.begin(), C.end());
  saerl::matmul_tn(A.data(), B.data(), C.data(), m, n, k, /*accumulate=*/true);  // A read as (k x m)
  out.insert(out.end(), C.begin(), C.end());
  saerl::matmul_nt(A.data(), B.data(), C.data(), m, n, k, /*accumulate=*/true);  // B read as (n x k)
  out.insert(out.end(), C.begin(), C.end());
  return out;
}

using Game = saerl::RookCheckmate<5>;
using Net = saerl::Mlp<float, Game::kObs, 128, 128, Game::kActions>;
using Agent = saerl::DqnAgent<Game, Net, 64, 4096>;

// The online network's parameters after a few DQN updates with noise injection.
std::vector<float> dqn_after_updates() {
  saerl::Rng rng(5);
  auto agent = std::make_unique<Agent>();
  saerl::DqnConfig config;
  config.learn_start = 64;
  config.double_dqn = true;
  config.hidden_noise = 0.3f;
  agent->init(config, rng);
  Game env;
  while (!agent->ready()) {
    env.reset(rng);
    const Game::State s = env.state();
    env.reset(rng);
    agent->record(s, int(rng.below(Game::kActions)), -1.0f, env.state(), rng.below(8) == 0);
  }
  for (int i = 0; i < 3; ++i) agent->update(rng);
  return std::vector<float>(agent->online.params, agent->online.params + Net::kParams);
}

// The SAE's parameters after a few training steps of `variant`.
template <int D, int M, int B>
std::vector<float> sae_after_steps(saerl::SaeVariant variant) {
  using SaeT = saerl::Sae<float, D, M>;
  saerl::Rng rng(9);
  auto sae = std::make_unique<SaeT>();
  sae->init(variant, 8, nullptr, rng);
  auto trainer = std::make_unique<saerl::SaeTrainer<SaeT, B>>();
  saerl::SaeConfig config;
  config.variant = variant;
  config.k = 8;
  config.dead_after = 2 * B;  // AuxK runs from the third step on
  trainer->init(config);
  std::vector<float> x(static_cast<std::size_t>(B * D));
  for (float& v : x) v = rng.normal();
  for (int i = 0; i < 4; ++i) trainer->step(*sae, x.data(), B);
  return std::vector<float>(sae->params, sae->params + SaeT::kParams);
}

}  // namespace

TEST_CASE("parallel_for visits every index once, in fixed contiguous chunks") {
  for (int t : {1, 2, 3}) {
    Threads threads(t);
    CHECK(saerl::threads() == t);
    for (int n : {1, 2, 5, 64, 1000}) {
      CAPTURE(t);
      CAPTURE(n);
      std::vector<int> visits(n, 0), end_of(n, -1);  // end_of[begin]: each chunk writes its own
      saerl::parallel_for(n, [&](int begin, int end) {
        end_of[begin] = end;
        for (int i = begin; i < end; ++i) ++visits[i];
      });
      for (int i = 0; i < n; ++i) CHECK(visits[i] == 1);
      for (int c = 0; c < t; ++c) {  // chunk c = [n c / t, n (c + 1) / t)
        const int begin = n * c / t, end = n * (c + 1) / t;
        if (begin < end) CHECK(end_of[begin] == end);
      }
    }
  }
}

TEST_CASE("a parallel_for inside a chunk runs whole on its caller") {
  Threads threads(2);
  std::vector<int> inner_calls(2, 0);
  saerl::parallel_for(2, [&](int begin, int end) {
    for (int i = begin; i < end; ++i)
      saerl::parallel_for(100, [&](int b, int e) { inner_calls[i] += (b == 0 && e == 100); });
  });
  CHECK(inner_calls[0] == 1);
  CHECK(inner_calls[1] == 1);
}

TEST_CASE("set_threads clamps the count and threads() reports it") {
  CHECK(saerl::set_threads(0) == 1);
  CHECK(saerl::threads() == 1);
  CHECK(saerl::set_threads(1000) == saerl::kMaxThreads);
  CHECK(saerl::set_threads(1) == 1);
}

TEST_CASE("matrix products give the same floats with 1, 2 and 3 threads") {
  // rows split (many rows), columns split (few rows, wide), and the row path (mostly zeros)
  const int shapes[][3] = {{300, 100, 70}, {20, 700, 90}, {200, 300, 64}};
  for (const auto& s : shapes)
    for (double zeros : {0.0, 0.95}) {
      CAPTURE(s[0]);
      CAPTURE(s[1]);
      CAPTURE(zeros);
      const std::vector<float> one = products(s[0], s[1], s[2], zeros);
      for (int t : {2, 3}) {
        Threads threads(t);
        CHECK(same_bits(products(s[0], s[1], s[2], zeros), one));
      }
    }
}

TEST_CASE("Adam over a large block gives the same floats with 1 and 2 threads") {
  constexpr int kN = 70001;
  static saerl::Adam<float, kN> one, two;
  std::vector<float> p1(kN), p2(kN), g(kN);
  saerl::Rng rng(3);
  saerl_test::random_fill(p1.data(), kN, rng);
  p2 = p1;
  for (int step = 0; step < 3; ++step) {
    saerl_test::random_fill(g.data(), kN, rng);
    one.update(p1.data(), g.data());
    Threads threads(2);
    two.update(p2.data(), g.data());
  }
  CHECK(same_bits(p1, p2));
}

TEST_CASE("a DQN update with noise injection gives the same weights with 1 and 2 threads") {
  const std::vector<float> one = dqn_after_updates();
  Threads threads(2);
  CHECK(same_bits(dqn_after_updates(), one));
}

TEST_CASE("SAE training steps give the same parameters with 1 and 2 threads") {
  for (saerl::SaeVariant v : {saerl::SaeVariant::relu, saerl::SaeVariant::topk, saerl::SaeVariant::batchtopk}) {
    CAPTURE(saerl::sae_variant_name(v));
    const std::vector<float> one = sae_after_steps<64, 256, 64>(v);
    Threads threads(2);
    CHECK(same_bits(sae_after_steps<64, 256, 64>(v), one));
  }
}
