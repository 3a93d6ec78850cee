// saerl train-dqn: train a DQN on the rook checkmate from rewards alone (dqn/train.hpp), with
// the exact evaluation of its greedy policy as the learning curve; save DIR/dqn.bin and the
// dqn.* keys of DIR/results.json.
#include <cmath>
#include <memory>

#include "../../core/io/mlp_io.hpp"
#include "../../dqn/evaluate.hpp"
#include "../../gridworld/rook_exact.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "run_checkpoint.hpp"

namespace saerl {
namespace {

// Exact figures of a network's greedy policy against the random black.
template <class S>
struct ExactJudge {
  using Game = typename S::Game;
  RookExact<S::kBoard> exact;
  GreedyBatch<Game, typename S::Net> batch;
  uint8_t actions[Game::kPositions];

  ExactComparison judge(const typename S::Net& net) {
    batch.actions(net, exact.legal, exact.legal_count, actions);
    return exact.evaluate_actions(actions);
  }
};

// What train_dqn calls back: progress on stderr, the learning curve, checkpoints, test hooks.
template <class S, class Save>
struct Callbacks : DqnCallbacks {
  typename S::Agent* agent;
  DqnRunner<typename S::Agent, typename S::Game>* runner;
  ExactJudge<S>* judge;
  DqnProgress* state;
  Progress* line;
  TestHooks hooks;
  Save* save;  // writes the checkpoint

  void before_step(long t) {
    hooks.before_step(t);
    if (t == hooks.nan_at_step) agent->online.params[0] = std::nanf("");
  }
  void progress(long t) {
    if (t % 256 == 0) line->update(t, note_);
  }
  void evaluate(long t) {
    const auto t0 = std::chrono::steady_clock::now();
    const ExactComparison c = judge->judge(agent->online);
    DqnProgress& p = *state;
    if (p.curve_points < DqnProgress::kCurveMax) {
      p.curve_steps[p.curve_points] = t;
      p.curve_ratio[p.curve_points] = c.return_ratio;
      p.curve_mate[p.curve_points] = c.policy.mate_prob;
      ++p.curve_points;
    }
    p.eval_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::snprintf(note_, sizeof note_, "return ratio %.4f  mate %.4f  episodes %ld", c.return_ratio,
                  c.policy.mate_prob, runner->episodes);
    line->update(t, note_, true);
  }
  Status checkpoint(long) { return (*save)(); }

 private:
  char note_[96] = "";
};

template <class S>
int train(const Options& o) {
  using Game = typename S::Game;
  using Agent = typename S::Agent;
  const auto t0 = std::chrono::steady_clock::now();
  Recipe recipe;
  Status s = recipe_for<S>(o, &recipe);
  if (s.ok()) s = make_dir(o.out);
  if (s.ok()) s = check_results(o.out);
  if (!s.ok()) return fail(s);
  const DqnTrainConfig& config = recipe.dqn;
  const std::string ckpt = in_dir(o.out, "dqn.ckpt"), model = in_dir(o.out, "dqn.bin");
  if (o.resume && !file_exists(ckpt)) return fail("--resume: no checkpoint %s to resume from", ckpt.c_str());

  auto agent = std::make_unique<Agent>();
  auto runner = std::make_unique<DqnRunner<Agent, Game>>();
  auto judge = std::make_unique<ExactJudge<S>>();
  judge->exact.init(Game::Opponent::random);
  Game env;
  Rng rng(o.seed);
  Rng eval_rng = rng.split();
  start_dqn_training(config, *agent, *runner, env, rng);

  DqnProgress p;
  p.run = dqn_run_text(recipe.name, S::kBoard, o.seed, config);
  auto fields = [&](auto& ar) { dqn_run_fields(ar, p, *agent, *runner, env, rng, eval_rng); };
  if (o.resume) {
    const RunText expected = p.run;
    s = load_checkpoint(ckpt.c_str(), kDqnRunKind, fields);
    if (s.ok()) s = check_dqn_run(ckpt.c_str(), p, expected, config.steps, *agent, *runner, env);
    if (!s.ok()) return fail(s);
    std::fprintf(stderr, "train-dqn: resuming from %s at step %ld\n", ckpt.c_str(), runner->steps);
  }
  std::fprintf(stderr, "train-dqn: preset %s, %dx%d, recipe %s, %ld steps, seed %llu\n", S::kName, S::kBoard, S::kBoard,
               recipe.name, config.steps, o.seed);

  Progress line("train-dqn", config.steps, "steps");
  const double seconds_before = p.seconds;
  auto elapsed = [&] { return seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  TestHooks hooks = TestHooks::from_environment();
  auto save = [&] {
    p.seconds = elapsed();
    return save_run_checkpoint(ckpt.c_str(), kDqnRunKind, hooks, fields);
  };
  Callbacks<S, decltype(save)> cb;
  cb.agent = agent.get();
  cb.runner = runner.get();
  cb.judge = judge.get();
  cb.state = &p;
  cb.line = &line;
  cb.hooks = hooks;
  cb.save = &save;
  s = train_dqn(config, *agent, *runner, env, rng, cb);
  line.finish();
  if (!s.ok()) {
    if (s.code != StatusCode::diverged) return fail(s);
    const bool kept = file_exists(ckpt);
    std::fprintf(stderr, "error: %s; %s%s\n", s.message, kept ? ckpt.c_str() : "no model or checkpoint written",
                 kept ? " is the last good checkpoint" : "");
    return 1;
  }
  s = save_mlp(agent->online, model.c_str());
  if (!s.ok()) return fail(s);
  const double train_seconds = elapsed();

  // the final figures: exact against the random black, DTM-optimal moves, sampled games
  const ExactComparison c = judge->judge(agent->online);
  auto solver = std::make_unique<RookSolver<S::kBoard>>();
  solver->solve(1.0f);
  long dtm_optimal = 0;
  for (int l = 0; l < judge->exact.legal_count; ++l)
    dtm_optimal += solver->is_optimal_action(Game::from_index(judge->exact.legal[l]), judge->actions[l]);
  const double optimal_all = double(dtm_optimal) / judge->exact.legal_count;
  const RookEvaluation e = evaluate_rook(*agent, solver.get(), int(o.games), eval_rng);

  std::printf("preset %s %dx%d, seed %llu: trained %.1f s (%.1f s of it exact evaluation), %ld episodes, %ld updates\n",
              S::kName, S::kBoard, S::kBoard, o.seed, train_seconds, p.eval_seconds, runner->episodes, agent->updates);
  std::printf("  exact over %d starts: return ratio %.4f (%.2f of %.2f), mate %.5f, moves to mate %.2f (optimal %.2f)\n"
              "  DTM-optimal moves in all positions %.4f; sampled: checkmate %.4f over %d games\n",
              judge->exact.legal_count, c.return_ratio, c.policy.expected_return, c.optimal.expected_return,
              c.policy.mate_prob, c.policy.moves_to_mate, c.optimal.moves_to_mate, optimal_all, e.checkmate_rate,
              e.games);
  s = update_results(o.out, [&](Results& r) {
    r.set_text("dqn.preset", S::kName);
    r.set_text("dqn.recipe", recipe.name);
    r.set("dqn.board", S::kBoard);
    r.set("dqn.seed", double(o.seed));
    r.set("dqn.exact_return", c.policy.expected_return);
    r.set("dqn.optimal_return", c.optimal.expected_return);
    r.set("dqn.return_ratio", c.return_ratio);
    r.set("dqn.return_gap", c.return_gap);
    r.set("dqn.exact_mate_prob", c.policy.mate_prob);
    r.set("dqn.exact_moves_to_mate", c.policy.moves_to_mate);
    r.set("dqn.optimal_moves_to_mate", c.optimal.moves_to_mate);
    r.set("dqn.sure_mate_starts", c.sure_mate_starts);
    r.set("dqn.extra_moves", c.extra_moves);
    r.set("dqn.optimal_action_rate_all", optimal_all);
    r.set("dqn.optimal_action_rate_visited", e.optimal_action_rate);
    r.set("dqn.checkmate_rate", e.checkmate_rate);
    r.set("dqn.mean_moves_to_mate", e.mean_moves_to_mate);
    r.set("dqn.illegal_rate", e.illegal_rate);
    r.set("dqn.blunder_rate", e.blunder_rate);
    r.set("dqn.stalemate_rate", e.stalemate_rate);
    r.set("dqn.timeout_rate", e.timeout_rate);
    r.set("dqn.mean_return", e.mean_return);
    r.set("dqn.eval_games", e.games);
    r.set("dqn.train_seconds", train_seconds);
    r.set("dqn.eval_seconds", p.eval_seconds);
    r.set("dqn.episodes", double(runner->episodes));
    r.set("dqn.steps", double(runner->steps));
    r.set("dqn.updates", double(agent->updates));
    std::vector<double> steps(p.curve_steps, p.curve_steps + p.curve_points);
    r.set_numbers("dqn.curve.step", steps.data(), p.curve_points);
    r.set_numbers("dqn.curve.return_ratio", p.curve_ratio, p.curve_points);
    r.set_numbers("dqn.curve.exact_mate_prob", p.curve_mate, p.curve_points);
  });
  if (!s.ok()) return fail(s);
  std::remove(ckpt.c_str());  // the run is complete: its checkpoint has served
  std::printf("wrote %s and %s\n", model.c_str(), in_dir(o.out, "results.json").c_str());
  return 0;
}

}  // namespace

int cmd_train_dqn(const Options& o) {
  return with_setup(o, false, [&](auto setup) { return train<decltype(setup)>(o); });
}

}  // namespace saerl
