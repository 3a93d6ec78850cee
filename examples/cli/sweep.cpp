// saerl sweep: the follow-up study's experiment: many DQNs, SAEs on each, and how the count of
// live features tracks the DQN's quality (examples/sweep.hpp: the runs as processes, the merge,
// the fits). Two protocols:
//   default  run I trains longer as I grows; the study's first SAE (relu) and TopK, on every
//            legal position
//   study    the follow-up's own (docs/SWEEP.md): equal budgets, seeds only; a TopK SAE on the
//            positions greedy play visits and, as the visitation control, on every legal one
//            (examples/study.hpp)
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "../../core/io/mlp_io.hpp"
#include "../study.hpp"
#include "../study_pellets.hpp"
#include "../sweep.hpp"
#include "commands.hpp"
#include "pellets_dqn.hpp"

namespace saerl {

extern const char* g_program;

namespace {

// The study protocol's budget, in environment steps, when --steps is not given: where DQNs of
// different seeds still differ in quality (docs/SWEEP.md gives the measurements behind it).
constexpr long kStudyBudget = 150000;
constexpr long kStudySaeSteps = 3000;  // SAE steps of 256 inputs (--sae-steps)
// The same on the pellet maze (--game pellets), also measured there (docs/SWEEP.md).
constexpr long kPelletsStudyBudget = 150000;

// k scaled to the layer: the study's 50 of a 512-wide layer, i.e. 50 D / 512 (12 on 128).
int study_k(int width) { return 50 * width / 512 > 0 ? 50 * width / 512 : 1; }

bool study_protocol(const Options& o) { return o.protocol && std::strcmp(o.protocol, "study") == 0; }
bool pellets_game(const Options& o) { return std::strcmp(o.game, "pellets") == 0; }

// The study.* keys of one run: the protocol's SAEs.
void set_study_keys(Results& res, const StudyRun& r, int k, int features, long steps, double seconds) {
  res.set_text("study.protocol", "study");
  res.set("study.k", k);
  res.set("study.features", features);
  res.set("study.positions", r.on_policy.rows);
  res.set("study.sae_steps", double(steps));
  res.set("study.live_on_policy", r.on_policy.live);
  res.set("study.fvu_on_policy", r.on_policy.fvu);
  res.set("study.l0_on_policy", r.on_policy.l0);
  res.set("study.distinct_states", r.distinct_states);
  res.set("study.distinct_positions", r.distinct_positions);
  res.set("study.live_all", r.all.live);
  res.set("study.fvu_all", r.all.fvu);
  res.set("study.l0_all", r.all.l0);
  res.set("study.all_positions", r.all.rows);
  res.set("study.seconds", seconds);
}

void print_study_run(const StudyRun& r, int features, double seconds) {
  std::printf("live features: %d of %d on greedy play (%d distinct states, %d placements, of %d), %d on the "
              "control's %d; FVU %.4f and %.4f; %.1f s\n", r.on_policy.live, features, r.distinct_states,
              r.distinct_positions, r.on_policy.rows, r.all.live, r.all.rows, r.on_policy.fvu, r.all.fvu, seconds);
}

// One run of the default protocol, in DIR/run-I: a DQN trained for a length that grows with I,
// then the study's SAE (relu) and the TopK control, with lighter evaluation than train-sae's.
int sweep_one(const Options& o, const char* dir) {
  const int run = int(o.run), runs = int(o.runs);
  Options ro = o;
  ro.out = dir;
  ro.seed = 1000 + (unsigned long long)run;
  ro.steps = sweep_steps(run, runs, o.steps > 0 ? o.steps : 800000);
  ro.games = o.games < 2000 ? o.games : 2000;  // lighter evaluation than train-dqn's
  int rc = cmd_train_dqn(ro);
  const char* variants[2] = {"relu", "topk"};
  for (int v = 0; rc == 0 && v < 2; ++v) {
    ro.variant = variants[v];
    ro.sae_steps = o.sae_steps > 0 ? o.sae_steps : 2000;
    ro.games = o.games < 500 ? o.games : 500;
    ro.pursuit = 0;
    rc = cmd_train_sae(ro);
  }
  return rc;
}

// The study protocol's measurements of DIR/dqn.bin (examples/study.hpp), into the study.*
// keys of DIR/results.json.
template <class S>
int study_measure(const Options& o) {
  using Net = typename S::Net;
  using SaeT = typename S::SaeT;
  constexpr int D = SaeT::kIn;
  const int k = o.k > 0 ? int(o.k) : study_k(D);
  if (k > SaeT::kFeatures) return fail("--k: %d is more than the %s preset's %d features", k, S::kName, SaeT::kFeatures);
  const long steps = o.sae_steps > 0 ? o.sae_steps : kStudySaeSteps;
  auto net = std::make_unique<Net>();
  Status s = load_mlp(*net, in_dir(o.out, "dqn.bin").c_str());
  if (!s.ok()) return fail(s);
  const auto t0 = std::chrono::steady_clock::now();
  Rng rng(o.seed);
  Rng study_rng = rng.split();  // (train-dqn drew its own streams from this seed)
  std::fprintf(stderr, "sweep: TopK SAE %d -> %d, k %d, %ld steps of %d, on %d greedy-play positions and on every "
               "legal position\n", D, SaeT::kFeatures, k, steps, S::kSaeBatch, kStudyPositions);
  const StudyRun r = study_run<Net, typename S::Game, SaeT, S::kSaeBatch>(*net, k, steps, study_rng);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  print_study_run(r, SaeT::kFeatures, seconds);
  s = update_results(o.out, [&](Results& res) { set_study_keys(res, r, k, SaeT::kFeatures, steps, seconds); });
  return s.ok() ? 0 : fail(s);
}

// One run of the study protocol, in DIR/run-I: seed I + 1, the same budget for every run.
int study_one(const Options& o, const char* dir) {
  Options ro = o;
  ro.out = dir;
  ro.seed = (unsigned long long)study_seed(int(o.run));
  ro.steps = o.steps > 0 ? o.steps : kStudyBudget;
  ro.eval_every = ro.steps > 1000 ? ro.steps : 1000;  // the exact evaluation at the end suffices
  ro.games = o.games < 2000 ? o.games : 2000;
  const int rc = cmd_train_dqn(ro);
  if (rc != 0) return rc;
  return with_setup(ro, true, [&](auto setup) { return study_measure<decltype(setup)>(ro); });
}

// One run of the study protocol on the pellet maze, in DIR/run-I: the DQN of pellets_dqn_recipe()
// at the sweep's budget, scored by its mean score on --games games (no expectimax reference),
// then study_run_pellets on its hidden layer.
int pellets_study_one(const Options& o, const char* dir) {
  using T = PelletsTypes;
  Options ro = o;
  ro.out = dir;
  ro.seed = (unsigned long long)study_seed(int(o.run));
  ro.games = o.games < 2000 ? o.games : 2000;
  DqnTrainConfig config = with_steps(pellets_dqn_recipe(), o.steps > 0 ? o.steps : kPelletsStudyBudget);
  config.eval_every = config.steps;
  auto agent = std::make_unique<T::Agent>();
  Rng rng(ro.seed);
  PelletsScores dqn;
  int rc = pellets_dqn_stage(ro, config, "pellets", int(ro.games), 0, *agent, rng, &dqn);
  if (rc != 0) return rc;
  const int k = o.k > 0 ? int(o.k) : study_k(T::kHidden);
  if (k > T::SaeT::kFeatures) return fail("--k: %d is more than the SAE's %d features", k, T::SaeT::kFeatures);
  const long steps = o.sae_steps > 0 ? o.sae_steps : kStudySaeSteps;
  const auto t0 = std::chrono::steady_clock::now();
  Rng study_rng = rng.split();
  const StudyRun r = study_run_pellets<T::Net, T::Game, T::SaeT, T::kSaeBatch>(agent->online, k, steps, ro.seed + 1000,
                                                                             study_rng);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  print_study_run(r, T::SaeT::kFeatures, seconds);
  const Status s = update_results(dir, [&](Results& res) { set_study_keys(res, r, k, T::SaeT::kFeatures, steps, seconds); });
  return s.ok() ? 0 : fail(s);
}

int run_one(const Options& o) {
  char dir[1100];
  sweep_run_dir(o.out, int(o.run), dir, sizeof dir);
  Status s = make_dir(o.out);
  if (s.ok()) s = make_dir(dir);
  if (!s.ok()) return fail(s);
  const int rc = !study_protocol(o) ? sweep_one(o, dir) : pellets_game(o) ? pellets_study_one(o, dir) : study_one(o, dir);
  if (rc != 0) return rc;
  const std::string done = in_dir(dir, "done");
  FILE* f = std::fopen(done.c_str(), "w");
  if (!f || std::fclose(f) != 0) return fail("%s: cannot write", done.c_str());
  return 0;
}

}  // namespace

int cmd_sweep(const Options& o) {
  if (o.protocol && !study_protocol(o) && std::strcmp(o.protocol, "default") != 0)
    return fail("--protocol: unknown protocol '%s' (default | study)", o.protocol);
  const bool study = study_protocol(o);
  if (!study && o.k > 0) return fail("--k: only the study protocol takes it (the default protocol's SAEs use the recipe's)");
  if (pellets_game(o) && !study) return fail("--game pellets: only the study protocol plays the pellet maze");
  if (pellets_game(o) && (o.preset || o.board))
    return fail("--game pellets takes no %s (the pellet maze has one network)", o.preset ? "--preset" : "--board");
  if (o.run >= 0) {
    if (o.run >= o.runs) return fail("--run %ld is not below --runs %ld", o.run, o.runs);
    return run_one(o);
  }
  Status s = make_dir(o.out);
  if (!s.ok()) return fail(s);
  int failed = 0;
  if (!o.collect) {
    const auto t0 = std::chrono::steady_clock::now();
    // the options every run shares
    const long budget = pellets_game(o) ? kPelletsStudyBudget : kStudyBudget;
    const long steps = o.steps > 0 ? o.steps : study ? budget : 800000;
    const long sae_steps = o.sae_steps > 0 ? o.sae_steps : study ? kStudySaeSteps : 2000;
    std::string values[5] = {std::to_string(steps), std::to_string(sae_steps), std::to_string(o.games),
                             std::to_string(o.k), std::to_string(o.threads)};
    const char* args[20];
    int n = 0;
    for (const char* a : {"--protocol", study ? "study" : "default", "--steps", values[0].c_str(), "--sae-steps",
                          values[1].c_str(), "--games", values[2].c_str(), "--game", o.game})
      args[n++] = a;
    if (o.preset) args[n++] = "--preset", args[n++] = o.preset;
    if (o.board) args[n++] = "--board", args[n++] = o.board == 5 ? "5" : o.board == 6 ? "6" : o.board == 7 ? "7" : "8";
    if (o.k > 0) args[n++] = "--k", args[n++] = values[3].c_str();
    if (o.threads > 0) args[n++] = "--threads", args[n++] = values[4].c_str();
    args[n] = nullptr;
    std::fprintf(stderr, "sweep: protocol %s on %s, %ld runs, %ld jobs at a time, %s %ld steps\n",
                 study ? "study" : "default", pellets_game(o) ? "the pellet maze" : "the rook checkmate", o.runs, o.jobs,
                 study ? "each" : "the longest", steps);
    failed = sweep_spawn(g_program, o.out, int(o.runs), int(o.jobs), args);
    std::fprintf(stderr, "sweep: %ld runs in %.0f s, %d failed (logs in %s/run-I.log)\n", o.runs,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), failed, o.out);
  }
  const int merged = study ? study_collect(o.out, int(o.runs), stdout) : sweep_collect(o.out, int(o.runs), stdout);
  if (merged == 0) return fail("no finished run in %s", o.out);
  if (study)
    std::printf("wrote %s/sweep.json and %s/sweep.csv (%d runs)\n", o.out, o.out, merged);
  else
    std::printf("wrote %s/sweep.csv, %s/sweep.json and %s/sweep.svg (%d runs)\n", o.out, o.out, o.out, merged);
  return failed ? 1 : 0;
}

}  // namespace saerl
