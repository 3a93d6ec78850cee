// saerl/examples/counterfactuals.hpp — the counterfactual boards of counterfactual steering
// (examples/steering.hpp, whose header defines them): for every legal x and named predicate
// false on x, the nearest legal board where it holds, and the DQN's action on every board.
//
//   auto cf = std::make_unique<saerl::Counterfactuals<5>>();   // once per DQN (0.1 s on 5x5)
//   saerl::prepare_counterfactuals(net, solver.dtm, *cf);
#pragma once
#include <cstdint>
#include <vector>

#include "../core/nn/mlp.hpp"
#include "../gridworld/predicates.hpp"
#include "pipeline.hpp"

namespace saerl {

// The boards x' of every named predicate and the DQN's action on every board: once per DQN
// (and solver), shared by all its SAEs. Large on 8x8 (about 22 MB): place it behind a pointer.
template <int N>
struct Counterfactuals {
  using Game = RookCheckmate<N>;
  using Predicates = RookPredicates<N>;
  using Position = typename Game::Position;
  using Solver = RookSolver<N>;  // (a non-deduced parameter type, so that nullptr is accepted)
  static constexpr int kNamed = Predicates::kNamed;
  static constexpr uint8_t kNone = 255;  // no x': p holds on x already, or no legal board has it
  static_assert(3 * N * N < kNone, "Counterfactuals: a move (plane * N * N + square) must fit in a byte");

  const int8_t* dtm = nullptr;               // the dtm_* predicates' table (nullptr: they never hold)
  int8_t action[Game::kPositions];           // a(y), the DQN's greedy action; -1 on illegal y
  uint8_t named[Game::kPositions][kNamed];   // named predicate p holds on y (0 on illegal y)
  uint8_t nearest[Game::kPositions][kNamed]; // the move to x' of named predicate p, or kNone

  // Predicate p (named or piece-on-square) on legal y.
  bool holds(Position y, int p) const {
    if (p < kNamed) return named[Game::index(y)][p] != 0;
    const int plane = (p - kNamed) / (N * N), sq = (p - kNamed) % (N * N);
    return square_of(y, plane) == sq;
  }

  // x' of predicate p for legal x; false when there is none (p holds on x, or x' is illegal).
  bool counterfactual(Position x, int p, Position* out) const {
    int move = p - kNamed;  // "P on s" is the move of plane P to s
    if (p < kNamed) {
      move = nearest[Game::index(x)][p];
      if (move == kNone) return false;
    } else if (holds(x, p)) {
      return false;
    }
    *out = moved(x, move);
    return Game::is_legal(*out);
  }

  static int square_of(Position y, int plane) { return plane == 0 ? y.wk : plane == 1 ? y.wr : y.bk; }
  // y with the piece of plane move / (N * N) on square move % (N * N).
  static Position moved(Position y, int move) {
    const uint8_t sq = static_cast<uint8_t>(move % (N * N));
    const int plane = move / (N * N);
    if (plane == 0) y.wk = sq;
    else if (plane == 1) y.wr = sq;
    else y.bk = sq;
    return y;
  }
};

namespace detail {

// Runs the DQN over the legal positions in index order, B at a time, and calls
// visit(positions, n, acts) after each batch (acts: z_1 at pre(HiddenLayer::kLayer), Q at output()).
template <int N, class Net, int B, class Visit>
void for_each_legal_batch(const Net& net, MlpActivations<Net, B>& acts, Visit&& visit) {
  using Game = RookCheckmate<N>;
  static_assert(Net::kIn == Game::kObs && Net::kOut == Game::kActions,
                "steering: the DQN must read RookCheckmate<N>'s one-hot board and output its actions");
  std::vector<float> obs(static_cast<size_t>(B) * Game::kObs);
  typename Game::Position pos[B];
  int n = 0;
  for (int i = 0; i <= Game::kPositions; ++i) {
    if (i < Game::kPositions && Game::is_legal(Game::from_index(i))) {
      pos[n] = Game::from_index(i);
      Game::observe(pos[n], obs.data() + size_t(n) * Game::kObs);
      ++n;
    }
    if (n == B || (i == Game::kPositions && n > 0)) {
      mlp_forward(net, obs.data(), n, acts);
      visit(pos, n, acts);
      n = 0;
    }
  }
}

}  // namespace detail

// Fills cf: the DQN's action and the named predicates on every legal board, then for every
// legal x and named predicate false on x the nearest board where it holds (see the header).
// dtm (the solver's table, or nullptr) must outlive cf.
template <class Net, int N>
void prepare_counterfactuals(const Net& net, const int8_t* dtm, Counterfactuals<N>& cf) {
  using C = Counterfactuals<N>;
  using Game = typename C::Game;
  constexpr int S = N * N, kNamed = C::kNamed;
  cf.dtm = dtm;
  for (int i = 0; i < Game::kPositions; ++i) {
    cf.action[i] = -1;
    for (int p = 0; p < kNamed; ++p) cf.named[i][p] = 0, cf.nearest[i][p] = C::kNone;
  }
  auto acts = std::make_unique<MlpActivations<Net, 64>>();
  detail::for_each_legal_batch<N>(net, *acts, [&](const typename Game::Position* pos, int n, MlpActivations<Net, 64>& a) {
    for (int b = 0; b < n; ++b) {
      cf.action[Game::index(pos[b])] = static_cast<int8_t>(argmax(a.output() + b * Game::kActions, Game::kActions));
      bool truth[kNamed];
      C::Predicates::evaluate_named(pos[b], dtm, truth);
      for (int p = 0; p < kNamed; ++p) cf.named[Game::index(pos[b])][p] = truth[p];
    }
  });
  for (int i = 0; i < Game::kPositions; ++i) {
    const typename Game::Position x = Game::from_index(i);
    if (!Game::is_legal(x)) continue;
    int best[kNamed];  // king steps of the nearest board found so far
    for (int p = 0; p < kNamed; ++p) best[p] = S;
    for (int move = 0; move < 3 * S; ++move) {  // K, R, k; squares in order: the first wins ties
      const int from = C::square_of(x, move / S);
      const typename Game::Position y = C::moved(x, move);
      if (from == move % S || !Game::is_legal(y)) continue;
      const int steps = Game::king_distance(from, move % S);
      const uint8_t* x_has = cf.named[i];
      const uint8_t* y_has = cf.named[Game::index(y)];
      for (int p = 0; p < kNamed; ++p)
        if (!x_has[p] && y_has[p] && steps < best[p]) best[p] = steps, cf.nearest[i][p] = static_cast<uint8_t>(move);
    }
  }
}

}  // namespace saerl
