#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "examples/pipeline.hpp"
#include "tests/gradcheck.hpp"

namespace {
using Game = saerl::RookCheckmate<5>;
using Net = saerl::Mlp<float, Game::kObs, 12, 10, Game::kActions>;
constexpr int W = saerl::HiddenLayer<Net>::kWidth;  // 10
using SaeT = saerl::Sae<float, W, 2 * W>;

// An SAE that reconstructs exactly: feature j is +e_j, feature W + j is -e_j, so
// x = relu(x) - relu(-x).
void make_exact(SaeT& sae) {
  saerl::Rng rng(1);
  sae.init(saerl::SaeVariant::relu, 1, static_cast<const float*>(nullptr), rng);
  saerl::fill(sae.params, SaeT::kParams, 0.0f);
  for (int d = 0; d < W; ++d) {
    sae.w_enc()[d * 2 * W + d] = 1;
    sae.w_enc()[d * 2 * W + W + d] = -1;
    sae.w_dec()[d * W + d] = 1;
    sae.w_dec()[(W + d) * W + d] = -1;
  }
}
}  // namespace

TEST_CASE("every legal position's hidden vector is collected once, with its index") {
  auto net = std::make_unique<Net>();
  saerl::Rng rng(2);
  net->init(rng);
  auto data = std::make_unique<saerl::ActivationDataset<float, W, 8192>>();
  saerl::collect_all_positions<Net, Game>(*net, *data);
  CHECK(data->size == Game::count_legal_positions());
  bool legal = true;
  for (int i = 0; i < data->size; ++i) legal = legal && Game::is_legal(Game::from_index(data->source[i]));
  CHECK(legal);
  // the row is the network's z_1 for that position
  saerl::MlpActivations<Net, 1> acts;
  float h[W];
  saerl::hidden_of<Net, Game>(*net, Game::from_index(data->source[100]), h, acts);
  for (int d = 0; d < W; ++d) CHECK(data->row(100)[d] == h[d]);
}

TEST_CASE("an exact SAE spliced in changes no action and recovers the whole return") {
  auto net = std::make_unique<Net>();
  saerl::Rng rng(3);
  net->init(rng);
  auto sae = std::make_unique<SaeT>();
  make_exact(*sae);
  float mean[W] = {0};
  const saerl::SpliceFidelity f = saerl::measure_splice<Net, SaeT, Game>(*net, *sae, mean, 200, 5);
  CHECK(f.action_agreement == 1.0);
  CHECK(f.checkmate_rate == f.original_checkmate_rate);
  CHECK(f.mean_return == f.original_return);
  if (f.original_return != f.zero_return) CHECK(f.return_recovered == doctest::Approx(1.0));
}

namespace {
// Relative error between q's gradient with respect to x_hat and central differences of its
// loss (float, h = 1e-2).
double fidelity_gradient_error(saerl::QFidelity<Net, 3>& q, float* x_hat) {
  float grad[3 * W] = {0}, scratch[3 * W];
  q(x_hat, 3, grad);
  double analytic[3 * W], numeric[3 * W];
  for (int i = 0; i < 3 * W; ++i) analytic[i] = grad[i];
  saerl_test::numeric_gradient([&] { return double(q(x_hat, 3, scratch)); }, x_hat, 3 * W, numeric, 1e-2);
  return saerl_test::relative_error(analytic, numeric, 3 * W);
}
}  // namespace

TEST_CASE("the Q-fidelity gradient matches finite differences") {
  auto net = std::make_unique<Net>();
  saerl::Rng rng(4);
  net->init(rng);
  auto q = std::make_unique<saerl::QFidelity<Net, 3>>();
  q->net = net.get();
  q->coeff = 2.0f;
  float x[3 * W], x_hat[3 * W];
  saerl_test::random_fill(x, 3 * W, rng);
  for (int i = 0; i < 3 * W; ++i) x_hat[i] = x[i] + 0.3f * rng.normal();
  q->x = x;
  CHECK(fidelity_gradient_error(*q, x_hat) < 2e-2);
}

TEST_CASE("the policy-fidelity gradient matches finite differences, and an exact copy costs nothing") {
  auto net = std::make_unique<Net>();
  saerl::Rng rng(5);
  net->init(rng);
  auto q = std::make_unique<saerl::QFidelity<Net, 3>>();
  q->net = net.get();
  q->policy_coeff = 0.5f;
  q->temperature = 0.5f;  // a temperature at the Q-values' scale, so finite differences in float stay smooth
  float x[3 * W], x_hat[3 * W], grad[3 * W] = {0};
  saerl_test::random_fill(x, 3 * W, rng);
  q->x = x;
  CHECK(std::fabs((*q)(x, 3, grad)) < 1e-6f);  // KL(p || p) = 0
  for (int i = 0; i < 3 * W; ++i) CHECK(std::fabs(grad[i]) < 1e-6f);
  for (int i = 0; i < 3 * W; ++i) x_hat[i] = x[i] + 0.3f * rng.normal();
  CHECK((*q)(x_hat, 3, grad) > 0);  // the perturbed policy differs
  CHECK(fidelity_gradient_error(*q, x_hat) < 2e-2);
}
