// Test helpers shared by the suites: finite-difference gradient checks and random fills.
#pragma once
#include <cmath>
#include <initializer_list>

#include "core/rng.hpp"

namespace saerl_test {

inline void random_fill(double* x, int n, saerl::Rng& rng, double scale = 1.0) {
  for (int i = 0; i < n; ++i) x[i] = scale * rng.normal_double();
}
inline void random_fill(float* x, int n, saerl::Rng& rng, float scale = 1.0f) {
  for (int i = 0; i < n; ++i) x[i] = scale * rng.normal();
}

// Relative error ||a - b|| / (||a|| + ||b||) between an analytic and a numeric gradient;
// 0 when both are zero.
inline double relative_error(const double* a, const double* b, int n) {
  double diff = 0, na = 0, nb = 0;
  for (int i = 0; i < n; ++i) {
    diff += (a[i] - b[i]) * (a[i] - b[i]);
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  double denom = std::sqrt(na) + std::sqrt(nb);
  return denom == 0 ? 0 : std::sqrt(diff) / denom;
}

// Central differences of the scalar function f() with respect to x[0..n), written to numeric:
// dL/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h. x is restored afterwards.
template <class F>
void numeric_gradient(F f, double* x, int n, double* numeric, double h = 1e-6) {
  for (int i = 0; i < n; ++i) {
    double saved = x[i];
    x[i] = saved + h;
    double up = f();
    x[i] = saved - h;
    double down = f();
    x[i] = saved;
    numeric[i] = (up - down) / (2 * h);
  }
}

}  // namespace saerl_test
