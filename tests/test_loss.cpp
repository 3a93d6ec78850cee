#include <doctest/doctest.h>

#include "core/nn/loss.hpp"
#include "tests/gradcheck.hpp"

TEST_CASE("mse and huber gradients match finite differences") {
  for (int n : {1, 3, 17}) {
    double p[17], t[17], g[17], num[17];
    saerl::Rng rng{uint64_t(100 + n)};
    saerl_test::random_fill(p, n, rng, 2.0);
    saerl_test::random_fill(t, n, rng, 2.0);
    CAPTURE(n);
    saerl::mse_loss(p, t, n, g);
    saerl_test::numeric_gradient([&] { return saerl::mse_loss(p, t, n, static_cast<double*>(nullptr)); }, p, n, num);
    CHECK(saerl_test::relative_error(g, num, n) < 1e-6);
    // Both branches of Huber appear: the differences are spread over about +-3.
    saerl::huber_loss(p, t, n, g);
    saerl_test::numeric_gradient([&] { return saerl::huber_loss(p, t, n, static_cast<double*>(nullptr)); }, p, n, num);
    CHECK(saerl_test::relative_error(g, num, n) < 1e-6);
    saerl::huber_loss(p, t, n, g, 0.5);
    saerl_test::numeric_gradient([&] { return saerl::huber_loss(p, t, n, static_cast<double*>(nullptr), 0.5); }, p, n, num);
    CHECK(saerl_test::relative_error(g, num, n) < 1e-6);
  }
}

TEST_CASE("huber is quadratic inside delta and linear outside") {
  const double t[2] = {0, 0};
  const double small[2] = {0.5, -0.5}, large[2] = {3, -3};
  CHECK(saerl::huber_loss(small, t, 2, static_cast<double*>(nullptr)) == doctest::Approx(0.125));
  CHECK(saerl::huber_loss(large, t, 2, static_cast<double*>(nullptr)) == doctest::Approx(2.5));
  CHECK(saerl::mse_loss(large, t, 2, static_cast<double*>(nullptr)) == doctest::Approx(9.0));
}
