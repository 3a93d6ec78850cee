// saerl report: label the features of every DIR/sae-<variant>.bin against ground truth, run the
// causal and probe tests, write DIR/features-<variant>.json and the features.* keys of
// DIR/results.json; then draw DIR/report.html from those files alone (examples/report.hpp).
// One line per stage on stderr, with the time left. Test hook: SAERL_TEST_TERM_WRITING=1 raises
// SIGTERM while DIR/report.html.tmp is open (cleanup.hpp must remove it).
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>

#include "../../core/io/mlp_io.hpp"
#include "../../gridworld/render.hpp"
#include "../../sae/sae_io.hpp"
#include "../report.hpp"
#include "../steering_examples.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace saerl {
namespace {

// results.json's summary of one steering family: features tested, positions and the rates.
Json steering_summary(const SteeringSummary& s) {
  Json o = json_object();
  o.set("tested", json_number(s.tested));
  o.set("positions", json_number(double(s.positions)));
  detail::set_steering_rates(o, s.rates);
  return o;
}

template <class S>
int report(const Options& o) {
  using Net = typename S::Net;
  using SaeT = typename S::SaeT;
  using Game = typename S::Game;
  constexpr int N = Game::kSize;
  const auto t0 = std::chrono::steady_clock::now();
  constexpr int kStagesPerVariant = 4;
  auto net = std::make_unique<Net>();
  Status s = load_mlp(*net, in_dir(o.out, "dqn.bin").c_str());
  if (!s.ok()) return fail(s);
  static Results results;
  const std::string results_path = in_dir(o.out, "results.json");
  s = results.load(results_path.c_str());
  if (!s.ok()) return fail(s);
  auto sae = std::make_unique<SaeT>();
  int variants = 0;
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {  // every file checked before the long work
    const std::string sae_path = in_dir(o.out, "sae-%s.bin", sae_variant_name(SaeVariant(v)));
    if (!file_exists(sae_path)) continue;
    s = load_sae(*sae, sae_path.c_str());
    if (!s.ok()) return fail(s);
    ++variants;
  }
  if (!variants) {  // (and no stale features files either)
    for (int v = 0; v <= int(SaeVariant::jumprelu); ++v)
      std::remove(in_dir(o.out, "features-%s.json", sae_variant_name(SaeVariant(v))).c_str());
    return fail("no %s/sae-<variant>.bin to report on (run train-sae first)", o.out);
  }
  StageLines stages("report", 2 + kStagesPerVariant * variants);
  stages.begin("solving the game exactly (distances to mate, the random black's exact values)");
  auto solver = std::make_unique<RookSolver<N>>();
  solver->solve(1.0f);
  auto counterfactuals = std::make_unique<Counterfactuals<N>>();  // the steering's x' boards, once per DQN
  prepare_counterfactuals(*net, solver->dtm, *counterfactuals);
  auto exact = std::make_unique<RookExact<N>>();  // judges the ablated policies, every variant
  exact->init(Game::Opponent::random);

  auto analysis = std::make_unique<FeatureAnalysis<SaeT, N>>();
  int found = 0;
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const char* name = sae_variant_name(SaeVariant(v));
    const std::string sae_path = in_dir(o.out, "sae-%s.bin", name);
    const std::string features_path = in_dir(o.out, "features-%s.json", name);
    s = load_sae(*sae, sae_path.c_str());
    if (!s.ok() && !file_exists(sae_path)) {  // no SAE of this variant: no stale features file either
      std::remove(features_path.c_str());
      continue;
    }
    if (!s.ok()) return fail(s);
    ++found;
    char what[120];
    auto stage = [&](const char* text) {
      std::snprintf(what, sizeof what, "%s: %s", name, text);
      stages.begin(what);
    };
    stage("labelling features against every legal position");
    s = analyse_rook_features(*net, *sae, solver->dtm, *analysis);
    if (!s.ok()) return fail(s);
    const auto& r = analysis->report;
    std::printf("%s: %d live features\n", name, r.live);
    static int order[SaeT::kFeatures];
    const int n = rank_features(r, order, SaeT::kFeatures);
    for (int c = 0; c < n && c < 5; ++c) {
      char line[200];
      describe_feature(r, order[c], predicate_phrase<N>, line, sizeof line);
      std::printf("  feature %4d %s\n", order[c], line);
    }
    if (n > 0 && r.top_count[order[0]] > 0) {  // the best-labelled feature's strongest position
      char board[render_position_size<N>()];
      render_position<N>(Game::from_index(analysis->data.source[r.top_rows[order[0]][0]]), board, sizeof board);
      std::printf("  feature %d is strongest on:\n%s", order[0], board);
    }
    stage("probes, coverage and board reconstruction");
    auto read = std::make_unique<ReadOut<N>>();
    s = read_out(*net, *sae, *analysis, o.seed, *read);
    if (!s.ok()) return fail(s);
    std::printf("  SAE (raw neurons): coverage %.3f (%.3f), coverage_other %.3f (%.3f), board_f1 %.3f (%.3f), "
                "board_exact %.3f (%.3f); probes over %d predicates, accuracy (balanced): SAE codes %.3f (%.3f), "
                "Q-values %.3f (%.3f), majority %.3f (0.5)\n",
                read->sae.coverage, read->neurons.coverage, read->sae.coverage_other, read->neurons.coverage_other,
                read->sae.board_f1, read->neurons.board_f1, read->sae.board_exact, read->neurons.board_exact,
                ReadOut<N>::P, read->sae_mean, read->sae_balanced_mean, read->q_mean, read->q_balanced_mean,
                read->baseline_mean);
    char key[96];
    auto put = [&](const char* what, double x) {
      std::snprintf(key, sizeof key, "features.%s.%s", name, what);
      results.set(key, x);
    };
    put("live", r.live);
    set_supervised_keys(results, name, read->sae);  // features.<v>.coverage, coverage_other, board_f1, board_exact
    set_supervised_keys(results, "neurons", read->neurons);
    put("probe_accuracy", read->sae_mean);
    put("probe_balanced_accuracy", read->sae_balanced_mean);
    results.set("features.q_values.probe_accuracy", read->q_mean);
    results.set("features.q_values.probe_balanced_accuracy", read->q_balanced_mean);
    results.set("features.majority.probe_accuracy", read->baseline_mean);
    const int labeled = labeled_features(r);
    put("labeled_precision_0_9", labeled);
    put("beyond_q", read->beyond_q);
    if (SaeVariant(v) == SaeVariant::relu) {  // the study's variant gives the headline keys
      results.set("features.live", r.live);
      results.set("features.labeled_precision_0_9", labeled);
      results.set("features.beyond_q", read->beyond_q);
    }
    std::printf("  %d features labelled with precision >= %.1f and recall >= %.1f; %d predicates beyond the "
                "Q-values\n", labeled, kLabelPrecision, kLabelRecall, read->beyond_q);
    stage("ablation, judged exactly");
    auto ablation = std::make_unique<Ablation<SaeT::kFeatures>>();
    const auto& rows = analysis->data;
    ablation_effects<Game>(*net, *sae, rows.row(0), rows.source, rows.size, *exact, *ablation);
    if (ablation->top_count > 0) {
      const int j = ablation->top[0];
      std::printf("  most influential feature %d: ablating it changes the action in %ld of %ld positions; "
                  "exact return ratio %.3f -> %.3f\n", j, ablation->changed[j], ablation->active[j],
                  ablation->base_return_ratio, ablation->top_return_ratio[0]);
    }
    stage("steering");
    auto steering = std::make_unique<Steering<SaeT::kFeatures>>();
    SteeringOptions steer;
    steer.seed = o.seed + 3;
    s = steer_features(*net, *sae, r, *counterfactuals, solver.get(), steer, *steering);
    if (!s.ok()) return fail(s);
    std::printf("  steering: %d piece-square labels, the DQN's move on the counterfactual board %.3f (random "
                "feature %.3f, nothing written %.3f)\n", steering->squares.tested,
                steering->squares.rates.counterfactual_agreement, steering->squares.rates.random_direction_agreement,
                steering->squares.rates.unintervened_agreement);
    Json summary = steering_summary(steering->squares);
    summary.set("named", steering_summary(steering->named));
    std::snprintf(key, sizeof key, "features.%s.steering", name);
    results.set(key, std::move(summary));
    Json file = features_json(name, *analysis, *ablation, *read);
    file.set("steering", steering_json<N>(*steering));
    file.set("steering_examples",
             steering_examples_json(*net, *sae, r, *counterfactuals, solver.get(), *steering, steer));
    s = write_json_file(features_path.c_str(), file);
    if (!s.ok()) return fail(s);
  }
  if (!found) return fail("no %s/sae-<variant>.bin to report on (run train-sae first)", o.out);
  stages.begin("writing report.html");
  results.set("report.seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  s = results.save(results_path.c_str());
  if (s.ok()) s = write_report_html(o.out);
  if (!s.ok()) return fail(s);
  std::printf("wrote %s, %s and %s\n", in_dir(o.out, "features-<variant>.json").c_str(), results_path.c_str(),
              in_dir(o.out, "report.html").c_str());
  return 0;
}

}  // namespace

int cmd_report(const Options& o) {
  if (std::getenv("SAERL_TEST_TERM_WRITING")) {  // test hook: SIGTERM while report.html.tmp is open
    TempFile page;
    const Status s = page.open(in_dir(o.out, "report.html").c_str());
    if (!s.ok()) return fail(s);
    page.write("<!doctype html>", 15);
    std::raise(SIGTERM);
  }
  return with_setup(o, true, [&](auto setup) { return report<decltype(setup)>(o); });
}

}  // namespace saerl
