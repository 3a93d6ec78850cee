// saerl run --game pellets: the study on the pellet maze (gridworld/pellets.hpp). Trains the
// DQN (pellets_recipe(), examples/recipe.hpp), scores it beside the uniformly random player and
// the expectimax reference on the same games, collects the hidden layer of its greedy play,
// trains one SAE of each variant on it, measures each (FVU, L0, dead features, the spliced
// DQN's action agreement and score) and labels its features; writes DIR/dqn.bin,
// DIR/sae-<variant>.bin, DIR/results.json and DIR/report.html. The glue is
// examples/pellets_pipeline.hpp and examples/pellets_features.hpp; this file runs it in order.
//
// Seeds, all from --seed S: the DQN trains from Rng(S); every player is scored on the --games
// games of play_pellets seed S (the training curve on the first of them); the SAEs' states
// come from greedy games of seeds S + 1000, S + 1001, ...; SAE v trains from the v-th split of
// the training generator.
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "../../sae/matching_pursuit.hpp"
#include "../../sae/sae_io.hpp"
#include "../../sae/train.hpp"
#include "../pellets_features.hpp"
#include "../pellets_pipeline.hpp"
#include "../report/pellets_html.hpp"
#include "commands.hpp"
#include "pellets_dqn.hpp"
#include "progress.hpp"
#include "sae_results.hpp"

namespace saerl {
namespace {

using T = PelletsTypes;
using Game = T::Game;
using Net = T::Net;
using Agent = T::Agent;
using SaeT = T::SaeT;
constexpr int B = T::kSaeBatch, D = SaeT::kIn;
using Visited = VisitedStates<Game, Net, T::kStates>;
using Features = PelletsFeatures<SaeT, Game, T::kStates>;

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// train_sae's callbacks: the fidelity term's batch, and the progress line.
struct SaeLine : SaeCallbacks {
  QFidelity<Net, B>* qfid;
  SaeTrainer<SaeT, B>* trainer;
  Progress* line;
  void before_step(long, float* batch) { qfid->x = batch; }
  void progress(long t) {
    if (t % 50 != 0) return;
    char note[80];
    std::snprintf(note, sizeof note, "loss %.5f  mse %.5f", double(trainer->last_loss), double(trainer->last_mse));
    line->update(t, note);
  }
};

// Trains, measures, saves and labels the SAE of one variant; adds sae.<v>.* and features.<v>.*.
int sae_stage(const Options& o, const PelletsRecipe& recipe, SaeVariant variant, const Net& net, const Visited& v,
              Features& features, const PelletsScores& dqn, Rng rng) {
  const char* name = sae_variant_name(variant);
  const SaeRecipe& sr = recipe.sae[int(variant)];
  const auto& data = v.data;
  float mean[D];
  data.mean(0, data.train_size, mean);
  auto sae = std::make_unique<SaeT>();
  sae->init(variant, sr.config.k, mean, rng, recipe.initial_threshold);
  auto trainer = std::make_unique<SaeTrainer<SaeT, B>>();
  trainer->init(sr.config);
  auto qfid = std::make_unique<QFidelity<Net, B>>();
  qfid->net = &net;
  qfid->coeff = sr.q_fidelity;
  qfid->policy_coeff = sr.policy_fidelity;
  qfid->temperature = sr.policy_temperature;
  auto batch = std::make_unique<float[]>(size_t(B) * D);
  Progress line(name, sr.steps, "steps");
  SaeLine cb;
  cb.qfid = qfid.get();
  cb.trainer = trainer.get();
  cb.line = &line;
  SaeRun run;
  run.steps = sr.steps;
  run.resample_every = recipe.resample_every;
  Status s = train_sae(run, *sae, *trainer, data.row(0), data.train_size, rng, batch.get(), *qfid, cb);
  line.finish();
  if (s.code == StatusCode::diverged) return std::fprintf(stderr, "error: %s; no model written\n", s.message), 1;
  if (!s.ok()) return fail(s);
  const double train_seconds = line.seconds();

  auto work = std::make_unique<SaeWorkspace<SaeT, B>>();
  const SaeMetrics heldout = evaluate_sae(*sae, data, data.train_size, data.size, *work);
  const SaeMetrics all = evaluate_sae(*sae, data, 0, data.size, *work);
  const SaeMetrics trained = evaluate_sae(*sae, data, 0, data.train_size, *work);
  const double agreement = action_agreement<Game>(net, *sae, v.states, data.train_size, data.size);
  const double agreement_train = action_agreement<Game>(net, *sae, v.states, 0, data.train_size);
  const PelletsScores spliced = play_pellets<Game>(*spliced_policy<Game>(net, *sae), int(o.games), o.seed);
  const double ratio = dqn.mean_score > 0 ? spliced.mean_score / dqn.mean_score : 0;
  const int pursuit_k = pursuit_budget(o, sr.config);
  const int heldout_rows = data.size - data.train_size;
  const double ito_fvu = pursuit_k ? pursuit_fvu(*sae, data.row(data.train_size), heldout_rows, pursuit_k) : -1;
  s = analyse_pellets_features(*sae, data.row(0), data.size, features);
  if (s.ok()) s = save_sae(*sae, in_dir(o.out, "sae-%s.bin", name).c_str());
  if (!s.ok()) return fail(s);
  const PelletsFeatureSummary f = summarise_pellets_features(features);
  std::printf("%-10s FVU %.4f (training states %.4f)  L0 %.2f  dead %d  agreement %.4f (training states %.4f)  "
              "spliced score %.2f (ratio %.3f)  coverage %.3f (named %.3f)  matched %.3f  label F1 %.3f  %.0f s\n",
              name, heldout.fvu, trained.fvu, heldout.l0, all.dead, agreement, agreement_train, spliced.mean_score,
              ratio, f.coverage, f.coverage_other, f.matched, f.label_f1, train_seconds);
  s = update_results(o.out, [&](Results& r) {
    const SaeKeys put{&r, name};
    set_sae_metric_keys<SaeT>(put, heldout);
    set_sae_recipe_keys(put, variant, sr, train_seconds);
    put("dead", all.dead);  // over every collected state
    put("live", all.live);
    put("fvu_train", trained.fvu);
    put("action_agreement", agreement);  // held-out states
    put("action_agreement_train", agreement_train);
    put("spliced_mean_score", spliced.mean_score);
    put("spliced_score_ratio", ratio);
    put("pursuit_fvu", ito_fvu);
    put("pursuit_l0", pursuit_k);
    set_scores(r, put.path("spliced").c_str(), spliced);
    const std::string p = std::string("features.") + name + ".";
    const double values[10] = {double(f.live), double(f.labeled), f.coverage, f.coverage_other, f.matched,
                               f.matched_named, f.matched_squares, f.label_f1, f.mean_best_f1,
                               double(features.report.predicates_present)};
    const char* keys[10] = {"live", "labeled", "coverage", "coverage_other", "matched", "matched_named",
                            "matched_squares", "label_f1", "mean_best_f1", "predicates"};
    for (int i = 0; i < 10; ++i) r.set((p + keys[i]).c_str(), values[i]);
    r.set((p + "top").c_str(), top_pellets_features(features, 10));
  });
  return s.ok() ? 0 : fail(s);
}

}  // namespace

int cmd_run_pellets(const Options& o, const char* started, std::chrono::steady_clock::time_point t0) {
  if (o.preset || o.board || o.recipe)
    return fail("--game pellets takes no %s (that is the rook checkmate's; the pellet maze has one network and "
                "recipe)", o.preset ? "--preset" : o.board ? "--board" : "--recipe");
  PelletsRecipe recipe = pellets_recipe();
  apply_dqn_options(o, &recipe.dqn);
  for (SaeRecipe& sr : recipe.sae) apply_sae_options(o, &sr);
  if (o.quick) recipe.states = 8192;
  Status s = make_dir(o.out);
  if (s.ok()) s = check_results(o.out);
  if (!s.ok()) return fail(s);

  // the DQN, from rewards alone, and its score beside the random player's and the reference's
  auto agent = std::make_unique<Agent>();
  Rng rng(o.seed);
  PelletsScores dqn;
  int rc = pellets_dqn_stage(o, recipe.dqn, recipe.name, recipe.eval_games, recipe.reference_depth, *agent, rng, &dqn);
  if (rc != 0) return rc;

  // the SAEs' data: the hidden layer of the DQN's greedy play, the last games held out
  auto visited = std::make_unique<Visited>();
  const uint64_t data_seed = o.seed + 1000;
  collect_greedy_states<Game>(*agent, agent->online, recipe.states, data_seed, *visited);
  split_by_game(visited->data, recipe.holdout);
  const auto& data = visited->data;
  auto features = std::make_unique<Features>();
  pellets_truth<Game>(visited->states, data.size, features->truth);
  std::fprintf(stderr, "run: %d states of %d greedy games, %d of them held out (the last games)\n", data.size,
               visited->games, data.size - data.train_size);
  s = update_results(o.out, [&](Results& r) {
    r.set("data.states", data.size);
    r.set("data.train_states", data.train_size);
    r.set("data.heldout_states", data.size - data.train_size);
    r.set("data.games", visited->games);
    r.set("data.heldout_games", data.train_size < data.size ? visited->games - data.source[data.train_size] : 0);
    r.set("data.seed", double(data_seed));
  });
  if (!s.ok()) return fail(s);
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const int rc = sae_stage(o, recipe, SaeVariant(v), agent->online, *visited, *features, dqn, rng.split());
    if (rc != 0) return rc;
  }

  s = note_run(o.out, started, since(t0));
  if (s.ok()) s = write_pellets_report(o.out);
  if (s.ok()) s = note_run(o.out, started, since(t0));
  if (!s.ok()) return fail(s);
  std::printf("results in %s and %s (%.0f s)\n", in_dir(o.out, "results.json").c_str(),
              in_dir(o.out, "report.html").c_str(), since(t0));
  return 0;
}

}  // namespace saerl
