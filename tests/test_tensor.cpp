#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>

#include "core/math/tensor.hpp"

TEST_CASE("Mat is row-major and fill sets every element") {
  saerl::Mat<float, 3, 5> m;
  m.fill(2.0f);
  m(1, 4) = 7.0f;
  CHECK(m.data[1 * 5 + 4] == 7.0f);
  CHECK(m.row(1)[4] == 7.0f);
  CHECK(saerl::sum(m.data, 15) == doctest::Approx(14 * 2.0f + 7.0f));
  static_assert(sizeof(saerl::Mat<float, 3, 5>) == 15 * sizeof(float), "no hidden members");
}

TEST_CASE("dot equals the plain sum of products for lengths around the unroll width") {
  for (int n : {0, 1, 3, 7, 8, 9, 17, 64, 100}) {
    double x[100], y[100], expected = 0;
    for (int i = 0; i < n; ++i) {
      x[i] = 0.5 * i - 3;
      y[i] = 1.0 / (i + 1);
      expected += x[i] * y[i];
    }
    CAPTURE(n);
    CHECK(saerl::dot(x, y, n) == doctest::Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("dot keeps eight partial sums, one per index mod 8") {
  // 1e8 + 1 rounds to 1e8 in float: a single running sum loses the 1, the partial sums do not
  // (x[0] and x[8] cancel in sum 0, x[1] = 1 is alone in sum 1)
  float x[16] = {}, ones[16];
  for (float& o : ones) o = 1.0f;
  x[0] = 1e8f;
  x[1] = 1.0f;
  x[8] = -1e8f;
  CHECK(saerl::dot(x, ones, 16) == 1.0f);
  float running = 0;
  for (int i = 0; i < 16; ++i) running += x[i];
  CHECK(running == 0.0f);
}

TEST_CASE("axpy, scale, add and argmax do what their formulas say") {
  float x[4] = {1, 2, 3, 4}, y[4] = {10, 10, 10, 10};
  saerl::axpy(2.0f, x, y, 4);
  CHECK(y[3] == 18.0f);
  saerl::scale(y, 4, 0.5f);
  CHECK(y[0] == 6.0f);
  saerl::add(x, y, 4);
  CHECK(y[0] == 7.0f);
  float z[5] = {1, 5, 2, 5, -1};
  CHECK(saerl::argmax(z, 5) == 1);
}

TEST_CASE("all_finite finds a NaN or an infinity") {
  float x[3] = {1, 2, 3};
  CHECK(saerl::all_finite(x, 3));
  x[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK_FALSE(saerl::all_finite(x, 3));
  x[1] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(saerl::all_finite(x, 3));
}
