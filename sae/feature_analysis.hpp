// saerl/sae/feature_analysis.hpp — what each feature of a sparse autoencoder responds to: its
// activation density, its top-activating inputs, its mean activation per value of an input
// attribute (heat maps), and the ground-truth predicate it matches best by F1, in one line. The
// coverage of a family of predicates, as Karvonen et al. define it, is in sae/coverage.hpp.
//
// Ground truth comes as plain arrays, one row per input, so sae/ knows nothing of boards (the
// glue computes predicates with gridworld/ and hands them over):
//   truth[i * P + p]       nonzero when predicate p holds on input i   (bool, uint8_t, ...)
//   attributes[i * G + g]  a small integer in [0, V) for attribute group g of input i
//                          (e.g. the square of piece g: G = 3, V = 25 on 5x5)
//
//   using Report = saerl::FeatureReport<SaeT::kFeatures, kPredicates, 8>;
//   auto report = std::make_unique<Report>();                     // large: place it once
//   auto work = std::make_unique<saerl::SaeWorkspace<SaeT, 256>>();
//   saerl::Status s = saerl::analyse_features(*sae, rows, count, truth, *work, *report);
//   char line[160];
//   saerl::describe_feature(*report, j, phrases, line, sizeof line);
//   //  "fires when the black king is on an edge (precision 0.97, recall 0.88)"
//   auto heat = std::make_unique<saerl::HeatMaps<SaeT::kFeatures, 3, 25>>();
//   s = saerl::heat_maps(*sae, rows, count, squares, *work, *heat);
//   double h = heat->mean(j, /*piece=*/2, /*square=*/12);
//   // coverage (sae/coverage.hpp), from codes (count, M) of the caller (or raw neurons):
//   auto counts = std::make_unique<saerl::ThresholdCounts<SaeT::kFeatures, kPredicates>>();
//   s = saerl::count_thresholds(codes, truth, count, *counts);
//   saerl::Coverage board;
//   s = saerl::coverage(*counts, /*first=*/41, /*last=*/116, board);   // one family of predicates
//
// Over n inputs x_i (rows of D values) with codes f_i (sae_forward, inference mode):
//   density_j      = #{i : f_ij > 0} / n;   live: density > 0
//   top rows       the TopN inputs with the largest f_ij > 0, largest first; equal values in
//                  row order; fewer when the feature fired on fewer inputs (top_count)
//   j fires on i   when f_ij > threshold (0 unless the caller passes one)
//   TP_jp = #{i : j fires on i and p holds on i},  FP = fired_j - TP,  FN = positives_p - TP
//   precision      = TP / (TP + FP),  recall = TP / (TP + FN)   (0 when a denominator is 0)
//   F1             = 2 P R / (P + R) = 2 TP / (fired_j + positives_p)   (0 when TP = 0)
//   best_predicate_j   = argmax_p F1_jp, the lowest p on ties; -1 when every F1_jp is 0 (a dead
//                        feature, or one that never fires together with any predicate)
//   best_feature_for_p = argmax_j F1_jp, the lowest j on ties; -1 likewise
//   mean_best_f1   = mean of best_f1_for_p over the predicates that hold on at least one input,
//                    at the one fire threshold: a quick summary, not Karvonen et al.'s coverage
//   matched_predicates(r, a, b, first, last): of the predicates in [first, last) that hold on
//                    some input, those where some live feature has precision >= a, recall >= b
//   heat mean_jgv  = (1 / #{i : a_ig = v}) sum_{i : a_ig = v} f_ij   (0 when no input has v)
//
//
// Cost: one SAE forward pass per B inputs, then per input O(M) to scan its codes and O(P) per
// firing feature (a row of TP counts += the input's truth row), so O(n (M + L0 P)) in all;
// Counts are ints and longs: up to 2^31 - 1 inputs. No heap; the structs are placed by the caller.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "../core/base/status.hpp"
#include "sae.hpp"
#include "coverage.hpp"
#include "threshold_counts.hpp"

namespace saerl {

namespace detail {
// A function, not an inline comparison, so that V = 256 draws no "always false" warning.
inline bool attribute_outside(uint8_t a, int values) { return a >= values; }
}  // namespace detail

// Per-feature results and the counts they come from. Fill with analyse_features(), or stream:
// clear(), add() codes batch by batch (rows are numbered in the order added), finish().
template <int M, int P, int TopN>
struct FeatureReport {
  static_assert(M > 0 && P > 0, "FeatureReport: the feature count M and predicate count P must be positive");
  static_assert(TopN > 0, "FeatureReport: TopN (top-activating inputs kept per feature) must be positive");
  static constexpr int kFeatures = M, kPredicates = P, kTopN = TopN;

  // Results, set by finish().
  double density[M];
  int top_rows[M][TopN];       // row indices, largest activation first; -1 past top_count[j]
  float top_values[M][TopN];   // their activations; 0 past top_count[j]
  int top_count[M];            // min(TopN, #{i : f_ij > 0})
  int best_predicate[M];       // -1: no predicate matched (see the header)
  double precision[M], recall[M], f1[M];  // of best_predicate (0 when it is -1)
  int best_feature_for[P];     // -1: no feature matched
  double best_f1_for[P];
  double mean_best_f1 = 0;     // see the header: not Karvonen et al.'s coverage
  int live = 0;                // features with density > 0
  int predicates_present = 0;  // predicates holding on at least one input

  // Counts, accumulated by add().
  long inputs = 0;
  long active[M];                 // #{i : f_ij > 0}
  long fired[M];                  // #{i : f_ij > threshold}
  long positives[P];              // #{i : p holds}
  int32_t true_positives[M][P];   // #{i : j fires and p holds}
  double threshold = 0;

  void clear(double fire_threshold = 0) {
    threshold = fire_threshold;
    inputs = 0;
    for (int j = 0; j < M; ++j) {
      active[j] = fired[j] = 0;
      top_count[j] = 0;
      for (int t = 0; t < TopN; ++t) top_rows[j][t] = -1, top_values[j][t] = 0.0f;
      for (int p = 0; p < P; ++p) true_positives[j][p] = 0;
    }
    for (int p = 0; p < P; ++p) positives[p] = 0;
  }

  // Adds n inputs: their codes (n, M) and, unless null, their truth rows (n, P). The first is
  // row `inputs` (the number added so far).
  template <class T, class Truth>
  void add(const T* codes, int n, const Truth* truth) {
    static_assert(std::is_integral<Truth>::value, "FeatureReport::add: truth must be bool or an integer type");
    const T cut = static_cast<T>(threshold);
    for (int r = 0; r < n; ++r) {
      const T* f = codes + static_cast<long>(r) * M;
      const Truth* t = truth ? truth + static_cast<long>(r) * P : nullptr;
      if (t)
        for (int p = 0; p < P; ++p) positives[p] += t[p] != 0;
      for (int j = 0; j < M; ++j) {
        if (!(f[j] > T(0))) continue;
        ++active[j];
        insert_top(j, static_cast<float>(f[j]), static_cast<int>(inputs + r));
        if (!(f[j] > cut)) continue;
        ++fired[j];
        if (t) {
          int32_t* tp = true_positives[j];
          for (int p = 0; p < P; ++p) tp[p] += t[p] != 0;
        }
      }
    }
    inputs += n;
  }

  // Turns the counts into densities, best matches and mean_best_f1.
  void finish() {
    live = 0;
    for (int p = 0; p < P; ++p) best_feature_for[p] = -1, best_f1_for[p] = 0;
    for (int j = 0; j < M; ++j) {
      density[j] = inputs > 0 ? static_cast<double>(active[j]) / static_cast<double>(inputs) : 0.0;
      live += active[j] > 0;
      int best = -1;
      double best_f1 = 0;
      for (int p = 0; p < P; ++p) {
        const double f = f1_of(j, p);
        if (f > best_f1) best = p, best_f1 = f;                   // strict: lowest p on ties
        if (f > best_f1_for[p]) best_feature_for[p] = j, best_f1_for[p] = f;  // lowest j on ties
      }
      best_predicate[j] = best;
      f1[j] = best_f1;
      precision[j] = best >= 0 ? precision_of(j, best) : 0.0;
      recall[j] = best >= 0 ? recall_of(j, best) : 0.0;
    }
    predicates_present = 0;
    double total = 0;
    for (int p = 0; p < P; ++p)
      if (positives[p] > 0) ++predicates_present, total += best_f1_for[p];
    mean_best_f1 = predicates_present > 0 ? total / predicates_present : 0.0;
  }

  // Feature j against predicate p, from the counts (valid after add(), before or after finish()).
  double precision_of(int j, int p) const {
    return fired[j] > 0 ? static_cast<double>(true_positives[j][p]) / static_cast<double>(fired[j]) : 0.0;
  }
  double recall_of(int j, int p) const {
    return positives[p] > 0 ? static_cast<double>(true_positives[j][p]) / static_cast<double>(positives[p]) : 0.0;
  }
  double f1_of(int j, int p) const {
    const long tp = true_positives[j][p];
    return tp > 0 ? 2.0 * static_cast<double>(tp) / static_cast<double>(fired[j] + positives[p]) : 0.0;
  }

 private:
  // Insertion into feature j's descending list; a value equal to a kept one goes after it.
  void insert_top(int j, float value, int row) {
    int& n = top_count[j];
    float* v = top_values[j];
    int* rows = top_rows[j];
    if (n == TopN && !(value > v[TopN - 1])) return;
    int pos = n < TopN ? n++ : TopN - 1;
    for (; pos > 0 && value > v[pos - 1]; --pos) v[pos] = v[pos - 1], rows[pos] = rows[pos - 1];
    v[pos] = value;
    rows[pos] = row;
  }
};

// Of the predicates [first, last) that hold on some input, how many some live feature matches:
// fires with precision >= min_precision and recall >= min_recall on it (from the counts, after
// add()). *present, when given, receives how many hold on some input.
template <int M, int P, int TopN>
int matched_predicates(const FeatureReport<M, P, TopN>& r, double min_precision, double min_recall, int first,
                       int last, int* present = nullptr) {
  int matched = 0, held = 0;
  for (int p = first < 0 ? 0 : first; p < last && p < P; ++p) {
    if (r.positives[p] == 0) continue;
    ++held;
    bool found = false;
    for (int j = 0; j < M && !found; ++j)
      found = r.active[j] > 0 && r.precision_of(j, p) >= min_precision && r.recall_of(j, p) >= min_recall;
    matched += found;
  }
  if (present) *present = held;
  return matched;
}

// Per feature, the sum of its activations over the inputs whose attribute in group g has value
// v, and per (g, v) how many inputs have it; mean() is the heat map's cell.
template <int M, int G, int V>
struct HeatMaps {
  static_assert(M > 0 && G > 0, "HeatMaps: the feature count M and group count G must be positive");
  static_assert(V > 0 && V <= 256, "HeatMaps: attribute values are uint8_t, so V must be in 1..256");
  static constexpr int kFeatures = M, kGroups = G, kValues = V;

  double sum[M][G][V];
  long count[G][V];
  long inputs = 0;

  void clear() {
    for (int j = 0; j < M; ++j)
      for (int g = 0; g < G; ++g)
        for (int v = 0; v < V; ++v) sum[j][g][v] = 0;
    for (int g = 0; g < G; ++g)
      for (int v = 0; v < V; ++v) count[g][v] = 0;
    inputs = 0;
  }

  // Adds n inputs: codes (n, M) and attributes (n, G). An attribute outside [0, V) adds
  // nothing of the batch and returns invalid_argument naming the first one.
  template <class T>
  Status add(const T* codes, int n, const uint8_t* attributes) {
    for (long i = 0; i < static_cast<long>(n) * G; ++i)
      if (detail::attribute_outside(attributes[i], V))
        return Status::error(StatusCode::invalid_argument, "heat maps: input %ld, group %d: attribute %d is outside [0, %d)",
                             inputs + i / G, static_cast<int>(i % G), static_cast<int>(attributes[i]), V);
    for (int r = 0; r < n; ++r) {
      const T* f = codes + static_cast<long>(r) * M;
      const uint8_t* a = attributes + static_cast<long>(r) * G;
      for (int g = 0; g < G; ++g) ++count[g][a[g]];
      for (int j = 0; j < M; ++j) {
        if (f[j] == T(0)) continue;  // zeros add nothing to a sum
        const double x = static_cast<double>(f[j]);
        for (int g = 0; g < G; ++g) sum[j][g][a[g]] += x;
      }
    }
    inputs += n;
    return Status::success();
  }

  double mean(int j, int g, int v) const {
    return count[g][v] > 0 ? sum[j][g][v] / static_cast<double>(count[g][v]) : 0.0;
  }
};

namespace detail {

inline Status check_rows(const void* rows, int count, const char* who) {
  if (count < 0) return Status::error(StatusCode::invalid_argument, "%s: count %d is negative", who, count);
  if (count > 0 && !rows) return Status::error(StatusCode::invalid_argument, "%s: rows is null", who);
  return Status::success();
}

template <class SaeT, int B, int P, int TopN, class Truth>
Status analyse(SaeT& sae, const typename SaeT::Scalar* rows, int count, const Truth* truth,
               SaeWorkspace<SaeT, B>& work, FeatureReport<SaeT::kFeatures, P, TopN>& out, double fire_threshold) {
  constexpr int D = SaeT::kIn;
  Status s = check_rows(rows, count, "analyse_features");
  if (!s.ok()) return s;
  out.clear(fire_threshold);
  for (int b0 = 0; b0 < count; b0 += B) {
    const int n = count - b0 < B ? count - b0 : B;
    sae_forward(sae, rows + static_cast<long>(b0) * D, n, work, /*training=*/false);
    out.add(work.f, n, truth ? truth + static_cast<long>(b0) * P : truth);
  }
  out.finish();
  return Status::success();
}

}  // namespace detail

// Runs sae over rows (count, D), B at a time, and fills out (cleared first). truth (count, P)
// is nonzero where a predicate holds; null leaves every best match at -1. The feature fires,
// for precision and recall, when its code exceeds fire_threshold.
template <class SaeT, int B, int P, int TopN, class Truth>
Status analyse_features(SaeT& sae, const typename SaeT::Scalar* rows, int count, const Truth* truth,
                        SaeWorkspace<SaeT, B>& work, FeatureReport<SaeT::kFeatures, P, TopN>& out,
                        double fire_threshold = 0) {
  return detail::analyse(sae, rows, count, truth, work, out, fire_threshold);
}

// The same without ground truth: densities and top rows only.
template <class SaeT, int B, int P, int TopN>
Status analyse_features(SaeT& sae, const typename SaeT::Scalar* rows, int count, SaeWorkspace<SaeT, B>& work,
                        FeatureReport<SaeT::kFeatures, P, TopN>& out) {
  return detail::analyse(sae, rows, count, static_cast<const uint8_t*>(nullptr), work, out, 0.0);
}

// Runs sae over rows (count, D) and fills out (cleared first) with the mean activation of every
// feature per attribute group and value; attributes is (count, G), values in [0, V). Every
// attribute is checked before any is counted: on invalid_argument, out is left cleared.
template <class SaeT, int B, int G, int V>
Status heat_maps(SaeT& sae, const typename SaeT::Scalar* rows, int count, const uint8_t* attributes,
                 SaeWorkspace<SaeT, B>& work, HeatMaps<SaeT::kFeatures, G, V>& out) {
  constexpr int D = SaeT::kIn;
  Status s = detail::check_rows(rows, count, "heat_maps");
  if (!s.ok()) return s;
  if (count > 0 && !attributes) return Status::error(StatusCode::invalid_argument, "heat_maps: attributes is null");
  out.clear();
  for (long i = 0; i < static_cast<long>(count) * G; ++i)
    if (detail::attribute_outside(attributes[i], V))
      return Status::error(StatusCode::invalid_argument, "heat_maps: input %ld, group %d: attribute %d is outside [0, %d)",
                           i / G, static_cast<int>(i % G), static_cast<int>(attributes[i]), V);
  for (int b0 = 0; b0 < count; b0 += B) {
    const int n = count - b0 < B ? count - b0 : B;
    sae_forward(sae, rows + static_cast<long>(b0) * D, n, work, /*training=*/false);
    s = out.add(work.f, n, attributes + static_cast<long>(b0) * G);
    if (!s.ok()) return s;
  }
  return Status::success();
}

// Writes into scratch (cap bytes) a phrase for predicate p that completes "fires when ...",
// e.g. "the black king is on an edge", and returns it (or any other string that outlives the
// call). RookPredicates<N>::describe (gridworld/predicates.hpp) has this shape.
using PredicatePhrase = const char* (*)(int predicate, char* scratch, size_t cap);

namespace detail {

template <int M, int P, int TopN>
int describe(const FeatureReport<M, P, TopN>& r, int j, const char* phrase, char* buf, size_t cap) {
  if (!buf) cap = 0;
  if (j < 0 || j >= M) {
    if (cap > 0) buf[0] = '\0';
    return -1;
  }
  const int p = r.best_predicate[j];
  if (r.active[j] == 0) return std::snprintf(buf, cap, "never fires (dead)");
  if (p < 0)
    return std::snprintf(buf, cap, "fires on %.1f%% of inputs; matches no predicate", 100.0 * r.density[j]);
  if (phrase)
    return std::snprintf(buf, cap, "fires when %s (precision %.2f, recall %.2f)", phrase, r.precision[j], r.recall[j]);
  return std::snprintf(buf, cap, "fires when predicate %d holds (precision %.2f, recall %.2f)", p, r.precision[j],
                       r.recall[j]);
}

}  // namespace detail

// Writes a one-line description of feature j (after finish()) into buf (cap bytes, always
// terminated when cap > 0) and returns its full length, as snprintf does; -1 (and "") for a j
// outside [0, M). With the best predicate p and phrases[p] (or "predicate p holds" when
// phrases or phrases[p] is null):
//   "fires when <phrase> (precision 0.97, recall 0.88)"
//   "fires on 3.2% of inputs; matches no predicate"
//   "never fires (dead)"
template <int M, int P, int TopN>
int describe_feature(const FeatureReport<M, P, TopN>& r, int j, const char* const* phrases, char* buf, size_t cap) {
  const int p = j >= 0 && j < M ? r.best_predicate[j] : -1;
  return detail::describe(r, j, phrases && p >= 0 ? phrases[p] : nullptr, buf, cap);
}

// The same with the phrase from a callback, given a 128-byte scratch buffer on the stack:
//   describe_feature(report, j, saerl::RookPredicates<5>::describe, buf, sizeof buf);
template <int M, int P, int TopN>
int describe_feature(const FeatureReport<M, P, TopN>& r, int j, PredicatePhrase phrase, char* buf, size_t cap) {
  const int p = j >= 0 && j < M ? r.best_predicate[j] : -1;
  char scratch[128];
  return detail::describe(r, j, phrase && p >= 0 ? phrase(p, scratch, sizeof scratch) : nullptr, buf, cap);
}

// With no phrases at all: "fires when predicate 12 holds (...)".
template <int M, int P, int TopN>
int describe_feature(const FeatureReport<M, P, TopN>& r, int j, std::nullptr_t, char* buf, size_t cap) {
  return detail::describe(r, j, nullptr, buf, cap);
}

}  // namespace saerl
