// Tests for core/analysis/logistic_probe.hpp: the gradient against finite differences, a separable
// problem read out perfectly, a label unrelated to the inputs read no better than the majority
// baseline, units of a column not mattering, and bit-identical reruns.
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include <doctest/doctest.h>

#include "core/analysis/logistic_probe.hpp"
#include "gradcheck.hpp"

using namespace saerl;

namespace {

// n rows of F standard-normal inputs with column c scaled to s_c x + o_c, and a (n, P) truth
// matrix whose column 1 is the separable label x0 - 0.5 x1 + x2 > 0 (rows too close to the
// boundary, |margin| < 0.3 before scaling, are drawn again), column 0 a coin with P(1) = 0.7
// drawn independently of x, column 2 always 0.
constexpr int F = 4, P = 3;
struct Data {
  std::vector<float> x;
  std::vector<uint8_t> truth;
};

Data make_data(int n, uint64_t seed, const float (&scale)[F] = {1, 1, 1, 1}, const float (&offset)[F] = {0, 0, 0, 0}) {
  Rng rng(seed);
  Data d;
  d.x.resize(static_cast<size_t>(n) * F);
  d.truth.resize(static_cast<size_t>(n) * P);
  for (int i = 0; i < n; ++i) {
    float v[F];
    float margin = 0;
    do {
      for (float& e : v) e = rng.normal();
      margin = v[0] - 0.5f * v[1] + v[2];
    } while (std::fabs(margin) < 0.3f);
    for (int k = 0; k < F; ++k) d.x[i * F + k] = v[k] * scale[k] + offset[k];
    d.truth[i * P + 0] = rng.uniform() < 0.7f;
    d.truth[i * P + 1] = margin > 0;
    d.truth[i * P + 2] = 0;
  }
  return d;
}

}  // namespace

TEST_CASE("the probe's loss at w = 0, b = 0 is log 2, whatever the labels") {
  LogisticProbe<F, double> probe;
  const double x[2 * F] = {1, 2, 3, 4, -1, 0, 5, 2};
  const uint8_t y[2] = {1, 0};
  CHECK(probe.loss(x, y, 2, 1, 0.1) == doctest::Approx(std::log(2.0)).epsilon(1e-12));
  // dL/db = mean(sigmoid(0) - y) = mean(0.5 - 1, 0.5 - 0) = 0
  CHECK(probe.grad_b == doctest::Approx(0.0));
}

TEST_CASE("the probe's gradient matches central finite differences (double)") {
  constexpr int n = 40, K = 5;
  Rng rng(7);
  std::vector<double> x(n * K);
  saerl_test::random_fill(x.data(), n * K, rng, 2.0);
  for (int i = 0; i < n; ++i) x[i * K + 3] += 10.0;  // an offset column: standardisation matters
  std::vector<uint8_t> truth(n * 2);
  for (int i = 0; i < n; ++i) truth[i * 2] = rng.uniform() < 0.4f, truth[i * 2 + 1] = 7;  // y via stride 2
  LogisticProbe<K, double> probe;
  probe.fit_standardisation(x.data(), n);
  saerl_test::random_fill(probe.w, K, rng);
  probe.b = 0.3;
  const double lambda = 0.05;

  probe.loss(x.data(), truth.data(), n, 2, lambda);
  double analytic[K + 1], numeric[K + 1];
  for (int k = 0; k < K; ++k) analytic[k] = probe.grad_w[k];
  analytic[K] = probe.grad_b;
  auto f = [&] { return probe.loss(x.data(), truth.data(), n, 2, lambda); };
  saerl_test::numeric_gradient(f, probe.w, K, numeric);
  saerl_test::numeric_gradient(f, &probe.b, 1, numeric + K);
  CHECK(saerl_test::relative_error(analytic, numeric, K + 1) < 1e-7);
}

TEST_CASE("the probe reads out a linearly separable label with held-out accuracy 1") {
  // Columns in very different units and offsets: standardisation puts them on one footing.
  const Data d = make_data(500, 1, {1, 100, 0.01f, 3}, {5, -200, 0, 1000});
  auto probe = std::make_unique<LogisticProbe<F>>();
  ProbeAccuracy acc;
  REQUIRE(probe_accuracy(d.x.data(), d.truth.data(), P, 1, 300, 500, *probe, acc).ok());
  CHECK(acc.heldout == 200);
  CHECK(acc.train_accuracy == 1.0);
  CHECK(acc.heldout_accuracy == 1.0);
  CHECK(acc.baseline_accuracy < 0.7);
  CHECK(acc.train_loss < 0.2);
  SUBCASE("also with mini-batches drawn by an Rng") {
    Rng rng(3);
    ProbeOptions opt;
    opt.batch = 32;
    opt.steps = 600;
    REQUIRE(probe_accuracy(d.x.data(), d.truth.data(), P, 1, 300, 500, *probe, acc, opt, &rng).ok());
    CHECK(acc.heldout_accuracy == 1.0);
  }
}

TEST_CASE("a label independent of the inputs is read out no better than the majority baseline") {
  const Data d = make_data(1000, 2);
  LogisticProbe<F> probe;
  ProbeAccuracy acc;
  REQUIRE(probe_accuracy(d.x.data(), d.truth.data(), P, 0, 500, 1000, probe, acc).ok());
  // Hand count of the baseline: the more common answer on rows [500, 1000) of column 0.
  int ones = 0;
  for (int i = 500; i < 1000; ++i) ones += d.truth[i * P];
  CHECK(acc.heldout_positive_rate == doctest::Approx(ones / 500.0));
  CHECK(acc.baseline_accuracy == doctest::Approx(ones > 250 ? ones / 500.0 : 1 - ones / 500.0));
  CHECK(acc.baseline_accuracy > 0.6);
  CHECK(acc.heldout_accuracy < acc.baseline_accuracy + 0.03);
  CHECK(acc.heldout_accuracy > acc.baseline_accuracy - 0.05);
}

TEST_CASE("a constant label gives a baseline of 1 and a probe that always says it") {
  const Data d = make_data(200, 4);
  LogisticProbe<F> probe;
  ProbeAccuracy acc;
  REQUIRE(probe_accuracy(d.x.data(), d.truth.data(), P, 2, 100, 200, probe, acc).ok());
  CHECK(acc.baseline_accuracy == 1.0);
  CHECK(acc.heldout_accuracy == 1.0);
  CHECK(probe.predict(d.x.data()) < 0.05f);
}

TEST_CASE("scaling an input column leaves the probe's predictions unchanged") {
  const Data a = make_data(400, 5);
  Data b = a, c = a;
  for (int i = 0; i < 400; ++i) b.x[i * F + 2] *= 4.0f, c.x[i * F + 2] *= 1000.0f;
  LogisticProbe<F> pa, pb, pc;
  REQUIRE(pa.train(a.x.data(), a.truth.data() + 1, 300, P).ok());
  REQUIRE(pb.train(b.x.data(), b.truth.data() + 1, 300, P).ok());
  REQUIRE(pc.train(c.x.data(), c.truth.data() + 1, 300, P).ok());
  // A power of two scales every intermediate exactly: the weights are bit-identical.
  for (int k = 0; k < F; ++k) CHECK(pa.w[k] == pb.w[k]);
  CHECK(pa.b == pb.b);
  for (int i = 300; i < 400; ++i) {
    CHECK(pb.predict(b.x.data() + i * F) == pa.predict(a.x.data() + i * F));
    CHECK(pc.predict(c.x.data() + i * F) == doctest::Approx(pa.predict(a.x.data() + i * F)).epsilon(1e-3));
  }
  CHECK(pc.accuracy(c.x.data() + 300 * F, c.truth.data() + 300 * P + 1, 100, P) ==
        pa.accuracy(a.x.data() + 300 * F, a.truth.data() + 300 * P + 1, 100, P));
}

TEST_CASE("training twice on the same data gives bit-identical probes") {
  const Data d = make_data(300, 6);
  LogisticProbe<F> p1, p2, p3, p4;
  REQUIRE(p1.train(d.x.data(), d.truth.data() + 0, 300, P).ok());
  REQUIRE(p2.train(d.x.data(), d.truth.data() + 0, 300, P).ok());
  ProbeOptions opt;
  opt.batch = 16;
  Rng r3(9), r4(9);
  REQUIRE(p3.train(d.x.data(), d.truth.data() + 0, 300, P, opt, &r3).ok());
  REQUIRE(p4.train(d.x.data(), d.truth.data() + 0, 300, P, opt, &r4).ok());
  for (int k = 0; k < F; ++k) {
    CHECK(p1.w[k] == p2.w[k]);
    CHECK(p3.w[k] == p4.w[k]);
  }
  CHECK(p1.b == p2.b);
  CHECK(p3.b == p4.b);
  CHECK(p1.train_loss == p2.train_loss);
  // Retraining an already trained probe starts afresh.
  REQUIRE(p1.train(d.x.data(), d.truth.data() + 0, 300, P).ok());
  for (int k = 0; k < F; ++k) CHECK(p1.w[k] == p2.w[k]);
}

TEST_CASE("bad probe arguments are refused with invalid_argument") {
  const Data d = make_data(50, 8);
  LogisticProbe<F> probe;
  ProbeAccuracy acc;
  CHECK(probe.train(d.x.data(), d.truth.data(), 0, P).code == StatusCode::invalid_argument);
  CHECK(probe.train(d.x.data(), d.truth.data(), 50, 0).code == StatusCode::invalid_argument);
  ProbeOptions mini;
  mini.batch = 8;
  CHECK(probe.train(d.x.data(), d.truth.data(), 50, P, mini).code == StatusCode::invalid_argument);  // no Rng
  ProbeOptions bad;
  bad.lr = 0;
  CHECK(probe.train(d.x.data(), d.truth.data(), 50, P, bad).code == StatusCode::invalid_argument);
  CHECK(probe_accuracy(d.x.data(), d.truth.data(), P, P, 25, 50, probe, acc).code == StatusCode::invalid_argument);
  CHECK(probe_accuracy(d.x.data(), d.truth.data(), P, 0, 50, 50, probe, acc).code == StatusCode::invalid_argument);
  CHECK(probe_accuracy(d.x.data(), d.truth.data(), P, 0, 0, 50, probe, acc).code == StatusCode::invalid_argument);
}
