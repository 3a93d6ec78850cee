// saerl/examples/report/labels.hpp — when a feature earns a label, for any game: the label
// rule of the reports, and the live features ranked by how well their best predicate fits.
//
//   if (saerl::is_labeled(report, j)) ...            // a FeatureReport after finish()
//   int n = saerl::labeled_features(report);
//   int order[M];  int live = saerl::rank_features(report, order, M);   // best F1 first
//   saerl::Json label = saerl::label_json<saerl::PelletsPredicates<Game>>(report, j);
//
// The label rule: a feature "fires when p" when its best predicate p has precision >=
// kLabelPrecision and recall >= kLabelRecall (it fires almost only when p holds, and on at
// least half of those inputs); below that the report says "best match: p" with the figures.
#pragma once
#include "../json_value.hpp"

namespace saerl {

constexpr double kLabelPrecision = 0.9, kLabelRecall = 0.5;

// Whether live feature j of a finished report meets the label rule (see the header).
template <class Report>
bool is_labeled(const Report& r, int j) {
  return r.density[j] > 0 && r.best_predicate[j] >= 0 && r.precision[j] >= kLabelPrecision &&
         r.recall[j] >= kLabelRecall;
}

template <class Report>
int labeled_features(const Report& r) {
  int n = 0;
  for (int j = 0; j < Report::kFeatures; ++j) n += is_labeled(r, j);
  return n;
}

// Live features ordered by the F1 of their best predicate, best first (ties: the lower index).
template <class Report>
int rank_features(const Report& r, int* order, int cap) {
  int n = 0;
  for (int j = 0; j < Report::kFeatures && n < cap; ++j)
    if (r.density[j] > 0) order[n++] = j;
  for (int i = 1; i < n; ++i)  // insertion sort: a few thousand at most
    for (int k = i; k > 0 && r.f1[order[k - 1]] < r.f1[order[k]]; --k) {
      const int t = order[k];
      order[k] = order[k - 1];
      order[k - 1] = t;
    }
  return n;
}

// Feature j's best predicate as JSON (after finish(); j must have one): {predicate (machine
// name), phrase, precision, recall, f1, labeled (meets the label rule)}. Pr names and describes
// predicates (RookPredicates<N>, PelletsPredicates<Game>).
template <class Pr, class Report>
Json label_json(const Report& r, int j) {
  const int p = r.best_predicate[j];
  char phrase[128];
  return json_object_of({{"predicate", json_string(Pr::name(p))},
                         {"phrase", json_string(Pr::describe(p, phrase, sizeof phrase))},
                         {"precision", json_number(round_significant(r.precision[j]))},
                         {"recall", json_number(round_significant(r.recall[j]))},
                         {"f1", json_number(round_significant(r.f1[j]))},
                         {"labeled", json_bool(is_labeled(r, j))}});
}

}  // namespace saerl
