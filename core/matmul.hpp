// saerl/core/matmul.hpp — the one matrix-multiply kernel family, used by every layer.
//
// All matrices are row-major and given as (pointer, rows, cols). Three products cover every
// forward and backward pass of a dense layer whose weight W is stored (in x out):
//
//   matmul_nn:  C (m x n) = A (m x k) * B (k x n)       forward      y  = x W
//   matmul_tn:  C (m x n) = A^T * B, A is (k x m)       weight grad  dW = x^T dy
//   matmul_nt:  C (m x n) = A * B^T, B is (n x k)       input grad   dx = dy W^T
//
// With accumulate = true the product is added to C (C += ...), otherwise C is overwritten.
// Beside each fast kernel stands its plain reference loop (`*_ref`): the tests compare them,
// and a reader can check what the fast one computes.
//
// The fast kernels keep a block of C (4 rows x 2 SIMD vectors) in registers while walking the
// shared dimension, so each vector of B loaded feeds four multiply-adds. They are written with
// the GCC/clang vector extension (`T __attribute__((vector_size(N)))`): plain arithmetic on
// short vectors that the compiler maps onto SSE, AVX, AVX-512 or NEON registers, with no
// intrinsics. `#pragma GCC unroll` asks for the small fixed loops to be unrolled at -O2 too,
// so the accumulators stay in registers.
#pragma once
#include <cstddef>
#include <cstring>

#include "tensor.hpp"

namespace saerl {

// ---- reference loops ---------------------------------------------------------------------

template <class T>
void matmul_nn_ref(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      T s = accumulate ? C[i * n + j] : T(0);
      for (int p = 0; p < k; ++p) s += A[i * k + p] * B[p * n + j];
      C[i * n + j] = s;
    }
}

template <class T>
void matmul_tn_ref(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      T s = accumulate ? C[i * n + j] : T(0);
      for (int p = 0; p < k; ++p) s += A[p * m + i] * B[p * n + j];
      C[i * n + j] = s;
    }
}

template <class T>
void matmul_nt_ref(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      T s = accumulate ? C[i * n + j] : T(0);
      for (int p = 0; p < k; ++p) s += A[i * k + p] * B[j * k + p];
      C[i * n + j] = s;
    }
}

// ---- fast kernels ------------------------------------------------------------------------

namespace detail {

// SIMD width in bytes of the target (the vector extension below splits wider vectors, but
// matching the registers keeps the block in them): 64 with AVX-512, 32 with AVX, else 16.
#if defined(__AVX512F__)
constexpr int kSimdBytes = 64;
#elif defined(__AVX__)
constexpr int kSimdBytes = 32;
#else
constexpr int kSimdBytes = 16;
#endif

// W values of T that the compiler keeps in one SIMD register (GCC/clang vector extension).
template <class T, int W>
struct Lanes {
  typedef T type __attribute__((vector_size(W * sizeof(T))));
};

// C rows i0..i0+R-1, columns j0..j0+NV*W-1 (+)= sum_p A(i, p) B(p, j), where A(i, p) is
// A[i * a_row + p * a_col]: (a_row, a_col) = (k, 1) reads A, (1, m) reads A^T.
// The R x NV block of vectors of C stays in registers while p walks the shared dimension;
// each vector of B loaded feeds R multiply-adds.
template <int R, int NV, class T>
inline void gemm_block(const T* A, int a_row, int a_col, const T* B, T* C, int n, int k, int i0,
                       int j0, bool accumulate) {
  constexpr int W = kSimdBytes / int(sizeof(T));
  typedef typename Lanes<T, W>::type V;
  V acc[R][NV];
  T* c[R];  // the block's rows of C
  for (int r = 0; r < R; ++r) c[r] = C + std::ptrdiff_t(i0 + r) * n + j0;
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) {
      acc[r][v] = V{};
      if (accumulate) std::memcpy(&acc[r][v], c[r] + v * W, sizeof(V));
    }
  for (int p = 0; p < k; ++p) {
    T a[R];
    bool all_zero = true;
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      a[r] = A[std::ptrdiff_t(i0 + r) * a_row + std::ptrdiff_t(p) * a_col];
      all_zero = all_zero && a[r] == T(0);
    }
    if (all_zero) continue;  // one-hot inputs and ReLU outputs are mostly zeros
    const T* b = B + std::ptrdiff_t(p) * n + j0;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      V bv;
      std::memcpy(&bv, b + v * W, sizeof(V));
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][v] += a[r] * bv;
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) std::memcpy(c[r] + v * W, &acc[r][v], sizeof(V));
}

// The columns j0..n-1 left over after the vector blocks, one at a time.
template <int R, class T>
inline void gemm_tail(const T* A, int a_row, int a_col, const T* B, T* C, int n, int k, int i0,
                      int j0, bool accumulate) {
  for (int j = j0; j < n; ++j)
    for (int r = 0; r < R; ++r) {
      T& c = C[std::ptrdiff_t(i0 + r) * n + j];
      T s = accumulate ? c : T(0);
      for (int p = 0; p < k; ++p)
        s += A[std::ptrdiff_t(i0 + r) * a_row + std::ptrdiff_t(p) * a_col] * B[std::ptrdiff_t(p) * n + j];
      c = s;
    }
}

// One band of R rows: blocks of two vectors, then one vector, then single columns.
template <int R, class T>
inline void gemm_rows(const T* A, int a_row, int a_col, const T* B, T* C, int n, int k, int i0,
                      bool accumulate) {
  constexpr int W = kSimdBytes / int(sizeof(T));
  int j0 = 0;
  for (; j0 + 2 * W <= n; j0 += 2 * W) gemm_block<R, 2>(A, a_row, a_col, B, C, n, k, i0, j0, accumulate);
  for (; j0 + W <= n; j0 += W) gemm_block<R, 1>(A, a_row, a_col, B, C, n, k, i0, j0, accumulate);
  gemm_tail<R>(A, a_row, a_col, B, C, n, k, i0, j0, accumulate);
}

template <class T>
inline void gemm(const T* A, int a_row, int a_col, const T* B, T* C, int m, int n, int k,
                 bool accumulate) {
  int i0 = 0;
  for (; i0 + 4 <= m; i0 += 4) gemm_rows<4>(A, a_row, a_col, B, C, n, k, i0, accumulate);
  for (; i0 < m; ++i0) gemm_rows<1>(A, a_row, a_col, B, C, n, k, i0, accumulate);
}

}  // namespace detail

template <class T>
void matmul_nn(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  detail::gemm(A, k, 1, B, C, m, n, k, accumulate);
}

template <class T>
void matmul_tn(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  detail::gemm(A, 1, m, B, C, m, n, k, accumulate);
}

namespace detail {

// C[i][j0..j0+NB-1] (+)= dot(A row i, B rows j0..j0+NB-1), over k: vectors of W along k,
// one accumulator per row of B, so each vector of A loaded feeds NB multiply-adds.
template <int NB, class T>
inline void dot_block(const T* a, const T* B, T* c, int k, int j0, bool accumulate) {
  constexpr int W = kSimdBytes / int(sizeof(T));
  typedef typename Lanes<T, W>::type V;
  V acc[NB];
  const T* b[NB];  // the rows of B
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) {
    acc[j] = V{};
    b[j] = B + std::ptrdiff_t(j0 + j) * k;
  }
  int p = 0;
  for (; p + W <= k; p += W) {
    V av;
    std::memcpy(&av, a + p, sizeof(V));
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) {
      V bv;
      std::memcpy(&bv, b[j] + p, sizeof(V));
      acc[j] += av * bv;
    }
  }
  for (int j = 0; j < NB; ++j) {
    T lanes[W];
    std::memcpy(lanes, &acc[j], sizeof(V));
    T s = 0;
    for (int w = 0; w < W; ++w) s += lanes[w];
    for (int q = p; q < k; ++q) s += a[q] * b[j][q];
    c[j0 + j] = accumulate ? c[j0 + j] + s : s;
  }
}

}  // namespace detail

// A * B^T: every entry is the dot product of two contiguous rows, computed four rows of B at
// a time with vector accumulators along k.
template <class T>
void matmul_nt(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  for (int i = 0; i < m; ++i) {
    int j0 = 0;
    for (; j0 + 4 <= n; j0 += 4) detail::dot_block<4>(A + i * k, B, C + i * n, k, j0, accumulate);
    for (; j0 < n; ++j0) detail::dot_block<1>(A + i * k, B, C + i * n, k, j0, accumulate);
  }
}

// Matrix-vector: y (m) (+)= A (m x k) x (k), and row vector times matrix: y (n) (+)= x (k) B (k x n).
template <class T>
void matvec(const T* A, const T* x, T* y, int m, int k, bool accumulate = false) {
  matmul_nt(x, A, y, 1, m, k, accumulate);
}
template <class T>
void vecmat(const T* x, const T* B, T* y, int k, int n, bool accumulate = false) {
  matmul_nn(x, B, y, 1, n, k, accumulate);
}

}  // namespace saerl
