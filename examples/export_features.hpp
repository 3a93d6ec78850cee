// saerl/examples/export_features.hpp — the part of `saerl export` (examples/export.hpp) that
// lets a Python user rebuild the report's feature cards: per SAE, the codes of every legal
// position and each feature's best-matching ground-truth predicate, as `saerl report` labels
// them (report/analysis.hpp, sae/feature_analysis.hpp). Written into sae-<variant>/:
//   features.safetensors (or one <name>.npy each):
//     "codes"            (n, M) float32: the SAE's code f of every legal position, rows in the
//                        order of activations/positions (index order)
//     "label_predicate"  (M) int32: index of the feature's best predicate by F1 at f > 0 into
//                        predicates.json's lists; -1 when none matched (and for dead features)
//     "label_precision", "label_recall", "label_f1", "density"  (M) float32: of that match;
//                        density = the fraction of legal positions where f > 0
//   predicates.json      {"label_rule": {precision, recall}, "names": [...], "phrases": [...]}:
//                        every predicate in index order (named ones, then piece-on-square)
// A feature "fires when <phrase>" in the report when precision and recall meet label_rule.
//
//   auto a = std::make_unique<saerl::FeatureAnalysis<SaeT, 5>>();
//   auto f = std::make_unique<saerl::FeatureExport<SaeT::kFeatures>>();
//   s = saerl::feature_export(net, sae, solver.dtm, *a, *f);   // export.hpp writes the files
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "json.hpp"
#include "report/analysis.hpp"

namespace saerl {

template <int M>
struct FeatureExport {
  std::unique_ptr<float[]> codes;  // (rows, M)
  int rows = 0;
  int32_t predicate[M];
  float precision[M], recall[M], f1[M], density[M];
  std::string predicates_json;  // predicates.json's text
};

// Labels every feature of sae (a: scratch for the analysis; dtm may be null, see
// analyse_rook_features) and fills out with the tensors and predicates.json above.
template <class Net, class SaeT, int N>
Status feature_export(const Net& net, SaeT& sae, const int8_t* dtm, FeatureAnalysis<SaeT, N>& a,
                      FeatureExport<SaeT::kFeatures>& out) {
  using Pr = RookPredicates<N>;
  constexpr int M = SaeT::kFeatures, B = decltype(a.work)::kBatch;
  Status s = analyse_rook_features(net, sae, dtm, a);
  if (!s.ok()) return s;
  const int n = a.data.size;
  out.rows = n;
  out.codes = std::make_unique<float[]>(size_t(n) * M);
  for (int c = 0; c < n; c += B) {
    const int cnt = n - c < B ? n - c : B;
    sae_forward(sae, a.data.row(c), cnt, a.work, false);
    copy(a.work.f, out.codes.get() + size_t(c) * M, cnt * M);
  }
  const auto& r = a.report;
  for (int j = 0; j < M; ++j) {
    out.predicate[j] = r.density[j] > 0 ? int32_t(r.best_predicate[j]) : -1;
    out.precision[j] = float(r.precision[j]), out.recall[j] = float(r.recall[j]), out.f1[j] = float(r.f1[j]);
    out.density[j] = float(r.density[j]);
  }
  Json names = json_array(), phrases = json_array();
  for (int p = 0; p < Pr::kCount; ++p) {
    char scratch[160];
    names.push(json_string(Pr::name(p)));
    phrases.push(json_string(predicate_phrase<N>(p, scratch, sizeof scratch)));
  }
  Json j = json_object();
  Json rule = json_object();
  rule.set("precision", json_number(kLabelPrecision));
  rule.set("recall", json_number(kLabelRecall));
  j.set("label_rule", std::move(rule));
  j.set("names", std::move(names));
  j.set("phrases", std::move(phrases));
  out.predicates_json = write_json(j);
  return Status::success();
}

}  // namespace saerl
