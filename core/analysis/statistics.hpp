// saerl/core/analysis/statistics.hpp — correlation coefficients and bootstrap confidence intervals.
//
// Pearson's r over n pairs, with means mx, my and deviations dx_i = x_i - mx, dy_i = y_i - my:
//   r = sum dx dy / sqrt(sum dx^2 * sum dy^2)
// (the 1/(n-1) factors of cov, var_x and var_y cancel). Computed in two passes, clamped to
// [-1, 1] against rounding. Returns 0 when n < 2 or either variance is 0 (constant input):
// no linear relation can be measured, and 0 keeps callers free of NaN checks.
//
// Spearman's rho = Pearson's r of the ranks. Ranks are 1-based; tied values share the average
// of the ranks they occupy: {10, 20, 20, 30} -> {1, 2.5, 2.5, 4}. A NaN sorts after every
// number (all NaNs tie with each other), so ranks() is safe on any input.
//
// Bootstrap percentile 95% interval: each of R resamples draws n pairs with replacement
// (index j = rng.below(n), pair by pair, resample by resample, so a seed fixes the result),
// computes the statistic, and stores it in values[b]. The R values are sorted ascending and,
// with k = floor(R * 25 / 1000) (exact integer arithmetic),
//   low  = values[k],   high = values[R - 1 - k].
// R = 1000 gives values[25] and values[974]: 25 resamples lie strictly outside on each side.
// For R < 40, k = 0 and the interval is the full range [min, max].
//
// No heap: the caller passes every array. Sizes (n pairs, R resamples):
//   ranks               out: n doubles, scratch: n ints
//   spearman            scratch: 2n doubles, iscratch: n ints
//   bootstrap_pearson   values: R doubles, scratch: 2n doubles
//   bootstrap_spearman  values: R doubles, scratch: 4n doubles, iscratch: n ints
// On exit, values holds the R bootstrap statistics sorted ascending. The bootstraps return
// {0, 0} and draw nothing when n < 1 or R < 1.
//
// Partial correlation of x and y controlling for z: Pearson's r of what is left of x and of y
// once each is regressed linearly on z, which equals
//   r_xy.z = (r_xy - r_xz r_yz) / sqrt((1 - r_xz^2) (1 - r_yz^2))
// 0 when either root factor is 0 (z explains x or y entirely: nothing is left to correlate).
//
// Least-squares polynomial fit of degree d (1 to kMaxPolyDegree): the coefficients c_0..c_d,
// lowest power first, of y ~ c_0 + c_1 x + ... + c_d x^d minimising sum (y_i - yhat_i)^2, and
//   r2 = 1 - sum (y_i - yhat_i)^2 / sum (y_i - mean y)^2   (0 when y is constant).
// Solved from the normal equations in the standardised u = (x - mean x) / sd x (well
// conditioned even for x of order 1000 and d = 3), then expanded back to powers of x. An error
// when n < d + 1 or x takes fewer than d + 1 distinct values (the fit is not unique).
//
//   double x[200], y[200];                    // filled by the caller
//   double r = saerl::pearson(x, y, 200);
//   double values[1000], scratch[4 * 200];
//   int iscratch[200];
//   saerl::Rng rng(42);
//   saerl::Interval ci = saerl::bootstrap_spearman(x, y, 200, 1000, rng, values, scratch, iscratch);
//   std::printf("rho in [%.3f, %.3f]\n", ci.low, ci.high);
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "../base/rng.hpp"
#include "../base/status.hpp"

namespace saerl {

struct Interval {
  double low, high;
};

inline double pearson(const double* x, const double* y, int n) {
  if (n < 2) return 0.0;
  double mx = 0.0, my = 0.0;
  for (int i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (int i = 0; i < n; ++i) {
    double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0.0 || syy == 0.0) return 0.0;
  // sqrt(a * a) == a exactly in IEEE arithmetic, so identical inputs give exactly 1.
  double r = sxy / std::sqrt(sxx * syy);
  return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

// Order with NaN after every number: a strict weak ordering even on NaN input.
inline bool statistics_less(double a, double b) {
  if (std::isnan(b)) return !std::isnan(a);
  return a < b;
}

inline void ranks(const double* x, int n, double* out, int* scratch) {
  if (n < 1) return;
  for (int i = 0; i < n; ++i) scratch[i] = i;
  std::sort(scratch, scratch + n, [x](int a, int b) { return statistics_less(x[a], x[b]); });
  // Sorted positions i..j-1 hold equal values: each gets the mean of ranks i+1..j.
  int i = 0;
  while (i < n) {
    int j = i + 1;
    while (j < n && !statistics_less(x[scratch[i]], x[scratch[j]])) ++j;
    double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (int k = i; k < j; ++k) out[scratch[k]] = rank;
    i = j;
  }
}

inline double spearman(const double* x, const double* y, int n, double* scratch, int* iscratch) {
  if (n < 2) return 0.0;
  ranks(x, n, scratch, iscratch);
  ranks(y, n, scratch + n, iscratch);
  return pearson(scratch, scratch + n, n);
}

// Shared by the two bootstraps: fills xs, ys (n each) with n pairs drawn with replacement.
inline void bootstrap_resample(const double* x, const double* y, int n, Rng& rng, double* xs,
                               double* ys) {
  for (int i = 0; i < n; ++i) {
    uint32_t j = rng.below(static_cast<uint32_t>(n));
    xs[i] = x[j];
    ys[i] = y[j];
  }
}

// Sorts values[0..R) and reads the percentile pair described in the header comment.
inline Interval bootstrap_percentiles(double* values, int resamples) {
  std::sort(values, values + resamples, statistics_less);
  int k = static_cast<int>(static_cast<long long>(resamples) * 25 / 1000);
  return Interval{values[k], values[resamples - 1 - k]};
}

inline Interval bootstrap_pearson(const double* x, const double* y, int n, int resamples,
                                  Rng& rng, double* values, double* scratch) {
  if (n < 1 || resamples < 1) return Interval{0.0, 0.0};
  for (int b = 0; b < resamples; ++b) {
    bootstrap_resample(x, y, n, rng, scratch, scratch + n);
    values[b] = pearson(scratch, scratch + n, n);
  }
  return bootstrap_percentiles(values, resamples);
}

inline Interval bootstrap_spearman(const double* x, const double* y, int n, int resamples,
                                   Rng& rng, double* values, double* scratch, int* iscratch) {
  if (n < 1 || resamples < 1) return Interval{0.0, 0.0};
  for (int b = 0; b < resamples; ++b) {
    bootstrap_resample(x, y, n, rng, scratch, scratch + n);
    values[b] = spearman(scratch, scratch + n, n, scratch + 2 * n, iscratch);
  }
  return bootstrap_percentiles(values, resamples);
}

inline double partial_correlation(const double* x, const double* y, const double* z, int n) {
  const double rxy = pearson(x, y, n), rxz = pearson(x, z, n), ryz = pearson(y, z, n);
  const double d = (1.0 - rxz * rxz) * (1.0 - ryz * ryz);
  if (!(d > 0.0)) return 0.0;
  const double r = (rxy - rxz * ryz) / std::sqrt(d);
  return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

constexpr int kMaxPolyDegree = 3;

struct PolyFit {
  int degree = 0;
  double coef[kMaxPolyDegree + 1] = {0, 0, 0, 0};  // c_0 .. c_degree, lowest power first
  double r2 = 0;
  double at(double x) const {  // Horner: c_0 + x (c_1 + x (c_2 + ...))
    double y = 0;
    for (int j = degree; j >= 0; --j) y = y * x + coef[j];
    return y;
  }
};

inline Status polyfit(const double* x, const double* y, int n, int degree, PolyFit* out) {
  constexpr int K = kMaxPolyDegree + 1;
  if (degree < 1 || degree > kMaxPolyDegree)
    return Status::error(StatusCode::invalid_argument, "polyfit: degree %d is not 1 to %d", degree, kMaxPolyDegree);
  const int m = degree + 1;
  if (n < m) return Status::error(StatusCode::invalid_argument, "polyfit: %d points cannot fix %d coefficients", n, m);
  double mx = 0, sx = 0, my = 0;
  for (int i = 0; i < n; ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  for (int i = 0; i < n; ++i) sx += (x[i] - mx) * (x[i] - mx);
  sx = std::sqrt(sx / n);
  if (!(sx > 0)) return Status::error(StatusCode::invalid_argument, "polyfit: x is constant");
  // normal equations A a = b in u: A_jk = sum u^(j+k), b_j = sum u^j y
  double a[K][K + 1] = {};
  for (int i = 0; i < n; ++i) {
    const double u = (x[i] - mx) / sx;
    double pj = 1;
    for (int j = 0; j < m; ++j, pj *= u) {
      double pk = 1;
      for (int k = 0; k < m; ++k, pk *= u) a[j][k] += pj * pk;
      a[j][m] += pj * y[i];
    }
  }
  // Gauss-Jordan with partial pivoting; a pivot that vanishes next to the diagonal's scale
  // means fewer than m distinct u
  const double scale = a[0][0];  // = n, the largest diagonal entry's order in u
  for (int c = 0; c < m; ++c) {
    int p = c;
    for (int r = c + 1; r < m; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[p][c])) p = r;
    if (!(std::fabs(a[p][c]) > 1e-9 * scale))
      return Status::error(StatusCode::invalid_argument, "polyfit: x takes fewer than %d distinct values", m);
    for (int k = 0; k <= m; ++k) std::swap(a[c][k], a[p][k]);
    for (int r = 0; r < m; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (int k = c; k <= m; ++k) a[r][k] -= f * a[c][k];
    }
  }
  // y = sum_j a_j u^j with u = (x - mx) / sx: expand (x - mx)^j binomially into powers of x
  PolyFit fit;
  fit.degree = degree;
  for (int j = 0; j < m; ++j) {
    const double aj = a[j][m] / a[j][j] / std::pow(sx, j);
    double binom = 1;  // C(j, p)
    for (int p = 0; p <= j; ++p) {
      fit.coef[p] += aj * binom * std::pow(-mx, j - p);
      binom = binom * (j - p) / (p + 1);
    }
  }
  double res = 0, tot = 0;
  for (int i = 0; i < n; ++i) {
    const double e = y[i] - fit.at(x[i]);
    res += e * e;
    tot += (y[i] - my) * (y[i] - my);
  }
  fit.r2 = tot > 0 ? 1.0 - res / tot : 0.0;
  *out = fit;
  return Status::success();
}

}  // namespace saerl
