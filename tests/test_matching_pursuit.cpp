#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "sae/matching_pursuit.hpp"

namespace {
using SaeT = saerl::Sae<double, 8, 20>;

std::unique_ptr<SaeT> random_dictionary(uint64_t seed) {
  auto sae = std::make_unique<SaeT>();
  saerl::Rng rng(seed);
  sae->init(saerl::SaeVariant::topk, 3, static_cast<const double*>(nullptr), rng);
  for (int d = 0; d < 8; ++d) sae->b_dec()[d] = 0.1 * d;
  return sae;
}
}  // namespace

TEST_CASE("pursuit reconstructs exactly an input made of its own decoder rows") {
  auto sae = random_dictionary(1);
  // x = b_dec + 2 w_3 - 1.5 w_11 + 0.5 w_17 (three rows of eight dimensions: recoverable)
  double x[8], f[20], x_hat[8];
  for (int d = 0; d < 8; ++d)
    x[d] = sae->b_dec()[d] + 2 * sae->w_dec()[3 * 8 + d] - 1.5 * sae->w_dec()[11 * 8 + d] + 0.5 * sae->w_dec()[17 * 8 + d];
  const int used = saerl::encode_pursuit(*sae, x, 3, f, x_hat);
  CHECK(used == 3);
  for (int d = 0; d < 8; ++d) CHECK(x_hat[d] == doctest::Approx(x[d]).epsilon(1e-5));  // the 1e-6 ridge
  CHECK(f[3] == doctest::Approx(2.0).epsilon(1e-5));
  CHECK(f[11] == doctest::Approx(-1.5).epsilon(1e-5));
  CHECK(f[17] == doctest::Approx(0.5).epsilon(1e-5));
}

TEST_CASE("pursuit uses at most k features and its residual is orthogonal to the chosen rows") {
  auto sae = random_dictionary(2);
  saerl::Rng rng(3);
  double x[8], f[20], x_hat[8];
  for (double& v : x) v = rng.normal_double();
  for (int k : {1, 2, 5}) {
    const int used = saerl::encode_pursuit(*sae, x, k, f, x_hat);
    int nonzero = 0;
    for (double v : f) nonzero += v != 0;
    CHECK(used == k);
    CHECK(nonzero <= k);
    // least squares: <x - x_hat, w_j> = 0 for every chosen j
    for (int j = 0; j < 20; ++j) {
      if (f[j] == 0) continue;
      double s = 0;
      for (int d = 0; d < 8; ++d) s += (x[d] - x_hat[d]) * sae->w_dec()[j * 8 + d];
      CHECK(std::fabs(s) < 1e-4);
    }
  }
}

TEST_CASE("more pursuit features never reconstruct worse") {
  auto sae = random_dictionary(4);
  saerl::Rng rng(5);
  double x[8], f[20], x_hat[8];
  for (double& v : x) v = rng.normal_double();
  double previous = 1e300;
  for (int k = 1; k <= 8; ++k) {
    saerl::encode_pursuit(*sae, x, k, f, x_hat);
    double err = 0;
    for (int d = 0; d < 8; ++d) err += (x[d] - x_hat[d]) * (x[d] - x_hat[d]);
    CHECK(err <= previous + 1e-12);
    previous = err;
  }
  CHECK(previous < 1e-8);  // eight independent rows span the eight dimensions
}
