// saerl/gridworld/predicates.hpp — ground-truth predicates over rook-checkmate positions.
//
// Facts about a position (white to move), computed from the rules, that SAE features are
// matched against: "this feature fires when the black king is in a corner". Two families:
//   named         a few dozen facts about the pieces' relations: edges and corners, the black
//                 king's mobility, the rook's safety, cut-offs, the kings' geometry, and the
//                 solver's distance to mate in buckets;
//   piece-square  3 * N * N facts "piece X stands on square s" (K, R, k on every square),
//                 indexed after the named ones: kNamed + plane * N * N + square.
// Each has a machine name ("bk_corner", "R_c3") and a phrase that completes the sentence
// "fires when <phrase>" ("the black king is in a corner", "the white rook is on c3").
//
//   using P = saerl::RookPredicates<5>;
//   bool truth[P::kCount];
//   P::evaluate(pos, solver.dtm, truth);       // solver: a solved RookSolver<5>, or nullptr
//   if (truth[P::bk_corner]) ...               // named predicates are enum members
//   char phrase[64];
//   for (int i = 0; i < P::kCount; ++i)
//     if (truth[i]) std::printf("%s: %s\n", P::name(i), P::describe(i, phrase, sizeof phrase));
//
// The four dtm_* predicates read the solver's distance-to-mate table (RookSolver<N>::dtm,
// indexed by RookCheckmate<N>::index). With dtm == nullptr they are all false: check
// needs_dtm(i) before matching features against them. Positions white cannot force (dtm < 1,
// none on 5x5) make every dtm_* predicate false.
//
// Words used in the phrases (squares are row * N + col; file a = col 0, rank 1 = row 0):
//   edge     the outermost ring of squares;     corner  the four corner squares;
//   centre   the squares farthest from every edge: c3 on 5x5, the middle 2x2 on even boards.
//   The rook "cuts the black king off along its rank" when the black king is not on that
//   rank and could not step onto any square of it (each is the rook's, the white king's, next
//   to the white king, or attacked by the rook); taking a hanging rook is ignored. Every legal
//   position has at least one such line, so r_cuts asks for more: a cutting line with the
//   white king strictly on its other side. The black king's "box" is the rectangle left to
//   it by the cutting lines; r_cuts_edge: that box is one rank or one file wide.
#pragma once
#include <cstddef>
#include <cstdint>

#include "rook_checkmate.hpp"

namespace saerl {

namespace detail {

// "K_a1", "R_c3", "k_e5": the piece-square names, built at compile time (N <= 8, so one
// digit for the rank and 5 characters plus '\0').
template <int N>
struct PieceSquareNames {
  char text[3 * N * N][6];
  constexpr PieceSquareNames() : text{} {
    const char piece[3] = {'K', 'R', 'k'};
    for (int plane = 0; plane < 3; ++plane)
      for (int sq = 0; sq < N * N; ++sq) {
        char* t = text[plane * N * N + sq];
        t[0] = piece[plane];
        t[1] = '_';
        t[2] = static_cast<char>('a' + sq % N);
        t[3] = static_cast<char>('1' + sq / N);
        t[4] = '\0';
      }
  }
};

}  // namespace detail

template <int N = 5>
struct RookPredicates {
  using Game = RookCheckmate<N>;
  using Position = typename Game::Position;

  // The named predicates, in index order. The enum member is the machine name.
  enum Named : int {
    // where the black king stands
    bk_edge,
    bk_corner,
    bk_centre,
    bk_near_edge,
    // the black king's moves (RookCheckmate::black_moves, as if black were to move)
    bk_moves_0,
    bk_moves_1,
    bk_moves_2,
    bk_moves_le2,
    bk_moves_le4,
    bk_moves_ge5,
    // the rook's safety
    r_attacked,
    r_protected,
    r_hanging,
    r_attacked_protected,
    // the rook's lines and the black king
    r_rank_bk,
    r_file_bk,
    bk_next_to_r_line,
    r_near_bk,
    r_cuts,
    r_cuts_both,
    r_cuts_edge,
    box_le4,
    box_le6,
    box_le9,
    box_le12,
    wk_on_r_line,
    r_can_check,
    // the two kings
    kings_opposition,
    kings_knight,
    kings_near,
    kings_same_line,
    // where the white pieces stand
    wk_edge,
    wk_corner,
    wk_centre,
    r_edge,
    r_corner,
    r_centre,
    // the solver's distance to mate (false without a dtm table)
    dtm_1,
    dtm_2_3,
    dtm_4_6,
    dtm_7plus,
    kNamedCount
  };

  static constexpr int kNamed = kNamedCount;
  static constexpr int kPieceSquare = 3 * N * N;  // K, R, k on each square
  static constexpr int kCount = kNamed + kPieceSquare;

  // Index of "piece on square": plane 0 the white king, 1 the rook, 2 the black king.
  static constexpr int piece_square(int plane, int sq) { return kNamed + plane * N * N + sq; }

  static const char* name(int i) {
    if (i >= 0 && i < kNamed) return kTable[i].name;
    if (i >= kNamed && i < kCount) return kSquareNames.text[i - kNamed];
    return "?";
  }

  // The phrase for "fires when <phrase>", written into buf (truncated to cap - 1 characters
  // and always terminated when cap > 0); returns buf.
  static const char* describe(int i, char* buf, size_t cap) {
    static const char* const kPiece[3] = {"the white king is on ", "the white rook is on ",
                                          "the black king is on "};
    size_t len = 0;
    if (cap > 0) buf[0] = '\0';
    if (i >= 0 && i < kNamed) {
      append(buf, cap, &len, kTable[i].phrase);
    } else if (i >= kNamed && i < kCount) {
      int plane = (i - kNamed) / (N * N);
      append(buf, cap, &len, kPiece[plane]);
      append(buf, cap, &len, kSquareNames.text[i - kNamed] + 2);  // "c3" of "R_c3"
    } else {
      append(buf, cap, &len, "?");
    }
    return buf;
  }

  // The index of a machine name, or -1.
  static int find(const char* n) {
    for (int i = 0; i < kCount; ++i) {
      const char* a = name(i);
      int k = 0;
      while (a[k] != '\0' && a[k] == n[k]) ++k;
      if (a[k] == '\0' && n[k] == '\0') return i;
    }
    return -1;
  }

  // True for the predicates read from the solver's table (false everywhere without one).
  static bool needs_dtm(int i) { return i >= dtm_1 && i <= dtm_7plus; }

  // All kCount predicates of a legal position: out[0..kNamed) named, then piece-square.
  static void evaluate(Position p, const int8_t* dtm, bool* out) {
    evaluate_named(p, dtm, out);
    evaluate_piece_square(p, out + kNamed);
  }

  // out[0..kPieceSquare): exactly three true, one per plane.
  static void evaluate_piece_square(Position p, bool* out) {
    for (int i = 0; i < kPieceSquare; ++i) out[i] = false;
    out[p.wk] = true;
    out[N * N + p.wr] = true;
    out[2 * N * N + p.bk] = true;
  }

  // out[0..kNamed). dtm may be nullptr (then dtm_* are false).
  static void evaluate_named(Position p, const int8_t* dtm, bool* out) {
    const int kr = Game::row(p.wk), kc = Game::col(p.wk);
    const int rr = Game::row(p.wr), rc = Game::col(p.wr);
    const int br = Game::row(p.bk), bc = Game::col(p.bk);

    out[bk_edge] = edge_distance(p.bk) == 0;
    out[bk_corner] = is_corner(p.bk);
    out[bk_centre] = edge_distance(p.bk) == (N - 1) / 2;
    out[bk_near_edge] = edge_distance(p.bk) == 1;

    uint8_t moves[8];
    const int m = Game::black_moves(p, moves);
    out[bk_moves_0] = m == 0;
    out[bk_moves_1] = m == 1;
    out[bk_moves_2] = m == 2;
    out[bk_moves_le2] = m <= 2;
    out[bk_moves_le4] = m <= 4;
    out[bk_moves_ge5] = m >= 5;

    const bool attacked = Game::king_distance(p.wr, p.bk) == 1;
    const bool protected_ = Game::king_distance(p.wr, p.wk) == 1;
    out[r_attacked] = attacked;
    out[r_protected] = protected_;
    out[r_hanging] = attacked && !protected_;
    out[r_attacked_protected] = attacked && protected_;

    out[r_rank_bk] = rr == br;
    out[r_file_bk] = rc == bc;
    out[bk_next_to_r_line] = abs_diff(rr, br) == 1 || abs_diff(rc, bc) == 1;
    out[r_near_bk] = Game::king_distance(p.wr, p.bk) <= 2;

    // Cut-offs and the box: rows (columns) left to the black king by a barrier rank (file).
    const bool cut_rank = br != rr && is_barrier(p, 0);
    const bool cut_file = bc != rc && is_barrier(p, 1);
    const int rows = !cut_rank ? N : br > rr ? N - 1 - rr : rr;
    const int cols = !cut_file ? N : bc > rc ? N - 1 - rc : rc;
    const int box = rows * cols;
    // cut off from the white king: a barrier line with the kings strictly on either side
    out[r_cuts] = (cut_rank && (kr - rr) * (br - rr) < 0) ||
                  (cut_file && (kc - rc) * (bc - rc) < 0);
    out[r_cuts_both] = cut_rank && cut_file;
    out[r_cuts_edge] = rows == 1 || cols == 1;
    out[box_le4] = box <= 4;
    out[box_le6] = box <= 6;
    out[box_le9] = box <= 9;
    out[box_le12] = box <= 12;
    out[wk_on_r_line] = kr == rr || kc == rc;
    out[r_can_check] = rook_can_check(p);

    const int dr = abs_diff(kr, br), dc = abs_diff(kc, bc);
    out[kings_opposition] = (dr == 0 && dc == 2) || (dr == 2 && dc == 0);
    out[kings_knight] = (dr == 1 && dc == 2) || (dr == 2 && dc == 1);
    out[kings_near] = Game::king_distance(p.wk, p.bk) <= 2;
    out[kings_same_line] = dr == 0 || dc == 0;

    out[wk_edge] = edge_distance(p.wk) == 0;
    out[wk_corner] = is_corner(p.wk);
    out[wk_centre] = edge_distance(p.wk) == (N - 1) / 2;
    out[r_edge] = edge_distance(p.wr) == 0;
    out[r_corner] = is_corner(p.wr);
    out[r_centre] = edge_distance(p.wr) == (N - 1) / 2;

    const int d = dtm != nullptr ? dtm[Game::index(p)] : -1;
    out[dtm_1] = d == 1;
    out[dtm_2_3] = d >= 2 && d <= 3;
    out[dtm_4_6] = d >= 4 && d <= 6;
    out[dtm_7plus] = d >= 7;
  }

 private:
  struct Entry {
    const char* name;
    const char* phrase;
  };

  // One row per Named member, in the same order (the static_assert checks the count).
  static constexpr Entry kTable[] = {
      {"bk_edge", "the black king is on an edge"},
      {"bk_corner", "the black king is in a corner"},
      {"bk_centre", "the black king is in the centre"},
      {"bk_near_edge", "the black king is one step from an edge"},
      {"bk_moves_0", "the black king has no move"},
      {"bk_moves_1", "the black king has exactly one move"},
      {"bk_moves_2", "the black king has exactly two moves"},
      {"bk_moves_le2", "the black king has at most two moves"},
      {"bk_moves_le4", "the black king has at most four moves"},
      {"bk_moves_ge5", "the black king has five or more moves"},
      {"r_attacked", "the black king attacks the rook"},
      {"r_protected", "the white king protects the rook"},
      {"r_hanging", "the rook is attacked and unprotected"},
      {"r_attacked_protected", "the rook is attacked but protected"},
      {"r_rank_bk", "the rook is on the black king's rank"},
      {"r_file_bk", "the rook is on the black king's file"},
      {"bk_next_to_r_line", "the black king is next to the rook's rank or file"},
      {"r_near_bk", "the rook is within two king steps of the black king"},
      {"r_cuts", "the rook's rank or file cuts the black king off from the white king"},
      {"r_cuts_both", "the rook's rank and file both cut the black king off"},
      {"r_cuts_edge", "the rook confines the black king to an edge rank or file"},
      {"box_le4", "the black king is boxed into at most 4 squares"},
      {"box_le6", "the black king is boxed into at most 6 squares"},
      {"box_le9", "the black king is boxed into at most 9 squares"},
      {"box_le12", "the black king is boxed into at most 12 squares"},
      {"wk_on_r_line", "the white king is on the rook's rank or file"},
      {"r_can_check", "the rook can give check without hanging"},
      {"kings_opposition", "the kings stand in opposition, two squares apart on a line"},
      {"kings_knight", "the kings are a knight's move apart"},
      {"kings_near", "the kings are at most two king steps apart"},
      {"kings_same_line", "the kings are on the same rank or file"},
      {"wk_edge", "the white king is on an edge"},
      {"wk_corner", "the white king is in a corner"},
      {"wk_centre", "the white king is in the centre"},
      {"r_edge", "the rook is on an edge"},
      {"r_corner", "the rook is in a corner"},
      {"r_centre", "the rook is in the centre"},
      {"dtm_1", "white mates in one"},
      {"dtm_2_3", "white mates in two or three moves"},
      {"dtm_4_6", "white mates in four to six moves"},
      {"dtm_7plus", "white needs seven or more moves to mate"},
  };
  static_assert(sizeof(kTable) / sizeof(kTable[0]) == kNamedCount,
                "RookPredicates: kTable needs one row per Named member");

  static constexpr detail::PieceSquareNames<N> kSquareNames{};

  // Appends text to buf[0..cap), keeping it terminated; *len counts what was written.
  static void append(char* buf, size_t cap, size_t* len, const char* text) {
    for (; *text != '\0' && *len + 1 < cap; ++text) buf[(*len)++] = *text;
    if (*len < cap) buf[*len] = '\0';
  }

  static int abs_diff(int a, int b) { return a > b ? a - b : b - a; }

  // Steps to the nearest edge: 0 on the edge, (N - 1) / 2 in the centre.
  static int edge_distance(int sq) {
    int r = Game::row(sq), c = Game::col(sq);
    int d = r;
    if (c < d) d = c;
    if (N - 1 - r < d) d = N - 1 - r;
    if (N - 1 - c < d) d = N - 1 - c;
    return d;
  }

  static bool is_corner(int sq) {
    int r = Game::row(sq), c = Game::col(sq);
    return (r == 0 || r == N - 1) && (c == 0 || c == N - 1);
  }

  // The rook's rank (axis 0) or file (axis 1) is closed to the black king: every square of
  // it is the rook's, the white king's, next to the white king, or attacked by the rook.
  static bool is_barrier(Position p, int axis) {
    for (int i = 0; i < N; ++i) {
      int s = axis == 0 ? Game::row(p.wr) * N + i : i * N + Game::col(p.wr);
      if (s == p.wr || Game::king_distance(s, p.wk) <= 1) continue;
      if (!Game::rook_attacks(p.wr, p.wk, s)) return false;
    }
    return true;
  }

  // Some legal rook move checks the black king and does not leave the rook hanging
  // (a mating move counts).
  static bool rook_can_check(Position p) {
    for (int a = 8; a < Game::kActions; ++a) {
      Position after;
      typename Game::Outcome o = Game::apply_white(p, a, &after);
      if (o == Game::Outcome::checkmate) return true;
      if (o == Game::Outcome::ongoing && Game::in_check(after)) return true;
    }
    return false;
  }
};

}  // namespace saerl
