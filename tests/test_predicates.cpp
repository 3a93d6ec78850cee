// Tests of gridworld/predicates.hpp: hand-set positions for each named predicate, agreement
// with the rules and the solver, and every named predicate varying over the legal positions.
#include <doctest/doctest.h>

#include <cstring>

#include "gridworld/predicates.hpp"
#include "gridworld/rook_solver.hpp"

namespace {

using P = saerl::RookPredicates<5>;
using Game = P::Game;
using Position = Game::Position;

int sq(const char* name) { return (name[1] - '1') * 5 + (name[0] - 'a'); }

// A legal position from square names: white king, white rook, black king.
Position at(const char* wk, const char* wr, const char* bk) {
  Position p = Game::make(sq(wk), sq(wr), sq(bk));
  REQUIRE(Game::is_legal(p));
  return p;
}

// The truth table of a position (without the solver unless dtm is given).
struct Truth {
  bool v[P::kCount];
  explicit Truth(Position p, const int8_t* dtm = nullptr) { P::evaluate(p, dtm, v); }
  bool operator[](int i) const { return v[i]; }
};

// One solved 5x5 solver for the dtm predicates (static storage, 78 KB).
const saerl::RookSolver<5>& solved() {
  static saerl::RookSolver<5> solver;
  static bool done = false;
  if (!done) {
    CHECK(solver.solve().ok());
    done = true;
  }
  return solver;
}

}  // namespace

TEST_CASE("the named list has at least 20 unique names, each with a phrase") {
  CHECK(P::kNamed >= 20);
  CHECK(P::kPieceSquare == 75);
  CHECK(P::kCount == P::kNamed + 75);
  char buf[96];
  for (int i = 0; i < P::kCount; ++i) {
    CHECK(std::strlen(P::name(i)) > 0);
    CHECK(std::strlen(P::describe(i, buf, sizeof buf)) > 0);
    CHECK(P::find(P::name(i)) == i);
    for (int j = 0; j < i; ++j) CHECK(std::strcmp(P::name(i), P::name(j)) != 0);
  }
  CHECK(std::strcmp(P::name(P::bk_corner), "bk_corner") == 0);
  CHECK(std::strcmp(P::describe(P::bk_corner, buf, sizeof buf), "the black king is in a corner") ==
        0);
  CHECK(P::find("no_such_predicate") == -1);
  CHECK(std::strcmp(P::name(-1), "?") == 0);
  CHECK(std::strcmp(P::name(P::kCount), "?") == 0);
}

TEST_CASE("piece-square names and phrases follow render.hpp's a1 .. e5") {
  char buf[64];
  CHECK(std::strcmp(P::name(P::piece_square(0, sq("a1"))), "K_a1") == 0);
  CHECK(std::strcmp(P::name(P::piece_square(1, sq("c3"))), "R_c3") == 0);
  CHECK(std::strcmp(P::name(P::piece_square(2, sq("e5"))), "k_e5") == 0);
  CHECK(std::strcmp(P::name(P::kCount - 1), "k_e5") == 0);
  CHECK(std::strcmp(P::describe(P::piece_square(0, sq("a1")), buf, sizeof buf),
                    "the white king is on a1") == 0);
  CHECK(std::strcmp(P::describe(P::piece_square(1, sq("c3")), buf, sizeof buf),
                    "the white rook is on c3") == 0);
  CHECK(std::strcmp(P::describe(P::piece_square(2, sq("b4")), buf, sizeof buf),
                    "the black king is on b4") == 0);
  CHECK(P::find("R_d2") == P::piece_square(1, sq("d2")));
}

TEST_CASE("describe truncates into a small buffer and always terminates") {
  char small[8];
  P::describe(P::bk_corner, small, sizeof small);
  CHECK(std::strcmp(small, "the bla") == 0);
}

TEST_CASE("piece-square predicates: exactly the three occupied squares are true") {
  for (int i = 0; i < Game::kPositions; ++i) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    Truth t(p);
    int on = 0;
    for (int j = P::kNamed; j < P::kCount; ++j) on += t[j];
    CHECK(on == 3);
    CHECK(t[P::piece_square(0, p.wk)]);
    CHECK(t[P::piece_square(1, p.wr)]);
    CHECK(t[P::piece_square(2, p.bk)]);
  }
}

TEST_CASE("edge, corner and centre of the black king") {
  Truth a1(at("c2", "e5", "a1"));
  CHECK(a1[P::bk_edge]);
  CHECK(a1[P::bk_corner]);
  CHECK_FALSE(a1[P::bk_centre]);
  CHECK_FALSE(a1[P::bk_near_edge]);

  Truth c3(at("a1", "e5", "c3"));
  CHECK(c3[P::bk_centre]);
  CHECK_FALSE(c3[P::bk_edge]);
  CHECK_FALSE(c3[P::bk_corner]);
  CHECK_FALSE(c3[P::bk_near_edge]);

  Truth b2(at("e5", "a5", "b2"));
  CHECK(b2[P::bk_near_edge]);
  CHECK_FALSE(b2[P::bk_edge]);
  CHECK_FALSE(b2[P::bk_centre]);

  Truth c1(at("a3", "e5", "c1"));  // an edge square that is no corner
  CHECK(c1[P::bk_edge]);
  CHECK_FALSE(c1[P::bk_corner]);
}

TEST_CASE("edge, corner and centre of the white king and the rook") {
  Truth t(at("a1", "e5", "c3"));
  CHECK(t[P::wk_edge]);
  CHECK(t[P::wk_corner]);
  CHECK_FALSE(t[P::wk_centre]);
  CHECK(t[P::r_edge]);
  CHECK(t[P::r_corner]);
  CHECK_FALSE(t[P::r_centre]);

  Truth u(at("c3", "b4", "e1"));
  CHECK(u[P::wk_centre]);
  CHECK_FALSE(u[P::wk_edge]);
  CHECK_FALSE(u[P::wk_corner]);
  CHECK_FALSE(u[P::r_edge]);
  CHECK_FALSE(u[P::r_centre]);

  Truth v(at("a3", "c3", "e5"));  // rook in the centre, white king on an edge, no corner
  CHECK(v[P::r_centre]);
  CHECK(v[P::wk_edge]);
  CHECK_FALSE(v[P::wk_corner]);
}

TEST_CASE("the black king's move counts") {
  // k a1, K c1 (guards b1, b2), R e2 (guards a2): no move.
  Truth none(at("c1", "e2", "a1"));
  CHECK(none[P::bk_moves_0]);
  CHECK_FALSE(none[P::bk_moves_1]);
  CHECK(none[P::bk_moves_le2]);
  CHECK(none[P::bk_moves_le4]);
  CHECK_FALSE(none[P::bk_moves_ge5]);

  // k a5 behind the rook's rank 4, K c3 guards b4: only b5.
  Truth one(at("c3", "e4", "a5"));
  CHECK(one[P::bk_moves_1]);
  CHECK_FALSE(one[P::bk_moves_0]);
  CHECK_FALSE(one[P::bk_moves_2]);
  CHECK(one[P::bk_moves_le2]);

  // k c3 with the white pieces far away: all eight squares.
  Truth free(at("a1", "e5", "c3"));
  CHECK(free[P::bk_moves_ge5]);
  CHECK_FALSE(free[P::bk_moves_le4]);
  CHECK_FALSE(free[P::bk_moves_le2]);
}

TEST_CASE("the move predicates agree with RookCheckmate::black_moves on every legal position") {
  for (int i = 0; i < Game::kPositions; ++i) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    uint8_t moves[8];
    int m = Game::black_moves(p, moves);
    Truth t(p);
    CHECK(t[P::bk_moves_0] == (m == 0));
    CHECK(t[P::bk_moves_1] == (m == 1));
    CHECK(t[P::bk_moves_2] == (m == 2));
    CHECK(t[P::bk_moves_le2] == (m <= 2));
    CHECK(t[P::bk_moves_le4] == (m <= 4));
    CHECK(t[P::bk_moves_ge5] == (m >= 5));
  }
}

TEST_CASE("a rook next to the black king is hanging unless the white king protects it") {
  Truth hanging(at("a1", "d4", "c3"));
  CHECK(hanging[P::r_attacked]);
  CHECK_FALSE(hanging[P::r_protected]);
  CHECK(hanging[P::r_hanging]);
  CHECK_FALSE(hanging[P::r_attacked_protected]);

  Truth guarded(at("e5", "d4", "c3"));
  CHECK(guarded[P::r_attacked]);
  CHECK(guarded[P::r_protected]);
  CHECK_FALSE(guarded[P::r_hanging]);
  CHECK(guarded[P::r_attacked_protected]);

  Truth away(at("e5", "d4", "a1"));  // protected, not attacked
  CHECK_FALSE(away[P::r_attacked]);
  CHECK(away[P::r_protected]);
  CHECK_FALSE(away[P::r_hanging]);
  CHECK_FALSE(away[P::r_attacked_protected]);
}

TEST_CASE("the rook shares a line with the black king only behind the white king") {
  Truth rank(at("b3", "a3", "d3"));
  CHECK(rank[P::r_rank_bk]);
  CHECK_FALSE(rank[P::r_file_bk]);
  CHECK(rank[P::wk_on_r_line]);

  Truth file(at("c2", "c1", "c4"));
  CHECK(file[P::r_file_bk]);
  CHECK_FALSE(file[P::r_rank_bk]);
  CHECK(file[P::wk_on_r_line]);

  Truth neither(at("a1", "e5", "c3"));
  CHECK_FALSE(neither[P::r_rank_bk]);
  CHECK_FALSE(neither[P::r_file_bk]);
  CHECK_FALSE(neither[P::wk_on_r_line]);
}

TEST_CASE("the black king next to the rook's line, and the rook near the black king") {
  Truth next(at("e1", "a4", "d3"));
  CHECK(next[P::bk_next_to_r_line]);  // rank 4 borders d3
  CHECK_FALSE(next[P::r_near_bk]);    // a4 to d3 is three king steps
  Truth near(at("e1", "a5", "c3"));
  CHECK_FALSE(near[P::bk_next_to_r_line]);
  CHECK(near[P::r_near_bk]);  // a5 to c3 is two king steps
  Truth both(at("e1", "a4", "c3"));
  CHECK(both[P::bk_next_to_r_line]);
  CHECK(both[P::r_near_bk]);
}

TEST_CASE("cut-offs and the black king's box") {
  // Rank 4 and file e fence k a5 into a5..d5: a box of 4 on the edge, K on the far side.
  Truth edge(at("c3", "e4", "a5"));
  CHECK(edge[P::r_cuts]);
  CHECK(edge[P::r_cuts_both]);
  CHECK(edge[P::r_cuts_edge]);
  CHECK(edge[P::box_le4]);
  CHECK(edge[P::box_le6]);
  CHECK(edge[P::box_le9]);
  CHECK(edge[P::box_le12]);

  // Rank 2 and file d leave k c4 the 3x3 box a3..c5; K a3 is inside it, not cut off.
  Truth nine(at("a3", "d2", "c4"));
  CHECK_FALSE(nine[P::r_cuts]);
  CHECK(nine[P::r_cuts_both]);
  CHECK_FALSE(nine[P::r_cuts_edge]);
  CHECK_FALSE(nine[P::box_le4]);
  CHECK_FALSE(nine[P::box_le6]);
  CHECK(nine[P::box_le9]);

  // The same box with K e5 beyond file d: cut off from the white king.
  Truth cut(at("e5", "d2", "b4"));
  CHECK(cut[P::r_cuts]);
  CHECK(cut[P::box_le9]);
  CHECK_FALSE(cut[P::box_le6]);

  // K c3 on the rook's rank leaves e3 open: only file a cuts, a box of 20, K on k's side.
  Truth open(at("c3", "a3", "e5"));
  CHECK_FALSE(open[P::r_cuts]);
  CHECK_FALSE(open[P::r_cuts_both]);
  CHECK_FALSE(open[P::r_cuts_edge]);
  CHECK_FALSE(open[P::box_le12]);

  // Rank 3 and file b leave k a1 the box a1..a2 (one file wide).
  Truth two(at("e5", "b3", "a1"));
  CHECK(two[P::r_cuts_edge]);
  CHECK(two[P::box_le4]);
}

TEST_CASE("the rook can give check, unless every checking move hangs it") {
  CHECK(Truth(at("c3", "e4", "a5"))[P::r_can_check]);  // R e5+
  // R d4 next to k e5: d5+ and e4+ both hang the rook, other squares give no check.
  CHECK_FALSE(Truth(at("a1", "d4", "e5"))[P::r_can_check]);
}

TEST_CASE("the kings' geometry: opposition, knight's move, distance, same line") {
  Truth opp(at("c3", "a1", "c5"));
  CHECK(opp[P::kings_opposition]);
  CHECK(opp[P::kings_near]);
  CHECK(opp[P::kings_same_line]);
  CHECK_FALSE(opp[P::kings_knight]);

  Truth knight(at("c3", "a1", "d5"));
  CHECK(knight[P::kings_knight]);
  CHECK(knight[P::kings_near]);
  CHECK_FALSE(knight[P::kings_opposition]);
  CHECK_FALSE(knight[P::kings_same_line]);

  Truth diag(at("c3", "a1", "e5"));
  CHECK(diag[P::kings_near]);
  CHECK_FALSE(diag[P::kings_opposition]);
  CHECK_FALSE(diag[P::kings_knight]);

  Truth far(at("a1", "b5", "e3"));
  CHECK_FALSE(far[P::kings_near]);
  CHECK_FALSE(far[P::kings_same_line]);

  Truth line(at("a1", "b5", "a4"));  // same file, three apart: no opposition
  CHECK(line[P::kings_same_line]);
  CHECK_FALSE(line[P::kings_opposition]);
}

TEST_CASE("distance-to-mate buckets follow the solver's table, and are false without it") {
  const saerl::RookSolver<5>& s = solved();
  Position mate1 = at("a3", "e1", "a5");  // R e5#
  CHECK(s.dtm[Game::index(mate1)] == 1);
  CHECK(Truth(mate1, s.dtm)[P::dtm_1]);
  CHECK_FALSE(Truth(mate1, s.dtm)[P::dtm_2_3]);
  CHECK_FALSE(Truth(mate1)[P::dtm_1]);
  CHECK(P::needs_dtm(P::dtm_1));
  CHECK(P::needs_dtm(P::dtm_7plus));
  CHECK_FALSE(P::needs_dtm(P::bk_edge));
  CHECK_FALSE(P::needs_dtm(P::piece_square(0, 0)));

  for (int i = 0; i < Game::kPositions; ++i) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    int d = s.dtm[i];
    Truth with(p, s.dtm), without(p);
    CHECK(with[P::dtm_1] == (d == 1));
    CHECK(with[P::dtm_2_3] == (d == 2 || d == 3));
    CHECK(with[P::dtm_4_6] == (d >= 4 && d <= 6));
    CHECK(with[P::dtm_7plus] == (d >= 7));
    CHECK(with[P::dtm_1] + with[P::dtm_2_3] + with[P::dtm_4_6] + with[P::dtm_7plus] == 1);
    for (int j = 0; j < P::kNamed; ++j)
      CHECK(without[j] == (P::needs_dtm(j) ? false : with[j]));
  }
}

TEST_CASE("no named predicate is constant over the legal 5x5 positions") {
  const saerl::RookSolver<5>& s = solved();
  int trues[P::kNamed] = {}, legal = 0;
  for (int i = 0; i < Game::kPositions; ++i) {
    Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    ++legal;
    Truth t(p, s.dtm);
    for (int j = 0; j < P::kNamed; ++j) trues[j] += t[j];
  }
  CHECK(legal == 7040);
  for (int j = 0; j < P::kNamed; ++j) {
    INFO("predicate ", P::name(j), " is true on ", trues[j], " of ", legal);
    CHECK(trues[j] > 0);
    CHECK(trues[j] < legal);
  }
}

TEST_CASE("other board sizes: names, centre and piece squares") {
  using P8 = saerl::RookPredicates<8>;
  using G8 = P8::Game;
  CHECK(P8::kPieceSquare == 192);
  CHECK(std::strcmp(P8::name(P8::kCount - 1), "k_h8") == 0);
  bool t[P8::kCount];
  P8::evaluate(G8::make(/*K d4*/ 27, /*R a8*/ 56, /*k h1*/ 7), nullptr, t);
  CHECK(t[P8::wk_centre]);  // d4 is one of the middle four squares
  CHECK(t[P8::bk_corner]);
  CHECK(t[P8::r_corner]);
  CHECK_FALSE(t[P8::kings_near]);
  int on = 0;
  for (int j = P8::kNamed; j < P8::kCount; ++j) on += t[j];
  CHECK(on == 3);

  using P4 = saerl::RookPredicates<4>;
  bool u[P4::kCount];
  P4::evaluate(P4::Game::make(/*K b2*/ 5, /*R c4*/ 14, /*k d1*/ 3), nullptr, u);
  CHECK(u[P4::wk_centre]);
  CHECK(u[P4::bk_corner]);
  CHECK(std::strcmp(P4::name(P4::kNamed), "K_a1") == 0);
}
