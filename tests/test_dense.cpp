#include <doctest/doctest.h>

#include "core/nn/dense.hpp"
#include "tests/gradcheck.hpp"

using saerl_test::numeric_gradient;
using saerl_test::random_fill;
using saerl_test::relative_error;

namespace {

// L = sum(y * R) for a fixed random R, so dL/dy = R.
void check_dense(int batch, int in, int out) {
  CAPTURE(batch);
  CAPTURE(in);
  CAPTURE(out);
  static double x[17 * 17], W[17 * 17], b[17], R[17 * 17], y[17 * 17];
  static double dx[17 * 17], dW[17 * 17], db[17], num[17 * 17];
  saerl::Rng rng{uint64_t(batch * 1000 + in * 31 + out)};
  random_fill(x, batch * in, rng);
  random_fill(W, in * out, rng);
  random_fill(b, out, rng);
  random_fill(R, batch * out, rng);
  auto loss = [&] {
    saerl::dense_forward(x, W, b, y, batch, in, out);
    return saerl::dot(y, R, batch * out);
  };
  saerl::fill(dW, in * out, 0.0);
  saerl::fill(db, out, 0.0);
  saerl::dense_backward(x, W, R, dx, dW, db, batch, in, out);

  numeric_gradient(loss, x, batch * in, num);
  CHECK(relative_error(dx, num, batch * in) < 1e-6);
  numeric_gradient(loss, W, in * out, num);
  CHECK(relative_error(dW, num, in * out) < 1e-6);
  numeric_gradient(loss, b, out, num);
  CHECK(relative_error(db, num, out) < 1e-6);
}

}  // namespace

TEST_CASE("dense layer gradients match finite differences for odd shapes") {
  for (int batch : {1, 3, 17})
    for (int in : {1, 3, 17})
      for (int out : {1, 3, 17}) check_dense(batch, in, out);
}

TEST_CASE("dense forward computes x W + b") {
  const float x[2] = {1, 2}, W[2 * 3] = {1, 0, 2, 0, 1, 3}, b[3] = {0.5f, 0, -1};
  float y[3];
  saerl::dense_forward(x, W, b, y, 1, 2, 3);
  CHECK(y[0] == 1.5f);
  CHECK(y[1] == 2.0f);
  CHECK(y[2] == 7.0f);
}

TEST_CASE("dense backward accumulates into the weight gradient") {
  const double x[1] = {2}, W[1] = {3}, dy[1] = {1};
  double dW[1] = {10}, db[1] = {1};
  saerl::dense_backward(x, W, dy, static_cast<double*>(nullptr), dW, db, 1, 1, 1);
  CHECK(dW[0] == 12);
  CHECK(db[0] == 2);
}
