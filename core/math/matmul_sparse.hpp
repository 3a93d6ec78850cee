// saerl/core/math/matmul_sparse.hpp — products with a sparse left matrix given as lists (TopK
// codes), and the entries of a dense product that a sparse pattern asks for: what the sparse
// TopK SAE kernels (sae/sae.hpp) are built from.
//
//   saerl::sparse_matmul_nn(start, index, value, W_dec, x_hat, batch, D, false, b_dec);
//
// The floats are those of core/math/matmul.hpp's row path: the same sums in the same order.
#pragma once
#include "matmul.hpp"

namespace saerl {

// ---- sparse A --------------------------------------------------------------------------------
// A sparse (m x k) matrix as lists: row i holds A(i, index[e]) = value[e] for e in
// start[i] .. start[i+1]-1, indices ascending (sae/sae.hpp lists TopK codes this way). The
// products touch only the listed entries, in list order: the row path's order, so its floats.

// C (m x n) (+)= A B, B (k x n); without accumulate every row of C starts from bias (null: 0).
// Rows are split over threads as above.
template <class T>
void sparse_matmul_nn(const int* start, const int* index, const T* value, const T* B, T* C, int m, int n,
                      bool accumulate, const T* bias = nullptr) {
  auto rows = [&](int i0, int i1) {
#if SAERL_VECTORIZE
    detail::gemm_by_rows(value, 0, 1, B, n, C + std::ptrdiff_t(i0) * n, n, i1 - i0, n, 0, accumulate, bias,
                         start + i0, index);
#else
    for (int i = i0; i < i1; ++i) {
      T* c = C + std::ptrdiff_t(i) * n;
      if (!accumulate) {
        if (bias)
          copy(bias, c, n);
        else
          fill(c, n, T(0));
      }
      for (int e = start[i]; e < start[i + 1]; ++e) axpy(value[e], B + std::ptrdiff_t(index[e]) * n, c, n);
    }
#endif
  };
  if (m >= 2 && double(start[m] - start[0]) * n >= detail::kParallelWork)
    parallel_for(m, rows);
  else
    rows(0, m);
}

// The lists of A^T (k x m) from those of A (m x k): t_start (k + 1), t_index (A's row of each
// entry, ascending within a row of A^T) and t_from (where the entry sits in A's lists, to read
// its value: A^T's values are value[t_from[e]]). A counting sort, in A's order.
inline void transpose_lists(const int* start, const int* index, int m, int k, int* t_start, int* t_index,
                            int* t_from) {
  for (int j = 0; j <= k; ++j) t_start[j] = 0;
  for (int e = start[0]; e < start[m]; ++e) ++t_start[index[e] + 1];
  for (int j = 0; j < k; ++j) t_start[j + 1] += t_start[j];
  for (int i = 0; i < m; ++i)
    for (int e = start[i]; e < start[i + 1]; ++e) {
      const int at = t_start[index[e]]++;
      t_index[at] = i;
      t_from[at] = e;
    }
  for (int j = k; j > 0; --j) t_start[j] = t_start[j - 1];  // (each start was moved to the next's)
  t_start[0] = 0;
}

// out[e] = (A B^T)(i, index[e]) = A row i . B row index[e] for every listed entry, A (m x n),
// B (k x n): the entries of a product that a sparse pattern asks for.
template <class T>
void sampled_matmul_nt(const int* start, const int* index, const T* A, const T* B, T* out, int m, int n) {
  auto rows = [&](int i0, int i1) {
    for (int i = i0; i < i1; ++i)
      for (int e = start[i]; e < start[i + 1]; ++e)
        out[e] = dot(A + std::ptrdiff_t(i) * n, B + std::ptrdiff_t(index[e]) * n, n);
  };
  if (m >= 2 && double(start[m] - start[0]) * n >= detail::kParallelWork)
    parallel_for(m, rows);
  else
    rows(0, m);
}

}  // namespace saerl
