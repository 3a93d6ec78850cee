// Tests for core/analysis/logistic_probes.hpp: P probes trained together against P single probes
// (core/analysis/logistic_probe.hpp): the same gradients, the same trained weights (double), the same
// predictions (float); bit-identical at 1 and 2 threads; bad arguments refused.
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include <doctest/doctest.h>

#include "core/analysis/logistic_probes.hpp"
#include "gradcheck.hpp"

using namespace saerl;

namespace {

// n rows of F inputs, about half of them zero (as an SAE's codes), column 3 offset by 10;
// labels (n, S) with S = P + 1 (a last column the probes must ignore): predicate p holds when
// a fixed random direction of the inputs exceeds a threshold, with 10% of labels flipped.
constexpr int F = 12, P = 11, S = P + 1;
template <class T>
struct Data {
  std::vector<T> x;
  std::vector<uint8_t> truth;
};

template <class T>
Data<T> make_data(int n, uint64_t seed) {
  Rng rng(seed);
  Data<T> d;
  d.x.resize(size_t(n) * F);
  d.truth.resize(size_t(n) * S);
  std::vector<float> dir(size_t(P) * F);
  saerl_test::random_fill(dir.data(), P * F, rng);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < F; ++k) d.x[i * F + k] = rng.uniform() < 0.5f ? T(0) : T(rng.normal() + (k == 3 ? 10 : 0));
    for (int p = 0; p < P; ++p) {
      float s = 0;
      for (int k = 0; k < F; ++k) s += dir[p * F + k] * float(d.x[i * F + k]);
      d.truth[i * S + p] = (s > 0.3f * p) != (rng.uniform() < 0.1f);
    }
    d.truth[i * S + P] = 1;
  }
  return d;
}

struct Threads {
  explicit Threads(int n) { set_threads(n); }
  ~Threads() { set_threads(1); }
};

}  // namespace

TEST_CASE("each of P probes trained together has the gradient of the single probe of its predicate") {
  const int n = 300;
  const Data<double> d = make_data<double>(n, 1);
  auto together = std::make_unique<LogisticProbes<F, P, double>>();
  together->fit_standardisation(d.x.data(), n);
  Rng rng(2);
  for (int k = 0; k < F; ++k)
    for (int p = 0; p < P; ++p) together->w[together->at(k, p)] = 0.3 * rng.normal_double();
  for (int p = 0; p < P; ++p) together->b[p] = 0.1 * p - 0.4;
  const double lambda = 0.02;
  double losses[P];
  REQUIRE(together->loss(d.x.data(), d.truth.data(), n, S, lambda, losses).ok());
  for (int p = 0; p < P; ++p) {
    LogisticProbe<F, double> one;
    one.fit_standardisation(d.x.data(), n);
    for (int k = 0; k < F; ++k) one.w[k] = together->w[together->at(k, p)];
    one.b = together->b[p];
    const double l = one.loss(d.x.data(), d.truth.data() + p, n, S, lambda);
    CHECK(losses[p] == doctest::Approx(l).epsilon(1e-12));
    double a[F + 1], e[F + 1];
    for (int k = 0; k < F; ++k) a[k] = together->grad_w[together->at(k, p)], e[k] = one.grad_w[k];
    a[F] = together->grad_b[p], e[F] = one.grad_b;
    CHECK(saerl_test::relative_error(a, e, F + 1) < 1e-10);
  }
}

TEST_CASE("P probes trained together end where P single probes end") {
  const int n = 400, n_train = 300;
  ProbeOptions opt;
  opt.steps = 100;
  SUBCASE("double: the same weights") {
    const Data<double> d = make_data<double>(n, 3);
    auto together = std::make_unique<LogisticProbes<F, P, double>>();
    REQUIRE(together->train(d.x.data(), d.truth.data(), n_train, S, opt).ok());
    for (int p = 0; p < P; ++p) {
      LogisticProbe<F, double> one;
      REQUIRE(one.train(d.x.data(), d.truth.data() + p, n_train, S, opt).ok());
      for (int k = 0; k < F; ++k) CHECK(together->w[together->at(k, p)] == doctest::Approx(one.w[k]).epsilon(1e-6));
      CHECK(together->b[p] == doctest::Approx(one.b).epsilon(1e-6));
      CHECK(together->train_loss[p] == doctest::Approx(one.train_loss).epsilon(1e-9));
    }
  }
  SUBCASE("float: the same held-out accuracy") {
    const Data<float> d = make_data<float>(n, 4);
    auto together = std::make_unique<LogisticProbes<F, P>>();
    REQUIRE(together->train(d.x.data(), d.truth.data(), n_train, S, opt).ok());
    for (int p = 0; p < P; ++p) {
      LogisticProbe<F> one;
      ProbeAccuracy acc;
      REQUIRE(probe_accuracy(d.x.data(), d.truth.data(), S, p, n_train, n, one, acc, opt).ok());
      const float* xh = d.x.data() + n_train * F;
      const uint8_t* yh = d.truth.data() + n_train * S;
      CHECK(together->accuracy(xh, yh, n - n_train, S, p) == doctest::Approx(acc.heldout_accuracy).epsilon(0.02));
      CHECK(together->one(p).logit(xh) == together->logit(xh, p));
    }
  }
}

TEST_CASE("P probes trained at 1 and at 2 threads are bit-identical") {
  const int n = 250;
  const Data<float> d = make_data<float>(n, 5);
  auto a = std::make_unique<LogisticProbes<F, P>>(), b = std::make_unique<LogisticProbes<F, P>>();
  {
    Threads one(1);
    REQUIRE(a->train(d.x.data(), d.truth.data(), n, S).ok());
  }
  {
    Threads two(2);
    REQUIRE(b->train(d.x.data(), d.truth.data(), n, S).ok());
  }
  int differ = 0;
  for (int e = 0; e < LogisticProbes<F, P>::kPadded * F; ++e) differ += a->w[e] != b->w[e];
  for (int p = 0; p < P; ++p) differ += a->b[p] != b->b[p] || a->train_loss[p] != b->train_loss[p];
  CHECK(differ == 0);
}

TEST_CASE("bad arguments to P probes are refused with invalid_argument") {
  const Data<float> d = make_data<float>(20, 6);
  auto probes = std::make_unique<LogisticProbes<F, P>>();
  CHECK(probes->train(d.x.data(), d.truth.data(), 0, S).code == StatusCode::invalid_argument);
  CHECK(probes->train(d.x.data(), d.truth.data(), 20, P - 1).code == StatusCode::invalid_argument);  // stride < P
  ProbeOptions mini;
  mini.batch = 8;
  CHECK(probes->train(d.x.data(), d.truth.data(), 20, S, mini).code == StatusCode::invalid_argument);
  const uint8_t* none = nullptr;
  CHECK(probes->train(d.x.data(), none, 20, S).code == StatusCode::invalid_argument);
}
