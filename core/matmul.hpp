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
//   Neither allocates: the panel (32 KiB) and an edge block live on the stack.
// Large products are split over threads (core/parallel.hpp) by blocks of C's rows or columns,
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

#include "parallel.hpp"
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

// ---- the vector path ---------------------------------------------------------------------

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
// A(r, p) * panel row p, where A(r, p) = a[r][p * a_step] and panel rows are NR apart.
// Starts from C when load_c, else from the row vector `start` in every row (0 when null).
template <int MR, int NV, class T>
inline void micro_kernel(const T* const* a_rows, std::ptrdiff_t a_step, const T* panel, T* c, std::ptrdiff_t ldc,
                         int kc, bool load_c, const T* start) {
  constexpr int W = lanes<T>(), NR = kNV * W;
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
    for (int v = 0; v < NV; ++v) b[v] = load<V>(panel + p * NR + v * W);
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
inline void edge_kernel(const T* const* a, std::ptrdiff_t a_step, const T* panel, T* c, std::ptrdiff_t ldc,
                        int kc, int mr, int nr, bool load_c, const T* start) {
  static_assert(kMR == 6, "edge_kernel: one case per number of rows below kMR");
  constexpr int W = lanes<T>(), NR = kNV * W;
  if (nr == NR) {
    switch (mr) {
      case 1: micro_kernel<1, kNV>(a, a_step, panel, c, ldc, kc, load_c, start); return;
      case 2: micro_kernel<2, kNV>(a, a_step, panel, c, ldc, kc, load_c, start); return;
      case 3: micro_kernel<3, kNV>(a, a_step, panel, c, ldc, kc, load_c, start); return;
      case 4: micro_kernel<4, kNV>(a, a_step, panel, c, ldc, kc, load_c, start); return;
      default: micro_kernel<5, kNV>(a, a_step, panel, c, ldc, kc, load_c, start); return;
    }
  }
  T tile[kMR * NR] = {};
  if (load_c || start)  // the tile starts from C's rows, or from the start row in each
    for (int r = 0; r < mr; ++r) std::memcpy(tile + r * NR, load_c ? c + r * ldc : start, sizeof(T) * std::size_t(nr));
  const T* none = nullptr;
  switch ((nr + W - 1) / W) {  // vectors needed
    case 1: micro_kernel<kMR, 1>(a, a_step, panel, tile, NR, kc, true, none); break;
    case 2: micro_kernel<kMR, kNV < 2 ? kNV : 2>(a, a_step, panel, tile, NR, kc, true, none); break;
    case 3: micro_kernel<kMR, kNV < 3 ? kNV : 3>(a, a_step, panel, tile, NR, kc, true, none); break;
    default: micro_kernel<kMR, kNV>(a, a_step, panel, tile, NR, kc, true, none); break;
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
    pack_panel<NR>(B + pc * b_row + jr * b_col, b_row, b_col, kc, nr, panel);
    for (int ir = 0; ir < m; ir += kMR) {  // blocks of rows of A and C
      const int mr = m - ir < kMR ? m - ir : kMR;
      const T* a[kMR];  // past the last row, repeat it: its results are not stored
      for (int r = 0; r < kMR; ++r) a[r] = A + (ir + (r < mr ? r : mr - 1)) * a_row + pc * a_step;
      T* c = C + ir * ldc + jr;
      if (mr == kMR && nr == NR)
        micro_kernel<kMR, kNV>(a, a_step, panel, c, ldc, kc, load_c, from);
      else
        edge_kernel(a, a_step, panel, c, ldc, kc, mr, nr, load_c, from);
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
constexpr double kParallelWork = 1 << 17;

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
