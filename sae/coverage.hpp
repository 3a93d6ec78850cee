// saerl/sae/coverage.hpp — how well a dictionary covers a family of ground-truth predicates,
// as Karvonen et al. (2024) define it, from the counts of sae/threshold_counts.hpp.
//
//   auto counts = std::make_unique<saerl::ThresholdCounts<M, kPredicates>>();
//   saerl::Status s = saerl::count_thresholds(codes, truth, count, *counts);
//   saerl::Coverage board;
//   s = saerl::coverage(*counts, /*first=*/41, /*last=*/116, board);   // one family of predicates
//
// Coverage of a family Phi of predicates (Karvonen et al. 2024; in their code,
// circuits/f1_analysis.py, best_f1_average), from ThresholdCounts over the evaluation rows
// (threshold_counts.hpp: thresholds t / T of each feature's maximum on those rows, T = 10):
//   coverage(Phi)  = max_t (1 / |Phi|) sum_{p in Phi} max_j F1_tjp
// One threshold for the whole family, the one that maximises its mean (lowest t on ties); each
// predicate takes its best feature at that threshold. As they do, we compute it on the rows the
// statistics come from (no held-out split: it measures whether some feature matches, not a
// classifier's generalisation) and average within a family, never across families. Where we
// differ: a predicate that holds on no row is left out of |Phi| (they divide by every class of
// the family; here every piece-square holds somewhere, so the two agree on the board family).
// The program reports two families of the rook checkmate (examples/report.hpp): `coverage`, the
// 3 N^2 piece-on-square predicates (the board state, their headline family), and
// `coverage_other`, the named predicates (gridworld/predicates.hpp).
//
// Cost: O(T M |Phi|) on the counts.
#pragma once

#include "../core/base/status.hpp"
#include "threshold_counts.hpp"

namespace saerl {

// Karvonen et al.'s coverage of one family of predicates (see the header).
struct Coverage {
  double value = 0;    // max_t of the family's mean best F1
  int threshold = -1;  // the t that gives it (cut t / T of each feature's max); -1: no predicate present
  int predicates = 0;  // predicates of the family that hold on at least one row (|Phi|)
};

// max_j F1_tjp, and in *feature the lowest j that reaches it (-1 when it is 0).
template <int M, int P, int T>
double best_f1(const ThresholdCounts<M, P, T>& c, int t, int p, int* feature = nullptr) {
  double best = 0;
  int arg = -1;
  for (int j = 0; j < M; ++j) {
    const double f = c.f1(t, j, p);
    if (f > best) best = f, arg = j;
  }
  if (feature) *feature = arg;
  return best;
}

// The coverage of the family of predicates [first, last) from counts c. invalid_argument when the
// range is empty or leaves [0, P).
template <int M, int P, int T>
Status coverage(const ThresholdCounts<M, P, T>& c, int first, int last, Coverage& out) {
  out = Coverage();
  if (first < 0 || last > P || first >= last)
    return Status::error(StatusCode::invalid_argument, "coverage: the family [%d, %d) is not a range within [0, %d)",
                         first, last, P);
  for (int p = first; p < last; ++p) out.predicates += c.positives[p] > 0;
  if (out.predicates == 0) return Status::success();
  for (int t = 0; t < T; ++t) {
    double total = 0;
    for (int p = first; p < last; ++p)
      if (c.positives[p] > 0) total += best_f1(c, t, p);
    const double mean = total / out.predicates;
    if (out.threshold < 0 || mean > out.value) out.value = mean, out.threshold = t;  // lowest t on ties
  }
  return Status::success();
}

}  // namespace saerl
