// saerl/examples/report.hpp — the feature analysis of an SAE on the rook checkmate, and the
// self-contained HTML report that shows it: for the best-matched features, a one-line
// description, the mean activation per square for each piece (three heat maps), and the
// positions where the feature is strongest, drawn as boards.
//
//   auto a = std::make_unique<FeatureAnalysis<SaeT>>();
//   Status s = analyse_rook_features(net, sae, solver.dtm, *a);
//   write_feature_section(html, "topk", *a, 24, *ablation, *read);
#pragma once
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../core/logistic_probe.hpp"
#include "../gridworld/predicates.hpp"
#include "../sae/board_reconstruction.hpp"
#include "../sae/feature_analysis.hpp"
#include "../sae/metrics.hpp"
#include "pipeline.hpp"
#include "results.hpp"

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

// Live features whose best predicate has precision >= 0.9 and recall >= 0.5.
template <class Report>
int labeled_features(const Report& r) {
  int n = 0;
  for (int j = 0; j < Report::kFeatures; ++j) n += r.density[j] > 0 && r.precision[j] >= 0.9 && r.recall[j] >= 0.5;
  return n;
}

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

// A value as the report shows it: a number to 6 significant digits, anything else as one line of JSON.
inline std::string value_text(const Json& v) {
  if (v.kind != Json::Kind::number) return write_json(v, /*one_line=*/true);
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v.number);
  return text;
}

// The DQN's learning curve, from the dqn.curve.<step> keys: checkmate rate against steps, as
// an inline SVG polyline.
inline void html_learning_curve(std::FILE* f, const Results& r) {
  const Json* curve = r.find("dqn.curve");
  const size_t n = curve && curve->is_object() ? curve->keys.size() : 0;
  std::vector<double> steps(n), rates(n);
  double last = 1;
  for (size_t i = 0; i < n; ++i) {
    steps[i] = std::atof(curve->keys[i].c_str());
    rates[i] = curve->items[i].number;
    last = steps[i] > last ? steps[i] : last;
  }
  if (n == 0) return;
  std::fputs("<h2>DQN learning curve</h2><svg width=\"480\" height=\"200\" style=\"border:1px solid #ccc\">"
             "<text x=\"4\" y=\"14\" font-size=\"11\">checkmate rate 1</text>"
             "<text x=\"4\" y=\"196\" font-size=\"11\">0</text><polyline fill=\"none\" stroke=\"#c33\" "
             "stroke-width=\"2\" points=\"", f);
  for (size_t i = 0; i < n; ++i) std::fprintf(f, "%.1f,%.1f ", 20 + 450 * steps[i] / last, 190 - 180 * rates[i]);
  std::fprintf(f, "\"/><text x=\"380\" y=\"196\" font-size=\"11\">%.0f steps</text></svg>\n", last);
}

// The SAE variants side by side, with their feature-density histograms as inline SVG bars.
inline void html_sae_table(std::FILE* f, const Results& r) {
  const char* columns[] = {"fvu", "l0", "dead", "dense", "action_agreement", "spliced_checkmate_rate",
                           "return_recovered", "pursuit_fvu", "train_seconds"};
  std::fputs("<h2>SAE variants</h2><table border=1 cellpadding=3 style=\"border-collapse:collapse\"><tr><th>variant</th>", f);
  for (const char* c : columns) std::fprintf(f, "<th>%s</th>", c);
  std::fputs("<th>feature density (dead, then 1e-6 ... 1)</th></tr>\n", f);
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const char* name = sae_variant_name(SaeVariant(v));
    char key[64];
    std::snprintf(key, sizeof key, "sae.%s.fvu", name);
    if (!r.find(key)) continue;
    std::fprintf(f, "<tr><td>%s</td>", name);
    for (const char* c : columns) {
      std::snprintf(key, sizeof key, "sae.%s.%s", name, c);
      const Json* e = r.find(key);
      std::fprintf(f, "<td>%s</td>", e ? value_text(*e).c_str() : "");
    }
    std::fputs("<td><svg width=\"150\" height=\"40\">", f);
    double counts[kDensityBins], top = 1;
    for (int b = 0; b < kDensityBins; ++b) {
      std::snprintf(key, sizeof key, "sae.%s.density.%d", name, b);
      counts[b] = r.number(key, 0);
      top = counts[b] > top ? counts[b] : top;
    }
    for (int b = 0; b < kDensityBins; ++b) {
      const double h = 38 * counts[b] / top;
      std::fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"18\" height=\"%.1f\" fill=\"%s\"/>", 2 + 21 * b, 39 - h, h,
                   b == 0 ? "#999" : "#36c");
    }
    std::fputs("</svg></td></tr>\n", f);
  }
  std::fputs("</table>\n", f);
}

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

// "Beyond the Q-values" and Karvonen et al.'s supervised metrics, on a fixed 80/20 split of the
// positions: for each named predicate, the held-out accuracy of a logistic probe reading the
// SAE's codes and of one reading the DQN's Q-values alone; coverage and board reconstruction
// (sae/feature_analysis.hpp, sae/board_reconstruction.hpp: the definitions, the evaluation sets
// and where we differ from the paper) of the SAE's codes and, as the baseline, of the raw
// neurons of the layer the SAE reads (its input z_1, each neuron a feature).
//   coverage        the 75 piece-on-square predicates, on every legal position
//   coverage_other  the named predicates (edges, checks, the rook's safety, ...), likewise
//   board_f1        mean per-square F1 of the board read back by high-precision detectors;
//                   detectors and threshold from the 80%, scored on the held-out 20%
//   board_exact     held-out boards read back exactly on all 75 piece-squares (the old figure)
struct ReadOut {
  static constexpr int P = Predicates5::kNamed;
  double sae_accuracy[P], q_accuracy[P], baseline[P];
  double sae_mean = 0, q_mean = 0, baseline_mean = 0;
  int beyond_q = 0;  // predicates read out better from the codes by >= 0.1 accuracy
  struct Supervised {
    double coverage = 0, coverage_other = 0, board_f1 = 0, board_exact = 0;
    double coverage_threshold = 0, board_threshold = 0;  // the chosen fractions of each feature's max
  };
  Supervised sae, neurons;
};

// Coverage of both families and board reconstruction of the features in codes (n, M); truth is
// (n, kCount) with the piece-square predicates last, squares (n, 75) those alone.
template <int M>
Status supervised_metrics(const float* codes, const uint8_t* truth, const uint8_t* squares, int n, int n_train,
                          ReadOut::Supervised& out) {
  constexpr int P = Predicates5::kCount, S = 3 * 25;
  auto counts = std::make_unique<ThresholdCounts<M, P>>();
  Status s = count_thresholds(codes, truth, n, *counts);
  if (!s.ok()) return s;
  Coverage board_family, other;
  s = coverage(*counts, Predicates5::kNamed, P, board_family);
  if (!s.ok()) return s;
  s = coverage(*counts, 0, Predicates5::kNamed, other);
  if (!s.ok()) return s;
  out.coverage = board_family.value;
  out.coverage_other = other.value;
  out.coverage_threshold = ThresholdCounts<M, P>::fraction(board_family.threshold);
  auto board = std::make_unique<BoardReconstruction<M, S>>();
  s = board_reconstruction(codes, squares, n, n_train, BoardReconstructionOptions(), *board);
  if (!s.ok()) return s;
  out.board_f1 = board->board_f1;
  out.board_exact = board->board_exact;
  out.board_threshold = board->fraction(board->threshold);
  return Status::success();
}

// results.json: features.<who>.coverage, .coverage_other, .board_f1, .board_exact
inline void set_supervised_keys(Results& results, const char* who, const ReadOut::Supervised& m) {
  const char* names[4] = {"coverage", "coverage_other", "board_f1", "board_exact"};
  const double values[4] = {m.coverage, m.coverage_other, m.board_f1, m.board_exact};
  for (int k = 0; k < 4; ++k) {
    char key[64];
    std::snprintf(key, sizeof key, "features.%s.%s", who, names[k]);
    results.set(key, values[k]);
  }
}

template <class Net, class SaeT>
Status read_out(const Net& net, SaeT& sae, const FeatureAnalysis<SaeT>& a, uint64_t seed, ReadOut& out) {
  constexpr int M = SaeT::kFeatures, W = SaeT::kIn, A = Net::kOut, P = Predicates5::kCount, S = 75;
  const int n = a.data.size, n_train = n - n / 5;
  auto order = std::make_unique<int[]>(size_t(n));  // desktop glue: a few MB of scratch below
  for (int i = 0; i < n; ++i) order[i] = i;
  Rng rng(seed);
  for (int i = n - 1; i > 0; --i) {
    const int j = int(rng.below(uint32_t(i + 1)));
    const int t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  auto codes = std::make_unique<float[]>(size_t(n) * M);
  auto neurons = std::make_unique<float[]>(size_t(n) * W);
  auto q = std::make_unique<float[]>(size_t(n) * A);
  auto truth = std::make_unique<uint8_t[]>(size_t(n) * P);
  auto squares = std::make_unique<uint8_t[]>(size_t(n) * S);
  auto work = std::make_unique<SaeBatch<SaeT, 1>>();
  auto acts = std::make_unique<MlpActivations<Net, 1>>();
  for (int r = 0; r < n; ++r) {
    const int i = order[r];
    const float* h = a.data.row(i);
    sae_forward(sae, h, 1, *work, false);
    copy(work->f, codes.get() + size_t(r) * M, M);
    copy(h, neurons.get() + size_t(r) * W, W);
    copy(mlp_forward_from(net, HiddenLayer<Net>::kRestart, h, 1, *acts), q.get() + size_t(r) * A, A);
    copy(a.truth + size_t(i) * P, truth.get() + size_t(r) * P, P);
    copy(a.truth + size_t(i) * P + Predicates5::kNamed, squares.get() + size_t(r) * S, S);
  }
  ProbeOptions options;
  options.steps = 150;
  auto sae_probe = std::make_unique<LogisticProbe<M>>();
  auto q_probe = std::make_unique<LogisticProbe<A>>();
  for (int p = 0; p < ReadOut::P; ++p) {
    ProbeAccuracy acc;
    Status s = probe_accuracy(codes.get(), truth.get(), P, p, n_train, n, *sae_probe, acc, options);
    if (!s.ok()) return s;
    out.sae_accuracy[p] = acc.heldout_accuracy;
    out.baseline[p] = acc.baseline_accuracy;
    s = probe_accuracy(q.get(), truth.get(), P, p, n_train, n, *q_probe, acc, options);
    if (!s.ok()) return s;
    out.q_accuracy[p] = acc.heldout_accuracy;
    out.beyond_q += out.sae_accuracy[p] - out.q_accuracy[p] >= 0.1;
    out.sae_mean += out.sae_accuracy[p] / ReadOut::P;
    out.q_mean += out.q_accuracy[p] / ReadOut::P;
    out.baseline_mean += out.baseline[p] / ReadOut::P;
  }
  Status s = supervised_metrics<M>(codes.get(), truth.get(), squares.get(), n, n_train, out.sae);
  if (!s.ok()) return s;
  return supervised_metrics<W>(neurons.get(), truth.get(), squares.get(), n, n_train, out.neurons);
}

// Causal test: zero-ablate one feature at a time while the DQN acts through the SAE. For each
// feature, the number of legal positions where it is active and where removing it
// (x_hat - f_j w_j) changes the greedy action; for the most influential ones, the checkmate
// rate over `games` games with the feature ablated.
template <int M>
struct Ablation {
  static constexpr int kTop = 8;
  long active[M], changed[M];
  int top[kTop];
  double top_checkmate[kTop];
  int top_count = 0;
  double base_checkmate = 0;  // through the SAE, nothing ablated
};

template <class Net, class SaeT>
void ablation_effects(const Net& net, SaeT& sae, int games, uint64_t seed, Ablation<SaeT::kFeatures>& out) {
  constexpr int M = SaeT::kFeatures, W = SaeT::kIn, A = Net::kOut;
  for (int j = 0; j < M; ++j) out.active[j] = out.changed[j] = 0;
  auto work = std::make_unique<SaeBatch<SaeT, 1>>();
  auto acts = std::make_unique<MlpActivations<Net, 1>>();
  float h[W], x[W];
  for (int i = 0; i < Game5::kPositions; ++i) {
    const Game5::Position p = Game5::from_index(i);
    if (!Game5::is_legal(p)) continue;
    hidden_of<Net, Game5>(net, p, h, *acts);
    sae_forward(sae, h, 1, *work, false);
    const int base = argmax(mlp_forward_from(net, HiddenLayer<Net>::kRestart, work->x_hat, 1, *acts), A);
    for (int j = 0; j < M; ++j) {
      if (work->f[j] == 0) continue;
      ++out.active[j];
      copy(work->x_hat, x, W);
      axpy(-work->f[j], sae.w_dec() + j * W, x, W);
      out.changed[j] += argmax(mlp_forward_from(net, HiddenLayer<Net>::kRestart, x, 1, *acts), A) != base;
    }
  }
  // the most influential features, by positions changed (ties: the lower index)
  out.top_count = 0;
  for (int t = 0; t < Ablation<M>::kTop; ++t) {
    int best = -1;
    for (int j = 0; j < M; ++j) {
      bool taken = false;
      for (int u = 0; u < t; ++u) taken = taken || out.top[u] == j;
      if (!taken && out.changed[j] > 0 && (best < 0 || out.changed[j] > out.changed[best])) best = j;
    }
    if (best < 0) break;
    out.top[out.top_count++] = best;
  }
  auto policy = std::make_unique<SplicedPolicy<Net, SaeT, Game5>>();
  policy->net = &net;
  policy->sae = &sae;
  const RookSolver<5>* no_solver = nullptr;
  Rng rng(seed);
  out.base_checkmate = evaluate_rook(*policy, no_solver, games, rng).checkmate_rate;
  for (int t = 0; t < out.top_count; ++t) {
    policy->ablate = out.top[t];
    Rng same(seed);
    out.top_checkmate[t] = evaluate_rook(*policy, no_solver, games, same).checkmate_rate;
  }
}

template <int M, class Report>
void write_ablation(std::FILE* f, const Ablation<M>& a, const Report& r) {
  std::fprintf(f,
               "<p>Causal test: each feature zero-ablated in turn while the DQN acts through the SAE "
               "(checkmate rate with nothing ablated: %.3f).</p><table><tr><th>feature</th><th>label</th>"
               "<th>positions active</th><th>action changed</th><th>checkmate rate ablated</th></tr>\n",
               a.base_checkmate);
  for (int t = 0; t < a.top_count; ++t) {
    const int j = a.top[t];
    char line[200];
    describe_feature(r, j, predicate_phrase, line, sizeof line);
    std::fprintf(f, "<tr><td>%d</td><td>%s</td><td>%ld</td><td>%ld</td><td>%.3f</td></tr>\n", j, line, a.active[j],
                 a.changed[j], a.top_checkmate[t]);
  }
  std::fputs("</table>\n", f);
}

inline void write_read_out(std::FILE* f, const ReadOut& r) {
  std::fprintf(f,
               "<p>Supervised metrics (Karvonen et al. 2024), this SAE against the raw neurons it reads: "
               "coverage of the 75 piece-on-square predicates %.3f vs %.3f, of the named predicates %.3f vs "
               "%.3f (best feature per predicate at one threshold per family, relative to each feature's "
               "maximum); board reconstruction, mean per-square F1 on held-out positions with detectors and "
               "threshold fit on the others, %.3f vs %.3f (boards read back exactly: %.3f vs %.3f; thresholds "
               "chosen: %.1f vs %.1f of each feature's maximum for the board's coverage, %.1f vs %.1f for its "
               "reconstruction). "
               "Predicates read out better from the SAE's codes than from the Q-values by at least "
               "0.1: %d.</p>"
               "<table><tr><th>predicate</th><th>probe on SAE codes</th><th>probe on Q-values</th>"
               "<th>majority baseline</th></tr>\n",
               r.sae.coverage, r.neurons.coverage, r.sae.coverage_other, r.neurons.coverage_other, r.sae.board_f1,
               r.neurons.board_f1, r.sae.board_exact, r.neurons.board_exact, r.sae.coverage_threshold,
               r.neurons.coverage_threshold, r.sae.board_threshold, r.neurons.board_threshold, r.beyond_q);
  for (int p = 0; p < ReadOut::P; ++p) {
    char phrase[96];
    std::fprintf(f, "<tr><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>\n",
                 Predicates5::describe(p, phrase, sizeof phrase), r.sae_accuracy[p], r.q_accuracy[p], r.baseline[p]);
  }
  std::fprintf(f, "<tr><td><b>mean</b></td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr></table>\n", r.sae_mean,
               r.q_mean, r.baseline_mean);
}

// One variant's section: coverage, then a card for each of the `cards` best-matched features.
// Each card also gives the feature's causal effect (positions where ablating it changes the
// action) and, when its label is a named predicate, the probe accuracies for that predicate.
template <class SaeT>
void write_feature_section(std::FILE* f, const char* variant, const FeatureAnalysis<SaeT>& a, int cards,
                           const Ablation<SaeT::kFeatures>& ablation, const ReadOut& read) {
  const auto& r = a.report;
  std::fprintf(f, "<h2>%s</h2><p>%d live features of %d; mean best F1 over %d predicates (fires: > 0) %.3f</p>\n",
               variant, r.live, SaeT::kFeatures, r.predicates_present, r.mean_best_f1);
  static int order[SaeT::kFeatures];
  const int n = rank_features(r, order, SaeT::kFeatures);
  for (int c = 0; c < n && c < cards; ++c) {
    const int j = order[c];
    char line[200];
    describe_feature(r, j, predicate_phrase, line, sizeof line);
    std::fprintf(f, "<div class=card><b>feature %d</b>: %s; density %.3f<br>", j, line, r.density[j]);
    std::fprintf(f, "<span class=cap>ablated: the action changes in %ld of the %ld positions where it is active",
                 ablation.changed[j], ablation.active[j]);
    const int p = r.best_predicate[j];
    if (p >= 0 && p < ReadOut::P)
      std::fprintf(f, "; its predicate is read out with accuracy %.3f from the SAE's codes, %.3f from the Q-values",
                   read.sae_accuracy[p], read.q_accuracy[p]);
    std::fputs("</span><br>", f);
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
