// saerl/dqn/evaluate.hpp — how good a greedy rook-checkmate policy is: games from random
// starts against a chosen black, and, with the exact solver, how close to perfect play.
//
//   saerl::RookEvaluation e = saerl::evaluate_rook(agent, solver.get(), 10000, rng);
//   std::printf("checkmate rate %.3f\n", e.checkmate_rate);
//
// The policy is anything with `int greedy(Position)`: a DqnAgent, or an adapter around a
// network whose hidden layer is replaced by an SAE's reconstruction.
//
// The greedy actions of a network at many positions, a batch at a time (for the exact
// evaluator of gridworld/rook_exact.hpp, which takes one action per legal position):
//   auto g = std::make_unique<saerl::GreedyBatch<Game, Net>>();
//   g->actions(net, exact.legal, exact.legal_count, actions);
#pragma once
#include "../core/nn/mlp.hpp"
#include "../gridworld/rook_checkmate.hpp"
#include "../gridworld/rook_solver.hpp"

namespace saerl {

template <class Game, class Net, int B = 256>
struct GreedyBatch {
  MlpActivations<Net, B> acts;
  float obs[B * Game::kObs];

  // actions[i] = argmax_a Q(position index[i], a), for i < n.
  void actions(const Net& net, const int32_t* index, int n, uint8_t* out) {
    for (int first = 0; first < n; first += B) {
      const int rows = n - first < B ? n - first : B;
      for (int r = 0; r < rows; ++r) Game::observe(Game::from_index(index[first + r]), obs + r * Game::kObs);
      const float* q = mlp_forward(net, obs, rows, acts);
      for (int r = 0; r < rows; ++r) out[first + r] = uint8_t(argmax(q + r * Game::kActions, Game::kActions));
    }
  }
};

struct RookEvaluation {
  int games = 0;
  double checkmate_rate = 0, stalemate_rate = 0, illegal_rate = 0, blunder_rate = 0, timeout_rate = 0;
  double mean_moves_to_mate = 0;   // over games that ended in checkmate
  double mean_return = 0;          // undiscounted, in the environment's reward units
  // With a solver: over every white-to-move position visited, the fraction where the greedy
  // action is optimal (minimal distance to mate against perfect defence); and over mated
  // games, the mean of (moves taken - the start position's distance to mate).
  double optimal_action_rate = -1;
  double mean_extra_moves = 0;
};

template <class Policy, int N>
RookEvaluation evaluate_rook(Policy& policy, const RookSolver<N>* solver, int games, Rng& rng,
                             typename RookCheckmate<N>::Opponent opponent = RookCheckmate<N>::Opponent::random) {
  using Game = RookCheckmate<N>;
  using Outcome = typename Game::Outcome;
  Game env;
  env.opponent = opponent;
  if (solver) env.dtm = solver->dtm;
  RookEvaluation e;
  e.games = games;
  long mates = 0, mate_moves = 0, visited = 0, optimal = 0;
  double extra = 0, total_return = 0;
  long outcomes[6] = {0, 0, 0, 0, 0, 0};
  // Separate streams: one draws the starts, and each game's black replies come from a stream of
  // their own keyed by the game's index, so two policies evaluated from the same rng face the
  // same starts even after their games diverge.
  const uint64_t seed = (uint64_t(rng.next_u32()) << 32) | rng.next_u32();
  Rng starts(seed, 0);
  for (int g = 0; g < games; ++g) {
    env.reset(starts);
    Rng replies(seed, uint64_t(g) + 1);
    const int start_dtm = solver ? solver->dtm[Game::index(env.pos)] : -1;
    for (;;) {
      const typename Game::Position p = env.pos;
      const int a = policy.greedy(p);
      if (solver) {
        ++visited;
        optimal += solver->is_optimal_action(p, a);
      }
      const auto r = env.step(a, replies);
      total_return += r.reward;
      if (!r.done) continue;
      ++outcomes[int(r.outcome)];
      if (r.outcome == Outcome::checkmate) {
        ++mates;
        mate_moves += env.moves;
        if (start_dtm > 0) extra += env.moves - start_dtm;
      }
      break;
    }
  }
  const double n = games > 0 ? games : 1;
  e.checkmate_rate = outcomes[int(Outcome::checkmate)] / n;
  e.stalemate_rate = outcomes[int(Outcome::stalemate)] / n;
  e.illegal_rate = outcomes[int(Outcome::illegal)] / n;
  e.blunder_rate = outcomes[int(Outcome::blunder)] / n;
  e.timeout_rate = outcomes[int(Outcome::timeout)] / n;
  e.mean_moves_to_mate = mates ? double(mate_moves) / mates : 0;
  e.mean_return = total_return / n;
  if (solver) {
    e.optimal_action_rate = visited ? double(optimal) / visited : 0;
    e.mean_extra_moves = mates ? extra / mates : 0;
  }
  return e;
}

}  // namespace saerl
