// Tests for sae/metrics.hpp on SAEs whose weights are set by hand, so every metric is known.
#include <limits>
#include <memory>

#include <doctest/doctest.h>

#include "core/base/rng.hpp"
#include "sae/activation_dataset.hpp"
#include "sae/metrics.hpp"

using namespace saerl;

namespace {

template <class SaeT>
void zero_relu(SaeT& sae) {
  for (auto& p : sae.params) p = 0;
  sae.variant = SaeVariant::relu;
}

}  // namespace

TEST_CASE("an SAE that reconstructs exactly has MSE 0 and FVU 0") {
  // features d and 4 + d read +x_d and -x_d through a ReLU; decoding +e_d and -e_d gives x back
  using SaeT = Sae<double, 4, 8>;
  auto sae = std::make_unique<SaeT>();
  zero_relu(*sae);
  for (int d = 0; d < 4; ++d) {
    sae->w_enc()[d * 8 + d] = 1;
    sae->w_enc()[d * 8 + 4 + d] = -1;
    sae->w_dec()[d * 4 + d] = 1;
    sae->w_dec()[(4 + d) * 4 + d] = -1;
  }
  auto data = std::make_unique<ActivationDataset<double, 4, 100>>();
  Rng rng(5);
  double x[4];
  while (data->size < 100) {
    for (double& v : x) v = rng.normal_double();
    data->push(x, data->size);
  }
  auto work = std::make_unique<SaeWorkspace<SaeT, 16>>();
  SaeFeatureStats<8> stats;
  SaeMetrics m = evaluate_sae(*sae, *data, 0, 100, *work, &stats);
  CHECK(m.mse == 0.0);
  CHECK(m.fvu == 0.0);
  CHECK(m.l0 == 4.0);  // exactly one of each +/- pair fires per coordinate
  CHECK(m.inputs == 100);
  CHECK(stats.inputs == 100);
  long total = 0;
  for (int j = 0; j < 4; ++j) {
    CHECK(stats.fired[j] + stats.fired[4 + j] == 100);
    total += stats.fired[j] + stats.fired[4 + j];
  }
  CHECK(total == 400);
  CHECK(m.dead == 0);
  CHECK(m.live == 8);
  CHECK(fvu(data->data, data->data, 100, 4) == 0.0);
}

TEST_CASE("an SAE that outputs the data mean has FVU 1, L0 0 and every feature dead") {
  using SaeT = Sae<double, 4, 16>;
  auto sae = std::make_unique<SaeT>();
  Rng rng(9);
  sae->init(SaeVariant::relu, 1, nullptr, rng);
  for (int i = 0; i < 4 * 16; ++i) sae->w_enc()[i] = 0;  // z = 0: no code fires
  for (int j = 0; j < 16; ++j) sae->b_enc()[j] = 0;
  auto data = std::make_unique<ActivationDataset<double, 4, 200>>();
  double x[4];
  while (data->size < 200) {
    for (int d = 0; d < 4; ++d) x[d] = (d + 1) * rng.normal_double() + d;
    data->push(x, -1);
  }
  data->mean(50, 200, sae->b_dec());
  auto work = std::make_unique<SaeWorkspace<SaeT, 32>>();
  SaeMetrics m = evaluate_sae(*sae, *data, 50, 200, *work);
  CHECK(m.fvu == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(m.mse == doctest::Approx(data->variance(50, 200) / 4).epsilon(1e-12));
  CHECK(m.l0 == 0.0);
  CHECK(m.dead == 16);
  CHECK(m.live == 0);
  CHECK(m.dense == 0);
  CHECK(m.histogram[0] == 16);
}

TEST_CASE("L0, dead and dense counts and the density histogram on hand-set thresholds") {
  // 1000 inputs x_i = i. Feature j computes z = w x + b; with w = 1, b = -(999.5 - n) it fires
  // on exactly the n largest inputs.
  using SaeT = Sae<double, 1, 8>;
  auto sae = std::make_unique<SaeT>();
  zero_relu(*sae);
  const int fires[8] = {1000, 0, 1, 10, 100, 101, 0, 5};
  for (int j = 0; j < 8; ++j) {
    if (fires[j] == 1000) sae->b_enc()[j] = 1;        // always on (w = 0)
    else if (fires[j] == 0) sae->b_enc()[j] = -1;     // never on (w = 0)
    else sae->w_enc()[j] = 1, sae->b_enc()[j] = -(999.5 - fires[j]);
  }
  auto data = std::make_unique<ActivationDataset<double, 1, 1000>>();
  for (int i = 0; i < 1000; ++i) {
    const double x = i;
    data->push(&x, i);
  }
  auto work = std::make_unique<SaeWorkspace<SaeT, 64>>();  // 15 full batches and one of 40
  SaeFeatureStats<8> stats;
  SaeMetrics m = evaluate_sae(*sae, *data, 0, 1000, *work, &stats);
  for (int j = 0; j < 8; ++j) {
    CAPTURE(j);
    CHECK(stats.fired[j] == fires[j]);
  }
  CHECK(m.l0 == doctest::Approx(1217.0 / 1000.0));
  CHECK(m.dead == 2);
  CHECK(m.live == 6);
  CHECK(m.dense == 2);  // 100% and 10.1%; exactly 10% is not dense
  // densities 1, 0, 0.001, 0.01, 0.1, 0.101, 0, 0.005
  const int expected[kDensityBins] = {2, 0, 0, 0, 2, 1, 3};
  int sum = 0;
  for (int b = 0; b < kDensityBins; ++b) {
    CAPTURE(density_bin_label(b));
    CHECK(m.histogram[b] == expected[b]);
    sum += m.histogram[b];
  }
  CHECK(sum == 8);

  // rows [990, 1000): fired counts 10, 0, 1, 10, 10, 10, 0, 5
  m = evaluate_sae(*sae, *data, 990, 1000, *work, &stats);
  CHECK(stats.inputs == 10);
  CHECK(m.l0 == doctest::Approx(46.0 / 10.0));
  CHECK(m.dead == 2);
  CHECK(m.dense == 5);  // more than 10% of 10 inputs: firing at least twice (not feature 2)
}

TEST_CASE("the density histogram bins by exact powers of ten") {
  CHECK(detail::density_bin(0, 100) == 0);
  CHECK(detail::density_bin(1, 1000000) == 1);   // 1e-6
  CHECK(detail::density_bin(1, 10000000) == 1);  // below 1e-6: still bin 1
  CHECK(detail::density_bin(10, 1000000) == 2);  // 1e-5
  CHECK(detail::density_bin(9, 1000000) == 1);
  CHECK(detail::density_bin(1, 10000) == 3);     // 1e-4
  CHECK(detail::density_bin(1, 1000) == 4);
  CHECK(detail::density_bin(1, 100) == 5);
  CHECK(detail::density_bin(1, 10) == 6);
  CHECK(detail::density_bin(5, 5) == 6);
}

TEST_CASE("an empty range gives zeros and counts every feature dead") {
  using SaeT = Sae<float, 2, 4>;
  auto sae = std::make_unique<SaeT>();
  zero_relu(*sae);
  auto data = std::make_unique<ActivationDataset<float, 2, 4>>();
  auto work = std::make_unique<SaeWorkspace<SaeT, 4>>();
  SaeMetrics m = evaluate_sae(*sae, *data, 0, 0, *work);
  CHECK(m.mse == 0.0);
  CHECK(m.fvu == 0.0);
  CHECK(m.l0 == 0.0);
  CHECK(m.dead == 4);
  CHECK(m.histogram[0] == 4);
}

TEST_CASE("fvu is the squared error over the squared deviation from the column means") {
  // x columns: (1, 3) mean 2 and (0, 4) mean 2: sum of squared deviations 1 + 1 + 4 + 4 = 10
  const float x[4] = {1, 0, 3, 4};
  const float x_hat[4] = {1, 1, 3, 2};  // squared error 1 + 4 = 5
  CHECK(fvu(x, x_hat, 2, 2) == doctest::Approx(0.5));
  const float flat[4] = {1, 1, 1, 1};
  CHECK(fvu(flat, flat, 2, 2) == 0.0);
  CHECK(fvu(flat, x, 2, 2) == std::numeric_limits<double>::infinity());
}
