// saerl/core/nn/gradcheck.hpp — checking a backward pass against finite differences.
//
// A manual backward pass is right when it agrees with the slope of the loss measured directly:
// nudge one parameter up and down by h and see how the loss moves.
//
//   auto loss = [&] { return forward_and_loss(net, x); };          // a double, from the params
//   double numeric[Net::kParams];
//   saerl::numeric_gradient(loss, net.params, Net::kParams, numeric);
//   double err = saerl::relative_error(grad.params, numeric, Net::kParams);   // ~1e-9 in double
//
// Use double parameters: in float the differences drown in rounding.
#pragma once
#include <cmath>

namespace saerl {

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
// dL/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h, with error O(h^2). x is restored afterwards.
// x may be float (for code that only runs in float) with a larger h, such as 1e-2.
template <class F, class T>
void numeric_gradient(F f, T* x, int n, double* numeric, double h = 1e-6) {
  for (int i = 0; i < n; ++i) {
    const T saved = x[i];
    x[i] = T(saved + h);
    double up = f();
    x[i] = T(saved - h);
    double down = f();
    x[i] = saved;
    numeric[i] = (up - down) / (2 * h);
  }
}

}  // namespace saerl
