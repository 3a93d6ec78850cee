// saerl report: label the features of every DIR/sae-<variant>.bin against ground truth, run the
// causal and probe tests, write DIR/report.html and the features.* keys of DIR/results.json.
#include <memory>

#include "../../core/mlp_io.hpp"
#include "../../gridworld/render.hpp"
#include "../../sae/sae_io.hpp"
#include "../report.hpp"
#include "commands.hpp"

namespace saerl {
namespace {

// Labels the features of every DIR/sae-<variant>.bin and writes DIR/report.html.
template <class S>
int report(const Options& o) {
  using Net = typename S::Net;
  using SaeT = typename S::SaeT;
  using Game = typename S::Game;
  if constexpr (S::kBoard != 5) {
    return fail("report: 5x5 only for now (--board %d)", S::kBoard);
  } else {
  auto net = std::make_unique<Net>();
  char path[1024], tmp[1100];
  Status s = load_mlp(*net, in_dir(o.out, "dqn.bin").c_str());
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  auto solver = std::make_unique<RookSolver<5>>();
  solver->solve(1.0f);
  static Results results;
  std::snprintf(path, sizeof path, "%s/results.json", o.out);
  s = results.load(path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;

  std::snprintf(path, sizeof path, "%s/report.html", o.out);
  std::snprintf(tmp, sizeof tmp, "%s.tmp", path);
  std::FILE* html = std::fopen(tmp, "w");
  if (!html) return std::fprintf(stderr, "error: %s: cannot write\n", tmp), 2;
  html_begin(html, "saerl: what the rook-checkmate DQN learned");
  html_learning_curve(html, results);
  html_sae_table(html, results);
  std::fputs("<h2>results.json</h2><table>", html);
  for (const Results::Leaf& leaf : results.leaves())
    std::fprintf(html, "<tr><td>%s</td><td>%s</td></tr>", leaf.path.c_str(), value_text(*leaf.value).c_str());
  std::fputs("</table>\n", html);

  auto sae = std::make_unique<SaeT>();
  auto analysis = std::make_unique<FeatureAnalysis<SaeT>>();
  int found = 0;
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const char* name = sae_variant_name(SaeVariant(v));
    char sae_path[1024];
    std::snprintf(sae_path, sizeof sae_path, "%s/sae-%s.bin", o.out, name);
    s = load_sae(*sae, sae_path);
    if (!s.ok() && !file_exists(sae_path)) continue;  // no SAE of this variant
    if (!s.ok()) return std::fclose(html), std::remove(tmp), std::fprintf(stderr, "error: %s\n", s.message), 2;
    ++found;
    s = analyse_rook_features(*net, *sae, solver->dtm, *analysis);
    if (!s.ok()) return std::fclose(html), std::remove(tmp), std::fprintf(stderr, "error: %s\n", s.message), 2;
    const auto& r = analysis->report;
    std::printf("%s: %d live features\n", name, r.live);
    static int order[SaeT::kFeatures];
    const int n = rank_features(r, order, SaeT::kFeatures);
    for (int c = 0; c < n && c < 5; ++c) {
      char line[200];
      describe_feature(r, order[c], predicate_phrase, line, sizeof line);
      std::printf("  feature %4d %s\n", order[c], line);
    }
    if (n > 0 && r.top_count[order[0]] > 0) {  // the best-labelled feature's strongest position
      char board[render_position_size<5>()];
      render_position<5>(Game::from_index(analysis->data.source[r.top_rows[order[0]][0]]), board, sizeof board);
      std::printf("  feature %d is strongest on:\n%s", order[0], board);
    }
    char key[64];
    std::snprintf(key, sizeof key, "features.%s.live", name);
    results.set(key, r.live);
    auto read = std::make_unique<ReadOut>();
    s = read_out(*net, *sae, *analysis, o.seed, *read);
    if (!s.ok()) return std::fclose(html), std::remove(tmp), std::fprintf(stderr, "error: %s\n", s.message), 2;
    std::printf("  SAE (raw neurons): coverage %.3f (%.3f), coverage_other %.3f (%.3f), board_f1 %.3f (%.3f), "
                "board_exact %.3f (%.3f); probe accuracy over %d predicates: SAE codes %.3f, Q-values %.3f, "
                "majority %.3f\n",
                read->sae.coverage, read->neurons.coverage, read->sae.coverage_other, read->neurons.coverage_other,
                read->sae.board_f1, read->neurons.board_f1, read->sae.board_exact, read->neurons.board_exact, ReadOut::P,
                read->sae_mean, read->q_mean, read->baseline_mean);
    set_supervised_keys(results, name, read->sae);  // features.<v>.coverage, coverage_other, board_f1, board_exact
    set_supervised_keys(results, "neurons", read->neurons);
    std::snprintf(key, sizeof key, "features.%s.probe_accuracy", name);
    results.set(key, read->sae_mean);
    results.set("features.q_values.probe_accuracy", read->q_mean);
    results.set("features.majority.probe_accuracy", read->baseline_mean);
    const int labeled = labeled_features(r);
    std::snprintf(key, sizeof key, "features.%s.labeled_precision_0_9", name);
    results.set(key, labeled);
    std::snprintf(key, sizeof key, "features.%s.beyond_q", name);
    results.set(key, read->beyond_q);
    if (SaeVariant(v) == SaeVariant::relu) {  // the study's variant gives the headline keys
      results.set("features.live", r.live);
      results.set("features.labeled_precision_0_9", labeled);
      results.set("features.beyond_q", read->beyond_q);
    }
    std::printf("  %d features labelled with precision >= 0.9 and recall >= 0.5; %d predicates beyond the Q-values\n",
                labeled, read->beyond_q);
    auto ablation = std::make_unique<Ablation<SaeT::kFeatures>>();
    ablation_effects(*net, *sae, 1000, o.seed + 2, *ablation);
    if (ablation->top_count > 0) {
      const int j = ablation->top[0];
      std::printf("  most influential feature %d: ablating it changes the action in %ld of %ld positions; "
                  "checkmate rate %.3f -> %.3f\n", j, ablation->changed[j], ablation->active[j],
                  ablation->base_checkmate, ablation->top_checkmate[0]);
    }
    write_feature_section(html, name, *analysis, 24, *ablation, *read);
    write_ablation(html, *ablation, r);
    write_read_out(html, *read);
  }
  html_end(html);
  const bool ok = std::fclose(html) == 0;
  if (!found) {
    std::remove(tmp);
    return std::fprintf(stderr, "error: no %s/sae-<variant>.bin to report on (run train-sae first)\n", o.out), 2;
  }
  if (!ok || std::rename(tmp, path) != 0) return std::remove(tmp), std::fprintf(stderr, "error: %s: cannot write\n", path), 2;
  std::snprintf(tmp, sizeof tmp, "%s/results.json", o.out);
  s = results.save(tmp);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  std::printf("wrote %s\n", path);
  return 0;
  }
}

}  // namespace

int cmd_report(const Options& o) {
  return with_setup(o, true, [&](auto setup) { return report<decltype(setup)>(o); });
}

}  // namespace saerl
