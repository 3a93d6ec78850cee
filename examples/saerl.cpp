// saerl — the command-line program: train a DQN on the 5x5 rook checkmate, evaluate it, watch
// it play, and solve the game exactly. Run `saerl --help`.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "../core/mlp_io.hpp"
#include "../dqn/evaluate.hpp"
#include "../dqn/train.hpp"
#include "../gridworld/render.hpp"
#include "../sae/matching_pursuit.hpp"
#include "../sae/metrics.hpp"
#include "../sae/sae_io.hpp"
#include "cli.hpp"
#include "export_c.hpp"
#include "directory.hpp"
#include "export.hpp"
#include "pipeline.hpp"
#include "presets.hpp"
#include "quantized_policy.hpp"
#include "report.hpp"
#include "results.hpp"
#include "run_checkpoint.hpp"
#include "sweep.hpp"

namespace {

using namespace saerl;
using Game = RookCheckmate<5>;
using Solver = RookSolver<5>;

const char* kUsage =
    "usage: saerl <command> [options]\n"
    "\n"
    "commands:\n"
    "  run         the whole study: train-dqn, train-sae for every variant, report\n"
    "  train-dqn   train a DQN on the 5x5 rook checkmate; writes DIR/dqn.bin, DIR/results.json\n"
    "  train-sae   train a sparse autoencoder on DIR/dqn.bin's hidden layer; writes\n"
    "              DIR/sae-VARIANT.bin and adds sae.VARIANT.* to DIR/results.json\n"
    "  report      label every SAE in DIR against ground truth; writes DIR/report.html\n"
    "  sweep       many DQNs of spread-out quality, an SAE on each: live features vs quality\n"
    "              (--runs N --jobs J; --run I for one run; --collect to merge)\n"
    "  eval        evaluate DIR/dqn.bin against the random black\n"
    "  play        play one game with DIR/dqn.bin, showing the board and Q-values\n"
    "  solve       solve the game exactly and print a summary\n"
    "  export-c    DIR/dqn.bin and the --variant SAE's encoder, float and int8, as a C++ header\n"
    "              DIR/saerl_model.hpp for firmware (examples/mcu); prints int8's agreement\n"
    "  export      write DIR/dqn.bin, every DIR/sae-VARIANT.bin and the activation dataset\n"
    "              as .safetensors (PyTorch, SAELens names) or .npy files under DIR/export/\n"
    "\n"
    "options:\n"
    "  --preset NAME     default | paper | tiny                  (default: default)\n"
    "  --seed N          one seed fixes every random draw        (default: 1)\n"
    "  --out DIR         where models and results go             (default: out)\n"
    "  --steps N         environment steps to train              (default: the preset's)\n"
    "  --games N         evaluation games                        (default: 10000)\n"
    "  --eval-every N    steps between progress evaluations      (default: 50000)\n"
    "  --lr X, --lr-end X, --n-step N, --double-dqn 0|1, --target-every N, --train-every N,\n"
    "  --hidden-noise X  override the preset's DQN hyperparameters (hidden-noise: the std of\n"
    "                    the noise injected into the SAE's layer in training; 0: off)\n"
    "  --variant V       train-sae: relu | topk | batchtopk | jumprelu   (default: topk)\n"
    "  --k N, --l1 X, --l0 X, --q-fidelity X, --sae-steps N\n"
    "                    train-sae: features per input (topk, batchtopk), L1 and L0\n"
    "                    coefficients, weight of the Q-fidelity term (0: off), steps\n"
    "  --policy-fidelity X, --policy-temperature T\n"
    "                    train-sae: weight of the KL between the DQN's softmax(Q / T)\n"
    "                    policies with and without the SAE (0: off), and T (default 0.01)\n"
    "  --pursuit 0|1     train-sae: also measure matching pursuit   (default: 1)\n"
    "  --runs N, --jobs J, --run I, --collect\n"
    "                    sweep: runs in all, processes at a time, one run alone, merge only;\n"
    "                    --steps is then the longest run's steps (default 800000)\n"
    "  --format F        export: safetensors | npy              (default: safetensors)\n"
    "  --checkpoint-every N  train-dqn, train-sae: save the whole training state every N steps\n"
    "                    to DIR/dqn.ckpt or DIR/sae-VARIANT.ckpt (written, then renamed)\n"
    "  --resume          train-dqn, train-sae: go on from that checkpoint (same options); ends\n"
    "                    bit-identical to an uninterrupted run\n"
    "  --help            this text\n"
    "\n"
    "exit status: 0 done; 1 training diverged (a NaN or infinity; the message names the step and\n"
    "the tensor, and the last checkpoint is kept); 2 a bad option or a file that cannot be read\n"
    "or written. A failed run never overwrites a model.\n";

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The trained network of DIR/dqn.bin.
template <class Net>
Status load_dqn(const Options& o, Net& net) {
  char path[1024];
  std::snprintf(path, sizeof path, "%s/dqn.bin", o.out);
  return load_mlp(net, path);
}

std::unique_ptr<Solver> solve_game() {
  auto solver = std::make_unique<Solver>();
  solver->solve(1.0f);
  return solver;
}

void print_evaluation(FILE* f, const RookEvaluation& e) {
  std::fprintf(f,
               "  games %d: checkmate %.4f, moves to mate %.2f, illegal %.4f, blunder %.4f, "
               "stalemate %.4f, timeout %.4f\n  optimal action rate %.4f, extra moves vs perfect %.2f\n",
               e.games, e.checkmate_rate, e.mean_moves_to_mate, e.illegal_rate, e.blunder_rate,
               e.stalemate_rate, e.timeout_rate, e.optimal_action_rate, e.mean_extra_moves);
}

// Adds the DQN's keys to DIR/results.json (keeping what other commands wrote there).
Status write_dqn_results(const char* dir, const RookEvaluation& e, double train_seconds, double to_095,
                         long episodes, long steps, long updates, const char* preset, unsigned long long seed,
                         const long* curve_steps, const double* curve_rates, int curve_points) {
  char path[1024];
  std::snprintf(path, sizeof path, "%s/results.json", dir);
  static Results r;
  Status s = r.load(path);
  if (!s.ok()) return s;
  r.set_text("dqn.preset", preset);
  r.set("dqn.seed", double(seed));
  r.set("dqn.checkmate_rate", e.checkmate_rate);
  r.set("dqn.mean_moves_to_mate", e.mean_moves_to_mate);
  r.set("dqn.illegal_rate", e.illegal_rate);
  r.set("dqn.blunder_rate", e.blunder_rate);
  r.set("dqn.stalemate_rate", e.stalemate_rate);
  r.set("dqn.timeout_rate", e.timeout_rate);
  r.set("dqn.optimal_action_rate", e.optimal_action_rate);
  r.set("dqn.mean_extra_moves", e.mean_extra_moves);
  r.set("dqn.mean_return", e.mean_return);
  r.set("dqn.eval_games", e.games);
  r.set("dqn.train_seconds", train_seconds);
  if (to_095 >= 0) r.set("dqn.seconds_to_0_95", to_095); else r.set_null("dqn.seconds_to_0_95");
  r.set("dqn.episodes", double(episodes));
  r.set("dqn.steps", double(steps));
  r.set("dqn.updates", double(updates));
  for (int i = 0; i < curve_points; ++i) {  // dqn.curve.<step, zero-padded so keys sort by step>
    char key[64];
    std::snprintf(key, sizeof key, "dqn.curve.%010ld", curve_steps[i]);
    r.set(key, curve_rates[i]);
  }
  return r.save(path);
}

// Fails early when DIR/results.json cannot be merged into, so that a run never fails after it
// has written its model.
Status check_results(const char* dir) {
  char path[1024];
  std::snprintf(path, sizeof path, "%s/results.json", dir);
  static Results r;
  return r.load(path);
}

// Training diverged: say where, and what is left on disk. Exit status 1.
int diverged(const Status& s, const char* checkpoint) {
  const bool kept = access(checkpoint, F_OK) == 0;
  std::fprintf(stderr, "error: %s; %s%s\n", s.message, kept ? checkpoint : "no model or checkpoint written",
               kept ? " is the last good checkpoint" : "");
  return 1;
}

template <class Preset>
int train_dqn(const Options& o) {
  using Agent = typename Preset::Agent;
  Status s = make_dir(o.out);
  if (s.ok()) s = check_results(o.out);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  const long total = o.steps > 0 ? o.steps : Preset::kSteps;
  const bool tty = isatty(fileno(stderr));
  auto solver = solve_game();
  auto agent = std::make_unique<Agent>();
  Rng rng(o.seed);
  Rng eval_rng = rng.split();
  DqnConfig config = Preset::config();
  if (o.lr > 0) config.lr = float(o.lr);
  if (o.n_step > 0) config.n_step = int(o.n_step);
  if (o.double_dqn >= 0) config.double_dqn = o.double_dqn != 0;
  if (o.target_every > 0) config.target_every = int(o.target_every);
  if (o.train_every > 0) config.train_every = int(o.train_every);
  if (o.hidden_noise >= 0) config.hidden_noise = float(o.hidden_noise);
  agent->init(config, rng);
  DqnRunner<Agent, Game> runner;
  runner.epsilon = Preset::epsilon();
  runner.epsilon.steps = total / 2;
  runner.learning_rate = Preset::learning_rate(total);
  if (o.lr > 0 && runner.learning_rate.start > 0) runner.learning_rate.start = float(o.lr);
  if (o.lr_end > 0) runner.learning_rate = {config.lr, float(o.lr_end), total};  // config.lr -> lr_end
  Game env;
  env.reset(rng);

  // the loop's state besides the above, and the checkpoint of it all (examples/run_checkpoint.hpp)
  TestHooks hooks = TestHooks::from_environment();
  DqnProgress p;
  p.run = dqn_run_text(o, Preset::kName, total);
  char ckpt[1024];
  std::snprintf(ckpt, sizeof ckpt, "%s/dqn.ckpt", o.out);
  auto fields = [&](auto& ar) { dqn_run_fields(ar, p, *agent, runner, env, rng, eval_rng); };
  if (o.resume && access(ckpt, F_OK) != 0) {
    std::fprintf(stderr, "train-dqn: no checkpoint %s: starting at step 0\n", ckpt);
  } else if (o.resume) {
    const RunText expected = p.run;
    s = load_checkpoint(ckpt, kDqnRunKind, fields);
    if (s.ok()) s = check_dqn_run(ckpt, p, expected, total, *agent, runner, env);
    if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
    std::fprintf(stderr, "train-dqn: resuming from %s at step %ld\n", ckpt, p.t);
  }

  std::fprintf(stderr, "train-dqn: preset %s, %ld steps, seed %llu\n", Preset::kName, total, o.seed);
  const auto t0 = std::chrono::steady_clock::now();
  const long first = p.t + 1;
  const double seconds_before = p.seconds;
  for (long t = first; t <= total; ++t) {
    hooks.before_step(t);
    if (t == hooks.nan_at_step) agent->online.params[0] = std::nanf("");
    runner.step(*agent, env, rng);
    if (!runner.health.ok()) return diverged(runner.health, ckpt);
    if (t % o.eval_every == 0 || t == total) {
      const auto te = std::chrono::steady_clock::now();
      RookEvaluation e = evaluate_rook(*agent, static_cast<const Solver*>(nullptr), 1000, eval_rng);
      p.eval_seconds += seconds_since(te);
      const double elapsed = seconds_before + seconds_since(t0);
      if (p.to_095 < 0 && e.checkmate_rate >= 0.95) p.to_095 = elapsed;
      p.curve_steps[p.curve_points] = t;
      p.curve_rates[p.curve_points] = e.checkmate_rate;
      p.curve_points += p.curve_points < DqnProgress::kCurveMax - 1;
      const double rate = (t - first + 1) / seconds_since(t0), eta = (total - t) / rate;
      std::fprintf(stderr, "%s  step %ld/%ld  episodes %ld  updates %ld  checkmate %.3f  %.0f steps/s  ETA %.0fs%s",
                   tty ? "\r" : "", t, total, runner.episodes, agent->updates, e.checkmate_rate, rate, eta,
                   tty ? "   " : "\n");
    }
    if (o.checkpoint_every > 0 && t % o.checkpoint_every == 0 && t < total) {
      p.t = t;
      p.seconds = seconds_before + seconds_since(t0);
      s = agent->check_finite(t);
      if (!s.ok()) return diverged(s, ckpt);
      s = save_run_checkpoint(ckpt, kDqnRunKind, hooks, fields);
      if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
    }
  }
  const double train_seconds = seconds_before + seconds_since(t0);
  if (tty) std::fprintf(stderr, "\n");
  s = agent->check_finite(total);
  if (!s.ok()) return diverged(s, ckpt);

  char path[1024];
  std::snprintf(path, sizeof path, "%s/dqn.bin", o.out);
  s = save_mlp(agent->online, path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  RookEvaluation e = evaluate_rook(*agent, solver.get(), int(o.games), eval_rng);
  std::printf("preset %s, seed %llu: trained %.1f s (%.1f s of it periodic evaluation), %ld episodes, %ld updates\n",
              Preset::kName, o.seed, train_seconds, p.eval_seconds, runner.episodes, agent->updates);
  if (p.to_095 >= 0) std::printf("  checkmate rate first >= 0.95 after %.1f s\n", p.to_095);
  print_evaluation(stdout, e);
  s = write_dqn_results(o.out, e, train_seconds, p.to_095, runner.episodes, runner.steps, agent->updates, Preset::kName,
                        o.seed, p.curve_steps, p.curve_rates, p.curve_points);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  std::remove(ckpt);  // the run is complete: its checkpoint has served
  std::printf("wrote %s and %s/results.json\n", path, o.out);
  return 0;
}

bool parse_variant(const char* name, SaeVariant* v) {
  for (int i = 0; i <= int(SaeVariant::jumprelu); ++i)
    if (std::strcmp(name, sae_variant_name(SaeVariant(i))) == 0) return *v = SaeVariant(i), true;
  return false;
}

template <class Preset>
int train_sae(const Options& o) {
  using Net = typename Preset::Net;
  using SaeT = typename Preset::SaeT;
  constexpr int B = Preset::kSaeBatch, D = SaeT::kIn;
  using Dataset = ActivationDataset<float, D, 8192>;
  static_assert(HiddenLayer<Net>::kWidth == D, "the preset's SAE must read the DQN's hidden width");

  SaeVariant variant;
  if (!parse_variant(o.variant, &variant))
    return std::fprintf(stderr, "error: --variant: unknown variant '%s' (relu | topk | batchtopk | jumprelu)\n", o.variant), 2;
  if (o.k > SaeT::kFeatures)
    return std::fprintf(stderr, "error: --k: %ld is more than the %s preset's %d features\n", o.k, Preset::kName,
                        SaeT::kFeatures), 2;
  auto net = std::make_unique<Net>();
  Status s = load_dqn(o, *net);
  if (s.ok()) s = check_results(o.out);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  char path[1024];

  // every legal position's hidden vector, 80% to train on, 20% held out
  Rng rng(o.seed);
  auto data = std::make_unique<Dataset>();
  collect_all_positions<Net, Game>(*net, *data);
  data->shuffle_split(rng, 0.2);
  float mean[D];
  data->mean(0, data->train_size, mean);

  SaeConfig config = sae_config(variant);
  if (o.k > 0) config.k = int(o.k);
  if (o.l1 >= 0) config.l1 = float(o.l1);
  if (o.l0 >= 0) config.l0 = float(o.l0);
  const long steps = o.sae_steps > 0 ? o.sae_steps : config.total_steps > 0 ? config.total_steps : Preset::kSaeSteps;
  config.total_steps = steps;
  const float q_coeff = o.q_fidelity >= 0 ? float(o.q_fidelity) : 0.0f;
  auto sae = std::make_unique<SaeT>();
  sae->init(variant, config.k, mean, rng, /*initial_threshold=*/0.1f);
  auto trainer = std::make_unique<SaeTrainer<SaeT, B>>();
  trainer->init(config);
  auto qfid = std::make_unique<QFidelity<Net, B>>();
  qfid->net = net.get();
  qfid->coeff = q_coeff;
  if (o.policy_fidelity >= 0) qfid->policy_coeff = float(o.policy_fidelity);
  if (o.policy_temperature > 0) qfid->temperature = float(o.policy_temperature);
  auto batch = std::make_unique<float[]>(size_t(B) * D);

  // the loop's state besides the above, and the checkpoint of it all (examples/run_checkpoint.hpp)
  TestHooks hooks = TestHooks::from_environment();
  SaeProgress p;
  p.run = sae_run_text(o, Preset::kName, steps, fnv1a64(net->params, sizeof net->params));
  char ckpt[1024];
  std::snprintf(ckpt, sizeof ckpt, "%s/sae-%s.ckpt", o.out, sae_variant_name(variant));
  auto fields = [&](auto& ar) { sae_run_fields(ar, p, *sae, *trainer, rng); };
  if (o.resume && access(ckpt, F_OK) != 0) {
    std::fprintf(stderr, "train-sae: no checkpoint %s: starting at step 0\n", ckpt);
  } else if (o.resume) {
    const RunText expected = p.run;
    s = load_checkpoint(ckpt, kSaeRunKind, fields);
    if (s.ok()) s = check_sae_run(ckpt, p, expected, steps, *sae, *trainer);
    if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
    std::fprintf(stderr, "train-sae: resuming from %s at step %ld\n", ckpt, p.t);
  }

  std::fprintf(stderr, "train-sae: %s, %d -> %d features, %ld steps of %d, q-fidelity %g, policy fidelity %g (t %g), "
               "on %d positions (%d held out)\n", sae_variant_name(variant), D, SaeT::kFeatures, steps, B,
               double(q_coeff), double(qfid->policy_coeff), double(qfid->temperature), data->size,
               data->size - data->train_size);
  const bool tty = isatty(fileno(stderr));
  const auto t0 = std::chrono::steady_clock::now();
  const long report = steps / 20 > 0 ? steps / 20 : 1, first = p.t + 1;
  const double seconds_before = p.seconds;
  for (long t = first; t <= steps; ++t) {
    hooks.before_step(t);
    for (int b = 0; b < B; ++b) copy(data->row(int(rng.below(uint32_t(data->train_size)))), batch.get() + b * D, D);
    if (t == hooks.nan_at_step) batch[0] = std::nanf("");
    qfid->x = batch.get();
    trainer->step(*sae, batch.get(), B, rng, *qfid);
    if (!trainer->health.ok()) return diverged(trainer->health, ckpt);
    if (variant == SaeVariant::relu && t % 1500 == 0 && t <= steps / 2)
      trainer->resample_dead(*sae, data->row(0), data->train_size, rng);
    if (t % report == 0 || t == steps) {
      const double el = seconds_since(t0), rate = (t - first + 1) / el;
      std::fprintf(stderr, "%s  step %ld/%ld  loss %.5f  mse %.5f  dead %d  %.0f steps/s  ETA %.0fs%s", tty ? "\r" : "",
                   t, steps, double(trainer->last_loss), double(trainer->last_mse), trainer->dead_count(), rate,
                   (steps - t) / rate, tty ? "   " : "\n");
    }
    if (o.checkpoint_every > 0 && t % o.checkpoint_every == 0 && t < steps) {
      p.t = t;
      p.seconds = seconds_before + seconds_since(t0);
      s = trainer->check_finite(*sae);
      if (!s.ok()) return diverged(s, ckpt);
      s = save_run_checkpoint(ckpt, kSaeRunKind, hooks, fields);
      if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  const double train_seconds = seconds_before + seconds_since(t0);
  s = trainer->check_finite(*sae);
  if (!s.ok()) return diverged(s, ckpt);

  auto work = std::make_unique<SaeBatch<SaeT, B>>();
  const SaeMetrics m = evaluate_sae(*sae, *data, data->train_size, data->size, *work);
  // inference-time optimisation: matching pursuit over the same dictionary, same budget
  const int pursuit_k = o.pursuit == 0 ? 0 : variant == SaeVariant::topk || variant == SaeVariant::batchtopk ? config.k : 16;
  const double ito_fvu = pursuit_k ? pursuit_fvu(*sae, data->row(data->train_size), data->size - data->train_size, pursuit_k) : -1;
  const SpliceFidelity f = measure_splice<Net, SaeT, Game>(*net, *sae, mean, int(o.games), o.seed + 1, pursuit_k);

  std::snprintf(path, sizeof path, "%s/sae-%s.bin", o.out, sae_variant_name(variant));
  s = save_sae(*sae, path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  std::printf("%-10s %7s %6s %5s %5s %9s %9s %9s %8s\n", "variant", "FVU", "L0", "dead", "dense", "agreement",
              "spliced", "recovered", "seconds");
  std::printf("%-10s %7.4f %6.2f %5d %5d %9.4f %9.4f %9.4f %8.1f\n", sae_variant_name(variant), m.fvu, m.l0, m.dead,
              m.dense, f.action_agreement, f.checkmate_rate, f.return_recovered, train_seconds);
  if (o.pursuit)
    std::printf("%-10s %7.4f %6d %5s %5s %9.4f %9.4f %9.4f   (matching pursuit over the same dictionary)\n",
                "+pursuit", ito_fvu, pursuit_k, "", "", f.pursuit_action_agreement, f.pursuit_checkmate_rate,
                f.pursuit_return_recovered);
  std::printf("  original checkmate rate %.4f; returns: original %.2f, spliced %.2f, zero-ablated %.2f, mean-ablated %.2f\n",
              f.original_checkmate_rate, f.original_return, f.mean_return, f.zero_return, f.mean_ablation_return);

  char key[64], results_path[1024];
  std::snprintf(results_path, sizeof results_path, "%s/results.json", o.out);
  static Results r;
  s = r.load(results_path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  auto put = [&](const char* name, double v) {
    std::snprintf(key, sizeof key, "sae.%s.%s", sae_variant_name(variant), name);
    r.set(key, v);
  };
  put("fvu", m.fvu);
  put("mse", m.mse);
  put("l0", m.l0);
  put("dead", m.dead);
  put("dense", m.dense);
  put("features", SaeT::kFeatures);
  put("action_agreement", f.action_agreement);
  put("spliced_checkmate_rate", f.checkmate_rate);
  put("original_checkmate_rate", f.original_checkmate_rate);
  put("return_recovered", f.return_recovered);
  put("q_fidelity", q_coeff);
  put("policy_fidelity", qfid->policy_coeff);
  put("policy_temperature", qfid->temperature);
  put("pursuit_fvu", ito_fvu);
  put("pursuit_l0", pursuit_k);
  put("pursuit_action_agreement", f.pursuit_action_agreement);
  put("pursuit_spliced_checkmate_rate", f.pursuit_checkmate_rate);
  put("pursuit_return_recovered", f.pursuit_return_recovered);
  put("k", config.k);
  put("l1_coefficient", config.l1);  // (not "l0": that key is the measured L0 above)
  put("l0_coefficient", config.l0);
  put("train_seconds", train_seconds);
  for (int b = 0; b < kDensityBins; ++b) {  // features per density bin (sae/metrics.hpp)
    char bin[24];
    std::snprintf(bin, sizeof bin, "density.%d", b);
    put(bin, m.histogram[b]);
  }
  s = r.save(results_path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  std::remove(ckpt);  // the run is complete: its checkpoint has served
  std::printf("wrote %s and added sae.%s.* to %s\n", path, sae_variant_name(variant), results_path);
  return 0;
}

// Labels the features of every DIR/sae-<variant>.bin: writes DIR/features-<variant>.json and the
// features.* keys of DIR/results.json, then draws DIR/report.html from those files alone.
template <class Preset>
int report(const Options& o) {
  using Net = typename Preset::Net;
  using SaeT = typename Preset::SaeT;
  using Env = typename Preset::Env;
  constexpr int N = Env::kSize;
  const auto t0 = std::chrono::steady_clock::now();
  auto net = std::make_unique<Net>();
  char path[1024];
  Status s = load_dqn(o, *net);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  auto solver = std::make_unique<RookSolver<N>>();
  solver->solve(1.0f);
  static Results results;
  std::snprintf(path, sizeof path, "%s/results.json", o.out);
  s = results.load(path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;

  auto sae = std::make_unique<SaeT>();
  auto analysis = std::make_unique<FeatureAnalysis<SaeT, N>>();
  int found = 0;
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const char* name = sae_variant_name(SaeVariant(v));
    char sae_path[1024], features_path[1024], key[96];
    std::snprintf(sae_path, sizeof sae_path, "%s/sae-%s.bin", o.out, name);
    std::snprintf(features_path, sizeof features_path, "%s/features-%s.json", o.out, name);
    s = load_sae(*sae, sae_path);
    if (!s.ok() && access(sae_path, F_OK) != 0) {  // no SAE of this variant: no stale features file either
      std::remove(features_path);
      continue;
    }
    if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
    ++found;
    s = analyse_rook_features(*net, *sae, solver->dtm, *analysis);
    if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
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
      render_position<N>(Env::from_index(analysis->data.source[r.top_rows[order[0]][0]]), board, sizeof board);
      std::printf("  feature %d is strongest on:\n%s", order[0], board);
    }
    auto read = std::make_unique<ReadOut<N>>();
    s = read_out(*net, *sae, *analysis, o.seed, *read);
    if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
    std::printf("  SAE (raw neurons): coverage %.3f (%.3f), coverage_other %.3f (%.3f), board_f1 %.3f (%.3f), "
                "board_exact %.3f (%.3f); probes over %d predicates, accuracy (balanced): SAE codes %.3f (%.3f), "
                "Q-values %.3f (%.3f), majority %.3f (0.5)\n",
                read->sae.coverage, read->neurons.coverage, read->sae.coverage_other, read->neurons.coverage_other,
                read->sae.board_f1, read->neurons.board_f1, read->sae.board_exact, read->neurons.board_exact,
                ReadOut<N>::P, read->sae_mean, read->sae_balanced_mean, read->q_mean, read->q_balanced_mean,
                read->baseline_mean);
    std::snprintf(key, sizeof key, "features.%s.live", name);
    results.set(key, r.live);
    set_supervised_keys(results, name, read->sae);  // features.<v>.coverage, coverage_other, board_f1, board_exact
    set_supervised_keys(results, "neurons", read->neurons);
    std::snprintf(key, sizeof key, "features.%s.probe_accuracy", name);
    results.set(key, read->sae_mean);
    std::snprintf(key, sizeof key, "features.%s.probe_balanced_accuracy", name);
    results.set(key, read->sae_balanced_mean);
    results.set("features.q_values.probe_accuracy", read->q_mean);
    results.set("features.q_values.probe_balanced_accuracy", read->q_balanced_mean);
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
    std::printf("  %d features labelled with precision >= %.1f and recall >= %.1f; %d predicates beyond the "
                "Q-values\n", labeled, kLabelPrecision, kLabelRecall, read->beyond_q);
    auto ablation = std::make_unique<Ablation<SaeT::kFeatures>>();
    ablation_effects<Env>(*net, *sae, 1000, o.seed + 2, *ablation);
    if (ablation->top_count > 0) {
      const int j = ablation->top[0];
      std::printf("  most influential feature %d: ablating it changes the action in %ld of %ld positions; "
                  "checkmate rate %.3f -> %.3f\n", j, ablation->changed[j], ablation->active[j],
                  ablation->base_checkmate, ablation->top_checkmate[0]);
    }
    s = write_json_file(features_path, features_json(name, *analysis, *ablation, *read));
    if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  }
  if (!found) return std::fprintf(stderr, "error: no %s/sae-<variant>.bin to report on (run train-sae first)\n", o.out), 2;
  results.set("report.seconds", seconds_since(t0));
  s = results.save(path);
  if (s.ok()) s = write_report_html(o.out);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  std::printf("wrote %s/features-<variant>.json, %s and %s/report.html\n", o.out, path, o.out);
  return 0;
}

// The whole study: the DQN, one SAE of each variant, the report, and a final table.
template <class Preset>
int run_all(const Options& o) {
  int rc = train_dqn<Preset>(o);
  for (int v = 0; rc == 0 && v <= int(SaeVariant::jumprelu); ++v) {
    Options ov = o;
    ov.variant = sae_variant_name(SaeVariant(v));
    rc = train_sae<Preset>(ov);
  }
  if (rc == 0) rc = report<Preset>(o);
  if (rc != 0) return rc;
  static Results r;
  char path[1024];
  std::snprintf(path, sizeof path, "%s/results.json", o.out);
  Status s = r.load(path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  auto value = [&](const char* a, const char* b, const char* c) {
    char key[64];
    std::snprintf(key, sizeof key, "%s.%s.%s", a, b, c);
    return r.number(key, -1.0);
  };
  std::printf("\n%-10s %7s %6s %9s %9s %9s %9s\n", "variant", "FVU", "L0", "agreement", "spliced", "coverage", "board_f1");
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const char* n = sae_variant_name(SaeVariant(v));
    std::printf("%-10s %7.4f %6.2f %9.4f %9.4f %9.3f %9.3f\n", n, value("sae", n, "fvu"), value("sae", n, "l0"),
                value("sae", n, "action_agreement"), value("sae", n, "spliced_checkmate_rate"),
                value("features", n, "coverage"), value("features", n, "board_f1"));
  }
  std::printf("DQN checkmate rate %s; results in %s/results.json and %s/report.html\n",
              r.find("dqn.checkmate_rate") ? value_text(*r.find("dqn.checkmate_rate")).c_str() : "?", o.out, o.out);
  return 0;
}

char g_self[1024] = "saerl";  // this program's path, for the sweep's child processes

// One run of the sweep, in DIR/run-I: a DQN trained for a length that grows with I, then the
// study's SAE (relu) and the TopK control, with lighter evaluation than train-sae's defaults.
template <class Preset>
int sweep_one(const Options& o) {
  static char dir[1100], done[1200];
  const int run = int(o.run), runs = int(o.runs);
  sweep_run_dir(o.out, run, dir, sizeof dir);
  Status s = make_dir(o.out);
  if (s.ok()) s = make_dir(dir);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  Options ro = o;
  ro.out = dir;
  ro.seed = 1000 + (unsigned long long)run;
  ro.steps = sweep_steps(run, runs, o.steps > 0 ? o.steps : 800000);
  ro.games = o.games < 2000 ? o.games : 2000;  // lighter evaluation than train-dqn's
  int rc = train_dqn<Preset>(ro);
  const char* variants[2] = {"relu", "topk"};
  for (int v = 0; rc == 0 && v < 2; ++v) {
    ro.variant = variants[v];
    ro.sae_steps = o.sae_steps > 0 ? o.sae_steps : 2000;
    ro.games = o.games < 500 ? o.games : 500;
    ro.pursuit = 0;
    rc = train_sae<Preset>(ro);
  }
  if (rc != 0) return rc;
  std::snprintf(done, sizeof done, "%s/done", dir);
  FILE* f = std::fopen(done, "w");
  if (!f || std::fclose(f) != 0) return std::fprintf(stderr, "error: %s: cannot write\n", done), 2;
  return 0;
}

template <class Preset>
int sweep(const Options& o) {
  if (o.run >= 0) {
    if (o.run >= o.runs) return std::fprintf(stderr, "error: --run %ld is not below --runs %ld\n", o.run, o.runs), 2;
    return sweep_one<Preset>(o);
  }
  Status s = make_dir(o.out);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  int failed = 0;
  if (!o.collect) {
    const auto t0 = std::chrono::steady_clock::now();
    failed = sweep_spawn(g_self, o.out, o.preset, int(o.runs), int(o.jobs), o.steps > 0 ? o.steps : 800000,
                         o.sae_steps > 0 ? o.sae_steps : 2000, o.games);
    std::fprintf(stderr, "sweep: %ld runs in %.0f s, %d failed (logs in %s/run-I.log)\n", o.runs, seconds_since(t0), failed, o.out);
  }
  const int merged = sweep_collect(o.out, int(o.runs), stdout);
  if (merged == 0) return std::fprintf(stderr, "error: no finished run in %s\n", o.out), 2;
  std::printf("wrote %s/sweep.csv, %s/sweep.json and %s/sweep.svg (%d runs)\n", o.out, o.out, o.out, merged);
  return failed ? 1 : 0;
}

template <class Preset>
int eval_dqn(const Options& o) {
  auto agent = std::make_unique<typename Preset::Agent>();
  Status s = load_dqn(o, agent->online);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  auto solver = solve_game();
  Rng rng(o.seed);
  print_evaluation(stdout, evaluate_rook(*agent, solver.get(), int(o.games), rng));
  return 0;
}

template <class Preset>
int play(const Options& o) {
  auto agent = std::make_unique<typename Preset::Agent>();
  Status s = load_dqn(o, agent->online);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  Rng rng(o.seed);
  Game env;
  env.reset(rng);
  char board[render_position_size<5>()], name[16];
  for (;;) {
    render_position<5>(env.pos, board, sizeof board);
    float q[Game::kActions];
    agent->q_values(env.pos, q);
    const int a = argmax(q, Game::kActions);
    std::printf("%s\nQ-values:", board);
    for (int i = 0; i < Game::kActions; ++i) std::printf("%s%s %.2f", i % 6 ? ", " : "\n  ", Game::action_name(i, name, sizeof name), q[i]);
    const auto r = env.step(a, rng);
    std::printf("\nmove %d: %s -> reward %.0f\n\n", env.moves, Game::action_name(a, name, sizeof name), r.reward);
    if (r.done) {
      render_position<5>(env.pos, board, sizeof board);
      std::printf("%s\ngame over: %s after %d moves\n", board, Game::outcome_name(r.outcome), env.moves);
      return 0;
    }
  }
}

// The policy and one SAE's encoder as a C++ header for firmware (examples/mcu/), with the
// int8 quantization's agreement with float measured here.
template <class Preset>
int export_c(const Options& o) {
  using Net = typename Preset::Net;
  using SaeT = typename Preset::SaeT;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  SaeVariant variant;
  if (!parse_variant(o.variant, &variant))
    return std::fprintf(stderr, "error: --variant: unknown variant '%s' (relu | topk | batchtopk | jumprelu)\n", o.variant), 2;
  auto net = std::make_unique<Net>();
  Status s = load_dqn(o, *net);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  auto sae = std::make_unique<SaeT>();
  char path[1024];
  std::snprintf(path, sizeof path, "%s/sae-%s.bin", o.out, o.variant);
  s = load_sae(*sae, path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;

  auto enc = std::make_unique<SaeEncoder<float, D, M>>();
  auto qenc = std::make_unique<QuantizedSaeEncoder<D, M>>();
  auto qnet = std::make_unique<QuantizedMlpOf<Net>>();
  encoder_of(*sae, *enc);
  std::vector<float> observations, hidden;  // every legal position: calibrates the int8 rounding
  const int positions = rook_calibration<Game>(*net, observations, hidden);
  quantize_mlp_calibrated(*net, observations.data(), positions, *qnet);
  const int gained = tune_output_rounding(*net, observations.data(), positions, *qnet);
  std::printf("int8: tuning the output layer's rounding gained %d agreements\n", gained);
  quantize_encoder_calibrated(*enc, hidden.data(), positions, *qenc);

  auto solver = solve_game();
  auto analysis = std::make_unique<FeatureAnalysis<SaeT>>();
  s = analyse_rook_features(*net, *sae, solver->dtm, *analysis);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  static char lines[M][160];
  static const char* labels[M];
  for (int j = 0; j < M; ++j) {
    describe_feature(analysis->report, j, predicate_phrase, lines[j], sizeof lines[j]);
    labels[j] = lines[j];
  }

  const Int8Agreement agree = int8_agreement<Game>(*net, *enc, *qnet, *qenc);
  auto policy = std::make_unique<QuantizedPolicy<Game, QuantizedMlpOf<Net>>>();
  policy->net = qnet.get();
  Rng rng(o.seed);
  const RookEvaluation e = evaluate_rook(*policy, solver.get(), int(o.games), rng);
  const double float_bytes = sizeof(Net) + sizeof(*enc), int8_bytes = sizeof(*qnet) + sizeof(*qenc);
  // the weight matrices alone (int8 with their float scales, against float)
  const double float_matrices = 4.0 * (QuantizedMlpOf<Net>::kWeights + D * M);
  const double int8_matrices = QuantizedMlpOf<Net>::kWeights + D * M + 4.0 * (Net::kUnits + M);
  std::printf("int8 over %d legal positions: action agreement %.4f, same active features %.4f\n"
              "  action agreement where float's top two Q-values differ by >= 0.01: %.4f (%d positions)\n"
              "int8 policy over %d games: checkmate %.4f\n"
              "parameters: float %.0f bytes, int8 %.0f bytes (%.2fx smaller); weight matrices %.2fx smaller\n",
              agree.positions, agree.action_agreement, agree.feature_agreement, agree.decisive_agreement,
              agree.decisive_positions, e.games, e.checkmate_rate,
              float_bytes, int8_bytes, float_bytes / int8_bytes, float_matrices / int8_matrices);

  std::string text;
  c_model_header(*net, *enc, *qnet, *qenc, labels, HiddenLayer<Net>::kLayer, Preset::kName, text);
  std::snprintf(path, sizeof path, "%s/saerl_model.hpp", o.out);
  const detail::Chunk chunk{text.data(), text.size()};
  s = detail::write_atomically(path, &chunk, 1);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;

  static Results results;
  char results_path[1024];
  std::snprintf(results_path, sizeof results_path, "%s/results.json", o.out);
  s = results.load(results_path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  results.set("int8.action_agreement", agree.action_agreement);
  results.set("int8.feature_agreement", agree.feature_agreement);
  results.set("int8.decisive_action_agreement", agree.decisive_agreement);
  results.set("int8.checkmate_rate", e.checkmate_rate);
  results.set("int8.float_bytes", float_bytes);
  results.set("int8.int8_bytes", int8_bytes);
  s = results.save(results_path);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  std::printf("wrote %s (%zu bytes)\n", path, text.size());
  return 0;
}

int solve(const Options&) {
  const auto t0 = std::chrono::steady_clock::now();
  auto solver = solve_game();
  const Solver::Summary s = solver->summary();
  std::printf("5x5 rook checkmate, solved in %.2f s\n  legal positions (white to move): %d\n"
              "  won for white: %d\n  longest forced mate: %d moves\n",
              seconds_since(t0), s.legal_positions, s.won_positions, s.longest_mate);
  return 0;
}

template <class Preset>
int export_files(const Options& o) {
  ExportFormat format;
  if (!parse_export_format(o.format, &format))
    return std::fprintf(stderr, "error: --format: unknown format '%s' (safetensors | npy)\n", o.format), 2;
  auto net = std::make_unique<typename Preset::Net>();
  Status s = load_dqn(o, *net);
  if (s.ok()) s = export_run<typename Preset::SaeT, Game>(*net, o.out, format, stdout);
  if (!s.ok()) return std::fprintf(stderr, "error: %s\n", s.message), 2;
  return 0;
}

template <class Preset>
int run_command(const char* command, const Options& o) {
  if (std::strcmp(command, "train-dqn") == 0) return train_dqn<Preset>(o);
  if (std::strcmp(command, "train-sae") == 0) return train_sae<Preset>(o);
  if (std::strcmp(command, "report") == 0) return report<Preset>(o);
  if (std::strcmp(command, "run") == 0) return run_all<Preset>(o);
  if (std::strcmp(command, "sweep") == 0) return sweep<Preset>(o);
  if (std::strcmp(command, "eval") == 0) return eval_dqn<Preset>(o);
  if (std::strcmp(command, "export-c") == 0) return export_c<Preset>(o);
  if (std::strcmp(command, "play") == 0) return play<Preset>(o);
  if (std::strcmp(command, "export") == 0) return export_files<Preset>(o);
  return solve(o);
}

}  // namespace

int main(int argc, char** argv) {
  const ssize_t len = readlink("/proc/self/exe", g_self, sizeof g_self - 1);
  if (len > 0) g_self[len] = '\0'; else std::snprintf(g_self, sizeof g_self, "%s", argv[0]);
  if (argc < 2) return std::fputs("error: no command given (see saerl --help)\n", stderr), 2;
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const char* command = argv[1];
  const char* commands[] = {"run", "train-dqn", "train-sae", "report", "sweep", "eval", "play", "solve", "export",
                            "export-c"};
  bool known = false;
  for (const char* c : commands) known |= std::strcmp(c, command) == 0;
  if (!known) {
    std::fprintf(stderr, "error: unknown command '%s' (see saerl --help)\n", command);
    return 2;
  }
  Options o;
  Status s = parse_options(argc, argv, 2, &o);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.message);
    return 2;
  }
  if (o.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (std::strcmp(o.preset, "default") == 0) return run_command<DefaultPreset>(command, o);
  if (std::strcmp(o.preset, "paper") == 0) return run_command<PaperPreset>(command, o);
  if (std::strcmp(o.preset, "tiny") == 0) return run_command<TinyPreset>(command, o);
  std::fprintf(stderr, "error: --preset: unknown preset '%s' (default | paper | tiny)\n", o.preset);
  return 2;
}
