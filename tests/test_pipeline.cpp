#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "examples/pipeline.hpp"
#include "tests/exact_sae.hpp"
#include "tests/gradcheck.hpp"

namespace {
using Game = saerl::RookCheckmate<5>;
using Net = saerl::Mlp<float, Game::kObs, 12, 10, Game::kActions>;
constexpr int W = saerl::HiddenLayer<Net>::kWidth;  // 10
using SaeT = saerl::Sae<float, W, 2 * W>;
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

TEST_CASE("spliced fidelity, exactly: an exact SAE keeps everything, a constant one recovers nothing") {
  auto net = std::make_unique<Net>();
  saerl::Rng rng(3);
  net->init(rng);
  auto exact = std::make_unique<saerl::RookExact<5>>();
  REQUIRE(exact->init(Game::Opponent::random).ok());
  auto sae = std::make_unique<SaeT>();
  saerl_test::make_exact(*sae);
  float mean[W];
  for (int d = 0; d < W; ++d) mean[d] = 0.1f * float(d + 1);
  saerl::SpliceFidelity f = saerl::measure_splice<Net, SaeT, Game>(*net, *sae, mean, *exact);
  CHECK(f.action_agreement == 1.0);
  CHECK(f.spliced.expected_return == f.original.expected_return);
  CHECK(f.spliced_return_ratio == 1.0);
  CHECK(f.return_recovered_zero == 1.0);
  CHECK(f.return_recovered_mean == 1.0);
  // the original policy's figures are the exact evaluator's own
  const saerl::ExactComparison c = exact->evaluate([&](Game::Position p) {
    saerl::MlpActivations<Net, 1> acts;
    float obs[Game::kObs];
    Game::observe(p, obs);
    const float* q = saerl::mlp_forward(*net, obs, 1, acts);
    return saerl::argmax(q, Game::kActions);
  });
  CHECK(f.original.expected_return == c.policy.expected_return);
  // an SAE whose output is always zero is zero-ablation: nothing recovered against it
  saerl::fill(sae->params, SaeT::kParams, 0.0f);
  f = saerl::measure_splice<Net, SaeT, Game>(*net, *sae, mean, *exact);
  CHECK(f.spliced.expected_return == f.zero.expected_return);
  if (f.zero.expected_return != f.original.expected_return) CHECK(f.return_recovered_zero == 0.0);
  // and one whose output is always the mean is mean-ablation
  saerl::copy(mean, sae->b_dec(), W);
  f = saerl::measure_splice<Net, SaeT, Game>(*net, *sae, mean, *exact);
  CHECK(f.spliced.expected_return == f.mean.expected_return);
  if (f.mean.expected_return != f.original.expected_return) CHECK(f.return_recovered_mean == 0.0);
}

TEST_CASE("agreement on a split of the positions: its parts average to the agreement over all") {
  auto net = std::make_unique<Net>();
  saerl::Rng rng(4);
  net->init(rng);
  auto exact = std::make_unique<saerl::RookExact<5>>();
  REQUIRE(exact->init(Game::Opponent::random).ok());
  auto data = std::make_unique<saerl::ActivationDataset<float, W, 8192>>();
  saerl::collect_all_positions<Net, Game>(*net, *data);
  data->shuffle_split(rng, 0.2);
  auto sae = std::make_unique<SaeT>();
  saerl_test::make_exact(*sae);
  float mean[W];
  data->mean(0, data->train_size, mean);
  auto dqn = std::make_unique<uint8_t[]>(size_t(exact->legal_count));
  auto spliced = std::make_unique<uint8_t[]>(size_t(exact->legal_count));
  saerl::measure_splice<Net, SaeT, Game>(*net, *sae, mean, *exact, 0, dqn.get(), spliced.get());
  // an exact SAE agrees everywhere, on either part
  CHECK(saerl::row_agreement(*data, *exact, dqn.get(), spliced.get(), 0, data->train_size) == 1.0);
  CHECK(saerl::row_agreement(*data, *exact, dqn.get(), spliced.get(), data->train_size, data->size) == 1.0);
  // a mean-ablating SAE: the two parts, weighted by their sizes, give measure_splice's agreement
  saerl::fill(sae->params, SaeT::kParams, 0.0f);
  saerl::copy(mean, sae->b_dec(), W);
  const saerl::SpliceFidelity f = saerl::measure_splice<Net, SaeT, Game>(*net, *sae, mean, *exact, 0, dqn.get(), spliced.get());
  // the spliced actions are the mean-ablated policy's: one action everywhere
  bool constant = true;
  for (int l = 1; l < exact->legal_count; ++l) constant = constant && spliced[l] == spliced[0];
  CHECK(constant);
  const double a = saerl::row_agreement(*data, *exact, dqn.get(), spliced.get(), 0, data->train_size);
  const double b = saerl::row_agreement(*data, *exact, dqn.get(), spliced.get(), data->train_size, data->size);
  REQUIRE(f.action_agreement < 1.0);
  CHECK((a * data->train_size + b * (data->size - data->train_size)) / data->size ==
        doctest::Approx(f.action_agreement).epsilon(1e-12));
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
