// saerl/examples/pellets_features.hpp — what the features of an SAE on a pellet-maze DQN
// respond to: the ground truth of every collected state (gridworld/pellets_predicates.hpp),
// each feature's best-matching predicate by F1 (sae/feature_analysis.hpp), coverage as
// Karvonen et al. define it (sae/coverage.hpp), the predicates some feature matches, and the
// best-labelled features as JSON for results.json.
//
//   auto f = std::make_unique<saerl::PelletsFeatures<SaeT, Game, 32768>>();   // large: place it once
//   saerl::pellets_truth<Game>(states, n, f->truth);                 // once per set of states
//   saerl::Status s = saerl::analyse_pellets_features(sae, rows, n, *f);       // per SAE
//   saerl::PelletsFeatureSummary m = saerl::summarise_pellets_features(*f);
//   saerl::Json top = saerl::top_pellets_features(*f, 10);
//
// Over the n states (all the SAE's data, training and held-out rows alike, as the rook
// report labels every legal position):
//   coverage          Karvonen et al.'s coverage (sae/coverage.hpp: one threshold relative to
//                     each feature's max for the family, each predicate's best feature's F1,
//                     averaged) of the agent/ghost/pellet-on-square planes, the board state,
//                     as the rook's `coverage` is of its piece-on-square predicates
//   coverage_other    the same of the named predicates
//   matched           the fraction of the predicates holding on some state that some live
//                     feature matches by the label rule of report/labels.hpp (precision >=
//                     0.9, recall >= 0.5, firing whenever positive); matched_named and
//                     matched_squares the same within each family
//   label_f1          the mean over live features of the F1 of their best predicate
//   mean_best_f1      the mean over predicates of their best feature's F1 (FeatureReport)
//   labeled           live features that meet the label rule
#pragma once
#include <cstdint>
#include <vector>

#include "../gridworld/pellets_predicates.hpp"
#include "../sae/feature_analysis.hpp"
#include "json_value.hpp"
#include "report/labels.hpp"

namespace saerl {

template <class SaeT, class Game, int Capacity>
struct PelletsFeatures {
  using Predicates = PelletsPredicates<Game>;
  static constexpr int P = Predicates::kCount, kTop = 4, kCapacity = Capacity;
  uint8_t truth[Capacity * P];  // row i: the predicates of state i
  FeatureReport<SaeT::kFeatures, P, kTop> report;
  ThresholdCounts<SaeT::kFeatures, P> counts;
  SaeWorkspace<SaeT, 256> work;
};

struct PelletsFeatureSummary {
  int live = 0, labeled = 0;
  double coverage = 0, coverage_other = 0;
  double matched = 0, matched_named = 0, matched_squares = 0;
  double label_f1 = 0, mean_best_f1 = 0;
};

// truth[i * kCount + p] = predicate p on states[i], for i < n.
template <class Game>
void pellets_truth(const typename Game::State* states, int n, uint8_t* truth) {
  using Pr = PelletsPredicates<Game>;
  bool holds[Pr::kCount];
  for (int i = 0; i < n; ++i) {
    Pr::evaluate(states[i], holds);
    for (int p = 0; p < Pr::kCount; ++p) truth[long(i) * Pr::kCount + p] = holds[p];
  }
}

// The feature report and the threshold counts of `sae` over rows (n, D) whose truth rows
// f.truth already hold. (The counts take each feature's maximum from the report's top value,
// then count a batch at a time: no (n, M) array of codes.)
template <class SaeT, class Game, int Capacity>
Status analyse_pellets_features(SaeT& sae, const float* rows, int n, PelletsFeatures<SaeT, Game, Capacity>& f) {
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures, P = PelletsFeatures<SaeT, Game, Capacity>::P;
  if (n > Capacity)
    return Status::error(StatusCode::invalid_argument, "analyse_pellets_features: %d rows, room for %d", n, Capacity);
  Status s = analyse_features(sae, rows, n, f.truth, f.work, f.report);
  if (!s.ok()) return s;
  f.counts.clear();
  for (int j = 0; j < M; ++j)
    f.counts.max_code[j] = f.report.top_count[j] > 0 ? double(f.report.top_values[j][0]) : 0.0;
  constexpr int B = decltype(f.work)::kBatch;
  for (int b0 = 0; b0 < n; b0 += B) {
    const int rows_here = n - b0 < B ? n - b0 : B;
    sae_forward(sae, rows + long(b0) * D, rows_here, f.work, /*training=*/false);
    add_thresholds(f.work.f, f.truth + long(b0) * P, rows_here, f.counts);
  }
  return Status::success();
}

template <class SaeT, class Game, int Capacity>
PelletsFeatureSummary summarise_pellets_features(const PelletsFeatures<SaeT, Game, Capacity>& f) {
  using F = PelletsFeatures<SaeT, Game, Capacity>;
  constexpr int kNamed = F::Predicates::kNamed;
  const auto& r = f.report;
  PelletsFeatureSummary s;
  auto fraction = [&](int first, int last) {
    int present = 0;
    const int matched = matched_predicates(r, kLabelPrecision, kLabelRecall, first, last, &present);
    return present > 0 ? double(matched) / present : 0.0;
  };
  s.matched = fraction(0, F::P);
  s.matched_named = fraction(0, kNamed);
  s.matched_squares = fraction(kNamed, F::P);
  Coverage squares, named;
  if (coverage(f.counts, kNamed, F::P, squares).ok()) s.coverage = squares.value;
  if (coverage(f.counts, 0, kNamed, named).ok()) s.coverage_other = named.value;
  s.live = r.live;
  s.labeled = labeled_features(r);
  double total = 0;
  for (int j = 0; j < SaeT::kFeatures; ++j) total += r.density[j] > 0 ? r.f1[j] : 0.0;
  s.label_f1 = r.live > 0 ? total / r.live : 0.0;
  s.mean_best_f1 = r.mean_best_f1;
  return s;
}

// The `count` live features whose best predicate fits best (F1), best first, as
// [{feature, density, label: label_json}]; features matching no predicate are left out.
template <class SaeT, class Game, int Capacity>
Json top_pellets_features(const PelletsFeatures<SaeT, Game, Capacity>& f, int count) {
  using Pr = typename PelletsFeatures<SaeT, Game, Capacity>::Predicates;
  std::vector<int> order(SaeT::kFeatures);
  const int n = rank_features(f.report, order.data(), SaeT::kFeatures);
  Json top = json_array();
  for (int i = 0; i < n && int(top.items.size()) < count; ++i) {
    const int j = order[i];
    if (f.report.best_predicate[j] < 0) continue;
    top.push(json_object_of({{"feature", json_number(j)},
                             {"density", json_number(round_significant(f.report.density[j]))},
                             {"label", label_json<Pr>(f.report, j)}}));
  }
  return top;
}

}  // namespace saerl
