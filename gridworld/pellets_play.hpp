// saerl/gridworld/pellets_play.hpp — scoring a pellet-maze policy over a fixed set of games,
// and the uniformly random player that is the floor of the score.
//
//   using Game = saerl::Pellets<saerl::PelletsMaze7, 2>;
//   saerl::PelletsRandomPlayer random(3);
//   saerl::PelletsScores a = saerl::play_pellets<Game>(random, 1000, /*seed=*/7);
//   saerl::PelletsScores b = saerl::play_pellets<Game>(agent, 1000, 7);  // a DqnAgent
//   std::printf("%.2f vs %.2f\n", a.mean_score, b.mean_score);
//   play_pellets<Game>(agent, 100, 7, Game::kDefaultChase,
//                      [&](const Game::State& s) { states[n++] = s; });  // every state acted in
//
// A policy is anything with `int greedy(const State&)` (DqnAgent, PelletsExpectimax, the
// random player). Every policy faces the same games for one seed: the starts come from one
// stream (Rng(seed, 0), drawn in game order), the ghosts' draws of game g from their own
// stream Rng(seed, g + 1), so the policy's choices never shift another game's randomness.
#pragma once
#include <cmath>
#include <cstdint>

#include "pellets.hpp"

namespace saerl {

// A uniformly random action each step, from its own generator.
struct PelletsRandomPlayer {
  Rng rng;
  explicit PelletsRandomPlayer(uint64_t seed) : rng(seed) {}
  template <class State>
  int greedy(const State&) { return int(rng.below(4)); }
};

// The default visitor of play_pellets: looks at nothing.
struct PelletsNoVisit {
  template <class State>
  void operator()(const State&) const {}
};

struct PelletsScores {
  int games = 0;
  double mean_score = 0, score_sd = 0;  // score: pellets eaten + the clear bonus
  double clear_rate = 0, capture_rate = 0, timeout_rate = 0;
  double mean_steps = 0;
};

// visit(state) sees each state the policy acts in, in order (e.g. to collect the states of
// greedy play for an SAE's training set).
template <class Game, class Policy, class Visit = PelletsNoVisit>
PelletsScores play_pellets(Policy& policy, int games, uint64_t seed, float chase = Game::kDefaultChase,
                           Visit visit = Visit{}) {
  Rng starts(seed, 0);
  Game env;
  env.chase = chase;
  PelletsScores r;
  r.games = games;
  double sum = 0, sum2 = 0;
  long steps = 0, outcomes[4] = {0, 0, 0, 0};
  for (int g = 0; g < games; ++g) {
    env.reset(starts);
    Rng ghosts(seed, uint64_t(g) + 1);
    typename Game::StepResult s{0.0f, false, Game::Outcome::ongoing};
    while (!s.done) {
      visit(env.state());
      s = env.step(policy.greedy(env.state()), ghosts);
    }
    ++outcomes[int(s.outcome)];
    steps += env.state().steps;
    sum += env.score;
    sum2 += double(env.score) * env.score;
  }
  if (games <= 0) return r;
  r.mean_score = sum / games;
  r.score_sd = std::sqrt(std::fmax(0.0, sum2 / games - r.mean_score * r.mean_score));
  r.capture_rate = double(outcomes[int(Game::Outcome::captured)]) / games;
  r.clear_rate = double(outcomes[int(Game::Outcome::cleared)]) / games;
  r.timeout_rate = double(outcomes[int(Game::Outcome::timeout)]) / games;
  r.mean_steps = double(steps) / games;
  return r;
}

}  // namespace saerl
