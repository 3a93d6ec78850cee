// Tests of gridworld/rook_solver.hpp: the solver checked against the rules over every position.
#include <doctest/doctest.h>

#include <memory>

#include "gridworld/rook_solver.hpp"

namespace {

using Game = saerl::RookCheckmate<5>;
using Solver = saerl::RookSolver<5>;
using Outcome = Game::Outcome;
using Position = Game::Position;

// One solved 5x5 solver shared by the tests (15,625 entries of 5 bytes, static storage).
const Solver& solved() {
  static Solver solver;
  static bool done = false;
  if (!done) {
    saerl::Status s = solver.solve();
    CHECK(s.ok());
    done = true;
  }
  return solver;
}

int sq(const char* name) { return (name[1] - '1') * 5 + (name[0] - 'a'); }

// The largest dtm over black's replies after white's move, or -1 if some reply is not won.
int longest_reply(const Solver& s, Position after) {
  uint8_t replies[8];
  int n = Game::black_moves(after, replies), longest = 0;
  for (int i = 0; i < n; ++i) {
    int m = s.dtm[Game::index(Game::make(after.wk, after.wr, replies[i]))];
    if (m < 1) return -1;
    if (m > longest) longest = m;
  }
  return longest;
}

}  // namespace

TEST_CASE("on 5x5 every one of the 7,040 legal positions is a forced win") {
  Solver::Summary s = solved().summary();
  CHECK(s.legal_positions == 7040);
  CHECK(s.won_positions <= s.legal_positions);
  CHECK(s.won_positions == s.legal_positions);  // the rook can always step out of reach
  CHECK(s.longest_mate >= 5);                    // measured: 10
  CHECK(s.longest_mate <= 20);
  CHECK(s.value_sweeps >= 1);
  CHECK(s.value_change < 1e-6f);
}

TEST_CASE("illegal positions have no distance to mate") {
  const Solver& s = solved();
  for (int i = 0; i < Game::kPositions; ++i)
    if (!Game::is_legal(Game::from_index(i))) CHECK(s.dtm[i] == -1);
}

TEST_CASE("every mate-in-1 position is checkmate after its best move") {
  const Solver& s = solved();
  int count = 0;
  for (int i = 0; i < Game::kPositions; ++i) {
    if (s.dtm[i] != 1) continue;
    Position p = Game::from_index(i), after;
    int a = s.best_action(p);
    CHECK(a >= 0);
    CHECK(Game::apply_white(p, a, &after) == Outcome::checkmate);
    ++count;
  }
  CHECK(count > 0);
}

TEST_CASE("every mate-in-k position has a move forcing mate-in-(k-1) and none faster") {
  const Solver& s = solved();
  for (int i = 0; i < Game::kPositions; ++i) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    int k = s.dtm[i];
    // The fastest forced mate over all moves, computed here from the rules alone.
    int fastest = -1;
    for (int a = 0; a < Game::kActions; ++a) {
      Position after;
      Outcome o = Game::apply_white(p, a, &after);
      int m = -1;
      if (o == Outcome::checkmate) m = 1;
      if (o == Outcome::ongoing) {
        int longest = longest_reply(s, after);
        if (longest >= 1) m = longest + 1;
      }
      if (m >= 1 && (fastest == -1 || m < fastest)) fastest = m;
    }
    CHECK(fastest == k);  // also: positions it calls not won have no winning move
  }
}

TEST_CASE("the best action is optimal and keeps the promised distance to mate") {
  const Solver& s = solved();
  for (int i = 0; i < Game::kPositions; ++i) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    int a = s.best_action(p);
    CHECK(a >= 0);
    CHECK(s.is_optimal_action(p, a));
    CHECK(s.action_dtm(p, a) == s.dtm[i]);
  }
  // An illegal move is never optimal.
  Position p = Game::make(sq("a1"), sq("c3"), sq("e5"));
  CHECK_FALSE(s.is_optimal_action(p, 4));  // K west off the board
}

// Plays the solver's best action from p until the game ends; returns how it ended.
Outcome play_best(const Solver& s, Game& env, Position p, saerl::Rng& rng) {
  env.reset_to(p);
  Game::StepResult r{0.0f, false, Outcome::ongoing};
  while (!r.done) r = env.step(s.best_action(env.pos), rng);
  return r.outcome;
}

TEST_CASE("best play against the perfect black mates in exactly dtm moves") {
  const Solver& s = solved();
  Game env;
  env.opponent = Game::Opponent::perfect;
  env.dtm = s.dtm;
  saerl::Rng rng(17);
  for (int i = 0; i < Game::kPositions; i += 7) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    CHECK(play_best(s, env, p, rng) == Outcome::checkmate);
    CHECK(env.moves == s.dtm[i]);
  }
}

TEST_CASE("best play against the random black mates within dtm moves") {
  const Solver& s = solved();
  Game env;
  saerl::Rng rng(19);
  for (int i = 0; i < Game::kPositions; i += 5) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    CHECK(play_best(s, env, p, rng) == Outcome::checkmate);
    CHECK(env.moves <= s.dtm[i]);
  }
}

TEST_CASE("the perfect black picks the reply with the longest distance to mate") {
  const Solver& s = solved();
  saerl::Rng rng(23);
  for (int i = 0; i < Game::kPositions; i += 3) {
    Position p = Game::from_index(i), after;
    if (!Game::is_legal(p)) continue;
    int a = s.best_action(p);
    if (Game::apply_white(p, a, &after) != Outcome::ongoing) continue;
    int to = Game::black_reply(after, Game::Opponent::perfect, s.dtm, rng);
    CHECK(s.dtm[Game::index(Game::make(after.wk, after.wr, to))] == longest_reply(s, after));
  }
}

TEST_CASE("a mate-in-1 position is worth exactly +100 against the random black") {
  const Solver& s = solved();
  for (int i = 0; i < Game::kPositions; ++i)
    if (s.dtm[i] == 1) CHECK(s.value_random[i] == 100.0f);
}

TEST_CASE("value_random satisfies the Bellman optimality equation") {
  const Solver& s = solved();
  for (int i = 0; i < Game::kPositions; ++i) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    float best = -1000.0f;
    for (int a = 0; a < Game::kActions; ++a) {
      float q = s.action_value_random(p, a);
      if (q > best) best = q;
    }
    CHECK(s.value_random[i] == doctest::Approx(best).epsilon(1e-6));
    // With gamma 1 a won position is worth 100 minus the expected moves before the mate,
    // which never exceed the forced distance to mate.
    CHECK(s.value_random[i] <= 100.0f);
    CHECK(s.value_random[i] >= 101.0f - s.dtm[i] - 1e-3f);
  }
}

TEST_CASE("the solver rejects a discount outside (0, 1] and converges with gamma 0.98") {
  std::unique_ptr<saerl::RookSolver<4>> s(new saerl::RookSolver<4>());
  CHECK(s->solve(0.0f).code == saerl::StatusCode::invalid_argument);
  CHECK(s->solve(1.5f).code == saerl::StatusCode::invalid_argument);
  CHECK(s->solve(0.98f).ok());
  CHECK(s->gamma == 0.98f);
  saerl::RookSolver<4>::Summary sum = s->summary();
  CHECK(sum.legal_positions == saerl::RookCheckmate<4>::count_legal_positions());
  CHECK(sum.won_positions > 0);
  using G4 = saerl::RookCheckmate<4>;
  for (int i = 0; i < G4::kPositions; ++i)
    if (s->dtm[i] == 1) CHECK(s->value_random[i] == 100.0f);
  for (int i = 0; i < G4::kPositions; ++i)
    if (s->dtm[i] == 2) CHECK(s->value_random[i] < 100.0f);
}
