// saerl/core/math/matmul_vector.hpp — the vector path of core/math/matmul.hpp (read that header first):
// the blocked kernel for dense products and the row kernel for one row or mostly-zero A,
// written with GCC/clang's vector extension. Included by matmul.hpp only; with
// SAERL_PORTABLE (or another compiler) only the block-size constants remain.
#pragma once
#include <cstddef>
#include <cstring>

#include "tensor.hpp"

namespace saerl {
namespace detail {


// SIMD width in bytes of the target (the vector extension splits wider vectors, but matching
// the registers keeps the blocks in them): 64 with AVX-512, 32 with AVX, else 16. The block
// sizes below are defined in every build (the tests size their cases by them).
#if defined(__AVX512F__)
constexpr int kSimdBytes = 64;
#elif defined(__AVX__)
constexpr int kSimdBytes = 32;
#else
constexpr int kSimdBytes = 16;
#endif

// Register block of the blocked path: kMR rows x kNV vectors of C. AVX-512 has 32 vector
// registers: 6 x 4 = 24 accumulators, 4 for B, 1 for a broadcast of A. SSE and AVX have 16:
// 6 x 2 = 12 accumulators.
constexpr int kMR = 6;
constexpr int kNV = kSimdBytes == 64 ? 4 : 2;
// Slice of the shared dimension: the packed panel of B, kKc x kNV vectors, is 32 KiB, to stay
// in a 48 KiB L1 data cache.
constexpr int kKc = 32768 / (kNV * kSimdBytes);
// Products of at most this many rows read B's panels in place instead of packing them.
constexpr int kInPlaceRows = 64;
// Vectors of one row of C that the row path keeps in registers.
constexpr int kRowNV = kSimdBytes == 64 ? 16 : 8;
template <class T>
constexpr int lanes() {
  return kSimdBytes / int(sizeof(T));
}

#if SAERL_VECTORIZE
// lanes<T>() values of T that the compiler keeps in one SIMD register.
template <class T, int W>
struct Lanes {
  typedef T type __attribute__((vector_size(W * sizeof(T))));
};
template <class T>
using Vector = typename Lanes<T, lanes<T>()>::type;

// Unaligned vector load and store (memcpy of one vector compiles to one move). GCC 12 at -O3
// warns (-Warray-bounds) about loads on paths that cannot run for the small sizes it
// propagates from a caller, e.g. a 16-vector block of a 33-wide row; the callers check the
// bounds, so the warning is off here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
template <class V, class T>
inline V load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <class V, class T>
inline void store(T* p, const V& v) {
  std::memcpy(p, &v, sizeof(V));
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// ---- the row path ----

// c[0 .. NV*W) (+)= sum over p < k with a(p) != 0 of a(p) * B row r(p), where
// a(p) = a[p * a_step], r(p) = p (rows null) or rows[p] (a list), and B row r starts at
// b + r * ldb. The NV vectors of c stay in registers. Without accumulate, the sum starts from
// start[0 .. NV*W) (a bias), or from 0 when start is null.
template <int NV, class T>
inline void row_block(const T* a, std::ptrdiff_t a_step, const int* rows, const T* b, std::ptrdiff_t ldb, T* c,
                      int k, bool accumulate, const T* start) {
  constexpr int W = lanes<T>();
  typedef Vector<T> V;
  const T* from = accumulate ? c : start;  // where the sums start (null: from 0)
  V acc[NV];
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) acc[v] = from ? load<V>(from + v * W) : V{};
  for (int p = 0; p < k; ++p) {
    const T ap = a[p * a_step];
    if (ap == T(0)) continue;
    const T* bp = b + (rows ? rows[p] : p) * ldb;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[v] += ap * load<V>(bp + v * W);
  }
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) store(c + v * W, acc[v]);
}

// The same for the last cols < W columns of a row: one vector whose lanes past the end
// of the row stay zero.
template <class T>
inline void row_tail(const T* a, std::ptrdiff_t a_step, const int* rows, const T* b, std::ptrdiff_t ldb, T* c,
                     int cols, int k, bool accumulate, const T* start) {
  typedef Vector<T> V;
  const std::size_t bytes = sizeof(T) * std::size_t(cols);
  V acc{};
  if (accumulate)
    std::memcpy(&acc, c, bytes);
  else if (start)
    std::memcpy(&acc, start, bytes);
  for (int p = 0; p < k; ++p) {
    const T ap = a[p * a_step];
    if (ap == T(0)) continue;
    V bv{};
    std::memcpy(&bv, b + (rows ? rows[p] : p) * ldb, bytes);
    acc += ap * bv;
  }
  std::memcpy(c, &acc, bytes);
}

// Row i of C (+)= sum_p A(i, p) B(p, :) for every row, A(i, p) = A[i * a_row + p * a_step],
// B(p, j) = B[p * ldb + j]; zeros of A are skipped. Row i of C starts at C + i * ldc. Without
// accumulate, each row starts from the row vector `start` (n values), or from 0 when it is null.
// With lists (list_start not null), A is sparse instead: row i holds A(i, list_index[e]) =
// A[e] for e in list_start[i] .. list_start[i+1]-1 (a_row, a_step and k are not read).
template <class T>
void gemm_by_rows(const T* A, std::ptrdiff_t a_row, std::ptrdiff_t a_step, const T* B, std::ptrdiff_t ldb, T* C,
                  std::ptrdiff_t ldc, int m, int n, int k, bool accumulate, const T* start,
                  const int* list_start = nullptr, const int* list_index = nullptr) {
  constexpr int W = lanes<T>();
  for (int i = 0; i < m; ++i) {
    const T* a = list_start ? A + list_start[i] : A + i * a_row;
    const int* rows = list_start ? list_index + list_start[i] : nullptr;
    const int count = list_start ? list_start[i + 1] - list_start[i] : k;
    const std::ptrdiff_t step = list_start ? 1 : a_step;
    T* c = C + i * ldc;
    const auto from = [&](int j) { return start ? start + j : start; };
    int j = 0;
    for (; j + kRowNV * W <= n; j += kRowNV * W)
      row_block<kRowNV>(a, step, rows, B + j, ldb, c + j, count, accumulate, from(j));
    // the rest in blocks of half as many vectors, and half again: each block reads the row
    // of A once more, so a 128-wide row (8 vectors) takes one pass, not eight
    if (j + kRowNV / 2 * W <= n) {
      row_block<kRowNV / 2>(a, step, rows, B + j, ldb, c + j, count, accumulate, from(j));
      j += kRowNV / 2 * W;
    }
    if (j + kRowNV / 4 * W <= n) {
      row_block<kRowNV / 4>(a, step, rows, B + j, ldb, c + j, count, accumulate, from(j));
      j += kRowNV / 4 * W;
    }
    for (; j + W <= n; j += W) row_block<1>(a, step, rows, B + j, ldb, c + j, count, accumulate, from(j));
    if (j < n) row_tail(a, step, rows, B + j, ldb, c + j, n - j, count, accumulate, from(j));
  }
}

// ---- the blocked path ----

// panel (kc x NR, row p at panel + p * NR) = B(p, j) for j < nr, zeros for j = nr .. NR-1,
// where B(p, j) = b[p * b_row + j * b_col].
template <int NR, class T>
inline void pack_panel(const T* b, std::ptrdiff_t b_row, std::ptrdiff_t b_col, int kc, int nr, T* panel) {
  if (nr < NR)
    for (int i = 0; i < kc * NR; ++i) panel[i] = T(0);
  if (b_col == 1) {  // B's rows are contiguous: copy them
    for (int p = 0; p < kc; ++p) std::memcpy(panel + p * NR, b + p * b_row, sizeof(T) * std::size_t(nr));
  } else {  // B^T: read each column of the panel along its contiguous run
    for (int j = 0; j < nr; ++j)
      for (int p = 0; p < kc; ++p) panel[p * NR + j] = b[p * b_row + j * b_col];
  }
}

// The register block: C (MR rows x NV vectors at c, row stride ldc) (+)= sum over p < kc of
// A(r, p) * panel row p, where A(r, p) = a[r][p * a_step] and panel rows are ldp apart.
// Starts from C when load_c, else from the row vector `start` in every row (0 when null).
template <int MR, int NV, class T>
inline void micro_kernel(const T* const* a_rows, std::ptrdiff_t a_step, const T* panel, std::ptrdiff_t ldp, T* c,
                         std::ptrdiff_t ldc, int kc, bool load_c, const T* start) {
  constexpr int W = lanes<T>();
  typedef Vector<T> V;
  const T* a[MR];
  V acc[MR][NV];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    a[r] = a_rows[r];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      acc[r][v] = load_c ? load<V>(c + r * ldc + v * W) : start ? load<V>(start + v * W) : V{};
  }
  for (int p = 0; p < kc; ++p) {
    V b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = load<V>(panel + p * ldp + v * W);
    const std::ptrdiff_t ap = p * a_step;
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const T x = a[r][ap];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] += x * b[v];
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) store(c + r * ldc + v * W, acc[r][v]);
}

// A block on the edge of C, mr <= kMR rows and nr <= NR columns. All NR columns: a smaller
// register block of mr rows. Fewer: through a full-size tile, with only the vectors that
// hold some of the nr columns.
template <class T>
inline void edge_kernel(const T* const* a, std::ptrdiff_t a_step, const T* panel, std::ptrdiff_t ldp, T* c,
                        std::ptrdiff_t ldc, int kc, int mr, int nr, bool load_c, const T* start) {
  static_assert(kMR == 6, "edge_kernel: one case per number of rows below kMR");
  constexpr int W = lanes<T>(), NR = kNV * W;
  if (nr == NR) {
    switch (mr) {
      case 1: micro_kernel<1, kNV>(a, a_step, panel, ldp, c, ldc, kc, load_c, start); return;
      case 2: micro_kernel<2, kNV>(a, a_step, panel, ldp, c, ldc, kc, load_c, start); return;
      case 3: micro_kernel<3, kNV>(a, a_step, panel, ldp, c, ldc, kc, load_c, start); return;
      case 4: micro_kernel<4, kNV>(a, a_step, panel, ldp, c, ldc, kc, load_c, start); return;
      default: micro_kernel<5, kNV>(a, a_step, panel, ldp, c, ldc, kc, load_c, start); return;
    }
  }
  T tile[kMR * NR] = {};
  if (load_c || start)  // the tile starts from C's rows, or from the start row in each
    for (int r = 0; r < mr; ++r) std::memcpy(tile + r * NR, load_c ? c + r * ldc : start, sizeof(T) * std::size_t(nr));
  const T* none = nullptr;
  switch ((nr + W - 1) / W) {  // vectors needed
    case 1: micro_kernel<kMR, 1>(a, a_step, panel, ldp, tile, NR, kc, true, none); break;
    case 2: micro_kernel<kMR, kNV < 2 ? kNV : 2>(a, a_step, panel, ldp, tile, NR, kc, true, none); break;
    case 3: micro_kernel<kMR, kNV < 3 ? kNV : 3>(a, a_step, panel, ldp, tile, NR, kc, true, none); break;
    default: micro_kernel<kMR, kNV>(a, a_step, panel, ldp, tile, NR, kc, true, none); break;
  }
  for (int r = 0; r < mr; ++r) std::memcpy(c + r * ldc, tile + r * NR, sizeof(T) * std::size_t(nr));
}

// C (m x n, row stride ldc) (+)= A B with A(i, p) = A[i * a_row + p * a_step],
// B(p, j) = B[p * b_row + j * b_col]. Without accumulate, every row of C starts from the row
// vector `start` (n values), or 0.
template <class T>
void gemm_blocked(const T* A, std::ptrdiff_t a_row, std::ptrdiff_t a_step, const T* B, std::ptrdiff_t b_row,
                  std::ptrdiff_t b_col, T* C, std::ptrdiff_t ldc, int m, int n, int k, bool accumulate,
                  const T* start) {
  constexpr int NR = kNV * lanes<T>();
  if (k <= 0) {  // an empty sum
    if (!accumulate)
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) C[i * ldc + j] = start ? start[j] : T(0);
    return;
  }
  alignas(64) T panel[kKc * NR];
  // C (all rows, columns jr .. jr+NR-1) (+)= A (all rows, slice pc) B (slice pc, columns jr ..)
  auto slice_times_panel = [&](int pc, int jr) {
    const int kc = k - pc < kKc ? k - pc : kKc;
    const int nr = n - jr < NR ? n - jr : NR;
    const bool load_c = accumulate || pc > 0;  // later slices add to the running sums
    const T* from = start ? start + jr : start;  // (read only when !load_c: the first slice)
    // A panel read by few row blocks is read in place when B's rows are contiguous: packing
    // it would copy all of B for a few uses (a batch of 32 through a 512 x 512 layer).
    const bool in_place = b_col == 1 && nr == NR && m <= kInPlaceRows;
    const T* b_panel = in_place ? B + pc * b_row + jr : panel;
    const std::ptrdiff_t ldp = in_place ? b_row : NR;
    if (!in_place) pack_panel<NR>(B + pc * b_row + jr * b_col, b_row, b_col, kc, nr, panel);
    for (int ir = 0; ir < m; ir += kMR) {  // blocks of rows of A and C
      const int mr = m - ir < kMR ? m - ir : kMR;
      const T* a[kMR];  // past the last row, repeat it: its results are not stored
      for (int r = 0; r < kMR; ++r) a[r] = A + (ir + (r < mr ? r : mr - 1)) * a_row + pc * a_step;
      T* c = C + ir * ldc + jr;
      if (mr == kMR && nr == NR)
        micro_kernel<kMR, kNV>(a, a_step, b_panel, ldp, c, ldc, kc, load_c, from);
      else
        edge_kernel(a, a_step, b_panel, ldp, c, ldc, kc, mr, nr, load_c, from);
    }
  };
  // Each order reads one operand again and again: slices outside, C once per slice; panels
  // outside, A once per panel. Re-read the smaller one: A (m x k) when k < n, else C (m x n).
  if (k < n) {
    for (int jr = 0; jr < n; jr += NR)
      for (int pc = 0; pc < k; pc += kKc) slice_times_panel(pc, jr);
  } else {
    for (int pc = 0; pc < k; pc += kKc)
      for (int jr = 0; jr < n; jr += NR) slice_times_panel(pc, jr);
  }
}

#endif  // SAERL_VECTORIZE

}  // namespace detail
}  // namespace saerl
