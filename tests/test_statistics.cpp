#include <doctest/doctest.h>

#include <cmath>

#include "core/base/rng.hpp"
#include "core/analysis/statistics.hpp"

using saerl::Interval;
using saerl::Rng;

TEST_CASE("pearson is 1 on increasing linear data and -1 on decreasing") {
  double x[50], up[50], down[50];
  for (int i = 0; i < 50; ++i) {
    x[i] = 0.37 * i - 4.0;
    up[i] = 3.0 * x[i] + 1.5;
    down[i] = -2.0 * x[i] + 7.0;
  }
  CHECK(saerl::pearson(x, up, 50) == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(saerl::pearson(x, down, 50) == doctest::Approx(-1.0).epsilon(1e-12));
  CHECK(saerl::pearson(x, x, 50) == 1.0);  // identical inputs: exactly 1
}

TEST_CASE("pearson matches a hand computation") {
  // x = {1,2,3,4,5}, y = {2,4,5,4,5}: mean x = 3, mean y = 4.
  // dx = {-2,-1,0,1,2}, dy = {-2,0,1,0,1}.
  // sum dx dy = 4 + 0 + 0 + 0 + 2 = 6, sum dx^2 = 10, sum dy^2 = 6.
  // (With n - 1 = 4: cov = 1.5, var_x = 2.5, var_y = 1.5.)
  // r = 6 / sqrt(10 * 6) = 6 / sqrt(60) = sqrt(60) / 10 = 0.7745966692414834.
  const double x[] = {1, 2, 3, 4, 5};
  const double y[] = {2, 4, 5, 4, 5};
  CHECK(saerl::pearson(x, y, 5) == doctest::Approx(std::sqrt(60.0) / 10.0).epsilon(1e-14));
  CHECK(saerl::pearson(x, y, 5) == doctest::Approx(0.7745966692414834).epsilon(1e-14));
  CHECK(saerl::pearson(y, x, 5) == saerl::pearson(x, y, 5));
}

TEST_CASE("a monotone nonlinear relation has spearman exactly 1 and pearson below 1") {
  double x[20], y[20], scratch[40];
  int iscratch[20];
  for (int i = 0; i < 20; ++i) {
    x[i] = (i * 7) % 20 - 10.0;  // a permutation of -10..9, not sorted
    y[i] = x[i] * x[i] * x[i];
  }
  CHECK(saerl::spearman(x, y, 20, scratch, iscratch) == 1.0);
  double r = saerl::pearson(x, y, 20);
  CHECK(r < 0.99);
  CHECK(r > 0.8);
  for (int i = 0; i < 20; ++i) y[i] = -std::exp(x[i]);  // strictly decreasing in x
  CHECK(saerl::spearman(x, y, 20, scratch, iscratch) == -1.0);
}

TEST_CASE("tied values share their average rank") {
  const double x[] = {20, 10, 30, 20};
  double out[4];
  int scratch[4];
  saerl::ranks(x, 4, out, scratch);
  CHECK(out[0] == 2.5);
  CHECK(out[1] == 1.0);
  CHECK(out[2] == 4.0);
  CHECK(out[3] == 2.5);

  const double all_same[] = {5, 5, 5};
  saerl::ranks(all_same, 3, out, scratch);
  for (int i = 0; i < 3; ++i) CHECK(out[i] == 2.0);

  const double with_nan[] = {3, NAN, 1};  // NaN ranks last
  saerl::ranks(with_nan, 3, out, scratch);
  CHECK(out[0] == 2.0);
  CHECK(out[1] == 3.0);
  CHECK(out[2] == 1.0);
}

TEST_CASE("constant input and fewer than two pairs give 0") {
  const double x[] = {1, 2, 3, 4};
  const double c[] = {7, 7, 7, 7};
  double scratch[8];
  int iscratch[4];
  CHECK(saerl::pearson(x, c, 4) == 0.0);
  CHECK(saerl::pearson(c, x, 4) == 0.0);
  CHECK(saerl::spearman(x, c, 4, scratch, iscratch) == 0.0);
  CHECK(saerl::pearson(x, x, 1) == 0.0);
  CHECK(saerl::pearson(x, x, 0) == 0.0);
  CHECK(saerl::spearman(x, x, 1, scratch, iscratch) == 0.0);
}

namespace {
// y = x + noise * z, x and z standard normal.
void make_data(Rng& rng, int n, double noise, double* x, double* y) {
  for (int i = 0; i < n; ++i) {
    x[i] = rng.normal_double();
    y[i] = x[i] + noise * rng.normal_double();
  }
}
}  // namespace

TEST_CASE("the bootstrap interval is narrow for 200 strongly correlated pairs") {
  double x[200], y[200], values[1000], scratch[800];
  int iscratch[200];
  Rng data(1);
  make_data(data, 200, 0.05, x, y);

  Rng rng(42);
  double r = saerl::pearson(x, y, 200);
  Interval ci = saerl::bootstrap_pearson(x, y, 200, 1000, rng, values, scratch);
  CHECK(ci.low <= r);
  CHECK(r <= ci.high);
  CHECK(ci.high - ci.low < 0.05);
  CHECK(ci.low == values[25]);  // documented index rule: k = 1000 * 25 / 1000 = 25
  CHECK(ci.high == values[974]);
  for (int b = 1; b < 1000; ++b) REQUIRE(values[b - 1] <= values[b]);

  double rho = saerl::spearman(x, y, 200, scratch, iscratch);
  Interval cs = saerl::bootstrap_spearman(x, y, 200, 1000, rng, values, scratch, iscratch);
  CHECK(cs.low <= rho);
  CHECK(rho <= cs.high);
  CHECK(cs.high - cs.low < 0.05);
}

TEST_CASE("the bootstrap interval is wide for 8 noisy pairs") {
  double x[8], y[8], values[1000], scratch[32];
  int iscratch[8];
  Rng data(3);
  make_data(data, 8, 1.0, x, y);

  Rng rng(42);
  double r = saerl::pearson(x, y, 8);
  Interval ci = saerl::bootstrap_pearson(x, y, 8, 1000, rng, values, scratch);
  CHECK(ci.low <= r);
  CHECK(r <= ci.high);
  CHECK(ci.high - ci.low > 0.5);

  double rho = saerl::spearman(x, y, 8, scratch, iscratch);
  Interval cs = saerl::bootstrap_spearman(x, y, 8, 1000, rng, values, scratch, iscratch);
  CHECK(cs.low <= rho);
  CHECK(rho <= cs.high);
  CHECK(cs.high - cs.low > 0.5);
}

TEST_CASE("the bootstrap interval is the same for the same seed") {
  double x[30], y[30], values[200], scratch[120];
  int iscratch[30];
  Rng data(5);
  make_data(data, 30, 0.5, x, y);

  Rng a(9), b(9), c(10);
  Interval ia = saerl::bootstrap_spearman(x, y, 30, 200, a, values, scratch, iscratch);
  Interval ib = saerl::bootstrap_spearman(x, y, 30, 200, b, values, scratch, iscratch);
  Interval ic = saerl::bootstrap_spearman(x, y, 30, 200, c, values, scratch, iscratch);
  CHECK(ia.low == ib.low);
  CHECK(ia.high == ib.high);
  CHECK((ia.low != ic.low || ia.high != ic.high));

  Rng d(9), e(9);
  Interval id = saerl::bootstrap_pearson(x, y, 30, 200, d, values, scratch);
  Interval ie = saerl::bootstrap_pearson(x, y, 30, 200, e, values, scratch);
  CHECK(id.low == ie.low);
  CHECK(id.high == ie.high);
}

TEST_CASE("the bootstrap draws nothing and returns {0, 0} on empty input") {
  double x[1] = {1}, values[1] = {0}, scratch[4];
  int iscratch[1];
  Rng rng(7), untouched(7);
  Interval a = saerl::bootstrap_pearson(x, x, 0, 10, rng, values, scratch);
  Interval b = saerl::bootstrap_spearman(x, x, 1, 0, rng, values, scratch, iscratch);
  CHECK(a.low == 0.0);
  CHECK(a.high == 0.0);
  CHECK(b.low == 0.0);
  CHECK(b.high == 0.0);
  CHECK(rng.state() == untouched.state());
}

TEST_CASE("a perfect quadratic is fitted exactly: its coefficients, r2 = 1") {
  // y = 2 - 3x + 0.5x^2 at x = 100..110 (live-feature-sized x)
  double x[11], y[11];
  for (int i = 0; i < 11; ++i) x[i] = 100 + i, y[i] = 2 - 3 * x[i] + 0.5 * x[i] * x[i];
  saerl::PolyFit q;
  REQUIRE(saerl::polyfit(x, y, 11, 2, &q).ok());
  CHECK(q.degree == 2);
  CHECK(q.coef[0] == doctest::Approx(2).epsilon(1e-6));
  CHECK(q.coef[1] == doctest::Approx(-3).epsilon(1e-8));
  CHECK(q.coef[2] == doctest::Approx(0.5).epsilon(1e-10));
  CHECK(q.r2 == doctest::Approx(1).epsilon(1e-12));
  CHECK(q.at(200) == doctest::Approx(2 - 600 + 20000).epsilon(1e-10));
  // the straight line through the same points explains less than all of it
  saerl::PolyFit l;
  REQUIRE(saerl::polyfit(x, y, 11, 1, &l).ok());
  CHECK(l.r2 < 1);
  CHECK(l.r2 > 0.9);
}

TEST_CASE("a line fitted to y = x^2 at -1, 0, 1 is flat at 2/3 and explains nothing") {
  // by hand: slope = sum dx dy / sum dx^2 = (-1 + 0 + 1) / 2 = 0, intercept = mean y = 2/3;
  // residuals 1/3, -2/3, 1/3 sum to squares 2/3 = the total: r2 = 0
  const double x[] = {-1, 0, 1}, y[] = {1, 0, 1};
  saerl::PolyFit l;
  REQUIRE(saerl::polyfit(x, y, 3, 1, &l).ok());
  CHECK(l.coef[0] == doctest::Approx(2.0 / 3).epsilon(1e-12));
  CHECK(std::fabs(l.coef[1]) < 1e-12);
  CHECK(std::fabs(l.r2) < 1e-12);
  saerl::PolyFit q;  // three points fix a quadratic: y = x^2 exactly
  REQUIRE(saerl::polyfit(x, y, 3, 2, &q).ok());
  CHECK(std::fabs(q.coef[0]) < 1e-12);
  CHECK(std::fabs(q.coef[1]) < 1e-12);
  CHECK(q.coef[2] == doctest::Approx(1).epsilon(1e-12));
  CHECK(q.r2 == doctest::Approx(1).epsilon(1e-12));
}

TEST_CASE("polyfit refuses fits that are not unique") {
  const double x[] = {1, 1, 2, 2}, y[] = {1, 2, 3, 4}, c[] = {5, 5, 5, 5};
  saerl::PolyFit f;
  CHECK(saerl::polyfit(x, y, 1, 1, &f).code == saerl::StatusCode::invalid_argument);  // 1 point, 2 coefficients
  CHECK(saerl::polyfit(c, y, 4, 1, &f).code == saerl::StatusCode::invalid_argument);  // constant x
  CHECK(saerl::polyfit(x, y, 4, 2, &f).code == saerl::StatusCode::invalid_argument);  // 2 distinct x, 3 coefficients
  CHECK(saerl::polyfit(x, y, 4, 4, &f).code == saerl::StatusCode::invalid_argument);  // degree beyond 3
  CHECK(saerl::polyfit(x, y, 4, 1, &f).ok());
}

TEST_CASE("partial correlation: z's share taken out of x and y, by hand") {
  // z, e1, e2 are orthogonal with mean 0; x = z + e1, y = z + e2 correlate (r = 4 / 8 = 0.5)
  // only through z: once z is regressed out, e1 and e2 are left, and they do not correlate
  const double z[] = {1, 1, -1, -1}, x[] = {2, 0, 0, -2}, y[] = {2, 0, -2, 0};
  CHECK(saerl::pearson(x, y, 4) == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(std::fabs(saerl::partial_correlation(x, y, z, 4)) < 1e-14);
  // y2 = z + e1 + e2: left with e1 and e1 + e2, r = 4 / (2 * sqrt(8)) = 1 / sqrt(2)
  const double y2[] = {3, -1, -1, -1};
  CHECK(saerl::partial_correlation(x, y2, z, 4) == doctest::Approx(1 / std::sqrt(2.0)).epsilon(1e-14));
  // z equal to x explains x entirely: 0, not a division by zero
  CHECK(saerl::partial_correlation(x, y, x, 4) == 0.0);
}
