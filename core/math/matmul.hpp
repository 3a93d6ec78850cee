// saerl/core/math/matmul.hpp — the one matrix-multiply kernel family, used by every layer.
//
// All matrices are row-major and given as (pointer, rows, cols). Three products cover every
// forward and backward pass of a dense layer whose weight W is stored (in x out):
//
//   matmul_nn:  C (m x n) = A (m x k) * B (k x n)       forward      y  = x W
//   matmul_tn:  C (m x n) = A^T * B, A is (k x m)       weight grad  dW = x^T dy
//   matmul_nt:  C (m x n) = A * B^T, B is (n x k)       input grad   dx = dy W^T
//
// With accumulate = true the product is added to C (C += ...), otherwise C is overwritten.
// matmul_nn_bias starts every row of C from a bias row instead: C = 1 b + A B, the forward
// pass of a dense layer in one pass over C.
//
// Three layers of code, each computing the same floats:
// - `*_ref`: the definition, one loop nest per product; the tests compare the others with it.
// - The plain path (detail::gemm_plain): C row i (+)= A(i, p) * B row p for p = 0, 1, ...,
//   skipping zeros of A, or one running dot product per element for A B^T. Plain C++17 that
//   any compiler builds; the only path with SAERL_PORTABLE defined or without GCC/clang.
// - The vector path (GCC and clang, unless SAERL_PORTABLE), written with the vector extension
//   (`T __attribute__((vector_size(N)))`: arithmetic on short vectors that the compiler maps
//   onto SSE, AVX, AVX-512 or NEON registers, with no intrinsics):
//   - The blocked path (dense A). A register block of C, kMR rows x kNV SIMD vectors, stays in
//     registers while p walks the shared dimension: per p it loads kNV vectors of B and
//     broadcasts kMR values of A, so each load feeds several multiply-adds. The shared
//     dimension is cut into slices of kKc; for each slice, kKc x (kNV vectors) of B are first
//     copied into a contiguous panel on the stack (for matmul_nt this is also where B is
//     transposed), small enough to stay in the L1 cache while every row block of A passes
//     over it. The loop order re-reads the smaller of A and C once per panel or slice.
//   - The row path of matmul_nn and matmul_tn (m = 1, or A mostly zeros: one-hot inputs,
//     sparse codes). Each row of C is built in registers, up to kRowNV vectors at a time, from
//     the rows of B whose A(i, p) is not zero; a zero skips a whole row of B. Single-position
//     inference streams each weight matrix once this way.
//   Neither allocates: the panel (32 KiB) and an edge block live on the stack. Both are in
//   core/math/matmul_vector.hpp; the products of a sparse A (lists) are in core/math/matmul_sparse.hpp.
// Large products are split over threads (core/base/parallel.hpp) by blocks of C's rows or columns,
// never along the shared dimension: each element's sum is the same whatever the thread count.
//
// Summation order: every element of C is one running sum over p = 0, 1, ..., k-1, starting
// from C (accumulate), the bias or 0, whichever path, block or thread computed it. So results
// do not depend on the SIMD width, the blocks or the threads, and a row of a batch gets the
// same floats as that row alone (up to the sign of a zero, where a skipped zero of A would
// have added -0). On a target with FMA (-march=native on a recent x86 core) GCC and clang
// fuse each acc += a * b into one multiply-add unless told -ffp-contract=off; the Cortex-M4
// firmware and its x86 host twin are built with -ffp-contract=off, so both multiply, then
// add, and print the same floats.
#pragma once
#include <cstddef>
#include <cstring>

#include "matmul_vector.hpp"  // the vector path
#include "../base/parallel.hpp"
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
void matmul_nn_bias_ref(const T* A, const T* B, const T* bias, T* C, int m, int n, int k) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      T s = bias[j];
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

namespace detail {

// ---- the plain path ----------------------------------------------------------------------

// C (m x n, row stride ldc) (+)= A B with A(i, p) = A[i * a_row + p * a_step] and
// B(p, j) = B[p * b_row + j * b_col]. Without accumulate, every row of C starts from the row
// vector `start` (n values), or from 0 when it is null. B's rows contiguous (b_col = 1): row i
// of C adds a(i, p) * B row p for p in order, skipping zeros of A; otherwise (A B^T) each
// element is one running dot product over p in order.
template <class T>
void gemm_plain(const T* A, std::ptrdiff_t a_row, std::ptrdiff_t a_step, const T* B, std::ptrdiff_t b_row,
                std::ptrdiff_t b_col, T* C, std::ptrdiff_t ldc, int m, int n, int k, bool accumulate,
                const T* start) {
  for (int i = 0; i < m; ++i) {
    const T* a = A + i * a_row;
    T* c = C + i * ldc;
    if (!accumulate)
      for (int j = 0; j < n; ++j) c[j] = start ? start[j] : T(0);
    if (b_col == 1) {
      for (int p = 0; p < k; ++p) {
        const T ap = a[p * a_step];
        if (ap == T(0)) continue;
        const T* b = B + p * b_row;
        for (int j = 0; j < n; ++j) c[j] += ap * b[j];
      }
    } else {
      for (int j = 0; j < n; ++j) {
        T s = c[j];
        for (int p = 0; p < k; ++p) s += a[p * a_step] * B[p * b_row + j * b_col];
        c[j] = s;
      }
    }
  }
}

// A (count values) is mostly zeros, at most one in eight nonzero: the row path, which skips
// the zeros, is then faster than the blocked one. Counts in chunks and stops as soon as the
// answer is no: dense data is not read to the end.
template <class T>
inline bool mostly_zeros(const T* A, std::ptrdiff_t count) {
  constexpr std::ptrdiff_t kChunk = 1024;
  std::ptrdiff_t nonzero = 0;
  for (std::ptrdiff_t i0 = 0; i0 < count && 8 * nonzero <= count; i0 += kChunk) {
    const std::ptrdiff_t end = count - i0 < kChunk ? count : i0 + kChunk;
    for (std::ptrdiff_t i = i0; i < end; ++i) nonzero += A[i] != T(0);
  }
  return 8 * nonzero <= count;
}

// C (m x n, row stride ldc) (+)= A B as gemm_plain says, by the vector path where there is
// one: the row path when by_rows (and B's rows are contiguous), else the blocked path.
template <class T>
void gemm_serial(const T* A, std::ptrdiff_t a_row, std::ptrdiff_t a_step, const T* B, std::ptrdiff_t b_row,
                 std::ptrdiff_t b_col, T* C, std::ptrdiff_t ldc, int m, int n, int k, bool accumulate,
                 const T* start, bool by_rows) {
#if SAERL_VECTORIZE
  if (by_rows && b_col == 1)
    gemm_by_rows(A, a_row, a_step, B, b_row, C, ldc, m, n, k, accumulate, start);
  else
    gemm_blocked(A, a_row, a_step, B, b_row, b_col, C, ldc, m, n, k, accumulate, start);
#else
  (void)by_rows;
  gemm_plain(A, a_row, a_step, B, b_row, b_col, C, ldc, m, n, k, accumulate, start);
#endif
}

// Products of at least this many multiply-adds (and two rows) are split over threads().
constexpr double kParallelWork = 1 << 21;

// gemm_serial, split over threads() when the product is large: by blocks of NR columns of C
// when there are enough of them for every thread twice over and few rows, else by blocks of
// kMR rows. Each thread computes whole elements of C, so the floats do not change.
template <class T>
void gemm(const T* A, std::ptrdiff_t a_row, std::ptrdiff_t a_step, const T* B, std::ptrdiff_t b_row,
          std::ptrdiff_t b_col, T* C, std::ptrdiff_t ldc, int m, int n, int k, bool accumulate, const T* start,
          bool by_rows) {
  const int t = threads();
  if (t == 1 || m < 2 || double(m) * n * k < kParallelWork) {
    gemm_serial(A, a_row, a_step, B, b_row, b_col, C, ldc, m, n, k, accumulate, start, by_rows);
    return;
  }
  constexpr int NR = kNV * lanes<T>();
  const int col_blocks = (n + NR - 1) / NR, row_blocks = (m + kMR - 1) / kMR;
  if (col_blocks >= 2 * t && m < 8 * kMR * t) {
    parallel_for(col_blocks, [&](int b0, int b1) {
      const int j0 = b0 * NR, j1 = b1 * NR < n ? b1 * NR : n;
      gemm_serial(A, a_row, a_step, B + j0 * b_col, b_row, b_col, C + j0, ldc, m, j1 - j0, k, accumulate,
                  start ? start + j0 : start, by_rows);
    });
  } else {
    parallel_for(row_blocks, [&](int b0, int b1) {
      const int i0 = b0 * kMR, i1 = b1 * kMR < m ? b1 * kMR : m;
      gemm_serial(A + i0 * a_row, a_row, a_step, B, b_row, b_col, C + i0 * ldc, ldc, i1 - i0, n, k, accumulate,
                  start, by_rows);
    });
  }
}

// The row path pays when A has one row or is mostly zeros (the vector path only: the plain
// path skips zeros in any case).
template <class T>
inline bool prefer_rows(const T* A, int m, int k) {
  return SAERL_VECTORIZE && (m == 1 || mostly_zeros(A, std::ptrdiff_t(m) * k));
}

}  // namespace detail

template <class T>
void matmul_nn(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  detail::gemm(A, k, 1, B, n, 1, C, n, m, n, k, accumulate, static_cast<const T*>(nullptr),
               detail::prefer_rows(A, m, k));
}

// C (m x n) = 1 bias + A (m x k) * B (k x n): every row of C starts from bias (n values),
// then adds its products in the same order as matmul_nn.
template <class T>
void matmul_nn_bias(const T* A, const T* B, const T* bias, T* C, int m, int n, int k) {
  detail::gemm(A, k, 1, B, n, 1, C, n, m, n, k, false, bias, detail::prefer_rows(A, m, k));
}

template <class T>
void matmul_tn(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  detail::gemm(A, 1, m, B, n, 1, C, n, m, n, k, accumulate, static_cast<const T*>(nullptr),
               SAERL_VECTORIZE && detail::mostly_zeros(A, std::ptrdiff_t(m) * k));
}

template <class T>
void matmul_nt(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  detail::gemm(A, k, 1, B, 1, k, C, n, m, n, k, accumulate, static_cast<const T*>(nullptr), false);
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
