// saerl/sae/topk.hpp — keeping the k largest of many values, fast, and listing what was kept:
// the selection under TopK and BatchTopK codes (sae/sae.hpp) and AuxK (sae/sae_trainer.hpp).
//
//   saerl::detail::keep_top(z, f, M, /*keep=*/16, work);          // f: z's 16 largest positive
//   saerl::detail::keep_top_listed(z, f, rows, M, 16, work, start, index, value);  // and the lists
#pragma once
#include <algorithm>

#include "../core/base/parallel.hpp"

namespace saerl {
namespace detail {
// The keep-th largest of z[0 .. n) (keep in 1..n); work holds n values. When keep is small
// against n, a lower bound first: the keep-th largest of L >= 2 keep lane maxima (lane l is
// the largest of z[l], z[l + L], ...; they are L values of z from disjoint sets, so the answer
// is at least as large); then only the values at or above the bound (a few times keep, not n)
// are searched.
template <class T>
T kth_largest(const T* z, int n, int keep, T* work) {
  const auto greater = [](T a, T b) { return a > b; };
  const int lanes = (2 * keep + 15) / 16 * 16;
  if (4 * lanes <= n) {
    copy(z, work, lanes);
    int i = lanes;
    for (; i + lanes <= n; i += lanes)
      for (int l = 0; l < lanes; ++l) work[l] = z[i + l] > work[l] ? z[i + l] : work[l];
    for (int l = 0; i + l < n; ++l) work[l] = z[i + l] > work[l] ? z[i + l] : work[l];
    std::nth_element(work, work + (keep - 1), work + lanes, greater);
    const T bound = work[keep - 1];
    int count = 0;
    for (i = 0; i < n; ++i)
      if (z[i] >= bound) work[count++] = z[i];
    if (count >= keep) {  // (fewer only with NaNs about)
      std::nth_element(work, work + (keep - 1), work + count, greater);
      return work[keep - 1];
    }
  }
  copy(z, work, n);
  std::nth_element(work, work + (keep - 1), work + n, greater);
  return work[keep - 1];
}

// Keeps in f the entries of z (length n) that are among the `keep` largest and positive;
// ties at the cut are taken in index order, so exactly min(keep, #positive) survive.
// work holds n values; f may be z.
template <class T>
void keep_top(const T* z, T* f, int n, int keep, T* work) {
  if (keep < 1) {  // nothing kept (an SAE used before init())
    fill(f, n, T(0));
    return;
  }
  if (keep > n) keep = n;
  const T cut = kth_largest(z, n, keep, work);
  int above = 0, at = 0;
  for (int i = 0; i < n; ++i) {
    above += z[i] > cut;
    at += z[i] == cut;
  }
  if (above + at == keep) {  // every value equal to the cut is kept (no ties left out)
    for (int i = 0; i < n; ++i) f[i] = z[i] >= cut && z[i] > T(0) ? z[i] : T(0);
    return;
  }
  int ties = keep - above;  // how many entries equal to the cut may still be kept
  for (int i = 0; i < n; ++i) {
    bool kept = z[i] > cut || (z[i] == cut && ties-- > 0);
    f[i] = kept && z[i] > T(0) ? z[i] : T(0);
  }
}

// Lists the nonzero entries of f (rows x M) row by row, indices ascending, into start,
// index and value. Returns false, leaving the lists unfinished, when more than capacity are
// nonzero. Counts per row, then lists each row where its count says (rows in parallel).
template <class T>
bool list_codes(const T* f, int rows, int M, int* start, int* index, T* value, int capacity) {
  parallel_for(rows, [&](int b0, int b1) {
    for (int b = b0; b < b1; ++b) {
      int count = 0;
      for (int j = 0; j < M; ++j) count += f[b * M + j] != T(0);
      start[b + 1] = count;
    }
  });
  start[0] = 0;
  for (int b = 0; b < rows; ++b) start[b + 1] += start[b];
  if (start[rows] > capacity) return false;
  parallel_for(rows, [&](int b0, int b1) {
    for (int b = b0; b < b1; ++b) {
      const T* row = f + b * M;
      int e = start[b], j = 0;
      for (; j + 16 <= M && e < start[b + 1]; j += 16) {  // blocks of 16: a block of zeros costs one test
        int nonzero = 0;
        for (int l = 0; l < 16; ++l) nonzero += row[j + l] != T(0);
        if (nonzero)
          for (int l = 0; l < 16; ++l)
            if (row[j + l] != T(0)) index[e] = j + l, value[e++] = row[j + l];
      }
      for (; e < start[b + 1]; ++j)
        if (row[j] != T(0)) index[e] = j, value[e++] = row[j];
    }
  });
  return true;
}

// TopK over rows x M values, as keep_top on each row, with the kept codes listed while the
// row is in cache: start (rows + 1), index and value as list_codes writes them; index and
// value hold rows x keep. Row b is first listed at b * keep, then the lists are closed up.
// work holds rows x M values; rows run in parallel.
template <class T>
void keep_top_listed(const T* z, T* f, int rows, int M, int keep, T* work, int* start, int* index, T* value) {
  parallel_for(rows, [&](int b0, int b1) {
    for (int b = b0; b < b1; ++b) {
      T* row = f + b * M;
      keep_top(z + b * M, row, M, keep, work + b * M);
      int e = b * keep;
      for (int j = 0; j < M; ++j)
        if (row[j] != T(0)) index[e] = j, value[e++] = row[j];
      start[b + 1] = e - b * keep;  // the count, for now
    }
  });
  start[0] = 0;
  for (int b = 0; b < rows; ++b) {
    const int count = start[b + 1], from = b * keep, to = start[b];
    for (int e = 0; e < count; ++e) index[to + e] = index[from + e], value[to + e] = value[from + e];
    start[b + 1] = to + count;
  }
}

}  // namespace detail
}  // namespace saerl
