// saerl/sae/matching_pursuit.hpp — inference-time optimisation: encode with orthogonal
// matching pursuit (OMP) over an SAE's own dictionary instead of its encoder.
//
//   float codes[M], x_hat[D];
//   int used = saerl::encode_pursuit(*sae, x, 16, codes, x_hat);   // at most 16 features
//
// A trained encoder is one matrix product: fast, but it only approximates the best sparse
// code (the "amortisation gap"). OMP (Pati et al. 1993) picks k decoder rows greedily and
// refits all their coefficients by least squares after each pick:
//   r = x - b_dec;  repeat k times:
//     j* = argmax_j |<r, w_j>| over rows not yet chosen;  S = S + {j*}
//     c  = argmin_c ||x - b_dec - sum_{j in S} c_j w_j||^2   (normal equations, Cholesky)
//     r  = x - b_dec - sum_{j in S} c_j w_j
// Codes may be negative (a chosen feature used with the opposite sign). Cost per input is
// about k * M * D multiply-adds; no heap, a (k x k) Gram matrix on the stack.
#pragma once
#include <cmath>

#include "../core/analysis/cholesky.hpp"
#include "sae.hpp"

namespace saerl {

constexpr int kMaxPursuitFeatures = 32;

namespace detail {

// Solves G c = g for a symmetric positive definite n x n G (row stride kMaxPursuitFeatures)
// by Cholesky (core/analysis/cholesky.hpp). A tiny ridge keeps nearly parallel rows solvable. False when
// G is not positive definite.
template <class T>
bool ridge_solve(const T (*G)[kMaxPursuitFeatures], const T* g, T* c, int n) {
  T L[kMaxPursuitFeatures][kMaxPursuitFeatures];
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) L[i][j] = G[i][j] + (i == j ? T(1e-6) : T(0));
  if (!cholesky_lower(&L[0][0], n, kMaxPursuitFeatures)) return false;
  cholesky_solve(&L[0][0], n, kMaxPursuitFeatures, g, c);
  return true;
}

}  // namespace detail

// Encodes one input x (D) with at most k (<= kMaxPursuitFeatures) features: writes the codes
// f (M, zero outside the support) and the reconstruction x_hat (D). Returns the support size.
template <class T, int D, int M>
int encode_pursuit(const Sae<T, D, M>& sae, const T* x, int k, T* f, T* x_hat) {
  if (k > kMaxPursuitFeatures) k = kMaxPursuitFeatures;
  if (k > M) k = M;
  int S[kMaxPursuitFeatures];
  T G[kMaxPursuitFeatures][kMaxPursuitFeatures], g[kMaxPursuitFeatures], c[kMaxPursuitFeatures];
  T target[D], r[D];
  for (int d = 0; d < D; ++d) target[d] = r[d] = x[d] - sae.b_dec()[d];
  fill(f, M, T(0));
  int n = 0;
  while (n < k) {
    int best = -1;
    T best_abs = 0;
    for (int j = 0; j < M; ++j) {
      const T a = std::fabs(dot(r, sae.w_dec() + j * D, D));
      if (a <= best_abs) continue;
      bool chosen = false;
      for (int i = 0; i < n; ++i) chosen = chosen || S[i] == j;
      if (!chosen) best = j, best_abs = a;
    }
    if (best < 0) break;  // the residual is orthogonal to every remaining row
    S[n] = best;
    const T* w = sae.w_dec() + best * D;
    for (int i = 0; i <= n; ++i) G[n][i] = G[i][n] = dot(sae.w_dec() + S[i] * D, w, D);
    g[n] = dot(target, w, D);
    ++n;
    if (!detail::ridge_solve(G, g, c, n)) {  // a row dependent on the others: drop it
      --n;
      break;
    }
    copy(target, r, D);
    for (int i = 0; i < n; ++i) axpy(-c[i], sae.w_dec() + S[i] * D, r, D);
  }
  for (int d = 0; d < D; ++d) x_hat[d] = x[d] - r[d];  // x - r = b_dec + sum c_j w_j
  for (int i = 0; i < n; ++i) f[S[i]] = c[i];
  return n;
}

// FVU of pursuit reconstructions over `count` contiguous rows (count, D):
// sum ||x - x_hat||^2 / sum ||x - mean||^2, the mean taken over the same rows.
template <class T, int D, int M>
double pursuit_fvu(const Sae<T, D, M>& sae, const T* rows, int count, int k) {
  double mean[D] = {0}, err = 0, var = 0;
  for (int r = 0; r < count; ++r)
    for (int d = 0; d < D; ++d) mean[d] += rows[r * D + d];
  for (int d = 0; d < D; ++d) mean[d] /= count > 0 ? count : 1;
  T f[M], x_hat[D];
  for (int r = 0; r < count; ++r) {
    const T* x = rows + r * D;
    encode_pursuit(sae, x, k, f, x_hat);
    for (int d = 0; d < D; ++d) {
      err += double(x[d] - x_hat[d]) * double(x[d] - x_hat[d]);
      var += (x[d] - mean[d]) * (x[d] - mean[d]);
    }
  }
  return var > 0 ? err / var : 0;
}

}  // namespace saerl
