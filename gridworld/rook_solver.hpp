// saerl/gridworld/rook_solver.hpp — the rook checkmate solved exactly, for every position.
//
// Two tables over all N^6 (K, R, k) triples, white to move, indexed by RookCheckmate::index:
//   dtm[i]           distance to mate: white moves needed to force checkmate against the best
//                    defence (1 = mate in one); -1 when white cannot force mate or i is illegal.
//                    Found by retrograde analysis: mate-in-1 first, then mate-in-2, ...
//   value_random[i]  the optimal expected return in the environment's reward units (-1 a move,
//                    +100 mate, -100 loss) against the uniformly random black, discounted by
//                    gamma, ignoring the 50-move limit. Found by value iteration.
// The object holds 5 * N^6 bytes (78 KB on 5x5, 1.3 MB on 8x8): place it in static storage or
// behind one std::unique_ptr, not on a small stack.
//
//   static saerl::RookSolver<5> solver;
//   solver.solve();                                  // gamma 1; well under a second on 5x5
//   using Game = saerl::RookCheckmate<5>;
//   Game::Position p = Game::make(/*K*/ 12, /*R*/ 0, /*k*/ 22);
//   int moves = solver.dtm[Game::index(p)];          // forced mate in `moves`
//   int a = solver.best_action(p);                   // a move that keeps that promise
//   Game env; env.opponent = Game::Opponent::perfect; env.dtm = solver.dtm;
#pragma once
#include <cstdint>

#include "../core/base/status.hpp"
#include "rook_checkmate.hpp"

namespace saerl {

template <int N = 5>
struct RookSolver {
  using Game = RookCheckmate<N>;
  using Position = typename Game::Position;
  using Outcome = typename Game::Outcome;
  static constexpr int kPositions = Game::kPositions;
  static constexpr int kActions = Game::kActions;

  struct Summary {
    int legal_positions;  // legal with white to move
    int won_positions;    // white forces mate (dtm >= 1)
    int longest_mate;     // the largest dtm
    int value_sweeps;     // value-iteration sweeps used
    float value_change;   // largest change of value_random in the last sweep
  };

  int8_t dtm[kPositions];
  float value_random[kPositions];
  float gamma = 1.0f;       // the discount value_random was solved with
  int sweeps = 0;           // value-iteration sweeps of the last solve()
  float last_change = 0.0f;  // largest change in the last sweep

  // Fills both tables. Fails only on a gamma outside (0, 1] or when value iteration has not
  // converged (largest change >= tolerance) after max_sweeps sweeps; dtm is complete either way.
  Status solve(float discount = 1.0f, float tolerance = 1e-6f, int max_sweeps = 100000) {
    if (!(discount > 0.0f && discount <= 1.0f))
      return Status::error(StatusCode::invalid_argument,
                           "RookSolver::solve: gamma %g is outside (0, 1]", double(discount));
    solve_dtm();
    return solve_value_random(discount, tolerance, max_sweeps);
  }

  // Moves to mate after white plays `action` in p, both sides playing perfectly afterwards:
  // 1 when the move mates, 1 + the longest reply's dtm when every black reply is won, else -1.
  int action_dtm(Position p, int action) const {
    Position after;
    Outcome o = Game::apply_white(p, action, &after);
    if (o == Outcome::checkmate) return 1;
    if (o != Outcome::ongoing) return -1;
    uint8_t replies[8];
    int n = Game::black_moves(after, replies), longest = 0;
    for (int i = 0; i < n; ++i) {
      int m = dtm[Game::index(Game::make(after.wk, after.wr, replies[i]))];
      if (m < 1) return -1;
      if (m > longest) longest = m;
    }
    return longest + 1;
  }

  // Q(p, action) against the random black: +100 mate, -100 illegal, blunder or stalemate,
  // otherwise -1 + gamma * (mean of value_random over black's replies).
  float action_value_random(Position p, int action, float discount) const {
    Position after;
    Outcome o = Game::apply_white(p, action, &after);
    if (o == Outcome::checkmate) return 100.0f;
    if (o != Outcome::ongoing) return -100.0f;
    uint8_t replies[8];
    int n = Game::black_moves(after, replies);
    double sum = 0.0;
    for (int i = 0; i < n; ++i)
      sum += value_random[Game::index(Game::make(after.wk, after.wr, replies[i]))];
    return static_cast<float>(-1.0 + discount * sum / n);
  }
  float action_value_random(Position p, int action) const {
    return action_value_random(p, action, gamma);
  }

  // In a won position: the action reaches mate as fast as possible (action_dtm == dtm).
  // In a legal position that is not won: the action does not lose at once. Illegal: false.
  bool is_optimal_action(Position p, int action) const {
    if (!Game::is_legal(p)) return false;
    int d = dtm[Game::index(p)];
    if (d >= 1) return action_dtm(p, action) == d;
    Position after;
    return Game::apply_white(p, action, &after) == Outcome::ongoing;
  }

  // The lowest-numbered optimal action; -1 when there is none.
  int best_action(Position p) const {
    for (int a = 0; a < kActions; ++a)
      if (is_optimal_action(p, a)) return a;
    return -1;
  }

  Summary summary() const {
    Summary s{0, 0, 0, sweeps, last_change};
    for (int i = 0; i < kPositions; ++i) {
      if (!Game::is_legal(Game::from_index(i))) continue;
      ++s.legal_positions;
      if (dtm[i] >= 1) ++s.won_positions;
      if (dtm[i] > s.longest_mate) s.longest_mate = dtm[i];
    }
    return s;
  }

 private:
  // Retrograde analysis. Round k marks the positions with a move of action_dtm <= k: a move
  // that mates, or after which every black reply is a position already marked 1..k-1.
  // Positions marked during round k read as k, so their predecessors wait for round k + 1.
  // When a round marks nothing, no longer mate exists either (a mate in k+1 needs a mate in k).
  void solve_dtm() {
    for (int i = 0; i < kPositions; ++i) dtm[i] = -1;
    for (int k = 1; k < 127; ++k) {
      int marked = 0;
      for (int i = 0; i < kPositions; ++i) {
        if (dtm[i] != -1) continue;
        Position p = Game::from_index(i);
        if (!Game::is_legal(p)) continue;
        for (int a = 0; a < kActions; ++a) {
          int m = action_dtm(p, a);
          if (m >= 1 && m <= k) {
            dtm[i] = static_cast<int8_t>(k);
            ++marked;
            break;
          }
        }
      }
      if (marked == 0) break;
    }
  }

  // Value iteration, in place (Gauss-Seidel): V(p) = max over actions of Q(p, a).
  Status solve_value_random(float discount, float tolerance, int max_sweeps) {
    gamma = discount;
    for (int i = 0; i < kPositions; ++i) value_random[i] = 0.0f;
    for (sweeps = 1; sweeps <= max_sweeps; ++sweeps) {
      last_change = 0.0f;
      for (int i = 0; i < kPositions; ++i) {
        Position p = Game::from_index(i);
        if (!Game::is_legal(p)) continue;
        float best = -100.0f;  // every position has a losing move worth -100
        for (int a = 0; a < kActions; ++a) {
          float q = action_value_random(p, a, discount);
          if (q > best) best = q;
        }
        float change = best > value_random[i] ? best - value_random[i] : value_random[i] - best;
        if (change > last_change) last_change = change;
        value_random[i] = best;
      }
      if (last_change < tolerance) return Status::success();
    }
    sweeps = max_sweeps;
    return Status::error(StatusCode::invalid_argument,
                         "RookSolver::solve: value iteration still changes by %g after %d sweeps",
                         double(last_change), max_sweeps);
  }
};

}  // namespace saerl
