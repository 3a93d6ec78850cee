#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "core/optim.hpp"

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
