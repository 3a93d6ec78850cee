// saerl/examples/report/analysis.hpp — what each feature of an SAE on the rook checkmate
// responds to: every legal position's hidden vector, its ground-truth predicates
// (gridworld/predicates.hpp), each feature's best-matching predicate with precision and
// recall, its top positions and its mean activation per square of each piece (heat maps).
// Data only: features_json (feature_json.hpp) writes it out, report/html.hpp draws the file.
//
//   auto a = std::make_unique<saerl::FeatureAnalysis<SaeT, N>>();   // large: place it once
//   saerl::Status s = saerl::analyse_rook_features(net, sae, solver.dtm, *a);
//   a->report.precision[j];  a->heat.mean(j, /*piece=*/2, /*square=*/s);
//   saerl::labeled_features(a->report);   // features that meet the label rule (labels.hpp)
#pragma once
#include <cstdint>
#include <cstdio>

#include "../../gridworld/predicates.hpp"
#include "../../sae/feature_analysis.hpp"
#include "../pipeline.hpp"
#include "labels.hpp"

namespace saerl {

// An upper bound of the legal positions of the N x N game, for a fixed-size dataset: the
// kings on two squares at king distance >= 2 (N^4 ordered pairs minus the (3N - 2)^2 pairs at
// distance <= 1), the rook on one of the other N^2 - 2 squares. (Black in check is excluded
// too, so the true count is lower.)
template <int N>
constexpr int max_legal_positions() {
  return (N * N * N * N - (3 * N - 2) * (3 * N - 2)) * (N * N - 2);
}

template <class SaeT, int N = 5>
struct FeatureAnalysis {
  using Game = RookCheckmate<N>;
  using Predicates = RookPredicates<N>;
  static constexpr int kSize = N, kRows = max_legal_positions<N>(), P = Predicates::kCount, kTop = 4;
  static constexpr int kPieces = 3;  // heat-map groups: white king, rook, black king
  ActivationDataset<float, SaeT::kIn, kRows> data;  // every legal position's hidden vector
  uint8_t truth[kRows * P];
  uint8_t squares[kRows * kPieces];                 // K, R, k
  FeatureReport<SaeT::kFeatures, P, kTop> report;
  HeatMaps<SaeT::kFeatures, kPieces, N * N> heat;
  SaeWorkspace<SaeT, 256> work;
};

// Ground truth for every legal position, then the report and the heat maps. dtm may be null
// (the distance-to-mate predicates then stay false).
template <class Net, class SaeT, int N>
Status analyse_rook_features(const Net& net, SaeT& sae, const int8_t* dtm, FeatureAnalysis<SaeT, N>& a) {
  using A = FeatureAnalysis<SaeT, N>;
  constexpr int P = A::P;
  collect_all_positions<Net, typename A::Game>(net, a.data);
  bool holds[P];
  for (int i = 0; i < a.data.size; ++i) {
    const typename A::Game::Position p = A::Game::from_index(a.data.source[i]);
    A::Predicates::evaluate(p, dtm, holds);
    for (int q = 0; q < P; ++q) a.truth[i * P + q] = holds[q];
    a.squares[i * 3 + 0] = p.wk;
    a.squares[i * 3 + 1] = p.wr;
    a.squares[i * 3 + 2] = p.bk;
  }
  Status s = analyse_features(sae, a.data.row(0), a.data.size, a.truth, a.work, a.report);
  if (!s.ok()) return s;
  return heat_maps(sae, a.data.row(0), a.data.size, a.squares, a.work, a.heat);
}

// The phrase of predicate p on the N x N board ("the black king is on an edge").
template <int N = 5>
const char* predicate_phrase(int p, char* scratch, size_t cap) {
  return RookPredicates<N>::describe(p, scratch, cap);
}

}  // namespace saerl
