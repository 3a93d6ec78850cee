// saerl/examples/report/feature_json.hpp — one SAE's analysis as data: DIR/features-<variant>.json,
// which the HTML report draws (report/html.hpp reads only results.json and these files) and
// which a Python user can open as it is.
//
//   saerl::Json f = saerl::features_json("topk", *analysis, *ablation, *read);
//   saerl::Status s = saerl::write_json_file("out/features-topk.json", f);
//
// Why files of their own and not arrays inside results.json: results.json is the run's summary
// (a few hundred numbers that diff well between runs and that every command and the sweep
// re-read); the per-feature detail is 3 N^2 heat-map cells and a few boards for each of up to
// thousands of features per SAE, megabytes on the paper preset. results.json keeps the
// summary keys (features.<variant>.*).
//
// The file (numbers of the heat maps and activations rounded to 4 significant digits):
//   variant, board_size N, width (features), positions (legal positions analysed), live
//   label_rule     {precision, recall}: "fires when" needs both (report/analysis.hpp)
//   pieces         the heat maps' order: ["white king", "white rook", "black king"]
//   features       one object per live feature, in index order:
//     id, density (fraction of positions where f > 0), max_activation,
//     label        absent when no predicate matched: {predicate (machine name), phrase,
//                  precision, recall, f1, labeled (meets label_rule)}
//     active, changed   ablation: positions where f > 0, and where zeroing it changes the action
//     heat         [3][N^2] mean activation per square (square = rank * N + file, a1 first)
//     top          up to 4 strongest positions: {position (RookCheckmate<N>::index),
//                  squares [white king, rook, black king], activation}
//   dead           the ids of dead features
//   ablation       exact judgement of the spliced policy over every legal start (report/ablation.hpp):
//                  {dqn_return (the DQN's exact expected return), base_return_ratio and
//                  base_mate_prob (through the SAE, nothing ablated), top: [{id, return_ratio,
//                  mate_prob}] (the most influential features, each ablated alone)}
//   probe          {train_rows, heldout_rows, predicates: [{name, phrase, positive_rate,
//                  majority_accuracy, sae: {accuracy, balanced_accuracy}, q_values: {...}}]}
//   supervised     {sae: {...}, neurons: {...}}: coverage, coverage_other, board_f1,
//                  board_exact, coverage_threshold, board_threshold (report/read_out.hpp)
#pragma once
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>

#include "../../core/io/serialize.hpp"  // detail::write_atomically
#include "../json.hpp"
#include "ablation.hpp"
#include "analysis.hpp"
#include "read_out.hpp"

namespace saerl {

template <class Supervised>
Json supervised_json(const Supervised& m) {
  return json_object_of({{"coverage", json_number(m.coverage)},
                         {"coverage_other", json_number(m.coverage_other)},
                         {"board_f1", json_number(m.board_f1)},
                         {"board_exact", json_number(m.board_exact)},
                         {"coverage_threshold", json_number(m.coverage_threshold)},
                         {"board_threshold", json_number(m.board_threshold)}});
}

namespace detail {

template <class SaeT, int N>
Json feature_record(const FeatureAnalysis<SaeT, N>& a, const Ablation<SaeT::kFeatures>& ab, int j) {
  using Pr = RookPredicates<N>;
  const auto& r = a.report;
  Json f = json_object();
  f.set("id", json_number(j));
  f.set("density", json_number(round_significant(r.density[j], 6)));
  f.set("max_activation", json_number(round_significant(r.top_count[j] > 0 ? r.top_values[j][0] : 0)));
  if (r.best_predicate[j] >= 0) f.set("label", label_json<Pr>(r, j));
  f.set("active", json_number(double(ab.active[j])));
  f.set("changed", json_number(double(ab.changed[j])));
  Json heat = json_array();
  for (int g = 0; g < FeatureAnalysis<SaeT, N>::kPieces; ++g) {
    Json cells = json_array();
    for (int s = 0; s < N * N; ++s) cells.push(json_number(round_significant(a.heat.mean(j, g, s))));
    heat.push(std::move(cells));
  }
  f.set("heat", std::move(heat));
  Json top = json_array();
  for (int t = 0; t < r.top_count[j]; ++t) {
    const int position = a.data.source[r.top_rows[j][t]];
    const auto pos = RookCheckmate<N>::from_index(position);
    const double squares[3] = {double(pos.wk), double(pos.wr), double(pos.bk)};
    top.push(json_object_of({{"position", json_number(position)},
                             {"squares", json_numbers(squares, 3)},
                             {"activation", json_number(round_significant(r.top_values[j][t]))}}));
  }
  f.set("top", std::move(top));
  return f;
}

template <int N>
Json probe_json(const ReadOut<N>& read) {
  using Pr = RookPredicates<N>;
  Json list = json_array();
  for (int p = 0; p < ReadOut<N>::P; ++p) {
    char phrase[128];
    list.push(json_object_of(
        {{"name", json_string(Pr::name(p))},
         {"phrase", json_string(Pr::describe(p, phrase, sizeof phrase))},
         {"positive_rate", json_number(read.positive_rate[p])},
         {"majority_accuracy", json_number(read.baseline[p])},
         {"sae", json_object_of({{"accuracy", json_number(read.sae_accuracy[p])},
                                 {"balanced_accuracy", json_number(read.sae_balanced[p])}})},
         {"q_values", json_object_of({{"accuracy", json_number(read.q_accuracy[p])},
                                      {"balanced_accuracy", json_number(read.q_balanced[p])}})}}));
  }
  return json_object_of({{"train_rows", json_number(read.train_rows)},
                         {"heldout_rows", json_number(read.heldout_rows)},
                         {"predicates", std::move(list)}});
}

}  // namespace detail

template <class SaeT, int N>
Json features_json(const char* variant, const FeatureAnalysis<SaeT, N>& a, const Ablation<SaeT::kFeatures>& ab,
                   const ReadOut<N>& read) {
  constexpr int M = SaeT::kFeatures;
  Json out = json_object(), features = json_array(), dead = json_array();
  for (int j = 0; j < M; ++j) {
    if (a.report.density[j] > 0) features.push(detail::feature_record(a, ab, j));
    else dead.push(json_number(j));
  }
  out.set("variant", json_string(variant));
  out.set("board_size", json_number(N));
  out.set("width", json_number(M));
  out.set("positions", json_number(a.data.size));
  out.set("live", json_number(a.report.live));
  out.set("label_rule", json_object_of({{"precision", json_number(kLabelPrecision)},
                                        {"recall", json_number(kLabelRecall)}}));
  Json pieces = json_array();
  for (const char* piece : {"white king", "white rook", "black king"}) pieces.push(json_string(piece));
  out.set("pieces", std::move(pieces));
  out.set("features", std::move(features));
  out.set("dead", std::move(dead));
  Json top = json_array();
  for (int t = 0; t < ab.top_count; ++t)
    top.push(json_object_of({{"id", json_number(ab.top[t])}, {"return_ratio", json_number(ab.top_return_ratio[t])},
                             {"mate_prob", json_number(ab.top_mate_prob[t])}}));
  out.set("ablation", json_object_of({{"dqn_return", json_number(ab.dqn_return)},
                                      {"base_return_ratio", json_number(ab.base_return_ratio)},
                                      {"base_mate_prob", json_number(ab.base_mate_prob)},
                                      {"top", std::move(top)}}));
  out.set("probe", detail::probe_json(read));
  out.set("supervised", json_object_of({{"sae", supervised_json(read.sae)}, {"neurons", supervised_json(read.neurons)}}));
  return out;
}

// Writes v as indented JSON to path (a temporary file, then renamed).
inline Status write_json_file(const char* path, const Json& v) {
  const std::string text = write_json(v);
  const detail::Chunk chunk{text.data(), text.size()};
  return detail::write_atomically(path, &chunk, 1);
}

}  // namespace saerl
