// Tests of gridworld/rook_checkmate.hpp: the rules of docs/DESIGN.md, one at a time, on hand-set
// positions written in chess notation (rank 1 at the bottom, file a on the left).
#include <doctest/doctest.h>

#include <cstring>

#include "gridworld/rook_checkmate.hpp"

namespace {

using Game = saerl::RookCheckmate<5>;
using Outcome = Game::Outcome;
using Position = Game::Position;

// "c3" -> square number on an n x n board.
int sq(const char* name, int n = 5) { return (name[1] - '1') * n + (name[0] - 'a'); }

// White king, white rook, black king.
Position pos(const char* wk, const char* wr, const char* bk) {
  return Game::make(sq(wk), sq(wr), sq(bk));
}

// Rook action: direction 0 E, 1 N, 2 W, 3 S; s squares.
int rook(int dir, int s, int n = 5) { return 8 + dir * (n - 1) + (s - 1); }
constexpr int kE = 0, kN = 1, kW = 2, kS = 3;

bool has_move(Position p, int square) {
  uint8_t out[8];
  int n = Game::black_moves(p, out);
  for (int i = 0; i < n; ++i)
    if (out[i] == square) return true;
  return false;
}

// An independent count of legal positions: for every triple, with its own geometry.
int brute_force_legal_count(int n) {
  int count = 0;
  for (int wk = 0; wk < n * n; ++wk)
    for (int wr = 0; wr < n * n; ++wr)
      for (int bk = 0; bk < n * n; ++bk) {
        if (wk == wr || wk == bk || wr == bk) continue;
        int kr = wk / n, kc = wk % n, rr = wr / n, rc = wr % n, br = bk / n, bc = bk % n;
        int dr = kr > br ? kr - br : br - kr, dc = kc > bc ? kc - bc : bc - kc;
        if (dr <= 1 && dc <= 1) continue;  // kings touch
        // Walk the rook's four rays; stop after the white king, pass the black king.
        bool check = false;
        const int ray[4][2] = {{0, 1}, {1, 0}, {0, -1}, {-1, 0}};
        for (const auto& d : ray) {
          for (int r = rr + d[0], c = rc + d[1]; r >= 0 && r < n && c >= 0 && c < n;
               r += d[0], c += d[1]) {
            if (r == br && c == bc) check = true;
            if (r == kr && c == kc) break;
          }
        }
        if (!check) ++count;
      }
  return count;
}

}  // namespace

TEST_CASE("there are 8 king moves and 4 x (N-1) rook moves") {
  CHECK(saerl::RookCheckmate<4>::kActions == 20);
  CHECK(saerl::RookCheckmate<5>::kActions == 24);
  CHECK(saerl::RookCheckmate<6>::kActions == 28);
  CHECK(Game::kObs == 75);
  CHECK(Game::kObsCoords == 6);
  CHECK(Game::kPositions == 15625);
}

TEST_CASE("index and from_index are inverse") {
  for (int i = 0; i < Game::kPositions; ++i) CHECK(Game::index(Game::from_index(i)) == i);
  Position p = pos("c3", "a1", "e5");
  CHECK(Game::index(p) == sq("c3") * 625 + sq("a1") * 25 + sq("e5"));
}

TEST_CASE("king actions 0..7 move E, NE, N, NW, W, SW, S, SE") {
  using G6 = saerl::RookCheckmate<6>;
  G6::Position p = G6::make(sq("c3", 6), sq("a1", 6), sq("f6", 6));
  const char* expect[8] = {"d3", "d4", "c4", "b4", "b3", "b2", "c2", "d2"};
  for (int a = 0; a < 8; ++a) {
    G6::Position after;
    CHECK(G6::white_move(p, a, &after));
    CHECK(after.wk == sq(expect[a], 6));
    CHECK(after.wr == p.wr);
    CHECK(after.bk == p.bk);
  }
}

TEST_CASE("rook actions move 1..N-1 squares E, N, W, S") {
  Position p = pos("a1", "c3", "e5");
  const struct { int dir, s; const char* to; } cases[] = {
      {kE, 1, "d3"}, {kE, 2, "e3"}, {kN, 1, "c4"}, {kN, 2, "c5"},
      {kW, 1, "b3"}, {kW, 2, "a3"}, {kS, 1, "c2"}, {kS, 2, "c1"}};
  for (const auto& c : cases) {
    Position after;
    CHECK(Game::white_move(p, rook(c.dir, c.s), &after));
    CHECK(after.wr == sq(c.to));
    CHECK(after.wk == p.wk);
  }
  char buf[16];
  CHECK(std::strcmp(Game::action_name(1, buf, sizeof buf), "K NE") == 0);
  CHECK(std::strcmp(Game::action_name(rook(kW, 3), buf, sizeof buf), "R W 3") == 0);
}

TEST_CASE("a move off the board is illegal") {
  Position p = pos("a1", "e3", "c5");
  Position after;
  CHECK(Game::apply_white(p, 4, &after) == Outcome::illegal);          // K west of file a
  CHECK(Game::apply_white(p, 6, &after) == Outcome::illegal);          // K south of rank 1
  CHECK(Game::apply_white(p, rook(kE, 1), &after) == Outcome::illegal);  // R east of file e
  CHECK(Game::apply_white(p, rook(kN, 3), &after) == Outcome::illegal);  // R above rank 5
  CHECK(after.wr == p.wr);  // an illegal move leaves the position as it was
}

TEST_CASE("rook cannot pass through the white king") {
  Position p = pos("c3", "a3", "e5");
  Position after;
  CHECK(Game::apply_white(p, rook(kE, 1), &after) == Outcome::ongoing);  // to b3: fine
  CHECK(Game::apply_white(p, rook(kE, 2), &after) == Outcome::illegal);  // onto K
  CHECK(Game::apply_white(p, rook(kE, 3), &after) == Outcome::illegal);  // through K
}

TEST_CASE("rook cannot pass through or land on the black king") {
  // Only reachable from a position with black in check, which is not legal with white to
  // move; the rule still holds.
  Position p = pos("a1", "c2", "c4");
  Position after;
  CHECK(Game::apply_white(p, rook(kN, 2), &after) == Outcome::illegal);  // onto k
  CHECK(Game::apply_white(p, rook(kN, 3), &after) == Outcome::illegal);  // through k
}

TEST_CASE("king cannot move next to the black king or onto a piece") {
  Position p = pos("c2", "b2", "c4");
  Position after;
  CHECK(Game::apply_white(p, 2, &after) == Outcome::illegal);  // K c3 touches k c4
  CHECK(Game::apply_white(p, 4, &after) == Outcome::illegal);  // K onto its own rook
  Position q = pos("a1", "e1", "c3");
  CHECK_FALSE(Game::white_move(q, 1, &after));  // K b2 would touch k c3
  CHECK(Game::apply_white(q, 1, &after) == Outcome::illegal);
}

TEST_CASE("the white king blocks the rook's line") {
  Position p = pos("c3", "c1", "c5");
  CHECK(Game::rook_attacks(p.wr, p.wk, sq("c2")));
  CHECK(Game::rook_attacks(p.wr, p.wk, sq("c3")));  // the first piece is attacked (protected)
  CHECK_FALSE(Game::rook_attacks(p.wr, p.wk, sq("c4")));
  CHECK_FALSE(Game::in_check(p));
  CHECK(Game::is_legal(p));
}

TEST_CASE("the black king does not block the rook's attack on squares behind it") {
  Position p = pos("a1", "a5", "c5");  // k in check along rank 5
  CHECK(Game::in_check(p));
  CHECK_FALSE(Game::is_legal(p));  // with white to move, black may not be in check
  CHECK(Game::rook_attacks(p.wr, p.wk, sq("d5")));
  CHECK_FALSE(has_move(p, sq("d5")));  // stepping away along the line is still check
  CHECK_FALSE(has_move(p, sq("b5")));
  CHECK(has_move(p, sq("b4")));
  CHECK(has_move(p, sq("c4")));
  CHECK(has_move(p, sq("d4")));
  uint8_t out[8];
  CHECK(Game::black_moves(p, out) == 3);
}

TEST_CASE("a rook check on the edge with the king opposite is checkmate, worth +100") {
  Position p = pos("c3", "a4", "c5");
  CHECK(Game::is_legal(p));
  Position after;
  CHECK(Game::apply_white(p, rook(kN, 1), &after) == Outcome::checkmate);
  Game env;
  saerl::Rng rng(1);
  env.reset_to(p);
  Game::StepResult r = env.step(rook(kN, 1), rng);
  CHECK(r.reward == 100.0f);
  CHECK(r.done);
  CHECK(r.outcome == Outcome::checkmate);
}

TEST_CASE("taking black's last square without check is stalemate, worth -100") {
  Position p = pos("b3", "e4", "a5");
  CHECK(Game::is_legal(p));
  Position after;
  CHECK(Game::apply_white(p, rook(kW, 3), &after) == Outcome::stalemate);  // R to b4
  Game env;
  saerl::Rng rng(1);
  env.reset_to(p);
  Game::StepResult r = env.step(rook(kW, 3), rng);
  CHECK(r.reward == -100.0f);
  CHECK(r.done);
  CHECK(r.outcome == Outcome::stalemate);
}

TEST_CASE("leaving the rook next to the black king unprotected is a blunder, worth -100") {
  Position after;
  // The rook moves next to k, far from its king.
  CHECK(Game::apply_white(pos("a1", "e4", "c5"), rook(kW, 2), &after) == Outcome::blunder);
  // The king walks away from a rook standing next to k.
  Position p = pos("b3", "b4", "a5");
  CHECK(Game::is_legal(p));
  CHECK(Game::apply_white(p, 6, &after) == Outcome::blunder);  // K b2
  CHECK(Game::apply_white(p, 0, &after) == Outcome::stalemate);  // K c3 guards b4, takes a4
  Game env;
  saerl::Rng rng(1);
  env.reset_to(p);
  Game::StepResult r = env.step(6, rng);
  CHECK(r.reward == -100.0f);
  CHECK(r.done);
  CHECK(r.outcome == Outcome::blunder);
}

TEST_CASE("an illegal move ends the episode with -100") {
  Game env;
  saerl::Rng rng(1);
  env.reset_to(pos("a1", "c3", "e5"));
  Game::StepResult r = env.step(4, rng);
  CHECK(r.reward == -100.0f);
  CHECK(r.done);
  CHECK(r.outcome == Outcome::illegal);
}

TEST_CASE("a normal move costs -1 and black answers with a legal king move") {
  Position p = pos("a1", "c1", "e5");
  Game env;
  saerl::Rng rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    env.reset_to(p);
    Game::StepResult r = env.step(2, rng);  // K a2
    CHECK(r.reward == -1.0f);
    CHECK_FALSE(r.done);
    CHECK(r.outcome == Outcome::ongoing);
    CHECK(has_move(Game::make(sq("a2"), sq("c1"), sq("e5")), env.pos.bk));
    CHECK(Game::is_legal(env.pos));
  }
}

TEST_CASE("the 50th white move without mate ends the episode with -100") {
  Position p = pos("a1", "c1", "e5");
  Game env;
  saerl::Rng rng(5);
  env.reset_to(p);
  for (int move = 1; move < Game::kMaxMoves; ++move) {
    env.pos = p;  // replay the same safe move from the same position
    Game::StepResult r = env.step(2, rng);
    CHECK_FALSE(r.done);
  }
  env.pos = p;
  Game::StepResult r = env.step(2, rng);
  CHECK(env.moves == 50);
  CHECK(r.done);
  CHECK(r.reward == -100.0f);
  CHECK(r.outcome == Outcome::timeout);
}

TEST_CASE("checkmate on the 50th move still wins") {
  Game env;
  saerl::Rng rng(1);
  env.reset_to(pos("c3", "a4", "c5"));
  env.moves = Game::kMaxMoves - 1;
  Game::StepResult r = env.step(rook(kN, 1), rng);
  CHECK(r.outcome == Outcome::checkmate);
  CHECK(r.reward == 100.0f);
}

TEST_CASE("the one-hot observation has planes K, R, k") {
  Position p = pos("c3", "a1", "e5");
  float obs[Game::kObs];
  Game::observe(p, obs);
  float sum = 0;
  for (float v : obs) sum += v;
  CHECK(sum == 3.0f);
  CHECK(obs[sq("c3")] == 1.0f);
  CHECK(obs[25 + sq("a1")] == 1.0f);
  CHECK(obs[50 + sq("e5")] == 1.0f);
  Game env;
  env.reset_to(p);
  double obs2[Game::kObs];
  env.observe(obs2);
  for (int i = 0; i < Game::kObs; ++i) CHECK(obs2[i] == static_cast<double>(obs[i]));
  CHECK(Game::index(env.state()) == Game::index(p));
}

TEST_CASE("the coordinate observation is row, col of K, R, k scaled to [0, 1]") {
  Position p = pos("c3", "a1", "e4");
  float obs[Game::kObsCoords];
  Game::observe_coords(p, obs);
  const float expect[6] = {0.5f, 0.5f, 0.0f, 0.0f, 0.75f, 1.0f};
  for (int i = 0; i < 6; ++i) CHECK(obs[i] == doctest::Approx(expect[i]));
}

TEST_CASE("the 5x5 board has 7,040 legal positions, as an independent count finds") {
  int brute = brute_force_legal_count(5);
  CHECK(brute == 7040);
  CHECK(Game::count_legal_positions() == brute);
  CHECK(saerl::RookCheckmate<4>::count_legal_positions() == brute_force_legal_count(4));
  CHECK(saerl::RookCheckmate<6>::count_legal_positions() == brute_force_legal_count(6));
  // the compile-time counts that size the activation datasets
  CHECK(saerl::RookCheckmate<4>::kLegalPositions == saerl::RookCheckmate<4>::count_legal_positions());
  CHECK(Game::kLegalPositions == brute);
  CHECK(saerl::RookCheckmate<6>::kLegalPositions == saerl::RookCheckmate<6>::count_legal_positions());
  CHECK(saerl::RookCheckmate<7>::kLegalPositions == saerl::RookCheckmate<7>::count_legal_positions());
  CHECK(saerl::RookCheckmate<8>::kLegalPositions == saerl::RookCheckmate<8>::count_legal_positions());
}

TEST_CASE("random resets give only legal positions, and reach many of them") {
  Game env;
  saerl::Rng rng(7);
  static bool seen[Game::kPositions];
  int distinct = 0;
  for (int i = 0; i < 20000; ++i) {
    env.reset(rng);
    CHECK(Game::is_legal(env.pos));
    CHECK(env.moves == 0);
    int k = Game::index(env.pos);
    if (!seen[k]) {
      seen[k] = true;
      ++distinct;
    }
  }
  CHECK(distinct > 6000);  // 20,000 uniform draws from 7,040 miss about 4% of them
}

TEST_CASE("the heuristic black keeps the most escape squares") {
  // Black to move; its replies leave it different numbers of escape squares.
  Position after = pos("a1", "b2", "d4");  // black to move; every reply is legal
  uint8_t moves[8];
  int n = Game::black_moves(after, moves), best = -1;
  for (int i = 0; i < n; ++i) {
    uint8_t esc[8];
    int m = Game::black_moves(Game::make(after.wk, after.wr, moves[i]), esc);
    if (m > best) best = m;
  }
  saerl::Rng rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    int to = Game::black_reply(after, Game::Opponent::heuristic, nullptr, rng);
    uint8_t esc[8];
    CHECK(Game::black_moves(Game::make(after.wk, after.wr, to), esc) == best);
  }
}

TEST_CASE("the random black plays every legal move") {
  Position after = pos("a1", "b2", "d4");
  uint8_t moves[8];
  int n = Game::black_moves(after, moves);
  CHECK(n >= 3);
  int count[Game::kSquares] = {0};
  saerl::Rng rng(13);
  for (int trial = 0; trial < 100 * n; ++trial)
    ++count[Game::black_reply(after, Game::Opponent::random, nullptr, rng)];
  int total = 0;
  for (int i = 0; i < n; ++i) {
    CHECK(count[moves[i]] > 50);
    total += count[moves[i]];
  }
  CHECK(total == 100 * n);
}

TEST_CASE("reset draws the black king, then the rook, then the white king, whatever the compiler") {
  // (function arguments are evaluated in a compiler-specific order; the draws must not be)
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    saerl::Rng a(seed), b(seed);
    Game env;
    env.reset(a);
    Game::Position p;
    do {
      const int bk = int(b.below(Game::kSquares)), wr = int(b.below(Game::kSquares)), wk = int(b.below(Game::kSquares));
      p = Game::make(wk, wr, bk);
    } while (!Game::is_legal(p));
    CHECK(env.pos.wk == p.wk);
    CHECK(env.pos.wr == p.wr);
    CHECK(env.pos.bk == p.bk);
  }
}

TEST_CASE("the eight symmetries of the board map legal positions, moves and their outcomes onto each other") {
  auto check_board = [](auto game) {
    using G = decltype(game);
    long checked = 0;
    for (int g = 0; g < G::kSymmetries; ++g) {
      bool bijective[G::kSquares] = {false};
      for (int sq = 0; sq < G::kSquares; ++sq) bijective[G::transform_square(sq, g)] = true;
      for (int sq = 0; sq < G::kSquares; ++sq) CHECK(bijective[sq]);
      for (int i = 0; i < G::kPositions; i += 37) {
        const typename G::Position p = G::from_index(i);
        const typename G::Position q = G::transform(p, g);
        CHECK(G::is_legal(p) == G::is_legal(q));
        if (!G::is_legal(p)) continue;
        uint8_t mp[8], mq[8];
        CHECK(G::black_moves(p, mp) == G::black_moves(q, mq));
        for (int a = 0; a < G::kActions; ++a) {
          typename G::Position after_p, after_q;
          const auto op = G::apply_white(p, a, &after_p);
          const auto oq = G::apply_white(q, G::transform_action(a, g), &after_q);
          CHECK(op == oq);
          if (op == G::Outcome::ongoing) CHECK(G::index(G::transform(after_p, g)) == G::index(after_q));
          ++checked;
        }
      }
    }
    CHECK(checked > 1000);
  };
  check_board(Game{});
  check_board(saerl::RookCheckmate<6>{});
}
