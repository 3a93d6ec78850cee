// saerl/sae/threshold_counts.hpp — how often each feature fires together with each predicate,
// at every threshold of a sweep relative to the feature's largest activation: the counts that
// the supervised metrics of Karvonen et al. (NeurIPS 2024, "Measuring Progress in Dictionary
// Learning for Language Model Interpretability with Board Game Models") are computed from:
// coverage (feature_analysis.hpp) and board reconstruction (board_reconstruction.hpp).
//
// The inputs are plain arrays, one row per input, so the same counts serve an SAE's codes and
// raw neurons (the baseline):
//   codes[i * M + j]   feature j's activation on input i
//   truth[i * P + p]   nonzero when predicate p holds on input i   (bool, uint8_t, ...)
//
//   using Counts = saerl::ThresholdCounts<SaeT::kFeatures, 75>;    // T = 10 thresholds
//   auto c = std::make_unique<Counts>();                 // T x M x P counts: place it once
//   saerl::Status s = saerl::count_thresholds(codes, truth, n, *c);
//   double f = c->f1(/*t=*/3, /*j=*/17, /*p=*/40);   // feature 17 above 0.3 of its max vs p 40
//   // or a batch at a time, once the maxima are known (e.g. from a FeatureReport's top values):
//   c->clear();  for (j) c->max_code[j] = max_j;  saerl::add_thresholds(codes, truth, n, *c);
//
// Over the n rows counted:
//   max_j           = max(0, max_i f_ij)
//   cut_tj          = (t / T) max_j, t = 0 .. T-1  (T = 10: 0, 0.1, ..., 0.9 of the maximum;
//                     Karvonen et al.'s code also sweeps 1.0, which fires on none of the rows
//                     that set the max)
//   j fires at t on i   when f_ij > cut_tj and max_j > 0  (a feature never positive fires nowhere,
//                       so raw pre-activations z and relu(z) give the same counts)
//   fired_tj = #{i : j fires at t},   positives_p = #{i : p holds},
//   TP_tjp   = #{i : j fires at t and p holds}
//   precision = TP / fired,  recall = TP / positives,
//   F1 = 2 TP / (fired + positives)   (all three 0 when their denominator or TP is 0)
// The cuts rise with t, so a feature that fires at t fires at every lower t: level(j, x), the
// number of cuts x exceeds, is all a row needs.
//
// Cost: two passes over the codes (the maxima, then the counts); per row O(M + P), plus
// O(level x predicates holding) per firing feature. Counts are int32 (up to 2^31 - 1 rows).
// No heap; the struct is placed by the caller.
#pragma once
#include <cstdint>
#include <type_traits>

#include "../core/base/status.hpp"

namespace saerl {

template <int M, int P, int T = 10>
struct ThresholdCounts {
  static_assert(M > 0 && P > 0, "ThresholdCounts: the feature count M and predicate count P must be positive");
  static_assert(T > 0, "ThresholdCounts: the sweep needs at least one threshold");
  static constexpr int kFeatures = M, kPredicates = P, kThresholds = T;

  long inputs = 0;
  double max_code[M];                // max_j
  long positives[P];                 // positives_p
  long fired[T][M];                  // fired_tj
  int32_t true_positives[T][M][P];   // TP_tjp

  // The fraction t / T of the maximum at which threshold t cuts.
  static double fraction(int t) { return static_cast<double>(t) / T; }
  double cut(int t, int j) const { return fraction(t) * max_code[j]; }

  // The number of thresholds at which activation x of feature j fires (0 .. T).
  int level(int j, double x) const {
    if (!(max_code[j] > 0)) return 0;
    int t = 0;
    while (t < T && x > cut(t, j)) ++t;
    return t;
  }

  double precision(int t, int j, int p) const {
    return fired[t][j] > 0 ? static_cast<double>(true_positives[t][j][p]) / static_cast<double>(fired[t][j]) : 0.0;
  }
  double recall(int t, int j, int p) const {
    return positives[p] > 0 ? static_cast<double>(true_positives[t][j][p]) / static_cast<double>(positives[p]) : 0.0;
  }
  double f1(int t, int j, int p) const {
    const long tp = true_positives[t][j][p];
    return tp > 0 ? 2.0 * static_cast<double>(tp) / static_cast<double>(fired[t][j] + positives[p]) : 0.0;
  }

  void clear() {
    inputs = 0;
    for (int j = 0; j < M; ++j) max_code[j] = 0;
    for (int p = 0; p < P; ++p) positives[p] = 0;
    for (int t = 0; t < T; ++t)
      for (int j = 0; j < M; ++j) {
        fired[t][j] = 0;
        for (int p = 0; p < P; ++p) true_positives[t][j][p] = 0;
      }
  }
};

// Adds n rows, codes (n, M) and truth (n, P), to counts whose max_code already holds each
// feature's maximum over every row to be added (streaming, a batch at a time:
// out.clear(); set out.max_code; add_thresholds(...) per batch). count_thresholds does both passes.
template <int M, int P, int T, class Code, class Truth>
void add_thresholds(const Code* codes, const Truth* truth, int n, ThresholdCounts<M, P, T>& out) {
  static_assert(std::is_integral<Truth>::value, "add_thresholds: truth must be bool or an integer type");
  int holding[P];  // the predicates of the row: few, so the inner loop skips the rest
  for (long i = 0; i < n; ++i) {
    const Code* f = codes + i * M;
    const Truth* row = truth + i * P;
    int k = 0;
    for (int p = 0; p < P; ++p)
      if (row[p] != 0) holding[k++] = p, ++out.positives[p];
    for (int j = 0; j < M; ++j) {
      const int level = out.level(j, static_cast<double>(f[j]));
      for (int t = 0; t < level; ++t) {
        ++out.fired[t][j];
        int32_t* tp = out.true_positives[t][j];
        for (int q = 0; q < k; ++q) ++tp[holding[q]];
      }
    }
  }
  out.inputs += n;
}

// Fills out (cleared first) from codes (n, M) and truth (n, P). invalid_argument when n < 1 or
// a pointer is null.
template <int M, int P, int T, class Code, class Truth>
Status count_thresholds(const Code* codes, const Truth* truth, int n, ThresholdCounts<M, P, T>& out) {
  out.clear();
  if (n < 1) return Status::error(StatusCode::invalid_argument, "count_thresholds: need at least one row (n %d)", n);
  if (!codes || !truth) return Status::error(StatusCode::invalid_argument, "count_thresholds: codes or truth is null");
  for (long i = 0; i < n; ++i)
    for (int j = 0; j < M; ++j) {
      const double x = static_cast<double>(codes[i * M + j]);
      if (x > out.max_code[j]) out.max_code[j] = x;
    }
  add_thresholds(codes, truth, n, out);
  return Status::success();
}

}  // namespace saerl
