#include <doctest/doctest.h>

#include <cstring>
#include <memory>

#include "core/nn/loss.hpp"
#include "core/nn/mlp.hpp"
#include "core/nn/optim.hpp"
#include "tests/gradcheck.hpp"

using saerl_test::numeric_gradient;
using saerl_test::random_fill;
using saerl_test::relative_error;

namespace {

// Whole-network check: L = sum(y * R); parameters and input against finite differences.
template <class Net, int B>
void check_mlp_gradients(int batch) {
  CAPTURE(batch);
  static Net net, grad;
  static saerl::MlpActivations<Net, B> acts;
  static double x[B * Net::kIn], R[B * Net::kOut], dx[B * Net::kIn];
  static double num[Net::kParams > B * Net::kIn ? Net::kParams : B * Net::kIn];
  saerl::Rng rng(21);
  net.init(rng);
  for (int i = 0; i < Net::kParams; ++i) net.params[i] += 0.1 * rng.normal_double();  // nonzero biases
  random_fill(x, batch * Net::kIn, rng);
  random_fill(R, batch * Net::kOut, rng);
  auto loss = [&] { return saerl::dot(saerl::mlp_forward(net, x, batch, acts), R, batch * Net::kOut); };
  loss();
  grad.zero();
  saerl::mlp_backward(net, acts, R, &grad, dx);
  numeric_gradient(loss, net.params, Net::kParams, num);
  CHECK(relative_error(grad.params, num, Net::kParams) < 1e-6);
  numeric_gradient(loss, x, batch * Net::kIn, num);
  CHECK(relative_error(dx, num, batch * Net::kIn) < 1e-6);
}

}  // namespace

TEST_CASE("the whole MLP passes a finite-difference gradient check for several shapes") {
  check_mlp_gradients<saerl::Mlp<double, 3, 17, 1>, 3>(3);
  check_mlp_gradients<saerl::Mlp<double, 1, 3, 17, 3>, 17>(17);
  check_mlp_gradients<saerl::Mlp<double, 17, 3>, 1>(1);
  check_mlp_gradients<saerl::Mlp<double, 5, 16, 17, 9, 2>, 4>(3);  // batch below capacity
}

TEST_CASE("parameter layout counts every weight and bias once") {
  using Net = saerl::Mlp<float, 75, 128, 128, 24>;
  static_assert(Net::kParams == 75 * 128 + 128 + 128 * 128 + 128 + 128 * 24 + 24, "count");
  static_assert(Net::kLayers == 3 && Net::kIn == 75 && Net::kOut == 24, "sizes");
  static Net net;
  CHECK(net.bias(0) - net.params == 75 * 128);
  CHECK(net.weight(1) - net.params == 75 * 128 + 128);
  CHECK(net.bias(2) + 24 == net.params + Net::kParams);
}

TEST_CASE("running the rest of the network from a hidden pre-activation gives the same output") {
  using Net = saerl::Mlp<float, 6, 10, 9, 4>;
  static Net net;
  static saerl::MlpActivations<Net, 5> a, b;
  saerl::Rng rng(2);
  net.init(rng);
  float x[5 * 6], hidden[5 * 9];
  random_fill(x, 30, rng);
  const float* y = saerl::mlp_forward(net, x, 5, a);
  std::memcpy(hidden, a.pre(1), sizeof hidden);
  const float* y2 = saerl::mlp_forward_from(net, 2, hidden, 5, b);
  for (int i = 0; i < 5 * 4; ++i) CHECK(y2[i] == y[i]);
  // and a changed hidden vector changes the output
  hidden[0] += 5.0f;
  y2 = saerl::mlp_forward_from(net, 2, hidden, 5, b);
  bool changed = false;
  for (int i = 0; i < 4; ++i) changed |= y2[i] != y[i];
  CHECK(changed);
}

TEST_CASE("the gradient with respect to a spliced-in hidden vector matches finite differences") {
  using Net = saerl::Mlp<double, 4, 7, 5, 3>;
  static Net net;
  static saerl::MlpActivations<Net, 2> acts;
  saerl::Rng rng(8);
  net.init(rng);
  double h[2 * 5], R[2 * 3], dh[2 * 5], num[2 * 5];
  random_fill(h, 10, rng);
  random_fill(R, 6, rng);
  auto loss = [&] { return saerl::dot(saerl::mlp_forward_from(net, 2, h, 2, acts), R, 6); };
  loss();
  saerl::mlp_backward_from(net, acts, 2, R, static_cast<Net*>(nullptr), dh);
  numeric_gradient(loss, h, 10, num);
  CHECK(relative_error(dh, num, 10) < 1e-6);
}

TEST_CASE("a batch gives the same outputs as its inputs one at a time") {
  using Net = saerl::Mlp<float, 7, 33, 5>;
  static Net net;
  static saerl::MlpActivations<Net, 8> batch_acts;
  static saerl::MlpActivations<Net, 1> one;
  saerl::Rng rng(3);
  net.init(rng);
  float x[8 * 7];
  random_fill(x, 56, rng);
  const float* y = saerl::mlp_forward(net, x, 8, batch_acts);
  for (int r = 0; r < 8; ++r) {
    const float* yr = saerl::mlp_forward(net, x + r * 7, 1, one);
    for (int j = 0; j < 5; ++j) CHECK(yr[j] == doctest::Approx(y[r * 5 + j]).epsilon(1e-5));
  }
}

TEST_CASE("two runs with the same seed give bit-identical weights after 100 Adam steps") {
  using Net = saerl::Mlp<float, 75, 64, 64, 24>;
  struct Run {
    Net net, grad;
    saerl::Adam<float, Net::kParams> adam;
    saerl::MlpActivations<Net, 32> acts;
    float x[32 * 75], target[32 * 24], dy[32 * 24];
  };
  auto train = [](Run& r) {
    saerl::Rng rng(1234);
    r.net.init(rng);
    r.adam.lr = 1e-3f;
    for (int step = 0; step < 100; ++step) {
      random_fill(r.x, 32 * 75, rng);
      random_fill(r.target, 32 * 24, rng);
      const float* y = saerl::mlp_forward(r.net, r.x, 32, r.acts);
      saerl::huber_loss(y, r.target, 32 * 24, r.dy);
      r.grad.zero();
      saerl::mlp_backward(r.net, r.acts, r.dy, &r.grad, static_cast<float*>(nullptr));
      r.adam.update(r.net.params, r.grad.params);
    }
  };
  auto a = std::make_unique<Run>(), b = std::make_unique<Run>();
  train(*a);
  train(*b);
  CHECK(std::memcmp(a->net.params, b->net.params, sizeof a->net.params) == 0);
  saerl::Rng fresh(1234);
  Net init;
  init.init(fresh);
  CHECK(std::memcmp(a->net.params, init.params, sizeof init.params) != 0);  // training moved them
}

TEST_CASE("an MLP learns XOR with Adam") {
  using Net = saerl::Mlp<double, 2, 8, 1>;
  static Net net, grad;
  static saerl::MlpActivations<Net, 4> acts;
  static saerl::Adam<double, Net::kParams> adam;
  saerl::Rng rng(5);
  net.init(rng);
  adam.lr = 0.02;
  const double x[8] = {0, 0, 0, 1, 1, 0, 1, 1}, t[4] = {0, 1, 1, 0};
  double dy[4], loss = 1;
  for (int step = 0; step < 2000; ++step) {
    const double* y = saerl::mlp_forward(net, x, 4, acts);
    loss = saerl::mse_loss(y, t, 4, dy);
    grad.zero();
    saerl::mlp_backward(net, acts, dy, &grad, static_cast<double*>(nullptr));
    adam.update(net.params, grad.params);
  }
  CHECK(loss < 1e-3);
}
