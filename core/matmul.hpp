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
// The fast kernels keep a 4 x 16 block of C in registers while walking the shared dimension,
// so each loaded value of B feeds four multiply-adds; the fixed trip counts let the compiler
// unroll and vectorize the block without intrinsics.
#pragma once
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

// C rows i0..i0+R-1, columns j0..j0+J-1 (+)= sum_p A(i, p) B(p, j), where A(i, p) is
// A[i * a_row + p * a_col]: (a_row, a_col) = (k, 1) reads A, (1, m) reads A^T.
template <int R, int J, class T>
inline void gemm_block(const T* A, int a_row, int a_col, const T* B, T* C, int n, int k, int i0,
                       int j0, bool accumulate) {
  T acc[R][J];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < J; ++j) acc[r][j] = accumulate ? C[(i0 + r) * n + j0 + j] : T(0);
  for (int p = 0; p < k; ++p) {
    T a[R];
    bool all_zero = true;
    for (int r = 0; r < R; ++r) {
      a[r] = A[(i0 + r) * a_row + p * a_col];
      all_zero = all_zero && a[r] == T(0);
    }
    if (all_zero) continue;  // one-hot inputs and ReLU outputs are mostly zeros
    const T* b = B + p * n + j0;
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < J; ++j) acc[r][j] += a[r] * b[j];
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < J; ++j) C[(i0 + r) * n + j0 + j] = acc[r][j];
}

// One band of R rows: 16-wide blocks, then 8-, 4- and 1-wide ones for the leftover columns.
template <int R, class T>
inline void gemm_rows(const T* A, int a_row, int a_col, const T* B, T* C, int n, int k, int i0,
                      bool accumulate) {
  int j0 = 0;
  for (; j0 + 16 <= n; j0 += 16) gemm_block<R, 16>(A, a_row, a_col, B, C, n, k, i0, j0, accumulate);
  for (; j0 + 8 <= n; j0 += 8) gemm_block<R, 8>(A, a_row, a_col, B, C, n, k, i0, j0, accumulate);
  for (; j0 + 4 <= n; j0 += 4) gemm_block<R, 4>(A, a_row, a_col, B, C, n, k, i0, j0, accumulate);
  for (; j0 < n; ++j0) gemm_block<R, 1>(A, a_row, a_col, B, C, n, k, i0, j0, accumulate);
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

// A * B^T: every entry is the dot product of two contiguous rows (dot() keeps eight partial
// sums so that the compiler holds them in one vector register).
template <class T>
void matmul_nt(const T* A, const T* B, T* C, int m, int n, int k, bool accumulate = false) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      T s = dot(A + i * k, B + j * k, k);
      C[i * n + j] = accumulate ? C[i * n + j] + s : s;
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
