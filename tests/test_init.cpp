#include <doctest/doctest.h>

#include <cmath>

#include "core/nn/init.hpp"

TEST_CASE("kaiming uniform stays in its bound and has variance 2 / fan_in") {
  static float w[64 * 256];
  saerl::Rng rng(4);
  const int fan_in = 64, n = 64 * 256;
  saerl::kaiming_uniform(w, n, fan_in, rng);
  const double bound = std::sqrt(6.0 / fan_in);
  double s2 = 0;
  for (float x : w) {
    CHECK(std::fabs(x) <= bound);
    s2 += double(x) * x;
  }
  CHECK(s2 / n == doctest::Approx(2.0 / fan_in).epsilon(0.03));
}

TEST_CASE("pytorch linear init draws weights and biases within 1 / sqrt(fan_in)") {
  float W[25 * 7], b[7];
  saerl::Rng rng(5);
  saerl::pytorch_linear_init(W, b, 25, 7, rng);
  float largest = 0;
  for (float x : W) largest = std::fmax(largest, std::fabs(x));
  for (float x : b) CHECK(std::fabs(x) <= 0.2f);
  CHECK(largest <= 0.2f);
  CHECK(largest > 0.15f);  // the bound is reached, not a smaller one
}
