// saerl/examples/cli/pellets_dqn.hpp — the DQN stage of the pellet-maze commands (run --game
// pellets, sweep --protocol study --game pellets): train from rewards alone with the mean
// score as the learning curve, save DIR/dqn.bin, score the DQN beside the uniformly random
// player and the expectimax reference on the same --games games, write the dqn.* keys.
//
//   auto agent = std::make_unique<PelletsTypes::Agent>();
//   Rng rng(o.seed);
//   PelletsScores dqn;
//   int rc = pellets_dqn_stage(o, recipe.dqn, recipe.name, 1000, /*reference_depth=*/2, *agent, rng, &dqn);
//   // rc != 0: the error is printed; rng continues from where training left it
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "../../core/io/mlp_io.hpp"
#include "../../gridworld/pellets_expectimax.hpp"
#include "../pellets_pipeline.hpp"
#include "common.hpp"
#include "progress.hpp"

namespace saerl {

// One player's scores under `prefix` (dqn, dqn.random, dqn.reference, sae.<v>.spliced).
inline void set_scores(Results& r, const char* prefix, const PelletsScores& s) {
  const char* names[7] = {"mean_score", "score_sd",   "clear_rate", "capture_rate",
                          "timeout_rate", "mean_steps", "games"};
  const double values[7] = {s.mean_score, s.score_sd, s.clear_rate, s.capture_rate, s.timeout_rate, s.mean_steps,
                            double(s.games)};
  for (int i = 0; i < 7; ++i) r.set((std::string(prefix) + "." + names[i]).c_str(), values[i]);
}

// Every constant of the DQN's recipe, as dqn.config.*, beside the recipe's name.
inline void set_dqn_config(Results& r, const char* name, const DqnTrainConfig& d) {
  const DqnConfig& a = d.agent;
  r.set_text("dqn.recipe", name);
  const struct { const char* key; double value; } c[] = {
      {"steps", double(d.steps)}, {"gamma", a.gamma}, {"n_step", double(a.n_step)}, {"reward_scale", a.reward_scale},
      {"lr", a.lr}, {"lr_end", d.learning_rate.end}, {"epsilon_start", d.epsilon.start}, {"epsilon_end", d.epsilon.end},
      {"epsilon_steps", double(d.epsilon.steps)}, {"train_every", double(a.train_every)},
      {"target_every", double(a.target_every)}, {"learn_start", double(a.learn_start)},
      {"double_dqn", double(a.double_dqn)}, {"cut_at_exploration", double(a.cut_at_exploration)},
      {"hidden_noise", a.hidden_noise}, {"batch", PelletsTypes::Agent::kBatch},
      {"replay", double(decltype(PelletsTypes::Agent::replay)::kCapacity)}, {"hidden", PelletsTypes::kHidden}};
  for (const auto& x : c) r.set((std::string("dqn.config.") + x.key).c_str(), x.value);
}

// train_dqn's callbacks: the progress line, and the mean score on `games` games as the curve.
struct DqnCurve : DqnCallbacks {
  PelletsTypes::Agent* agent;
  Progress* line;
  int games;
  uint64_t seed;
  std::vector<double> steps, scores;
  char note[96] = "";
  void progress(long t) {
    if (t % 256 == 0) line->update(t, note);
  }
  void evaluate(long t) {
    const PelletsScores s = play_pellets<PelletsTypes::Game>(*agent, games, seed);
    steps.push_back(double(t));
    scores.push_back(s.mean_score);
    std::snprintf(note, sizeof note, "mean score %.2f  cleared %.3f  captured %.3f", s.mean_score, s.clear_rate,
                  s.capture_rate);
    line->update(t, note, true);
  }
};

// Trains `agent` by `config` from `rng` (the curve: the mean score on min(eval_games, --games)
// games every config.eval_every steps), saves it, scores it; reference_depth 0 skips the
// expectimax reference (and its keys). Returns 0, or 1 with the error printed.
inline int pellets_dqn_stage(const Options& o, const DqnTrainConfig& config, const char* name, int eval_games,
                             int reference_depth, PelletsTypes::Agent& agent, Rng& rng, PelletsScores* scores) {
  using Game = PelletsTypes::Game;
  using Agent = PelletsTypes::Agent;
  std::fprintf(stderr, "run: the pellet maze (%dx%d, %d ghosts), recipe %s, %ld steps, seed %llu\n", Game::kSize,
               Game::kSize, Game::kGhosts, name, config.steps, o.seed);
  auto runner = std::make_unique<DqnRunner<Agent, Game>>();
  Game env;
  start_dqn_training(config, agent, *runner, env, rng);
  Progress line("train-dqn", config.steps, "steps");
  DqnCurve curve;
  curve.agent = &agent;
  curve.line = &line;
  curve.games = int(eval_games < o.games ? eval_games : o.games);
  curve.seed = o.seed;
  Status s = train_dqn(config, agent, *runner, env, rng, curve);
  line.finish();
  if (s.code == StatusCode::diverged) return std::fprintf(stderr, "error: %s; no model written\n", s.message), 1;
  if (s.ok()) s = save_mlp(agent.online, in_dir(o.out, "dqn.bin").c_str());
  if (!s.ok()) return fail(s);
  const double dqn_seconds = line.seconds();

  // the DQN, the random player and the reference on the same games
  const int games = int(o.games);
  const PelletsScores dqn = play_pellets<Game>(agent, games, o.seed);
  PelletsRandomPlayer random(o.seed + 1);
  const PelletsScores floor = play_pellets<Game>(random, games, o.seed);
  PelletsExpectimax<Game> reference;
  reference.depth = reference_depth;
  const PelletsScores best = reference_depth > 0 ? play_pellets<Game>(reference, games, o.seed) : PelletsScores{};
  std::printf("DQN: mean score %.2f over %d games (random %.2f", dqn.mean_score, games, floor.mean_score);
  if (reference_depth > 0) std::printf(", expectimax depth %d %.2f", reference.depth, best.mean_score);
  std::printf("), trained %.0f s, %ld episodes\n", dqn_seconds, runner->episodes);
  s = update_results(o.out, [&](Results& r) {
    r.set_text("run.game", "pellets");
    r.set_text("dqn.game", "Pellets<PelletsMaze7, 2>: 7x7, 36 free squares, two ghosts, chase 0.8");
    set_dqn_config(r, name, config);
    r.set("dqn.seed", double(o.seed));
    set_scores(r, "dqn", dqn);
    set_scores(r, "dqn.random", floor);
    r.set("dqn.random_score", floor.mean_score);
    r.set("dqn.score_games", games);
    r.set("dqn.score_over_random", floor.mean_score > 0 ? dqn.mean_score / floor.mean_score : -1);
    if (reference_depth > 0) {
      set_scores(r, "dqn.reference", best);
      r.set("dqn.reference_score", best.mean_score);
      r.set("dqn.reference_depth", reference.depth);
      r.set("dqn.score_over_reference", best.mean_score > 0 ? dqn.mean_score / best.mean_score : -1);
    }
    r.set("dqn.train_seconds", dqn_seconds);
    r.set("dqn.steps", double(runner->steps));
    r.set("dqn.episodes", double(runner->episodes));
    r.set("dqn.updates", double(agent.updates));
    r.set_numbers("dqn.curve.step", curve.steps.data(), curve.steps.size());
    r.set_numbers("dqn.curve.mean_score", curve.scores.data(), curve.scores.size());
  });
  if (!s.ok()) return fail(s);
  *scores = dqn;
  return 0;
}

}  // namespace saerl
