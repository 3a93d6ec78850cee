// saerl train-sae: train one sparse autoencoder on DIR/dqn.bin's hidden layer (every legal
// position's activation, a held-out part for FVU and L0), measure it, and save
// DIR/sae-<variant>.bin and the sae.<variant>.* keys of DIR/results.json.
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "../../core/io/mlp_io.hpp"
#include "../../gridworld/rook_exact.hpp"
#include "../../sae/matching_pursuit.hpp"
#include "../../sae/metrics.hpp"
#include "../../sae/sae_io.hpp"
#include "../../sae/train.hpp"
#include "../pipeline.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "run_checkpoint.hpp"
#include "sae_results.hpp"

namespace saerl {
namespace {

template <class S>
int train(const Options& o) {
  using Net = typename S::Net;
  using Game = typename S::Game;
  using SaeT = typename S::SaeT;
  constexpr int B = S::kSaeBatch, D = SaeT::kIn;
  using Dataset = ActivationDataset<float, D, Game::kLegalPositions>;
  static_assert(HiddenLayer<Net>::kWidth == D, "the preset's SAE must read the DQN's hidden width");

  SaeVariant variant = SaeVariant::topk;
  if (o.variant && !parse_sae_variant(o.variant, &variant))
    return fail("--variant: unknown variant '%s' (relu | topk | batchtopk | jumprelu)", o.variant);
  const char* name = sae_variant_name(variant);
  if (o.k > SaeT::kFeatures) return fail("--k: %ld is more than the %s preset's %d features", o.k, S::kName, SaeT::kFeatures);
  Recipe recipe;
  Status s = recipe_for<S>(o, &recipe);
  auto net = std::make_unique<Net>();
  if (s.ok()) s = load_mlp(*net, in_dir(o.out, "dqn.bin").c_str());
  if (s.ok()) s = check_results(o.out);
  if (!s.ok()) return fail(s);

  // every legal position's hidden vector; a part held out
  Rng rng(o.seed);
  auto data = std::make_unique<Dataset>();
  collect_all_positions<Net, Game>(*net, *data);
  data->shuffle_split(rng, recipe.holdout);
  float mean[D];
  data->mean(0, data->train_size, mean);

  SaeRecipe sr = recipe.sae[int(variant)];
  apply_sae_options(o, &sr);
  const SaeConfig& config = sr.config;
  const long steps = sr.steps;
  auto sae = std::make_unique<SaeT>();
  sae->init(variant, config.k, mean, rng, recipe.initial_threshold);
  auto trainer = std::make_unique<SaeTrainer<SaeT, B>>();
  trainer->init(config);
  auto qfid = std::make_unique<QFidelity<Net, B>>();
  qfid->net = net.get();
  qfid->coeff = sr.q_fidelity;
  qfid->policy_coeff = sr.policy_fidelity;
  qfid->temperature = sr.policy_temperature;
  auto batch = std::make_unique<float[]>(size_t(B) * D);

  // the loop's state besides the above, and the checkpoint of it all (run_checkpoint.hpp)
  TestHooks hooks = TestHooks::from_environment();
  SaeProgress p;
  p.run = sae_run_text(S::kName, S::kBoard, o.seed, name, sr, fnv1a64(net->params, sizeof net->params));
  const std::string ckpt = in_dir(o.out, "sae-%s.ckpt", name), model = in_dir(o.out, "sae-%s.bin", name);
  auto fields = [&](auto& ar) { sae_run_fields(ar, p, *sae, *trainer, rng); };
  if (o.resume && !file_exists(ckpt)) return fail("--resume: no checkpoint %s to resume from", ckpt.c_str());
  if (o.resume) {
    const RunText expected = p.run;
    s = load_checkpoint(ckpt.c_str(), kSaeRunKind, fields);
    if (s.ok()) s = check_sae_run(ckpt.c_str(), p, expected, steps, *sae, *trainer);
    if (!s.ok()) return fail(s);
    std::fprintf(stderr, "train-sae: resuming from %s at step %ld\n", ckpt.c_str(), p.t);
  }

  std::fprintf(stderr, "train-sae: %s, %d -> %d features, %ld steps of %d, q-fidelity %g, policy fidelity %g (t %g), "
               "on %d positions (%d held out)\n", name, D, SaeT::kFeatures, steps, B, double(sr.q_fidelity),
               double(sr.policy_fidelity), double(sr.policy_temperature), data->size, data->size - data->train_size);
  auto diverged = [&](const Status& st) {
    const bool kept = file_exists(ckpt);
    std::fprintf(stderr, "error: %s; %s%s\n", st.message, kept ? ckpt.c_str() : "no model or checkpoint written",
                 kept ? " is the last good checkpoint" : "");
    return 1;
  };
  Progress line("train-sae", steps, "steps");
  const double seconds_before = p.seconds;
  struct Callbacks : SaeCallbacks {
    TestHooks* hooks;
    QFidelity<Net, B>* qfid;
    SaeTrainer<SaeT, B>* trainer;
    Progress* line;
    std::function<Status(long)> save;
    void before_step(long t, float* batch) {
      hooks->before_step(t);
      if (t == hooks->nan_at_step) batch[0] = std::nanf("");
      qfid->x = batch;
    }
    void progress(long t) {
      if (t % 50 != 0) return;
      char note[80];
      std::snprintf(note, sizeof note, "loss %.5f  mse %.5f  dead %d", double(trainer->last_loss),
                    double(trainer->last_mse), trainer->dead_count());
      line->update(t, note);
    }
    Status checkpoint(long t) { return save(t); }
  } cb;
  cb.hooks = &hooks;
  cb.qfid = qfid.get();
  cb.trainer = trainer.get();
  cb.line = &line;
  cb.save = [&](long t) {
    p.t = t;
    p.seconds = seconds_before + line.seconds();
    return save_run_checkpoint(ckpt.c_str(), kSaeRunKind, hooks, fields);
  };
  SaeRun run;
  run.steps = steps;
  run.resample_every = recipe.resample_every;
  run.checkpoint_every = o.checkpoint_every;
  s = train_sae(run, *sae, *trainer, data->row(0), data->train_size, rng, batch.get(), *qfid, cb);
  line.finish();
  if (s.code == StatusCode::diverged) return diverged(s);
  if (!s.ok()) return fail(s);
  const double train_seconds = seconds_before + line.seconds();

  std::fprintf(stderr, "train-sae: measuring %s\n", name);
  auto work = std::make_unique<SaeWorkspace<SaeT, B>>();
  const SaeMetrics m = evaluate_sae(*sae, *data, data->train_size, data->size, *work);
  const int pursuit_k = pursuit_budget(o, config);
  const double ito_fvu =
      pursuit_k ? pursuit_fvu(*sae, data->row(data->train_size), data->size - data->train_size, pursuit_k) : -1;
  auto exact = std::make_unique<RookExact<S::kBoard>>();  // the spliced policies, judged exactly
  s = exact->init(Game::Opponent::random);
  if (!s.ok()) return fail(s);
  auto dqn_actions = std::make_unique<uint8_t[]>(Game::kLegalPositions);
  auto sae_actions = std::make_unique<uint8_t[]>(Game::kLegalPositions);
  const SpliceFidelity f =
      measure_splice<Net, SaeT, Game>(*net, *sae, mean, *exact, pursuit_k, dqn_actions.get(), sae_actions.get());
  // dead features on one stated set: every legal position, and the positions greedy play reaches
  const SaeMetrics all = evaluate_sae(*sae, *data, 0, data->size, *work);
  const SaeMetrics visited = evaluate_visited(*sae, *data, *exact, dqn_actions.get(), *work);
  // the same on the training and held-out parts apart: how far the SAE generalises
  const SaeMetrics trained = evaluate_sae(*sae, *data, 0, data->train_size, *work);
  const double heldout_agreement =
      row_agreement(*data, *exact, dqn_actions.get(), sae_actions.get(), data->train_size, data->size);

  s = save_sae(*sae, model.c_str());
  if (!s.ok()) return fail(s);
  std::printf("%-10s %7s %6s %5s %5s %9s %9s %9s %9s %8s\n", "variant", "FVU", "L0", "dead", "dense", "agreement",
              "ratio", "rec.zero", "rec.mean", "seconds");
  std::printf("%-10s %7.4f %6.2f %5d %5d %9.4f %9.4f %9.4f %9.4f %8.1f\n", name, m.fvu, m.l0, all.dead, m.dense,
              f.action_agreement, f.spliced_return_ratio, f.return_recovered_zero, f.return_recovered_mean, train_seconds);
  std::printf("  training positions: FVU %.4f; held-out positions: FVU %.4f, action agreement %.4f\n", trained.fvu,
              m.fvu, heldout_agreement);
  if (o.pursuit)
    std::printf("%-10s %7.4f %6d %5s %5s %9.4f %9.4f   (matching pursuit over the same dictionary)\n", "+pursuit",
                ito_fvu, pursuit_k, "", "", f.pursuit_action_agreement, f.pursuit_return_ratio);
  std::printf("  exact expected return over every legal start: DQN %.2f, spliced %.2f (mate %.4f), z_1 zeroed %.2f, "
              "z_1 at its mean %.2f\n", f.original.expected_return, f.spliced.expected_return, f.spliced.mate_prob,
              f.zero.expected_return, f.mean.expected_return);

  s = update_results(o.out, [&](Results& r) {
    const SaeKeys put{&r, name};
    set_sae_metric_keys<SaeT>(put, m);
    set_sae_recipe_keys(put, variant, sr, train_seconds);
    put("dead", all.dead);  // over every legal position, as features.<v>.live
    put("dead_visited", visited.dead);
    put("visited_positions", visited.inputs);
    put("action_agreement", f.action_agreement);
    put("action_agreement_heldout", heldout_agreement);
    put("fvu_train", trained.fvu);
    put("spliced_return_ratio", f.spliced_return_ratio);
    put("spliced_mate_prob", f.spliced.mate_prob);
    put("return_recovered_zero", f.return_recovered_zero);
    put("return_recovered_mean", f.return_recovered_mean);
    put("pursuit_fvu", ito_fvu);
    put("pursuit_l0", pursuit_k);
    put("pursuit_action_agreement", f.pursuit_action_agreement);
    put("pursuit_return_ratio", f.pursuit_return_ratio);
  });
  if (!s.ok()) return fail(s);
  std::remove(ckpt.c_str());  // the run is complete: its checkpoint has served
  std::printf("wrote %s and added sae.%s.* to %s\n", model.c_str(), name, in_dir(o.out, "results.json").c_str());
  return 0;
}

}  // namespace

int cmd_train_sae(const Options& o) {
  return with_setup(o, true, [&](auto setup) { return train<decltype(setup)>(o); });
}

}  // namespace saerl
