// saerl/core/nn/loss.hpp — regression losses with their gradients, averaged over n values.
//
//   float L = saerl::mse_loss(pred, target, n, grad);     // grad = dL/dpred (may be null)
//   float H = saerl::huber_loss(pred, target, n, grad);   // smooth L1, delta = 1 by default
#pragma once
#include <cmath>

namespace saerl {

// L = (1/n) sum (p - t)^2;  dL/dp = 2 (p - t) / n
template <class T>
T mse_loss(const T* pred, const T* target, int n, T* grad) {
  T total = 0;
  for (int i = 0; i < n; ++i) {
    T d = pred[i] - target[i];
    total += d * d;
    if (grad) grad[i] = T(2) * d / T(n);
  }
  return total / T(n);
}

// Huber (smooth L1, PyTorch's SmoothL1Loss with beta = delta), d = p - t:
//   l(d) = d^2 / (2 delta)       if |d| < delta,   dl/dd = d / delta
//        = |d| - delta / 2       otherwise,        dl/dd = sign(d)
// L = (1/n) sum l(d).  With delta = 1 this is also torch's HuberLoss.
template <class T>
T huber_loss(const T* pred, const T* target, int n, T* grad, T delta = T(1)) {
  T total = 0;
  for (int i = 0; i < n; ++i) {
    T d = pred[i] - target[i];
    T a = std::fabs(d);
    if (a < delta) {
      total += d * d / (T(2) * delta);
      if (grad) grad[i] = d / delta / T(n);
    } else {
      total += a - delta / T(2);
      if (grad) grad[i] = (d > 0 ? T(1) : T(-1)) / T(n);
    }
  }
  return total / T(n);
}

}  // namespace saerl
