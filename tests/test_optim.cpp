#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "core/nn/optim.hpp"

TEST_CASE("the first Adam step moves each parameter by lr against its gradient's sign") {
  // With bias correction, m_hat = g and v_hat = g^2 after one step, so the step is lr * g / |g|.
  saerl::Adam<double, 3> adam;
  adam.lr = 0.1;
  adam.eps = 0;
  double p[3] = {1, 1, 1};
  const double g[3] = {2, -0.001, 50};
  adam.update(p, g);
  CHECK(p[0] == doctest::Approx(0.9));
  CHECK(p[1] == doctest::Approx(1.1));
  CHECK(p[2] == doctest::Approx(0.9));
}

TEST_CASE("Adam minimises a quadratic") {
  saerl::Adam<double, 2> adam;
  adam.lr = 0.05;
  double p[2] = {3, -4}, g[2];
  for (int i = 0; i < 2000; ++i) {
    g[0] = 2 * (p[0] - 1);  // d/dp (p - 1)^2
    g[1] = 2 * (p[1] + 2);
    adam.update(p, g);
  }
  CHECK(p[0] == doctest::Approx(1).epsilon(1e-3));
  CHECK(p[1] == doctest::Approx(-2).epsilon(1e-3));
}

TEST_CASE("sgd steps against the gradient") {
  float p[2] = {1, 1};
  const float g[2] = {1, -2};
  saerl::sgd_update(p, g, 2, 0.1f);
  CHECK(p[0] == doctest::Approx(0.9f));
  CHECK(p[1] == doctest::Approx(1.2f));
}

TEST_CASE("clip_grad_norm caps the norm and leaves small gradients alone") {
  double g[2] = {3, 4};
  CHECK(saerl::clip_grad_norm(g, 2, 1.0) == doctest::Approx(5));
  CHECK(std::sqrt(g[0] * g[0] + g[1] * g[1]) == doctest::Approx(1));
  CHECK(g[0] == doctest::Approx(0.6));
  double h[2] = {0.3, 0.4};
  saerl::clip_grad_norm(h, 2, 1.0);
  CHECK(h[0] == 0.3);
}

TEST_CASE("sqrt_array gives std::sqrt's values at every length, SIMD body and tail alike") {
  const float fv[] = {0.0f, 1e-40f, 1e-30f, 2.0f, 0.25f, 3.0f, 1e30f, 7.5f, 1e-8f, 123.456f};
  const double dv[] = {0.0, 1e-310, 1e-30, 2.0, 0.25, 3.0, 1e300, 7.5, 1e-8, 123.456};
  for (int n = 0; n <= 37; ++n) {
    float x[37], root[37];
    double xd[37], rootd[37];
    for (int i = 0; i < n; ++i) x[i] = fv[i % 10] * float(1 + i), xd[i] = dv[i % 10] * double(1 + i);
    saerl::detail::sqrt_array(x, root, n);
    saerl::detail::sqrt_array(xd, rootd, n);
    for (int i = 0; i < n; ++i) {
      const float want = std::sqrt(x[i]);
      const double want_d = std::sqrt(xd[i]);
      CHECK(std::memcmp(&root[i], &want, sizeof want) == 0);
      CHECK(std::memcmp(&rootd[i], &want_d, sizeof want_d) == 0);
    }
  }
}

TEST_CASE("Adam gives the floats of its formula applied one parameter at a time") {
  // 1000 parameters: several chunks and a partial one, and a length no SIMD width divides
  constexpr int kN = 1000;
  static saerl::Adam<float, kN> adam;
  adam.reset();
  adam.lr = 5e-4f;
  float p[kN], q[kN], m[kN] = {}, v[kN] = {}, g[kN];
  for (int i = 0; i < kN; ++i) p[i] = q[i] = std::sin(float(i));
  for (long t = 1; t <= 5; ++t) {
    for (int i = 0; i < kN; ++i) g[i] = 1e-2f * std::cos(float(i * t));
    adam.update(p, g);
    const float c1 = 1.0f - float(std::pow(double(0.9f), double(t)));
    const float c2 = 1.0f - float(std::pow(double(0.999f), double(t)));
    const float step_size = adam.lr / c1, inv_sqrt_c2 = 1.0f / std::sqrt(c2);
    for (int i = 0; i < kN; ++i) {
      m[i] = 0.9f * m[i] + (1.0f - 0.9f) * g[i];
      v[i] = 0.999f * v[i] + (1.0f - 0.999f) * g[i] * g[i];
      q[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_c2 + 1e-8f);
    }
  }
  CHECK(std::memcmp(p, q, sizeof p) == 0);
  CHECK(std::memcmp(adam.m, m, sizeof m) == 0);
  CHECK(std::memcmp(adam.v, v, sizeof v) == 0);
}
