// saerl/examples/sweep.hpp — the follow-up study's experiment: many DQNs of spread-out quality,
// the study's SAE (and TopK as a control) on each, and how the count of live features tracks
// the DQN's quality.
//
//   saerl sweep --runs 16 --jobs 2 --out sweep      # runs as parallel processes, then collects
//   saerl sweep --run 3 --runs 16 --out sweep       # one run, alone (a cluster job array)
//   saerl sweep --collect --runs 16 --out sweep     # merge whatever runs are finished
//
// Run I lives in DIR/run-I/ (dqn.bin, sae-*.bin, results.json) and is finished when
// DIR/run-I/done exists; finished runs are skipped, so a stopped sweep resumes.
// Run I trains with seed 1000 + I for S/20 + (S - S/20) I / (N - 1) steps, S = --steps
// (800,000 by default: 40,000 to 800,000).
#pragma once
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../core/rng.hpp"
#include "../core/statistics.hpp"
#include "results.hpp"

namespace saerl {

inline long sweep_steps(int run, int runs, long longest) {
  return longest / 20 + (longest - longest / 20) * run / (runs > 1 ? runs - 1 : 1);
}

inline void sweep_run_dir(const char* out, int run, char* buf, size_t cap) { std::snprintf(buf, cap, "%s/run-%d", out, run); }

inline bool sweep_run_done(const char* out, int run) {
  char dir[1100], path[1200];
  sweep_run_dir(out, run, dir, sizeof dir);
  std::snprintf(path, sizeof path, "%s/done", dir);
  struct stat st;
  return stat(path, &st) == 0;
}

// Runs `self sweep --run I ...` for every unfinished run, at most `jobs` at a time. Returns how
// many runs failed.
inline int sweep_spawn(const char* self, const char* out, const char* preset, int runs, int jobs, long longest,
                       long sae_steps, long games) {
  int running = 0, failed = 0;
  auto wait_one = [&] {
    int status = 0;
    if (wait(&status) > 0) {
      --running;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
  };
  for (int i = 0; i < runs; ++i) {
    if (sweep_run_done(out, i)) continue;
    while (running >= jobs) wait_one();
    char run[16], count[16], steps[24], sae[24], game_count[24];
    std::snprintf(game_count, sizeof game_count, "%ld", games);
    std::snprintf(run, sizeof run, "%d", i);
    std::snprintf(count, sizeof count, "%d", runs);
    std::snprintf(steps, sizeof steps, "%ld", longest);
    std::snprintf(sae, sizeof sae, "%ld", sae_steps);
    const pid_t pid = fork();
    if (pid == 0) {
      char log[1100];
      std::snprintf(log, sizeof log, "%s/run-%d.log", out, i);
      if (!std::freopen(log, "w", stdout) || !std::freopen(log, "a", stderr)) _exit(2);
      execlp(self, self, "sweep", "--run", run, "--runs", count, "--out", out, "--preset", preset, "--steps", steps,
            "--sae-steps", sae, "--games", game_count, (char*)nullptr);
      _exit(127);
    }
    if (pid < 0) {
      ++failed;
      continue;
    }
    ++running;
    std::fprintf(stderr, "sweep: started run %d of %d (%ld steps)\n", i, runs, sweep_steps(i, runs, longest));
  }
  while (running > 0) wait_one();
  return failed;
}

// One run's row of the sweep table.
struct SweepRow {
  int run = 0;
  double seed = 0, steps = 0, checkmate_rate = 0, mean_return = 0, optimal_action_rate = 0;
  double live[2] = {0, 0}, dead[2] = {0, 0}, fvu[2] = {0, 0}, l0[2] = {0, 0};  // relu, topk
};

struct Correlation {
  double pearson = 0, spearman = 0;
  Interval pearson_ci, spearman_ci;
};

// Live features (x) against the checkmate rate (y), with 95% bootstrap intervals.
inline Correlation correlate(const double* x, const double* y, int n, uint64_t seed) {
  constexpr int kMax = 10000, kResamples = 2000;
  static double scratch[4 * kMax], values[kResamples];
  static int iscratch[kMax];
  Correlation c;
  if (n > kMax) n = kMax;
  c.pearson = pearson(x, y, n);
  c.spearman = spearman(x, y, n, scratch, iscratch);
  Rng rng(seed);
  c.pearson_ci = bootstrap_pearson(x, y, n, kResamples, rng, values, scratch);
  c.spearman_ci = bootstrap_spearman(x, y, n, kResamples, rng, values, scratch, iscratch);
  return c;
}

// Reads DIR/run-I/results.json of every finished run; writes DIR/sweep.csv, DIR/sweep.json and
// DIR/sweep.svg; prints the table and the correlations. Returns the number of runs merged.
inline int sweep_collect(const char* out, int runs, FILE* report) {
  static SweepRow rows[10000];
  static Results r;
  int n = 0;
  const char* variants[2] = {"relu", "topk"};
  for (int i = 0; i < runs && n < 10000; ++i) {
    if (!sweep_run_done(out, i)) continue;
    char path[1100];
    std::snprintf(path, sizeof path, "%s/run-%d/results.json", out, i);
    if (!r.load(path).ok()) continue;
    auto get = [&](const char* key) { return r.number(key, -1.0); };
    SweepRow& row = rows[n++];
    row.run = i;
    row.seed = get("dqn.seed");
    row.steps = get("dqn.steps");
    row.checkmate_rate = get("dqn.checkmate_rate");
    row.mean_return = get("dqn.mean_return");
    row.optimal_action_rate = get("dqn.optimal_action_rate");
    for (int v = 0; v < 2; ++v) {
      char key[64];
      std::snprintf(key, sizeof key, "sae.%s.dead", variants[v]);
      row.dead[v] = get(key);
      std::snprintf(key, sizeof key, "sae.%s.features", variants[v]);
      row.live[v] = get(key) - row.dead[v];
      std::snprintf(key, sizeof key, "sae.%s.fvu", variants[v]);
      row.fvu[v] = get(key);
      std::snprintf(key, sizeof key, "sae.%s.l0", variants[v]);
      row.l0[v] = get(key);
    }
  }
  char path[1100];
  std::snprintf(path, sizeof path, "%s/sweep.csv", out);
  if (FILE* f = std::fopen(path, "w")) {
    std::fputs("run,seed,steps,checkmate_rate,mean_return,optimal_action_rate,relu_live,relu_dead,relu_fvu,relu_l0,"
               "topk_live,topk_dead,topk_fvu,topk_l0\n", f);
    for (int i = 0; i < n; ++i) {
      const SweepRow& w = rows[i];
      std::fprintf(f, "%d,%.0f,%.0f,%.4f,%.3f,%.4f,%.0f,%.0f,%.5f,%.3f,%.0f,%.0f,%.5f,%.3f\n", w.run, w.seed, w.steps,
                   w.checkmate_rate, w.mean_return, w.optimal_action_rate, w.live[0], w.dead[0], w.fvu[0], w.l0[0],
                   w.live[1], w.dead[1], w.fvu[1], w.l0[1]);
    }
    std::fclose(f);
  }
  // correlations with the checkmate rate: each SAE's live features, and the relu SAE's L0
  constexpr int kMeasures = 3;
  const char* measures[kMeasures] = {"relu_live", "topk_live", "relu_l0"};
  static double x[10000], y[10000];
  Correlation c[kMeasures];
  for (int m = 0; m < kMeasures; ++m) {
    for (int i = 0; i < n; ++i) x[i] = m < 2 ? rows[i].live[m] : rows[i].l0[0], y[i] = rows[i].checkmate_rate;
    c[m] = correlate(x, y, n, 7 + m);
  }
  std::snprintf(path, sizeof path, "%s/sweep.json", out);
  if (FILE* f = std::fopen(path, "w")) {
    std::fprintf(f, "{\n  \"runs\": %d,\n  \"correlations\": {\n", n);
    for (int m = 0; m < kMeasures; ++m)
      std::fprintf(f,
                   "    \"%s_vs_checkmate_rate\": {\"pearson\": %.4f, \"pearson_ci95\": [%.4f, %.4f], "
                   "\"spearman\": %.4f, \"spearman_ci95\": [%.4f, %.4f]}%s\n",
                   measures[m], c[m].pearson, c[m].pearson_ci.low, c[m].pearson_ci.high, c[m].spearman,
                   c[m].spearman_ci.low, c[m].spearman_ci.high, m + 1 < kMeasures ? "," : "");
    std::fputs("  }\n}\n", f);
    std::fclose(f);
  }
  // scatter plot: live relu features (x) against checkmate rate (y)
  std::snprintf(path, sizeof path, "%s/sweep.svg", out);
  if (FILE* f = std::fopen(path, "w")) {
    double lo = 1e9, hi = -1e9;
    for (int i = 0; i < n; ++i) lo = rows[i].live[0] < lo ? rows[i].live[0] : lo, hi = rows[i].live[0] > hi ? rows[i].live[0] : hi;
    if (hi <= lo) hi = lo + 1;
    std::fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"260\">"
               "<rect width=\"420\" height=\"260\" fill=\"white\" stroke=\"#ccc\"/>"
               "<text x=\"150\" y=\"254\" font-size=\"11\">live features (relu SAE)</text>"
               "<text x=\"4\" y=\"12\" font-size=\"11\">checkmate rate</text>", f);
    for (int i = 0; i < n; ++i)
      std::fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#c33\"/>", 30 + 370 * (rows[i].live[0] - lo) / (hi - lo),
                   230 - 210 * rows[i].checkmate_rate);
    std::fprintf(f, "<text x=\"30\" y=\"244\" font-size=\"10\">%.0f</text><text x=\"380\" y=\"244\" font-size=\"10\">%.0f</text></svg>\n", lo, hi);
    std::fclose(f);
  }
  std::fprintf(report, "%4s %8s %9s %8s %8s %9s %8s %9s\n", "run", "steps", "checkmate", "return", "relu live", "relu FVU",
               "topk live", "topk FVU");
  for (int i = 0; i < n; ++i)
    std::fprintf(report, "%4d %8.0f %9.4f %8.2f %8.0f %9.4f %8.0f %9.4f\n", rows[i].run, rows[i].steps, rows[i].checkmate_rate,
                 rows[i].mean_return, rows[i].live[0], rows[i].fvu[0], rows[i].live[1], rows[i].fvu[1]);
  for (int m = 0; m < kMeasures; ++m)
    std::fprintf(report, "%s vs checkmate rate over %d runs: Pearson %.3f [%.3f, %.3f], Spearman %.3f [%.3f, %.3f] (95%% bootstrap)\n",
                 measures[m], n, c[m].pearson, c[m].pearson_ci.low, c[m].pearson_ci.high, c[m].spearman, c[m].spearman_ci.low,
                 c[m].spearman_ci.high);
  return n;
}

}  // namespace saerl
