// saerl run: the whole study in one command: train-dqn, train-sae for every variant, report,
// then a table of the headline figures. --quick does it at a small scale for a first look;
// --game pellets does it on the pellet maze (run_pellets.cpp).
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>

#include "commands.hpp"

#ifndef SAERL_COMMIT
#define SAERL_COMMIT "unknown"  // the Makefile passes `git describe` of the build
#endif

namespace saerl {

extern std::string g_command_line;

Status note_run(const char* dir, const char* started, double seconds) {
  return update_results(dir, [&](Results& r) {
    r.set_text("run.command", g_command_line.c_str());
    r.set_text("run.version", "0.2.0");
    r.set_text("run.commit", SAERL_COMMIT);
    r.set_text("run.started", started);
    r.set("run.seconds", seconds);
  });
}

int cmd_run(const Options& given) {
  Options o = given;
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  char started[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  if (o.quick) {  // a minute on a laptop core: the pipeline, not the results
    if (o.steps <= 0) o.steps = 120000;
    if (o.sae_steps <= 0) o.sae_steps = 600;
    o.games = o.games < 500 ? o.games : 500;
    o.pursuit = 0;
  }
  if (std::strcmp(o.game, "pellets") == 0) return cmd_run_pellets(o, started, t0);
  int rc = cmd_train_dqn(o);
  for (int v = 0; rc == 0 && v <= int(SaeVariant::jumprelu); ++v) {
    Options ov = o;
    ov.variant = sae_variant_name(SaeVariant(v));
    ov.preset = nullptr, ov.board = 0;  // from dqn.bin
    rc = cmd_train_sae(ov);
  }
  if (rc == 0) {
    const Status noted = note_run(o.out, started, seconds());
    if (!noted.ok()) return fail(noted);
    Options orep = o;
    orep.preset = nullptr, orep.board = 0;
    rc = cmd_report(orep);
  }
  if (rc != 0) return rc;
  Results r;
  Status s = note_run(o.out, started, seconds());
  if (s.ok()) s = r.load(in_dir(o.out, "results.json").c_str());
  if (!s.ok()) return fail(s);
  auto value = [&](const char* a, const char* b, const char* c) {
    char key[96];
    std::snprintf(key, sizeof key, "%s.%s.%s", a, b, c);
    return r.number(key, -1.0);
  };
  std::printf("\nDQN: return ratio %.4f, mate probability %.5f, moves to mate %.2f (optimal %.2f), trained %.0f s\n",
              r.number("dqn.return_ratio", -1), r.number("dqn.exact_mate_prob", -1),
              r.number("dqn.exact_moves_to_mate", -1), r.number("dqn.optimal_moves_to_mate", -1),
              r.number("dqn.train_seconds", -1));
  std::printf("%-10s %7s %6s %9s %9s %9s %9s\n", "variant", "FVU", "L0", "agreement", "ratio", "coverage", "board_f1");
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const char* n = sae_variant_name(SaeVariant(v));
    std::printf("%-10s %7.4f %6.2f %9.4f %9.4f %9.3f %9.3f\n", n, value("sae", n, "fvu"), value("sae", n, "l0"),
                value("sae", n, "action_agreement"), value("sae", n, "spliced_return_ratio"),
                value("features", n, "coverage"), value("features", n, "board_f1"));
  }
  std::printf("results in %s and %s\n", in_dir(o.out, "results.json").c_str(), in_dir(o.out, "report.html").c_str());
  return 0;
}

}  // namespace saerl
