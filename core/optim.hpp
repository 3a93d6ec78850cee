// saerl/core/optim.hpp — optimizers over a flat parameter block: SGD and Adam, and
// gradient-norm clipping.
//
//   saerl::Adam<float, Net::kParams> adam;     // large: place it statically or on the heap once
//   adam.lr = 5e-4f;
//   saerl::clip_grad_norm(grad.params, Net::kParams, 10.0f);   // optional
//   adam.update(net.params, grad.params);
#pragma once
#include <cmath>

#include "tensor.hpp"

namespace saerl {

// p -= lr * g
template <class T>
void sgd_update(T* params, const T* grads, int n, T lr) {
  axpy(-lr, grads, params, n);
}

// Scales g so that its L2 norm is at most max_norm; returns the norm before clipping.
template <class T>
T clip_grad_norm(T* grads, int n, T max_norm) {
  T norm = std::sqrt(sum_squares(grads, n));
  if (norm > max_norm && norm > T(0)) scale(grads, n, max_norm / norm);
  return norm;
}

// Adam (Kingma & Ba 2015) with bias correction:
//   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2,
//   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
template <class T, int N>
struct Adam {
  static_assert(N > 0, "Adam: the parameter count must be positive");
  T lr = T(1e-3), beta1 = T(0.9), beta2 = T(0.999), eps = T(1e-8);
  long step = 0;
  T m[N];
  T v[N];

  Adam() { reset(); }
  void reset() {
    step = 0;
    fill(m, N, T(0));
    fill(v, N, T(0));
  }

  // In chunks of kChunk parameters, three loops: the moments, the square roots, the step.
  // Same floats as one loop; but the first and last loops vectorize, and the square roots
  // do too when compiled with -fno-math-errno (with errno, std::sqrt keeps a call to the C
  // library for negative arguments, which stops GCC from vectorizing any loop holding it).
  static constexpr int kChunk = 256;
  void update(T* params, const T* grads) {
    ++step;
    const T c1 = T(1) - T(std::pow(double(beta1), double(step)));
    const T c2 = T(1) - T(std::pow(double(beta2), double(step)));
    const T step_size = lr / c1, inv_sqrt_c2 = T(1) / std::sqrt(c2);
    T root[kChunk];
    for (int i0 = 0; i0 < N; i0 += kChunk) {
      const int n = N - i0 < kChunk ? N - i0 : kChunk;
      T *mc = m + i0, *vc = v + i0, *p = params + i0;
      const T* g = grads + i0;
      for (int i = 0; i < n; ++i) {
        mc[i] = beta1 * mc[i] + (T(1) - beta1) * g[i];
        vc[i] = beta2 * vc[i] + (T(1) - beta2) * g[i] * g[i];
      }
      for (int i = 0; i < n; ++i) root[i] = std::sqrt(vc[i]);
      for (int i = 0; i < n; ++i) p[i] -= step_size * mc[i] / (root[i] * inv_sqrt_c2 + eps);
    }
  }
};

}  // namespace saerl
