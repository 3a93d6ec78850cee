// saerl/core/analysis/cholesky.hpp — the Cholesky factorisation of a small symmetric positive definite
// matrix, and the linear solve that uses it. Plain loops on a row-major array with a row
// stride, no allocation: it serves GPTQ's calibration (core/analysis/gptq.hpp) and matching pursuit's
// least squares (sae/matching_pursuit.hpp).
//
//   double A[3 * 3] = {...};                  // symmetric positive definite
//   if (saerl::cholesky_lower(A, 3, 3))       // A becomes L, with A = L L^T
//     saerl::cholesky_solve(A, 3, 3, b, x);   // x = A^{-1} b
//
// L is computed column by column:
//   L_jj = sqrt(A_jj - sum_{k<j} L_jk^2),   L_ij = (A_ij - sum_{k<j} L_ik L_jk) / L_jj  (i > j),
// each sum taken in order of k.
#pragma once
#include <cmath>

namespace saerl {

// In place: A (n x n, row stride `stride`, symmetric positive definite; only its lower triangle
// is read) -> its lower Cholesky factor L, A = L L^T, with the upper triangle set to 0.
// Returns false, leaving A part-way, when A is not positive definite.
template <class T>
bool cholesky_lower(T* A, int n, int stride) {
  for (int j = 0; j < n; ++j) {
    T* row_j = A + j * stride;
    T d = row_j[j];
    for (int k = 0; k < j; ++k) d -= row_j[k] * row_j[k];
    if (!(d > T(0))) return false;
    d = std::sqrt(d);
    row_j[j] = d;
    for (int i = j + 1; i < n; ++i) {
      T* row_i = A + i * stride;
      T s = row_i[j];
      for (int k = 0; k < j; ++k) s -= row_i[k] * row_j[k];
      row_i[j] = s / d;
    }
    for (int i = 0; i < j; ++i) A[i * stride + j] = T(0);
  }
  return true;
}

// x = (L L^T)^{-1} b with L from cholesky_lower: L y = b forward, then L^T x = y backward.
// x may be b.
template <class T>
void cholesky_solve(const T* L, int n, int stride, const T* b, T* x) {
  for (int i = 0; i < n; ++i) {
    T s = b[i];
    for (int k = 0; k < i; ++k) s -= L[i * stride + k] * x[k];
    x[i] = s / L[i * stride + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    T s = x[i];
    for (int k = i + 1; k < n; ++k) s -= L[k * stride + i] * x[k];
    x[i] = s / L[i * stride + i];
  }
}

}  // namespace saerl
