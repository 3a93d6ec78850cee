// saerl/core/math/tensor.hpp — fixed-size vectors and matrices, and the elementwise and reduction
// operations the layers need.
//
// Sizes are template parameters; storage is a plain array inside the object (no heap), row-major:
// element (r, c) of a Mat<T, R, C> is data[r * C + c].
//
//   saerl::Mat<float, 32, 75> batch;      // 32 inputs of 75 values
//   batch.fill(0.0f);
//   batch(3, 10) = 1.0f;
//   float s = saerl::sum(batch.row(3), 75);
//
// The free functions work on (pointer, length) so they serve a Mat, a Vec, or a slice of a
// parameter block alike.
//
// SAERL_VECTORIZE is 1 where the kernels (dot below, core/math/matmul.hpp, core/nn/optim.hpp) may use
// the GCC/clang vector extension and SIMD instructions: GCC and clang, unless SAERL_PORTABLE
// is defined. With 0 every kernel is plain C++17, the same floats.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstring>

#if defined(__GNUC__) && !defined(SAERL_PORTABLE)
#define SAERL_VECTORIZE 1
#else
#define SAERL_VECTORIZE 0
#endif

namespace saerl {

template <class T, int R, int C>
struct Mat {
  static_assert(R > 0 && C > 0, "Mat: both dimensions must be positive");
  static constexpr int kRows = R, kCols = C, kSize = R * C;
  T data[R * C];

  T& operator()(int r, int c) { return data[r * C + c]; }
  const T& operator()(int r, int c) const { return data[r * C + c]; }
  T* row(int r) { return data + r * C; }
  const T* row(int r) const { return data + r * C; }
  void fill(T value) {
    for (int i = 0; i < R * C; ++i) data[i] = value;
  }
};

template <class T, int N>
struct Vec {
  static_assert(N > 0, "Vec: the length must be positive");
  static constexpr int kSize = N;
  T data[N];

  T& operator[](int i) { return data[i]; }
  const T& operator[](int i) const { return data[i]; }
  void fill(T value) {
    for (int i = 0; i < N; ++i) data[i] = value;
  }
};

template <class T> void fill(T* x, int n, T value) { for (int i = 0; i < n; ++i) x[i] = value; }
template <class T> void copy(const T* x, T* y, int n) { for (int i = 0; i < n; ++i) y[i] = x[i]; }
template <class T> void add(const T* x, T* y, int n) { for (int i = 0; i < n; ++i) y[i] += x[i]; }
template <class T> void scale(T* x, int n, T a) { for (int i = 0; i < n; ++i) x[i] *= a; }

// Dot product with eight independent partial sums, acc[u] adding the terms i = u mod 8 (a
// single running sum would serialize every add), combined pairwise at the end. With the vector
// extension the eight sums are one vector: GCC does not turn the array of eight into one.
// (GCC 12 at -O3 warns, -Warray-bounds, about the vector loads on paths that cannot run when
// it propagates a length below 8 from a caller; the loop checks the bounds.)
#if SAERL_VECTORIZE && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
template <class T>
T dot(const T* x, const T* y, int n) {
#if SAERL_VECTORIZE
  typedef T Eight __attribute__((vector_size(8 * sizeof(T))));
  Eight acc = {};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    Eight a, b;
    std::memcpy(&a, x + i, sizeof a);
    std::memcpy(&b, y + i, sizeof b);
    acc += a * b;
  }
#else
  T acc[8] = {};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int u = 0; u < 8; ++u) acc[u] += x[i + u] * y[i + u];
#endif
  T s = 0;
  for (; i < n; ++i) s += x[i] * y[i];
  return s + ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// y += a * x, element by element (with the vector extension, eight at a time: the same floats,
// also at -O2, where GCC does not vectorize a loop that needs a check for overlap)
template <class T>
void axpy(T a, const T* x, T* y, int n) {
  int i = 0;
#if SAERL_VECTORIZE
  typedef T Eight __attribute__((vector_size(8 * sizeof(T))));
  for (; i + 8 <= n; i += 8) {
    Eight xv, yv;
    std::memcpy(&xv, x + i, sizeof xv);
    std::memcpy(&yv, y + i, sizeof yv);
    yv += a * xv;
    std::memcpy(y + i, &yv, sizeof yv);
  }
#endif
  for (; i < n; ++i) y[i] += a * x[i];
}
#if SAERL_VECTORIZE && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template <class T>
T sum(const T* x, int n) {
  T s = 0;
  for (int i = 0; i < n; ++i) s += x[i];
  return s;
}

template <class T> T sum_squares(const T* x, int n) { return dot(x, x, n); }

// Index of the largest value; the first one on ties.
template <class T>
int argmax(const T* x, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return best;
}

// True when every value is finite (no NaN, no Inf).
template <class T>
bool all_finite(const T* x, int n) {
  for (int i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return false;
  return true;
}

}  // namespace saerl
