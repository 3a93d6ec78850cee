// saerl/core/nn/optim.hpp — optimizers over a flat parameter block: SGD and Adam, and
// gradient-norm clipping.
//
//   saerl::Adam<float, Net::kParams> adam;     // large: place it statically or on the heap once
//   adam.lr = 5e-4f;
//   saerl::clip_grad_norm(grad.params, Net::kParams, 10.0f);   // optional
//   adam.update(net.params, grad.params);
#pragma once
#include <cmath>

#include "../base/parallel.hpp"
#include "../math/tensor.hpp"

// The SIMD square-root instructions (see detail::sqrt_array below), unless SAERL_PORTABLE
#if SAERL_VECTORIZE && (defined(__SSE2__) || defined(__AVX__) || defined(__AVX512F__))
#define SAERL_SQRT_X86 1
#include <immintrin.h>
#elif SAERL_VECTORIZE && defined(__ARM_NEON) && defined(__aarch64__)
#define SAERL_SQRT_NEON 1
#include <arm_neon.h>
#endif

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

namespace detail {

// root[i] = sqrt(v[i]) for i < n. A loop of std::sqrt is not vectorized unless the program
// is compiled with -fno-math-errno (std::sqrt must set errno for a negative argument, so each
// element keeps a branch to the C library), so the SIMD instruction is called where the
// target has one. It is correctly rounded, as std::sqrt is: the same floats, several at a
// time. (AVX-512 calls the masked form with every lane on, which compiles to the plain
// instruction: GCC 12's _mm512_sqrt_ps trips -Wmaybe-uninitialized in its own header.) Other
// targets, the Cortex-M4 among them, and SAERL_PORTABLE builds take the plain loop.
template <class T>
inline void sqrt_array(const T* v, T* root, int n) {
  for (int i = 0; i < n; ++i) root[i] = std::sqrt(v[i]);
}
inline void sqrt_array(const float* v, float* root, int n) {
  int i = 0;
#if defined(SAERL_SQRT_X86) && defined(__AVX512F__)
  for (; i + 16 <= n; i += 16) {
    const __m512 x = _mm512_loadu_ps(v + i);
    _mm512_storeu_ps(root + i, _mm512_mask_sqrt_ps(x, __mmask16(0xFFFF), x));
  }
#elif defined(SAERL_SQRT_X86) && defined(__AVX__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(root + i, _mm256_sqrt_ps(_mm256_loadu_ps(v + i)));
#elif defined(SAERL_SQRT_X86)
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(root + i, _mm_sqrt_ps(_mm_loadu_ps(v + i)));
#elif defined(SAERL_SQRT_NEON)
  for (; i + 4 <= n; i += 4) vst1q_f32(root + i, vsqrtq_f32(vld1q_f32(v + i)));
#endif
  for (; i < n; ++i) root[i] = std::sqrt(v[i]);
}
inline void sqrt_array(const double* v, double* root, int n) {
  int i = 0;
#if defined(SAERL_SQRT_X86) && defined(__AVX512F__)
  for (; i + 8 <= n; i += 8) {
    const __m512d x = _mm512_loadu_pd(v + i);
    _mm512_storeu_pd(root + i, _mm512_mask_sqrt_pd(x, __mmask8(0xFF), x));
  }
#elif defined(SAERL_SQRT_X86) && defined(__AVX__)
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(root + i, _mm256_sqrt_pd(_mm256_loadu_pd(v + i)));
#elif defined(SAERL_SQRT_X86)
  for (; i + 2 <= n; i += 2) _mm_storeu_pd(root + i, _mm_sqrt_pd(_mm_loadu_pd(v + i)));
#elif defined(SAERL_SQRT_NEON)
  for (; i + 2 <= n; i += 2) vst1q_f64(root + i, vsqrtq_f64(vld1q_f64(v + i)));
#endif
  for (; i < n; ++i) root[i] = std::sqrt(v[i]);
}

// Adam's step for n <= kAdamChunk parameters: three loops, the moments, the square roots, the step.
// Same floats as one loop of the formula below, but each loop vectorizes. The
// hyperparameters are arguments, not members: as members they would share a type with m and
// v, and the compiler would have to assume that a store to m[i] may change beta1.
constexpr int kAdamChunk = 256;
template <class T>
inline void adam_chunk(T* p, const T* g, T* m, T* v, int n, T b1, T b2, T step_size, T inv_sqrt_c2, T eps) {
  const T one_minus_b1 = T(1) - b1, one_minus_b2 = T(1) - b2;
  T root[kAdamChunk];
  for (int i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + one_minus_b1 * g[i];
    v[i] = b2 * v[i] + one_minus_b2 * g[i] * g[i];
  }
  sqrt_array(v, root, n);
  for (int i = 0; i < n; ++i) p[i] -= step_size * m[i] / (root[i] * inv_sqrt_c2 + eps);
}

}  // namespace detail

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

  // In chunks of kChunk parameters (detail::adam_chunk); large blocks are split over threads()
  // by whole chunks, each parameter updated by one thread: the same floats.
  static constexpr int kChunk = detail::kAdamChunk, kParallelParams = 1 << 16;
  void update(T* params, const T* grads) {
    ++step;
    const T c1 = T(1) - T(std::pow(double(beta1), double(step)));
    const T c2 = T(1) - T(std::pow(double(beta2), double(step)));
    const T step_size = lr / c1, inv_sqrt_c2 = T(1) / std::sqrt(c2);
    const T b1 = beta1, b2 = beta2, e = eps;
    auto chunks = [&](int first, int last) {
      for (int c = first; c < last; ++c) {
        const int i0 = c * kChunk, n = N - i0 < kChunk ? N - i0 : kChunk;
        detail::adam_chunk(params + i0, grads + i0, m + i0, v + i0, n, b1, b2, step_size, inv_sqrt_c2, e);
      }
    };
    constexpr int count = (N + kChunk - 1) / kChunk;
    if (N >= kParallelParams)
      parallel_for(count, chunks);
    else
      chunks(0, count);
  }
};

}  // namespace saerl
