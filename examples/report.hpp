// saerl/examples/report.hpp — the feature analysis of an SAE on the rook checkmate, and the
// self-contained HTML report that shows it: for the best-matched features, a one-line
// description, the mean activation per square for each piece (three heat maps), and the
// positions where the feature is strongest, drawn as boards.
//
//   auto a = std::make_unique<FeatureAnalysis<SaeT>>();
//   Status s = analyse_rook_features(net, sae, solver.dtm, *a);
//   write_feature_section(html, "topk", *a);
#pragma once
#include <cstdio>
#include <memory>

#include "../gridworld/predicates.hpp"
#include "../sae/feature_analysis.hpp"
#include "pipeline.hpp"

namespace saerl {

using Game5 = RookCheckmate<5>;
using Predicates5 = RookPredicates<5>;

template <class SaeT>
struct FeatureAnalysis {
  static constexpr int kRows = 7040, P = Predicates5::kCount, kTop = 4;
  ActivationDataset<float, SaeT::kIn, kRows> data;  // every legal position's hidden vector
  uint8_t truth[kRows * P];
  uint8_t squares[kRows * 3];                       // K, R, k
  FeatureReport<SaeT::kFeatures, P, kTop> report;
  HeatMaps<SaeT::kFeatures, 3, 25> heat;
  SaeBatch<SaeT, 256> work;
};

// Ground truth for every legal position, then the report and the heat maps.
template <class Net, class SaeT>
Status analyse_rook_features(const Net& net, SaeT& sae, const int8_t* dtm, FeatureAnalysis<SaeT>& a) {
  constexpr int P = Predicates5::kCount;
  collect_all_positions<Net, Game5>(net, a.data);
  bool holds[P];
  for (int i = 0; i < a.data.size; ++i) {
    const Game5::Position p = Game5::from_index(a.data.source[i]);
    Predicates5::evaluate(p, dtm, holds);
    for (int q = 0; q < P; ++q) a.truth[i * P + q] = holds[q];
    a.squares[i * 3 + 0] = p.wk;
    a.squares[i * 3 + 1] = p.wr;
    a.squares[i * 3 + 2] = p.bk;
  }
  Status s = analyse_features(sae, a.data.row(0), a.data.size, a.truth, a.work, a.report);
  if (!s.ok()) return s;
  return heat_maps(sae, a.data.row(0), a.data.size, a.squares, a.work, a.heat);
}

inline const char* predicate_phrase(int p, char* scratch, size_t cap) { return Predicates5::describe(p, scratch, cap); }

// Features ordered by the F1 of their best predicate, best first (live features only).
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

inline void html_begin(std::FILE* f, const char* title) {
  std::fprintf(f,
               "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title><style>"
               "body{font-family:sans-serif;margin:2em;max-width:1100px}"
               "table.b{border-collapse:collapse;display:inline-table;margin:2px 6px 2px 0}"
               "table.b td{width:16px;height:16px;text-align:center;font:11px monospace;border:1px solid #ccc}"
               ".card{border:1px solid #ddd;border-radius:6px;padding:8px;margin:8px 0}"
               ".cap{font-size:11px;color:#555}"
               "</style></head><body><h1>%s</h1>\n",
               title, title);
}
inline void html_end(std::FILE* f) { std::fputs("</body></html>\n", f); }

// A 5x5 heat map: white (0) to red (the largest mean of this map). Rank 5 on top.
template <class Heat>
void html_heat(std::FILE* f, const Heat& h, int j, int piece) {
  double top = 0;
  for (int s = 0; s < 25; ++s) top = h.mean(j, piece, s) > top ? h.mean(j, piece, s) : top;
  std::fputs("<table class=b>", f);
  for (int row = 4; row >= 0; --row) {
    std::fputs("<tr>", f);
    for (int col = 0; col < 5; ++col) {
      const double v = top > 0 ? h.mean(j, piece, row * 5 + col) / top : 0;
      const int c = 255 - int(200 * v);
      std::fprintf(f, "<td style=\"background:rgb(255,%d,%d)\"></td>", c, c);
    }
    std::fputs("</tr>", f);
  }
  std::fputs("</table>", f);
}

inline void html_board(std::FILE* f, Game5::Position p) {
  std::fputs("<table class=b>", f);
  for (int row = 4; row >= 0; --row) {
    std::fputs("<tr>", f);
    for (int col = 0; col < 5; ++col) {
      const int s = row * 5 + col;
      const char* piece = s == p.wk ? "K" : s == p.wr ? "R" : s == p.bk ? "k" : "";
      std::fprintf(f, "<td style=\"background:%s\">%s</td>", (row + col) % 2 ? "#f0d9b5" : "#b58863", piece);
    }
    std::fputs("</tr>", f);
  }
  std::fputs("</table>", f);
}

// One variant's section: coverage, then a card for each of the `cards` best-matched features.
template <class SaeT>
void write_feature_section(std::FILE* f, const char* variant, const FeatureAnalysis<SaeT>& a, int cards) {
  const auto& r = a.report;
  std::fprintf(f, "<h2>%s</h2><p>%d live features of %d; coverage (mean best F1 over %d predicates) %.3f</p>\n",
               variant, r.live, SaeT::kFeatures, r.predicates_present, r.coverage);
  static int order[SaeT::kFeatures];
  const int n = rank_features(r, order, SaeT::kFeatures);
  for (int c = 0; c < n && c < cards; ++c) {
    const int j = order[c];
    char line[200];
    describe_feature(r, j, predicate_phrase, line, sizeof line);
    std::fprintf(f, "<div class=card><b>feature %d</b>: %s; density %.3f<br>", j, line, r.density[j]);
    const char* pieces[3] = {"white king", "rook", "black king"};
    for (int g = 0; g < 3; ++g) {
      std::fprintf(f, "<span class=cap>%s</span>", pieces[g]);
      html_heat(f, a.heat, j, g);
    }
    std::fputs("<br><span class=cap>strongest</span>", f);
    for (int t = 0; t < r.top_count[j]; ++t) html_board(f, Game5::from_index(a.data.source[r.top_rows[j][t]]));
    std::fputs("</div>\n", f);
  }
}

}  // namespace saerl
