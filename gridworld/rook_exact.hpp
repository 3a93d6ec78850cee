// saerl/gridworld/rook_exact.hpp — how good a policy is, exactly: the expected return, mate
// probability and moves to mate of a greedy (stationary) policy in the rook checkmate, over
// every legal start, against a chosen black, with the 50-move cap; and the same for the best
// possible policy against that black. Dynamic programming, no sampling.
//
//   static saerl::RookExact<5> exact;                  // ~3 MB on 5x5, ~70 MB on 8x8: place it once
//   exact.init(saerl::RookCheckmate<5>::Opponent::random);
//   saerl::ExactComparison c = exact.evaluate([&](auto p) { return agent.greedy(p); });
//   std::printf("return ratio %.4f, mate %.4f\n", c.return_ratio, c.policy.mate_prob);
//
// With t white moves left (t = 50 at the start), a legal position p and white's action a:
//   mate:                      V = 100,  P = 1,  M = 1
//   illegal, blunder, stalemate V = -100, P = 0,  M = 0
//   ongoing, t = 1 (time out)  V = -100, P = 0,  M = 0
//   ongoing, t > 1             V = -1 + E[V_{t-1}(p')], P = E[P_{t-1}(p')], M = E[M_{t-1}(p') + P_{t-1}(p')]
// where p' is the position after black's reply, uniform over RookCheckmate::black_candidates
// (exactly the draw RookCheckmate::step makes), V the undiscounted return, P the probability
// of mate and M = E[moves * 1{mate}]. The policy's a is its greedy action at p (it sees no
// move counter); the optimal policy takes max_a V at every (p, t), the lowest action on ties:
// it may depend on t, so it bounds every stationary policy from above.
// Over uniform legal starts: expected_return = mean_p V_50(p), mate_prob = mean_p P_50(p),
// moves_to_mate = sum_p M_50(p) / sum_p P_50(p) (the mean length of the games that mate).
//
// Compared with the optimal policy (ExactComparison):
//   return_ratio     = policy's expected return / optimal's
//   return_gap       = optimal's expected return - policy's (>= 0)
//   sure_mate_starts = the fraction of starts from which the policy mates with probability 1
//   extra_moves      = over those starts, mean of (policy's expected moves - optimal's): both
//                      mate surely there, so each term is (V*_50 - V_50) >= 0 per start.
// Cost: init builds the move tables (every legal position x action once) and solves the
// optimal policy: 50 sweeps of (legal positions x actions); evaluate() is 50 sweeps of the
// legal positions. No heap: every table is sized by N.
#pragma once
#include <cstdint>

#include "../core/base/status.hpp"
#include "rook_checkmate.hpp"

namespace saerl {

struct ExactResult {
  double expected_return = 0;  // mean over legal starts of the expected undiscounted return
  double mate_prob = 0;        // mean over legal starts of the probability of checkmate
  double moves_to_mate = 0;    // expected white moves of the games that end in mate
};

struct ExactComparison {
  ExactResult policy, optimal;
  double return_ratio = 0, return_gap = 0;
  double sure_mate_starts = 0, extra_moves = 0;
};

template <int N>
struct RookExact {
  using Game = RookCheckmate<N>;
  using Position = typename Game::Position;
  using Outcome = typename Game::Outcome;
  using Opponent = typename Game::Opponent;
  static constexpr int kPositions = Game::kPositions, kActions = Game::kActions;
  static constexpr int kMoves = Game::kMaxMoves;
  static constexpr int32_t kMate = -1, kLoss = -2;  // next[] codes besides an after-position

  // The tables. legal[i] is the i-th legal position's index (index order); id[] maps back.
  int legal_count = 0;
  int32_t legal[kPositions];
  int32_t id[kPositions];                // legal id of a position index, -1 when illegal
  int32_t next[kPositions * kActions];   // per legal id and action: after-position index, kMate or kLoss
  uint8_t reply_count[kPositions];       // per after-position index: black's candidate replies
  int32_t reply[kPositions][8];          // their legal ids
  // The optimal policy's per-start figures, and the last evaluated policy's (t = 50).
  double opt_v[kPositions], opt_p[kPositions], opt_m[kPositions];
  double pol_v[kPositions], pol_p[kPositions], pol_m[kPositions];
  uint8_t opt_action[kPositions];  // the optimal policy's action with 50 moves left
  ExactResult optimal;

  // Builds the tables for `opponent` (dtm: RookSolver::dtm, needed by Opponent::perfect) and
  // solves the optimal policy.
  Status init(Opponent opponent, const int8_t* dtm = nullptr) {
    if (opponent == Opponent::perfect && dtm == nullptr)
      return Status::error(StatusCode::invalid_argument, "RookExact::init: the perfect black needs the solver's dtm");
    legal_count = 0;
    for (int i = 0; i < kPositions; ++i) {
      id[i] = -1;
      reply_count[i] = 0;
      if (Game::is_legal(Game::from_index(i))) legal[id[i] = legal_count++] = i;
    }
    for (int l = 0; l < legal_count; ++l) {
      const Position p = Game::from_index(legal[l]);
      for (int a = 0; a < kActions; ++a) {
        Position after;
        const Outcome o = Game::apply_white(p, a, &after);
        int32_t& n = next[l * kActions + a];
        n = o == Outcome::checkmate ? kMate : o == Outcome::ongoing ? Game::index(after) : kLoss;
        if (n < 0 || reply_count[n] > 0) continue;
        uint8_t squares[8];
        reply_count[n] = uint8_t(Game::black_candidates(after, opponent, dtm, squares));
        for (int r = 0; r < reply_count[n]; ++r) reply[n][r] = id[Game::index(Game::make(after.wk, after.wr, squares[r]))];
      }
    }
    optimal = solve(nullptr, opt_v, opt_p, opt_m);
    return Status::success();
  }

  // The greedy policy `policy(Position) -> action`, called once per legal position.
  template <class Policy>
  ExactComparison evaluate(Policy&& policy) {
    for (int l = 0; l < legal_count; ++l) actions_[l] = uint8_t(policy(Game::from_index(legal[l])));
    return evaluate_actions(actions_);
  }

  // The policy given as its action at each legal id (in legal[] order); actions outside
  // [0, kActions) count as illegal moves.
  ExactComparison evaluate_actions(const uint8_t* actions) {
    ExactComparison c;
    c.policy = solve(actions, pol_v, pol_p, pol_m);
    c.optimal = optimal;
    c.return_ratio = c.policy.expected_return / optimal.expected_return;
    c.return_gap = optimal.expected_return - c.policy.expected_return;
    int sure = 0;
    double extra = 0;
    for (int l = 0; l < legal_count; ++l) {
      if (pol_p[l] < 1 - 1e-9) continue;
      ++sure;
      extra += pol_m[l] / pol_p[l] - opt_m[l] / opt_p[l];
    }
    c.sure_mate_starts = double(sure) / legal_count;
    c.extra_moves = sure ? extra / sure : 0;
    return c;
  }

  // Marks reached[l] = 1 for every legal id that the policy's games reach after their start
  // (a white move of the policy, then any reply black may make), 0 for the others: the
  // positions a policy visits on its own, whichever start it was given. Returns their count.
  int reached_by(const uint8_t* actions, uint8_t* reached) const {
    for (int l = 0; l < legal_count; ++l) reached[l] = 0;
    int count = 0;
    for (int l = 0; l < legal_count; ++l) {
      if (actions[l] >= kActions) continue;
      const int32_t n = next[l * kActions + actions[l]];
      if (n < 0) continue;
      for (int r = 0; r < reply_count[n]; ++r) count += reached[reply[n][r]] ? 0 : (reached[reply[n][r]] = 1);
    }
    return count;
  }

 private:
  uint8_t actions_[kPositions];
  // Two generations of (V, P, M) per legal id, and their means after white's move.
  double v_[2][kPositions], p_[2][kPositions], m_[2][kPositions];
  double after_v_[kPositions], after_p_[kPositions], after_m_[kPositions];

  // Backward induction over t = 1..50: the policy's actions, or the best action when null.
  ExactResult solve(const uint8_t* actions, double* v_out, double* p_out, double* m_out) {
    for (int t = 1; t <= kMoves; ++t) {
      const int cur = t & 1, prev = cur ^ 1;
      if (t > 1) average_replies(v_[prev], p_[prev], m_[prev]);
      for (int l = 0; l < legal_count; ++l) {
        double best_v = -1e300, best_p = 0, best_m = 0;
        int best_a = 0;
        const int a0 = actions ? actions[l] : 0, a1 = actions ? a0 + 1 : kActions;
        for (int a = a0; a < a1; ++a) {
          const int32_t n = a < kActions ? next[l * kActions + a] : kLoss;
          double v = -100, p = 0, m = 0;
          if (n == kMate) v = 100, p = 1, m = 1;
          else if (n >= 0 && t > 1) v = -1 + after_v_[n], p = after_p_[n], m = after_m_[n] + after_p_[n];
          if (v > best_v) best_v = v, best_p = p, best_m = m, best_a = a;
        }
        v_[cur][l] = best_v, p_[cur][l] = best_p, m_[cur][l] = best_m;
        if (!actions && t == kMoves) opt_action[l] = uint8_t(best_a);
      }
    }
    ExactResult r;
    const int last = kMoves & 1;
    double mates = 0, moves = 0;
    for (int l = 0; l < legal_count; ++l) {
      v_out[l] = v_[last][l], p_out[l] = p_[last][l], m_out[l] = m_[last][l];
      r.expected_return += v_out[l];
      mates += p_out[l];
      moves += m_out[l];
    }
    r.expected_return /= legal_count;
    r.mate_prob = mates / legal_count;
    r.moves_to_mate = mates > 0 ? moves / mates : 0;
    return r;
  }

  // after_x[n] = mean of x over black's candidate replies from after-position n.
  void average_replies(const double* v, const double* p, const double* m) {
    for (int n = 0; n < kPositions; ++n) {
      const int k = reply_count[n];
      if (k == 0) continue;
      double sv = 0, sp = 0, sm = 0;
      for (int r = 0; r < k; ++r) sv += v[reply[n][r]], sp += p[reply[n][r]], sm += m[reply[n][r]];
      after_v_[n] = sv / k, after_p_[n] = sp / k, after_m_[n] = sm / k;
    }
  }
};

}  // namespace saerl
