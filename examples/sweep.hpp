// saerl/examples/sweep.hpp — the follow-up study's experiment: many DQNs, SAEs on each, and how
// the count of live features tracks the DQN's quality (docs/SWEEP.md).
//
//   saerl sweep --runs 16 --jobs 2 --out sweep      # runs as parallel processes, then collects
//   saerl sweep --run 3 --runs 16 --out sweep       # one run, alone (a cluster job array)
//   saerl sweep --collect --runs 16 --out sweep     # merge whatever runs are finished
//
// Run I lives in DIR/run-I/ (dqn.bin, results.json, ...) and is finished when DIR/run-I/done
// exists; finished runs are skipped, so a stopped sweep resumes.
// --protocol default: run I trains with seed 1000 + I for S/20 + (S - S/20) I / (N - 1) steps,
// S = --steps (800,000 by default: 40,000 to 800,000); sweep_collect merges.
// --protocol study: every run trains for the same steps with seed I + 1 (examples/study.hpp
// measures it); study_collect merges, with study_fits.
#pragma once
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../core/base/rng.hpp"
#include "../core/analysis/statistics.hpp"
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

// Runs `self sweep --run I --runs N --out DIR <args>` for every unfinished run, at most `jobs`
// at a time, each with its output in DIR/run-I.log; `args` (nullptr-terminated) are the options
// every run shares. Returns how many runs failed.
inline int sweep_spawn(const char* self, const char* out, int runs, int jobs, const char* const* args) {
  int running = 0, failed = 0;
  auto wait_one = [&] {
    int status = 0;
    if (wait(&status) > 0) {
      --running;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
  };
  int extra = 0;
  while (args && args[extra]) ++extra;
  for (int i = 0; i < runs; ++i) {
    if (sweep_run_done(out, i)) continue;
    while (running >= jobs) wait_one();
    char run[16], count[16];
    std::snprintf(run, sizeof run, "%d", i);
    std::snprintf(count, sizeof count, "%d", runs);
    const pid_t pid = fork();
    if (pid == 0) {
      char log[1100];
      std::snprintf(log, sizeof log, "%s/run-%d.log", out, i);
      if (!std::freopen(log, "w", stdout) || !std::freopen(log, "a", stderr)) _exit(2);
      const char* argv[64];
      int n = 0;
      for (const char* a : {self, "sweep", "--run", (const char*)run, "--runs", (const char*)count, "--out", out}) argv[n++] = a;
      for (int e = 0; e < extra && n < 63; ++e) argv[n++] = args[e];
      argv[n] = nullptr;
      execvp(self, const_cast<char* const*>(argv));
      _exit(127);
    }
    if (pid < 0) {
      ++failed;
      continue;
    }
    ++running;
    std::fprintf(stderr, "sweep: started run %d of %d\n", i, runs);
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

// The study protocol (--protocol study, docs/SWEEP.md): every run trains for the same number of
// steps with seed I + 1; its results.json holds the DQN's dqn.* keys and the study.* keys of
// examples/study.hpp (study_pellets.hpp on the pellet maze). sweep.json holds one object per run
// under "runs" and, under "fits", the DQN's score (the rook's exact return ratio
// dqn.return_ratio, the pellet maze's dqn.mean_score) against its live features on greedy-play data; "fits_all" is
// the same against the visitation control's live features (every legal position, or uniformly
// drawn states on the pellet maze).

inline long study_seed(int run) { return run + 1L; }

// Score y against live-feature count x, with z (distinct states) as the control.
struct StudyFits {
  int n = 0;
  bool linear_ok = false, quadratic_ok = false;  // false: too few runs, or x constant
  PolyFit linear, quadratic;
  Correlation c;   // Pearson and Spearman with 95% bootstrap intervals (Spearman's: "ci")
  double partial = 0;  // partial Pearson correlation of x and y controlling for z
};

inline StudyFits study_fits(const double* x, const double* y, const double* z, int n, uint64_t seed) {
  StudyFits f;
  f.n = n;
  f.linear_ok = polyfit(x, y, n, 1, &f.linear).ok();
  f.quadratic_ok = polyfit(x, y, n, 2, &f.quadratic).ok();
  f.c = correlate(x, y, n, seed);
  f.partial = partial_correlation(x, y, z, n);
  return f;
}

// {"n", "x", "y", "linear": {"coefficients": [c0, c1], "r2"}, "quadratic": {...}, "spearman":
// {"rho", "ci": [lo, hi]}, "pearson": {"r", "ci"}, "partial": {"r", "controlling"}}; a fit that
// cannot be made is null. Coefficients lowest power first: y = c0 + c1 x + c2 x^2.
inline Json study_fits_json(const StudyFits& f, const char* x, const char* y, const char* z) {
  auto fit = [](bool ok, const PolyFit& p) {
    if (!ok) return json_null();
    Json o = json_object();
    o.set("coefficients", json_numbers(p.coef, size_t(p.degree + 1)));
    o.set("r2", json_number(p.r2));
    return o;
  };
  auto pair = [](const Interval& i) {
    const double v[2] = {i.low, i.high};
    return json_numbers(v, 2);
  };
  Json o = json_object();
  o.set("n", json_number(f.n));
  o.set("x", json_string(x));
  o.set("y", json_string(y));
  o.set("linear", fit(f.linear_ok, f.linear));
  o.set("quadratic", fit(f.quadratic_ok, f.quadratic));
  Json s = json_object();
  s.set("rho", json_number(f.c.spearman));
  s.set("ci", pair(f.c.spearman_ci));
  o.set("spearman", s);
  Json p = json_object();
  p.set("r", json_number(f.c.pearson));
  p.set("ci", pair(f.c.pearson_ci));
  o.set("pearson", p);
  Json q = json_object();
  q.set("r", json_number(f.partial));
  q.set("controlling", json_string(z));
  o.set("partial", q);
  return o;
}

// Each run's object in sweep.json: its key there, and where it comes from in results.json
// (`fallback` when the run has no `source`: the same measure under the other game's name).
struct StudyKey {
  const char* name;
  const char* source;
  const char* fallback = nullptr;
};
inline const StudyKey* study_keys(int* count) {
  static const StudyKey keys[] = {
      {"seed", "dqn.seed"},
      {"steps", "dqn.steps"},
      {"score", "dqn.return_ratio", "dqn.mean_score"},  // the rook's, else the pellet maze's
      {"live_on_policy", "study.live_on_policy"},
      {"live_all", "study.live_all"},
      {"distinct_states", "study.distinct_states"},
      {"distinct_positions", "study.distinct_positions"},  // placements of the pieces (rook: = states)
      {"exact_return", "dqn.exact_return"},
      {"exact_mate_prob", "dqn.exact_mate_prob"},
      {"exact_moves_to_mate", "dqn.exact_moves_to_mate"},
      {"extra_moves", "dqn.extra_moves"},
      {"optimal_action_rate_all", "dqn.optimal_action_rate_all"},
      {"checkmate_rate", "dqn.checkmate_rate"},
      {"illegal_rate", "dqn.illegal_rate"},
      {"blunder_rate", "dqn.blunder_rate"},
      {"mean_return", "dqn.mean_return"},
      {"mean_score", "dqn.mean_score"},  // the pellet maze's keys (null for the rook's runs)
      {"clear_rate", "dqn.clear_rate"},
      {"capture_rate", "dqn.capture_rate"},
      {"fvu_on_policy", "study.fvu_on_policy"},
      {"l0_on_policy", "study.l0_on_policy"},
      {"fvu_all", "study.fvu_all"},
      {"l0_all", "study.l0_all"},
  };
  *count = int(sizeof keys / sizeof keys[0]);
  return keys;
}

// Reads DIR/run-I/results.json of every finished run; writes DIR/sweep.json and DIR/sweep.csv;
// prints the table and the fits. Returns the number of runs merged (0: nothing written).
inline int study_collect(const char* out, int runs, FILE* report) {
  int nkeys = 0;
  const StudyKey* keys = study_keys(&nkeys);
  std::vector<std::vector<double>> rows;  // per run: its run index, then keys[] in order
  Json list = json_array();
  Results r, first;
  for (int i = 0; i < runs; ++i) {
    if (!sweep_run_done(out, i)) continue;
    char path[1100];
    std::snprintf(path, sizeof path, "%s/run-%d/results.json", out, i);
    if (!r.load(path).ok() || !r.find("study.live_on_policy")) continue;
    if (rows.empty()) first = r;
    std::vector<double> row(static_cast<size_t>(nkeys) + 1);
    row[0] = i;
    Json o = json_object();
    o.set("run", json_number(i));
    for (int k = 0; k < nkeys; ++k) {
      const Json* v = r.find(keys[k].source);
      if (!v && keys[k].fallback) v = r.find(keys[k].fallback);
      row[size_t(k) + 1] = v && v->kind == Json::Kind::number ? v->number : -1;
      o.set(keys[k].name, v ? *v : json_null());
    }
    list.push(o);
    rows.push_back(row);
  }
  const int n = int(rows.size());
  if (n == 0) return 0;
  auto column = [&](const char* name) {
    std::vector<double> c(static_cast<size_t>(n));
    for (int k = 0; k < nkeys; ++k)
      if (std::strcmp(keys[k].name, name) == 0)
        for (int i = 0; i < n; ++i) c[size_t(i)] = rows[size_t(i)][size_t(k) + 1];
    return c;
  };
  // the partial correlation holds the placements visited (on the rook, the states; on the
  // pellet maze nearly every state is new through its pellets, so the placements say more)
  const std::vector<double> score = column("score"), live = column("live_on_policy"), live_all = column("live_all"),
                            distinct = column("distinct_positions");
  const StudyFits f = study_fits(live.data(), score.data(), distinct.data(), n, 11);
  const StudyFits fa = study_fits(live_all.data(), score.data(), distinct.data(), n, 13);
  Results s;  // (Results refuses NaN and infinities, and writes atomically)
  s.set_text("protocol", "study");
  for (const char* key : {"study.k", "study.features", "study.positions", "study.sae_steps"})
    if (const Json* v = first.find(key)) s.set(key + 6, *v);
  s.set("runs", list);
  s.set("fits", study_fits_json(f, "live_on_policy", "score", "distinct_positions"));
  s.set("fits_all", study_fits_json(fa, "live_all", "score", "distinct_positions"));
  char path[1100];
  std::snprintf(path, sizeof path, "%s/sweep.json", out);
  Status st = s.save(path);
  if (!st.ok()) std::fprintf(stderr, "error: %s\n", st.message);
  std::snprintf(path, sizeof path, "%s/sweep.csv", out);
  if (FILE* c = std::fopen(path, "w")) {
    std::fputs("run", c);
    for (int k = 0; k < nkeys; ++k) std::fprintf(c, ",%s", keys[k].name);
    std::fputs("\n", c);
    for (const std::vector<double>& row : rows) {
      std::fprintf(c, "%.0f", row[0]);
      for (int k = 0; k < nkeys; ++k) std::fprintf(c, ",%.10g", row[size_t(k) + 1]);
      std::fputs("\n", c);
    }
    std::fclose(c);
  }
  std::fprintf(report, "%4s %5s %9s %8s %10s %9s %10s %9s %9s\n", "run", "seed", "steps", "score", "mate|clear",
               "live pol.", "live all", "distinct", "placed");
  const std::vector<double> seed = column("seed"), steps = column("steps"), mate_prob = column("exact_mate_prob"),
                            clear = column("clear_rate"), states = column("distinct_states");
  const bool pellets = first.find("dqn.clear_rate") != nullptr;
  const std::vector<double>& mate = pellets ? clear : mate_prob;
  for (int i = 0; i < n; ++i)
    std::fprintf(report, "%4.0f %5.0f %9.0f %8.4f %10.4f %9.0f %10.0f %9.0f %9.0f\n", rows[size_t(i)][0],
                 seed[size_t(i)], steps[size_t(i)], score[size_t(i)], mate[size_t(i)], live[size_t(i)],
                 live_all[size_t(i)], states[size_t(i)], distinct[size_t(i)]);
  for (const StudyFits* g : {&f, &fa}) {
    std::fprintf(report, "score vs %s over %d runs: Spearman %.3f [%.3f, %.3f], Pearson %.3f, partial (distinct "
                 "placements held) %.3f", g == &f ? "live_on_policy" : "live_all", n, g->c.spearman, g->c.spearman_ci.low,
                 g->c.spearman_ci.high, g->c.pearson, g->partial);
    if (g->linear_ok) std::fprintf(report, ", linear r2 %.3f", g->linear.r2);
    if (g->quadratic_ok) std::fprintf(report, ", quadratic r2 %.3f", g->quadratic.r2);
    std::fputs("\n", report);
  }
  return st.ok() ? n : 0;
}

}  // namespace saerl
