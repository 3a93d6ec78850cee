// saerl sweep: the follow-up study's experiment: many DQNs, the study's SAE (and TopK as a
// control) on each, and how the count of live features tracks the DQN's quality
// (examples/sweep.hpp: the runs as processes, the merge, the fits).
#include <chrono>
#include <string>

#include "../sweep.hpp"
#include "commands.hpp"

namespace saerl {

extern const char* g_program;

namespace {

// One run of the sweep, in DIR/run-I: a DQN trained for a length that grows with I, then the
// study's SAE (relu) and the TopK control, with lighter evaluation than train-sae's defaults.
int sweep_one(const Options& o) {
  char dir[1100];
  const int run = int(o.run), runs = int(o.runs);
  sweep_run_dir(o.out, run, dir, sizeof dir);
  Status s = make_dir(o.out);
  if (s.ok()) s = make_dir(dir);
  if (!s.ok()) return fail(s);
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
  if (rc != 0) return rc;
  const std::string done = in_dir(dir, "done");
  FILE* f = std::fopen(done.c_str(), "w");
  if (!f || std::fclose(f) != 0) return fail("%s: cannot write", done.c_str());
  return 0;
}

}  // namespace

int cmd_sweep(const Options& o) {
  if (o.run >= 0) {
    if (o.run >= o.runs) return fail("--run %ld is not below --runs %ld", o.run, o.runs);
    return sweep_one(o);
  }
  Status s = make_dir(o.out);
  if (!s.ok()) return fail(s);
  int failed = 0;
  if (!o.collect) {
    const auto t0 = std::chrono::steady_clock::now();
    failed = sweep_spawn(g_program, o.out, o.preset ? o.preset : "default", int(o.runs), int(o.jobs),
                         o.steps > 0 ? o.steps : 800000, o.sae_steps > 0 ? o.sae_steps : 2000, o.games);
    std::fprintf(stderr, "sweep: %ld runs in %.0f s, %d failed (logs in %s/run-I.log)\n", o.runs,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), failed, o.out);
  }
  const int merged = sweep_collect(o.out, int(o.runs), stdout);
  if (merged == 0) return fail("no finished run in %s", o.out);
  std::printf("wrote %s/sweep.csv, %s/sweep.json and %s/sweep.svg (%d runs)\n", o.out, o.out, o.out, merged);
  return failed ? 1 : 0;
}

}  // namespace saerl
