#include <doctest/doctest.h>

#include "core/nn/relu.hpp"
#include "core/math/tensor.hpp"
#include "tests/gradcheck.hpp"

TEST_CASE("relu zeroes negatives and keeps positives") {
  const float z[4] = {-2, 0, 0.5f, 3};
  float a[4];
  saerl::relu_forward(z, a, 4);
  CHECK(a[0] == 0.0f);
  CHECK(a[1] == 0.0f);
  CHECK(a[2] == 0.5f);
  CHECK(a[3] == 3.0f);
}

TEST_CASE("relu gradient matches finite differences away from the kink") {
  for (int n : {1, 3, 17}) {
    double z[17], a[17], R[17], dz[17], num[17];
    saerl::Rng rng{uint64_t(n)};
    saerl_test::random_fill(z, n, rng);
    saerl_test::random_fill(R, n, rng);
    for (int i = 0; i < n; ++i)
      if (z[i] > -1e-3 && z[i] < 1e-3) z[i] = 0.5;  // keep h away from the kink
    auto loss = [&] {
      saerl::relu_forward(z, a, n);
      return saerl::dot(a, R, n);
    };
    saerl::relu_backward(z, R, dz, n);
    saerl_test::numeric_gradient(loss, z, n, num);
    CAPTURE(n);
    CHECK(saerl_test::relative_error(dz, num, n) < 1e-6);
  }
}
