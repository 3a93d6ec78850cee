#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "sae/sae.hpp"
#include "tests/gradcheck.hpp"

using saerl_test::numeric_gradient;
using saerl_test::random_fill;
using saerl_test::relative_error;

namespace {

// The SAE's pre-activations computed here, independently of the library's matmul:
// z_bj = sum_d (x_bd - b_dec_d) W_enc[d, j] + b_enc_j.
template <class SaeT>
std::vector<double> reference_z(const SaeT& sae, const typename SaeT::Scalar* x, int batch) {
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  std::vector<double> z(size_t(batch) * M);
  for (int b = 0; b < batch; ++b)
    for (int j = 0; j < M; ++j) {
      double s = double(sae.b_enc()[j]);
      for (int d = 0; d < D; ++d)
        s += (double(x[b * D + d]) - double(sae.b_dec()[d])) * double(sae.w_enc()[d * M + j]);
      z[size_t(b) * M + j] = s;
    }
  return z;
}

// Makes the encoder the identity (D == M), with zero biases, so that z == x exactly.
template <class SaeT>
void make_identity_encoder(SaeT& sae) {
  static_assert(SaeT::kIn == SaeT::kFeatures, "identity encoder needs D == M");
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  using T = typename SaeT::Scalar;
  for (int d = 0; d < D; ++d)
    for (int j = 0; j < M; ++j) sae.w_enc()[d * M + j] = d == j ? T(1) : T(0);
  saerl::fill(sae.b_enc(), M, T(0));
  saerl::fill(sae.b_dec(), D, T(0));
}

// Smallest distance between a z value and a point where the variant's selection or kink
// could flip under a small perturbation: 0 (all variants), the k-th / (k+1)-th largest of a
// row (topk) or of the batch (batchtopk), the threshold (jumprelu).
template <class SaeT>
double selection_margin(const SaeT& sae, const std::vector<double>& z, int batch) {
  constexpr int M = SaeT::kFeatures;
  double margin = 1e300;
  for (double v : z) margin = std::min(margin, std::fabs(v));
  auto gap_at = [&](std::vector<double> v, int keep) {
    std::sort(v.begin(), v.end(), std::greater<double>());
    if (keep < int(v.size())) margin = std::min(margin, v[size_t(keep) - 1] - v[size_t(keep)]);
  };
  if (sae.variant == saerl::SaeVariant::topk)
    for (int b = 0; b < batch; ++b)
      gap_at(std::vector<double>(z.begin() + b * M, z.begin() + (b + 1) * M), sae.k);
  if (sae.variant == saerl::SaeVariant::batchtopk) gap_at(z, sae.k * batch);
  if (sae.variant == saerl::SaeVariant::jumprelu)
    for (int b = 0; b < batch; ++b)
      for (int j = 0; j < M; ++j)
        margin = std::min(margin, std::fabs(z[size_t(b) * M + j] - std::exp(double(sae.log_threshold()[j]))));
  return margin;
}

// Gradient check of W_enc, b_enc, W_dec, b_dec (b_dec's two uses summed) for the loss
//   L = mean_{b,d} (x_hat - x)^2 + lambda * mean_b sum_j f_bj,
// whose dL/dx_hat = 2 (x_hat - x) / (B D) and dL/df = lambda / B the test passes in.
template <class SaeT, int B>
void check_sae_gradients(saerl::SaeVariant variant, int k, int batch, double lambda, uint64_t seed) {
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  constexpr int kChecked = 2 * D * M + M + D;  // W_enc | b_enc | W_dec | b_dec
  CAPTURE(D);
  CAPTURE(M);
  CAPTURE(batch);
  CAPTURE(k);
  CAPTURE(saerl::sae_variant_name(variant));
  auto sae = std::make_unique<SaeT>();
  auto grad = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
  saerl::Rng rng(seed);
  double mean[D], x[B * D], d_x_hat[B * D], d_f[M], num[kChecked];
  random_fill(mean, D, rng, 0.5);
  sae->init(variant, k, mean, rng);
  for (int i = 0; i < kChecked; ++i) sae->params[i] += 0.3 * rng.normal_double();  // off the init's symmetry
  saerl::fill(sae->log_threshold(), M, std::log(0.2));
  random_fill(x, batch * D, rng);
  REQUIRE(selection_margin(*sae, reference_z(*sae, x, batch), batch) > 1e-4);

  const bool training = true;
  auto loss = [&] {
    saerl::sae_forward(*sae, x, batch, *work, training);
    double mse = 0, l1 = 0;
    for (int i = 0; i < batch * D; ++i) mse += (work->x_hat[i] - x[i]) * (work->x_hat[i] - x[i]);
    for (int i = 0; i < batch * M; ++i) l1 += work->f[i];
    return mse / (batch * D) + lambda * l1 / batch;
  };
  loss();
  int active = 0;
  for (int i = 0; i < batch * M; ++i) active += work->f[i] != 0;
  REQUIRE(active > 0);  // otherwise the encoder's gradient would be trivially zero
  for (int i = 0; i < batch * D; ++i) d_x_hat[i] = 2 * (work->x_hat[i] - x[i]) / (batch * D);
  saerl::fill(d_f, M, lambda / batch);  // dL/df of the L1 term: one row for every input
  saerl::fill(grad->params, SaeT::kParams, 0.0);
  saerl::sae_backward(*sae, *work, d_x_hat, *grad, {lambda != 0 ? d_f : nullptr});

  numeric_gradient(loss, sae->params, kChecked, num);
  CHECK(relative_error(grad->params, num, kChecked) < 1e-6);
  // block by block, so that a wrong block cannot hide behind a large correct one
  const int offsets[5] = {0, D * M, D * M + M, 2 * D * M + M, kChecked};
  const char* names[4] = {"W_enc", "b_enc", "W_dec", "b_dec"};
  for (int blk = 0; blk < 4; ++blk) {
    CAPTURE(names[blk]);
    const int n = offsets[blk + 1] - offsets[blk];
    CHECK(saerl::sum_squares(grad->params + offsets[blk], n) > 0);
    CHECK(relative_error(grad->params + offsets[blk], num + offsets[blk], n) < 1e-6);
  }
  // no threshold gradient without a jump bandwidth
  for (int j = 0; j < M + 1; ++j) CHECK(grad->log_threshold()[j] == 0.0);
}

}  // namespace

TEST_CASE("relu SAE gradients of MSE plus L1 match finite differences for every parameter") {
  using Small = saerl::Sae<double, 5, 7>;
  using Wide = saerl::Sae<double, 3, 17>;
  for (int batch : {1, 4}) {
    check_sae_gradients<Small, 4>(saerl::SaeVariant::relu, 0, batch, 0.3, 11 + uint64_t(batch));
    check_sae_gradients<Wide, 4>(saerl::SaeVariant::relu, 0, batch, 0.3, 21 + uint64_t(batch));
    check_sae_gradients<Small, 4>(saerl::SaeVariant::relu, 0, batch, 0.0, 31 + uint64_t(batch));  // MSE only
  }
}

TEST_CASE("topk SAE gradients of the MSE match finite differences for every parameter") {
  using Small = saerl::Sae<double, 5, 7>;
  using Wide = saerl::Sae<double, 3, 17>;
  for (int batch : {1, 4})
    for (int k : {2, 3}) {
      check_sae_gradients<Small, 4>(saerl::SaeVariant::topk, k, batch, 0.0, 41 + uint64_t(batch * 10 + k));
      check_sae_gradients<Wide, 4>(saerl::SaeVariant::topk, k, batch, 0.0, 51 + uint64_t(batch * 10 + k));
    }
}

TEST_CASE("batchtopk (training) and jumprelu SAE gradients away from the cut match finite differences") {
  using Small = saerl::Sae<double, 5, 7>;
  using Wide = saerl::Sae<double, 3, 17>;
  for (int batch : {1, 4}) {
    check_sae_gradients<Small, 4>(saerl::SaeVariant::batchtopk, 2, batch, 0.0, 61 + uint64_t(batch));
    check_sae_gradients<Wide, 4>(saerl::SaeVariant::batchtopk, 3, batch, 0.0, 71 + uint64_t(batch));
    check_sae_gradients<Small, 4>(saerl::SaeVariant::jumprelu, 0, batch, 0.0, 81 + uint64_t(batch));
    check_sae_gradients<Wide, 4>(saerl::SaeVariant::jumprelu, 0, batch, 0.0, 91 + uint64_t(batch));
  }
}

TEST_CASE("jumprelu keeps z above its per-feature threshold and its threshold pseudo-gradient follows the rectangle-kernel formula") {
  using SaeT = saerl::Sae<double, 4, 6>;
  constexpr int D = 4, M = 6, B = 5;
  auto sae = std::make_unique<SaeT>();
  auto grad = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
  saerl::Rng rng(5);
  double mean[D], x[B * D], d_x_hat[B * D], pen[M];
  random_fill(mean, D, rng);
  sae->init(saerl::SaeVariant::jumprelu, 0, mean, rng);
  for (int i = 0; i < 2 * D * M + M + D; ++i) sae->params[i] += 0.2 * rng.normal_double();
  for (int j = 0; j < M; ++j) sae->b_enc()[j] = 5.0 + 0.1 * rng.normal_double();  // z positive
  random_fill(x, B * D, rng);
  const std::vector<double> z = reference_z(*sae, x, B);
  const double eps = 0.6, l0_coeff = 0.7;

  // thresholds: near some input's z (inside the window, above and below it), far above every
  // z (feature never fires, window empty), and tiny (feature always fires, window empty)
  const double offsets[4] = {0.2, -0.2, 0.45, -0.1};
  double theta[M];
  for (int j = 0; j < 4; ++j) theta[j] = z[size_t(j % B) * M + size_t(j)] + offsets[j] * eps;
  theta[4] = 100.0;
  theta[5] = 1e-3;
  for (int j = 0; j < M; ++j) {
    REQUIRE(theta[j] > 0);
    sae->log_threshold()[j] = std::log(theta[j]);
    theta[j] = std::exp(sae->log_threshold()[j]);  // what the SAE will use
  }
  int inside_on = 0, inside_off = 0, outside_on = 0, outside_off = 0;
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < M; ++j) {
      const double diff = z[size_t(b) * M + j] - theta[j];
      REQUIRE(std::fabs(diff) > 1e-9);                    // on/off is unambiguous
      REQUIRE(std::fabs(std::fabs(diff) - eps / 2) > 1e-9);  // inside/outside too
      const bool inside = std::fabs(diff) < eps / 2, on = diff > 0;
      inside_on += inside && on;
      inside_off += inside && !on;
      outside_on += !inside && on;
      outside_off += !inside && !on;
    }
  REQUIRE(inside_on > 0);
  REQUIRE(inside_off > 0);
  REQUIRE(outside_on > 0);
  REQUIRE(outside_off > 0);

  saerl::sae_forward(*sae, x, B, *work, /*training=*/true);
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < M; ++j) {
      const double zz = z[size_t(b) * M + j];
      CAPTURE(b);
      CAPTURE(j);
      CHECK(work->f[b * M + j] == doctest::Approx(zz > theta[j] ? zz : 0.0).epsilon(1e-12));
      if (zz <= theta[j]) CHECK(work->f[b * M + j] == 0.0);
    }

  random_fill(d_x_hat, B * D, rng);
  random_fill(pen, M, rng);
  saerl::fill(grad->params, SaeT::kParams, 0.0);
  saerl::sae_backward(*sae, *work, d_x_hat, *grad, {pen, eps, l0_coeff});

  // g_j = theta_j sum_b [|z_bj - theta_j| < eps/2] (-(theta_j/eps) dL/df_bj - l0/(eps B)),
  // dL/df = dL/dx_hat W_dec^T + the penalty's part
  int nonzero = 0;
  for (int j = 0; j < M; ++j) {
    double g = 0;
    for (int b = 0; b < B; ++b) {
      if (!(std::fabs(z[size_t(b) * M + j] - theta[j]) < eps / 2)) continue;
      double dldf = pen[j];
      for (int d = 0; d < D; ++d) dldf += d_x_hat[b * D + d] * sae->w_dec()[j * D + d];
      g += -(theta[j] / eps) * dldf - l0_coeff / (eps * B);
    }
    g *= theta[j];
    nonzero += g != 0;
    CAPTURE(j);
    CHECK(grad->log_threshold()[j] == doctest::Approx(g).epsilon(1e-12));
  }
  CHECK(nonzero >= 3);
  CHECK(grad->log_threshold()[4] == 0.0);  // empty windows
  CHECK(grad->log_threshold()[5] == 0.0);

  // without a bandwidth, no threshold gradient at all
  saerl::fill(grad->params, SaeT::kParams, 0.0);
  saerl::sae_forward(*sae, x, B, *work, true);
  saerl::sae_backward(*sae, *work, d_x_hat, *grad, {pen});
  for (int j = 0; j < M; ++j) CHECK(grad->log_threshold()[j] == 0.0);
}

namespace {

// TopK on random data at M = 64: each row keeps min(k, #positive) codes, and they are the
// row's largest pre-activations (found here by a full sort), copied unchanged.
template <class T>
void check_topk_random(int k, uint64_t seed) {
  using SaeT = saerl::Sae<T, 16, 64>;
  constexpr int D = 16, M = 64, B = 8;
  CAPTURE(k);
  auto sae = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
  saerl::Rng rng(seed);
  T x[B * D];
  sae->init(saerl::SaeVariant::topk, k, nullptr, rng);
  random_fill(sae->b_enc(), M, rng, T(0.1));
  random_fill(x, B * D, rng);
  saerl::sae_forward(*sae, x, B, *work, false);
  const std::vector<double> zref = reference_z(*sae, x, B);
  for (int i = 0; i < B * M; ++i) CHECK(double(work->z[i]) == doctest::Approx(zref[size_t(i)]).epsilon(1e-4));
  for (int b = 0; b < B; ++b) {
    CAPTURE(b);
    const T* z = work->z + b * M;
    const T* f = work->f + b * M;
    std::vector<T> sorted(z, z + M);
    std::sort(sorted.begin(), sorted.end(), std::greater<T>());
    if (k < M) REQUIRE(sorted[size_t(k) - 1] != sorted[size_t(k)]);  // no tie at the cut
    int positive = 0;
    for (int j = 0; j < M; ++j) positive += z[j] > T(0);
    const int expected = std::min(k, positive);
    int kept = 0;
    for (int j = 0; j < M; ++j) {
      const bool should_keep = expected > 0 && z[j] >= sorted[size_t(expected) - 1];
      CHECK((f[j] != T(0)) == should_keep);
      CHECK((f[j] == z[j] || f[j] == T(0)));
      kept += f[j] != T(0);
    }
    CHECK(kept == expected);
  }
}

}  // namespace

TEST_CASE("topk keeps exactly k codes per input on random data, the k largest pre-activations") {
  for (int k : {1, 3, 8, 16}) check_topk_random<double>(k, 100 + uint64_t(k));
  for (int k : {1, 5, 16}) check_topk_random<float>(k, 200 + uint64_t(k));
  // k above the number of positive pre-activations: keeps only the positive ones
  check_topk_random<double>(48, 300);
  check_topk_random<double>(64, 301);
}

TEST_CASE("topk with k larger than the positive count keeps only positive codes, and breaks ties in index order") {
  using SaeT = saerl::Sae<double, 6, 6>;
  auto sae = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, 2>>();
  saerl::Rng rng(3);
  sae->init(saerl::SaeVariant::topk, 2, nullptr, rng);
  make_identity_encoder(*sae);
  const double x[12] = {1, 2, 2, 2, 0.5, -1,   // tie at the cut: the first two 2s are kept
                        -3, 0.25, -1, -2, 0, -0.5};  // one positive value only
  saerl::sae_forward(*sae, x, 2, *work, false);
  const double expected[12] = {0, 2, 2, 0, 0, 0, 0, 0.25, 0, 0, 0, 0};
  for (int i = 0; i < 12; ++i) {
    CAPTURE(i);
    CHECK(work->f[i] == expected[i]);
  }
}

TEST_CASE("init clamps k to between 1 and the dictionary width") {
  using SaeT = saerl::Sae<float, 4, 9>;
  auto sae = std::make_unique<SaeT>();
  saerl::Rng rng(1);
  sae->init(saerl::SaeVariant::topk, 0, nullptr, rng);
  CHECK(sae->k == 1);
  sae->init(saerl::SaeVariant::topk, 50, nullptr, rng);
  CHECK(sae->k == 9);
  sae->init(saerl::SaeVariant::batchtopk, 4, nullptr, rng);
  CHECK(sae->k == 4);
  CHECK(sae->variant == saerl::SaeVariant::batchtopk);
}

TEST_CASE("batchtopk in training keeps the k*batch largest positive codes of the whole batch and sets its threshold to the smallest kept") {
  using SaeT = saerl::Sae<double, 6, 6>;
  constexpr int M = 6, B = 4, k = 2;
  auto sae = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
  saerl::Rng rng(9);
  sae->init(saerl::SaeVariant::batchtopk, k, nullptr, rng);
  make_identity_encoder(*sae);  // z == x
  double x[B * M];
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < M; ++j) x[b * M + j] = rng.normal_double() + (2.0 - 1.5 * b);  // rows unequal

  // independently: the k*B-th largest value of the batch is the cut
  auto cut_of = [&](const double* v) {
    std::vector<double> s(v, v + B * M);
    std::sort(s.begin(), s.end(), std::greater<double>());
    REQUIRE(s[k * B - 1] > 0);
    REQUIRE(s[k * B - 1] != s[k * B]);
    return s[k * B - 1];
  };
  const double cut1 = cut_of(x);
  CHECK(sae->batch_threshold() == 0.0);
  saerl::sae_forward(*sae, x, B, *work, /*training=*/true);
  int kept = 0, uneven_rows = 0;
  for (int b = 0; b < B; ++b) {
    int row = 0;
    for (int j = 0; j < M; ++j) {
      const int i = b * M + j;
      CHECK((work->f[i] != 0) == (x[i] >= cut1));
      CHECK((work->f[i] == x[i] || work->f[i] == 0));
      row += work->f[i] != 0;
    }
    kept += row;
    uneven_rows += row != k;
  }
  CHECK(kept == k * B);
  CHECK(uneven_rows > 0);  // the budget is the batch's, not each row's
  CHECK(sae->batch_threshold() == cut1);  // the first update sets it exactly

  // a second training batch moves the threshold 1% toward its own smallest kept value
  double x2[B * M];
  for (int i = 0; i < B * M; ++i) x2[i] = x[i] + 0.5 + 0.2 * rng.normal_double();
  const double cut2 = cut_of(x2);
  saerl::sae_forward(*sae, x2, B, *work, true);
  kept = 0;
  for (int i = 0; i < B * M; ++i) kept += work->f[i] != 0;
  CHECK(kept == k * B);
  const double expected = 0.99 * cut1 + 0.01 * cut2;
  CHECK(sae->batch_threshold() == doctest::Approx(expected).epsilon(1e-14));
  CHECK(sae->batch_threshold() != cut1);
  CHECK(sae->batch_threshold() != cut2);
}

TEST_CASE("batchtopk in training keeps every positive code when fewer than k*batch are positive") {
  using SaeT = saerl::Sae<double, 6, 6>;
  constexpr int B = 2;
  auto sae = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
  saerl::Rng rng(4);
  sae->init(saerl::SaeVariant::batchtopk, 3, nullptr, rng);
  make_identity_encoder(*sae);
  const double x[12] = {-1, 0.5, -2, -1, -3, 0.75,  //
                        -1, -1, 1.5, -0.25, 0, -4};
  saerl::sae_forward(*sae, x, B, *work, true);
  for (int i = 0; i < 12; ++i) {
    CAPTURE(i);
    CHECK(work->f[i] == (x[i] > 0 ? x[i] : 0.0));
  }
  CHECK(sae->batch_threshold() == 0.5);
}

TEST_CASE("batchtopk at inference keeps the codes above its stored threshold and leaves the threshold alone") {
  using SaeT = saerl::Sae<double, 16, 64>;
  constexpr int D = 16, M = 64, B = 8;
  auto sae = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
  saerl::Rng rng(12);
  sae->init(saerl::SaeVariant::batchtopk, 4, nullptr, rng);
  double x[B * D];
  random_fill(x, B * D, rng);
  sae->batch_threshold() = 1.25;
  saerl::sae_forward(*sae, x, B, *work, /*training=*/false);
  CHECK(sae->batch_threshold() == 1.25);
  const std::vector<double> z = reference_z(*sae, x, B);
  int kept = 0, rows_not_k = 0;
  for (int b = 0; b < B; ++b) {
    int row = 0;
    for (int j = 0; j < M; ++j) {
      const int i = b * M + j;
      REQUIRE(std::fabs(z[size_t(i)] - 1.25) > 1e-9);
      CHECK((work->f[i] != 0) == (z[size_t(i)] > 1.25));
      CHECK((work->f[i] == work->z[i] || work->f[i] == 0));
      row += work->f[i] != 0;
    }
    kept += row;
    rows_not_k += row != sae->k;
  }
  CHECK(kept > 0);
  CHECK(rows_not_k > 0);  // a threshold, not a per-row count

  // and in training on random data at M = 64: exactly k * batch over the batch
  saerl::sae_forward(*sae, x, B, *work, true);
  kept = 0;
  for (int i = 0; i < B * M; ++i) kept += work->f[i] != 0;
  CHECK(kept == sae->k * B);
}

TEST_CASE("init gives unit-norm decoder rows, the encoder as their transpose, b_dec as the mean and thresholds at 0.001") {
  using SaeT = saerl::Sae<double, 7, 19>;
  constexpr int D = 7, M = 19;
  auto sae = std::make_unique<SaeT>();
  saerl::Rng rng(8);
  double mean[D];
  random_fill(mean, D, rng);
  for (int i = 0; i < SaeT::kParams; ++i) sae->params[i] = 5.0;  // garbage that init must overwrite
  sae->init(saerl::SaeVariant::jumprelu, 3, mean, rng);
  for (int j = 0; j < M; ++j) {
    double s = 0;
    for (int d = 0; d < D; ++d) s += sae->w_dec()[j * D + d] * sae->w_dec()[j * D + d];
    CAPTURE(j);
    CHECK(std::sqrt(s) == doctest::Approx(1.0).epsilon(1e-12));
    for (int d = 0; d < D; ++d) CHECK(sae->w_enc()[d * M + j] == sae->w_dec()[j * D + d]);
    CHECK(sae->b_enc()[j] == 0.0);
    CHECK(sae->log_threshold()[j] == doctest::Approx(std::log(0.001)).epsilon(1e-15));
    CHECK(std::exp(sae->log_threshold()[j]) == doctest::Approx(0.001).epsilon(1e-12));
  }
  for (int d = 0; d < D; ++d) CHECK(sae->b_dec()[d] == mean[d]);
  CHECK(sae->batch_threshold() == 0.0);
  // rows are not all the same direction
  CHECK(std::fabs(saerl::dot(sae->w_dec(), sae->w_dec() + D, D)) < 0.999);

  // no mean: b_dec is zero
  sae->init(saerl::SaeVariant::relu, 1, nullptr, rng);
  for (int d = 0; d < D; ++d) CHECK(sae->b_dec()[d] == 0.0);

  // float too
  auto sf = std::make_unique<saerl::Sae<float, 7, 19>>();
  sf->init(saerl::SaeVariant::relu, 1, nullptr, rng);
  for (int j = 0; j < M; ++j)
    CHECK(std::sqrt(saerl::sum_squares(sf->w_dec() + j * D, D)) == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("normalize_decoder restores unit-norm rows without turning them, and leaves a zero row zero") {
  using SaeT = saerl::Sae<double, 5, 11>;
  constexpr int D = 5, M = 11;
  auto sae = std::make_unique<SaeT>();
  saerl::Rng rng(13);
  sae->init(saerl::SaeVariant::relu, 1, nullptr, rng);
  double before[M * D];
  for (int j = 0; j < M; ++j)
    for (int d = 0; d < D; ++d) sae->w_dec()[j * D + d] *= 0.3 + 2.0 * (j % 4);  // row scale
  for (int i = 0; i < M * D; ++i) before[i] = sae->w_dec()[i];
  saerl::fill(sae->w_dec() + 3 * D, D, 0.0);  // a zero row
  sae->normalize_decoder();
  for (int j = 0; j < M; ++j) {
    CAPTURE(j);
    const double* w = sae->w_dec() + j * D;
    if (j == 3) {
      for (int d = 0; d < D; ++d) CHECK(w[d] == 0.0);
      continue;
    }
    CHECK(std::sqrt(saerl::sum_squares(w, D)) == doctest::Approx(1.0).epsilon(1e-12));
    const double cosine = saerl::dot(w, before + j * D, D) / std::sqrt(saerl::sum_squares(before + j * D, D));
    CHECK(cosine == doctest::Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("remove_parallel_gradient leaves each row's gradient orthogonal to the row and keeps an orthogonal one unchanged") {
  using SaeT = saerl::Sae<double, 6, 9>;
  constexpr int D = 6, M = 9;
  auto sae = std::make_unique<SaeT>();
  saerl::Rng rng(14);
  sae->init(saerl::SaeVariant::relu, 1, nullptr, rng);
  double g[M * D], g0[M * D];
  random_fill(g, M * D, rng);
  for (int i = 0; i < M * D; ++i) g0[i] = g[i];
  sae->remove_parallel_gradient(g);
  for (int j = 0; j < M; ++j) {
    CAPTURE(j);
    const double* w = sae->w_dec() + j * D;
    double dot = 0, removed_dot_w = 0, removed_sq = 0;
    for (int d = 0; d < D; ++d) {
      dot += g[j * D + d] * w[d];
      const double r = g0[j * D + d] - g[j * D + d];
      removed_dot_w += r * w[d];
      removed_sq += r * r;
    }
    CHECK(std::fabs(dot) < 1e-12);
    // what was removed is (g0 . w) w: along w, of length |g0 . w|
    double g0w = 0;
    for (int d = 0; d < D; ++d) g0w += g0[j * D + d] * w[d];
    CHECK(std::fabs(g0w) > 1e-3);  // the test's gradient did have a parallel part
    CHECK(removed_dot_w == doctest::Approx(g0w).epsilon(1e-12));
    CHECK(std::sqrt(removed_sq) == doctest::Approx(std::fabs(g0w)).epsilon(1e-12));
  }

  // a gradient orthogonal to every row (built here by projection) stays as it is
  double h[M * D], h0[M * D];
  random_fill(h, M * D, rng);
  for (int j = 0; j < M; ++j) {
    const double* w = sae->w_dec() + j * D;
    double hw = 0, ww = 0;
    for (int d = 0; d < D; ++d) hw += h[j * D + d] * w[d], ww += w[d] * w[d];
    for (int d = 0; d < D; ++d) h[j * D + d] -= hw / ww * w[d];
  }
  for (int i = 0; i < M * D; ++i) h0[i] = h[i];
  sae->remove_parallel_gradient(h);
  for (int i = 0; i < M * D; ++i) CHECK(h[i] == doctest::Approx(h0[i]).epsilon(1e-13).scale(1e-3));
}

TEST_CASE("a relu SAE with identity-like weights reconstructs nonnegative centred inputs exactly") {
  using SaeT = saerl::Sae<double, 4, 7>;
  constexpr int D = 4, M = 7, B = 3;
  auto sae = std::make_unique<SaeT>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
  saerl::Rng rng(15);
  const double mean[D] = {0.25, -1.5, 3.0, 0.0};
  sae->init(saerl::SaeVariant::relu, 1, mean, rng);
  // features 0..D-1 read and write dimension j; features D..M-1 are switched off by b_enc = -1
  for (int d = 0; d < D; ++d)
    for (int j = 0; j < M; ++j) sae->w_enc()[d * M + j] = d == j ? 1.0 : 0.0;
  for (int j = 0; j < D; ++j)
    for (int d = 0; d < D; ++d) sae->w_dec()[j * D + d] = d == j ? 1.0 : 0.0;
  for (int j = 0; j < M; ++j) sae->b_enc()[j] = j < D ? 0.0 : -1.0;
  // dyadic offsets from the mean, so x - b_dec and back are exact
  const double v[B * D] = {0.5, 1.0, 0.0, 2.0,  //
                           0.0, 0.0, 0.0, 0.0,  //
                           4.0, 0.125, 3.5, 1.25};
  double x[B * D];
  for (int b = 0; b < B; ++b)
    for (int d = 0; d < D; ++d) x[b * D + d] = mean[d] + v[b * D + d];
  saerl::sae_forward(*sae, x, B, *work, false);
  for (int i = 0; i < B * D; ++i) {
    CAPTURE(i);
    CHECK(work->x_hat[i] == x[i]);
  }
  for (int b = 0; b < B; ++b)
    for (int j = D; j < M; ++j) CHECK(work->f[b * M + j] == 0.0);

  // topk with k = D reconstructs the same inputs exactly too (at most D codes are positive)
  sae->variant = saerl::SaeVariant::topk;
  sae->k = D;
  saerl::sae_forward(*sae, x, B, *work, false);
  for (int i = 0; i < B * D; ++i) CHECK(work->x_hat[i] == x[i]);

  // a negative centred value is cut by the relu: that dimension falls back to the mean
  sae->variant = saerl::SaeVariant::relu;
  x[1] = mean[1] - 0.5;
  saerl::sae_forward(*sae, x, B, *work, false);
  CHECK(work->x_hat[1] == mean[1]);
  CHECK(work->x_hat[0] == x[0]);
}

TEST_CASE("listed TopK codes decode to the dense decoder's floats and back-propagate to its gradients") {
  using SaeT = saerl::Sae<float, 24, 96>;
  constexpr int B = 16, D = SaeT::kIn, M = SaeT::kFeatures;
  for (saerl::SaeVariant v : {saerl::SaeVariant::topk, saerl::SaeVariant::batchtopk}) {
    CAPTURE(saerl::sae_variant_name(v));
    saerl::Rng rng(31);
    auto sae = std::make_unique<SaeT>();
    sae->init(v, 6, nullptr, rng);
    random_fill(sae->b_enc(), M, rng);
    random_fill(sae->b_dec(), D, rng);
    std::vector<float> x(B * D), dy(B * D), enc_grad_t(M * D);
    random_fill(x.data(), B * D, rng);
    random_fill(dy.data(), B * D, rng);
    auto w = std::make_unique<saerl::SaeWorkspace<SaeT, B>>();
    saerl::sae_forward(*sae, x.data(), B, *w, /*training=*/true);
    REQUIRE(w->listed);  // 6 of 96: listed
    std::vector<float> dense_x_hat(B * D);
    saerl::dense_forward(w->f, sae->w_dec(), sae->b_dec(), dense_x_hat.data(), B, M, D);
    CHECK(std::equal(dense_x_hat.begin(), dense_x_hat.end(), w->x_hat));

    auto dense = std::make_unique<SaeT>(), sparse = std::make_unique<SaeT>();
    saerl::fill(dense->params, SaeT::kParams, 0.0f);
    saerl::fill(sparse->params, SaeT::kParams, 0.0f);
    saerl::sae_backward(*sae, *w, dy.data(), *dense);
    saerl::sae_backward_sparse(*sae, *w, dy.data(), static_cast<const float*>(nullptr), *sparse, enc_grad_t.data());
    double worst = 0, scale = 0;
    for (int i = 0; i < SaeT::kParams; ++i) {
      worst = std::max(worst, std::fabs(double(dense->params[i]) - double(sparse->params[i])));
      scale = std::max(scale, std::fabs(double(dense->params[i])));
    }
    CHECK(scale > 0.1);
    CHECK(worst <= 1e-6 * scale);
  }
}
