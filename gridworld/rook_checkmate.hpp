// saerl/gridworld/rook_checkmate.hpp — the rook checkmate endgame as an RL environment.
//
// White (the agent) has a king K and a rook R; black has a lone king k, moved by a built-in
// opponent. White wants checkmate within 50 moves. The rules are docs/DESIGN.md's "The rook
// checkmate, exactly"; each rule is a small static function below, so the exact solver
// (rook_solver.hpp) and the tests use them without an environment object.
//
//   saerl::Rng rng(1);
//   saerl::RookCheckmate<5> env;                    // 5x5 board, random black
//   env.reset(rng);                                  // uniform over legal positions
//   float obs[saerl::RookCheckmate<5>::kObs];
//   env.observe(obs);                                // one-hot: planes K, R, k of 25 each
//   auto r = env.step(2, rng);                       // action 2: K north
//   // r.reward is -1, +100 or -100; r.done ends the episode; r.outcome says why.
//
// Squares are numbered row * N + col. Row 0 is rank 1 (white's side), col 0 is file a.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "../core/base/rng.hpp"

namespace saerl {

template <int N = 5>
struct RookCheckmate {
  static_assert(N >= 4, "RookCheckmate: the board must be at least 4x4");
  static_assert(N <= 8, "RookCheckmate: at most 8x8, so the N^6 solver tables stay small");

  static constexpr int kSize = N;  // the board is N x N
  static constexpr int kSquares = N * N;
  static constexpr int kActions = 8 + 4 * (N - 1);  // 8 king moves + 4 directions x (N-1)
  static constexpr int kObs = 3 * N * N;            // one-hot planes K, R, k
  static constexpr int kObsCoords = 6;              // row, col of K, R, k in [0, 1]
  static constexpr int kMaxMoves = 50;              // the 50th white move without mate loses
  static constexpr int kPositions = N * N * N * N * N * N;  // every (K, R, k) triple
  // legal positions with white to move (count_legal_positions(); a test checks each)
  static constexpr int kLegalPositions = N == 4 ? 1312 : N == 5 ? 7040 : N == 6 ? 25440 : N == 7 ? 72380 : 175168;

  struct Position {
    uint8_t wk, wr, bk;  // squares of the white king, white rook, black king
  };

  enum class Outcome : uint8_t { ongoing, checkmate, stalemate, illegal, blunder, timeout };
  enum class Opponent : uint8_t { random, heuristic, perfect };

  struct StepResult {
    float reward;     // -1 normal move, +100 checkmate, -100 any loss
    bool done;
    Outcome outcome;
  };

  // Directions in action order: E, NE, N, NW, W, SW, S, SE (north is row + 1).
  // The rook moves along directions 0, 2, 4, 6 (E, N, W, S).
  static constexpr int kDRow[8] = {0, 1, 1, 1, 0, -1, -1, -1};
  static constexpr int kDCol[8] = {1, 1, 0, -1, -1, -1, 0, 1};

  // ---- squares and positions ------------------------------------------------------------

  static int row(int sq) { return sq / N; }
  static int col(int sq) { return sq % N; }
  static bool on_board(int r, int c) { return r >= 0 && r < N && c >= 0 && c < N; }

  // Moves a king needs between two squares (Chebyshev distance); 1 means adjacent.
  static int king_distance(int a, int b) {
    int dr = row(a) - row(b), dc = col(a) - col(b);
    if (dr < 0) dr = -dr;
    if (dc < 0) dc = -dc;
    return dr > dc ? dr : dc;
  }

  static Position make(int wk, int wr, int bk) {
    return Position{static_cast<uint8_t>(wk), static_cast<uint8_t>(wr), static_cast<uint8_t>(bk)};
  }

  // index = wk * N^4 + wr * N^2 + bk, in [0, kPositions).
  static int index(Position p) { return (p.wk * kSquares + p.wr) * kSquares + p.bk; }
  static Position from_index(int i) {
    return make(i / (kSquares * kSquares), (i / kSquares) % kSquares, i % kSquares);
  }

  // ---- attacks and legality --------------------------------------------------------------

  // Does a rook on `rook` attack `target`? Along the rank or file, up to and including the
  // first piece; the white king on `king` blocks, the black king never does (a king cannot
  // hide behind itself), so this is also the attack "with k removed".
  static bool rook_attacks(int rook, int king, int target) {
    if (target == rook) return false;
    int dr = row(target) - row(rook), dc = col(target) - col(rook);
    if (dr != 0 && dc != 0) return false;
    int sr = (dr > 0) - (dr < 0), sc = (dc > 0) - (dc < 0);
    for (int r = row(rook) + sr, c = col(rook) + sc; r * N + c != target; r += sr, c += sc)
      if (r * N + c == king) return false;  // the white king blocks the line
    return true;
  }

  static bool in_check(Position p) { return rook_attacks(p.wr, p.wk, p.bk); }

  // Legal with white to move: distinct squares, kings apart, black not in check.
  static bool is_legal(Position p) {
    if (p.wk >= kSquares || p.wr >= kSquares || p.bk >= kSquares) return false;
    if (p.wk == p.wr || p.wk == p.bk || p.wr == p.bk) return false;
    if (king_distance(p.wk, p.bk) <= 1) return false;
    return !in_check(p);
  }

  // Squares the black king may move to: on the board, not next to K, not attacked by R.
  // Capturing the rook is not listed: an unprotected rook next to k is a blunder, which
  // ends the episode before black moves, and a protected rook cannot be taken.
  // Returns the count; out[0..count) are the destinations in direction order.
  static int black_moves(Position p, uint8_t out[8]) {
    int n = 0;
    for (int d = 0; d < 8; ++d) {
      int r = row(p.bk) + kDRow[d], c = col(p.bk) + kDCol[d];
      if (!on_board(r, c)) continue;
      int s = r * N + c;
      if (s == p.wr || king_distance(s, p.wk) <= 1) continue;
      if (rook_attacks(p.wr, p.wk, s)) continue;
      out[n++] = static_cast<uint8_t>(s);
    }
    return n;
  }

  // ---- white's move ----------------------------------------------------------------------

  // Moves the white piece for `action`. False when the move is illegal: off the board, the
  // rook passing through or landing on a piece, the king landing on a piece or next to k.
  static bool white_move(Position p, int action, Position* after) {
    *after = p;
    if (action < 0 || action >= kActions) return false;
    if (action < 8) {
      int r = row(p.wk) + kDRow[action], c = col(p.wk) + kDCol[action];
      if (!on_board(r, c)) return false;
      int s = r * N + c;
      if (s == p.wr || s == p.bk || king_distance(s, p.bk) <= 1) return false;
      after->wk = static_cast<uint8_t>(s);
      return true;
    }
    int d = 2 * ((action - 8) / (N - 1)), steps = (action - 8) % (N - 1) + 1;
    int r = row(p.wr), c = col(p.wr);
    for (int i = 0; i < steps; ++i) {
      r += kDRow[d];
      c += kDCol[d];
      if (!on_board(r, c)) return false;
      if (r * N + c == p.wk || r * N + c == p.bk) return false;  // through or onto a piece
    }
    after->wr = static_cast<uint8_t>(r * N + c);
    return true;
  }

  // What a position with black to move means: blunder when R stands next to k unprotected
  // by K; otherwise checkmate or stalemate when k has no move; otherwise ongoing.
  static Outcome classify_after_white(Position after) {
    if (king_distance(after.wr, after.bk) == 1 && king_distance(after.wr, after.wk) != 1)
      return Outcome::blunder;
    uint8_t moves[8];
    if (black_moves(after, moves) > 0) return Outcome::ongoing;
    return in_check(after) ? Outcome::checkmate : Outcome::stalemate;
  }

  // One white move from a legal position. *after is the position before black replies
  // (unchanged when illegal). Never returns timeout: counting moves is the environment's job.
  static Outcome apply_white(Position p, int action, Position* after) {
    if (!white_move(p, action, after)) return Outcome::illegal;
    return classify_after_white(*after);
  }

  // ---- black's reply ---------------------------------------------------------------------

  // The squares the black king may choose under `opponent`, from a position with black to
  // move; black picks one of them uniformly. Returns the count (0 when black has no move):
  //   random:    every legal move.
  //   heuristic: the moves that leave black the most escape squares afterwards.
  //   perfect:   the moves that delay mate longest by `dtm` (moves to mate, white to move,
  //              indexed by index(); negative = not won, best of all); nullptr -> random.
  // The exact evaluator (rook_exact.hpp) averages over the same squares black_reply draws from.
  static int black_candidates(Position after, Opponent opponent, const int8_t* dtm, uint8_t out[8]) {
    uint8_t moves[8];
    const int n = black_moves(after, moves);
    if (opponent == Opponent::random || (opponent == Opponent::perfect && dtm == nullptr)) {
      for (int i = 0; i < n; ++i) out[i] = moves[i];
      return n;
    }
    int score[8], best = -1, count = 0;
    for (int i = 0; i < n; ++i) {
      const Position q = make(after.wk, after.wr, moves[i]);
      if (opponent == Opponent::heuristic) {
        uint8_t escapes[8];
        score[i] = black_moves(q, escapes);
      } else {
        const int m = dtm[index(q)];
        score[i] = m < 0 ? 1000 : m;
      }
      if (score[i] > best) best = score[i];
    }
    for (int i = 0; i < n; ++i)
      if (score[i] == best) out[count++] = moves[i];
    return count;
  }

  // The black king's destination: uniform over black_candidates (ties broken by rng).
  static int black_reply(Position after, Opponent opponent, const int8_t* dtm, Rng& rng) {
    uint8_t candidates[8];
    const int n = black_candidates(after, opponent, dtm, candidates);
    if (n == 0) return after.bk;  // no move: the caller should have seen mate or stalemate
    return candidates[rng.below(static_cast<uint32_t>(n))];
  }

  // ---- symmetries ------------------------------------------------------------------------
  // The rules are the same under the eight symmetries of the square (rotations and
  // reflections), and so is the random black: a transition seen once is valid in all eight
  // images, which DqnAgent can use to augment its replay (DqnConfig::symmetries). Symmetry g
  // maps the offset (dr, dc) to kSymRow[g] . (dr, dc), kSymCol[g] . (dr, dc) and a square
  // about the board's centre in the same way.
  static constexpr int kSymmetries = 8;
  static constexpr int kSymRow[8][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  static constexpr int kSymCol[8][2] = {{0, 1}, {-1, 0}, {0, -1}, {1, 0}, {0, -1}, {0, 1}, {1, 0}, {-1, 0}};

  static int transform_square(int sq, int g) {
    // doubled coordinates about the centre, so that the centre of an even board is an integer
    const int r = 2 * row(sq) - (N - 1), c = 2 * col(sq) - (N - 1);
    const int r2 = kSymRow[g][0] * r + kSymRow[g][1] * c, c2 = kSymCol[g][0] * r + kSymCol[g][1] * c;
    return ((r2 + N - 1) / 2) * N + (c2 + N - 1) / 2;
  }
  static Position transform(Position p, int g) {
    return make(transform_square(p.wk, g), transform_square(p.wr, g), transform_square(p.bk, g));
  }
  // The action that does in the transformed position what `action` does in the original.
  static int transform_action(int action, int g) {
    const bool king = action < 8;
    const int d = king ? action : 2 * ((action - 8) / (N - 1));
    const int dr = kSymRow[g][0] * kDRow[d] + kSymRow[g][1] * kDCol[d];
    const int dc = kSymCol[g][0] * kDRow[d] + kSymCol[g][1] * kDCol[d];
    int d2 = 0;
    while (kDRow[d2] != dr || kDCol[d2] != dc) ++d2;
    return king ? d2 : 8 + (d2 / 2) * (N - 1) + (action - 8) % (N - 1);
  }

  // ---- observations ----------------------------------------------------------------------

  // One-hot, 3 * N * N values: plane K, then plane R, then plane k.
  template <typename T>
  static void observe(Position p, T* out) {
    for (int i = 0; i < kObs; ++i) out[i] = T(0);
    out[p.wk] = T(1);
    out[kSquares + p.wr] = T(1);
    out[2 * kSquares + p.bk] = T(1);
  }

  // Six values: row, col of K, then R, then k, each divided by N - 1 into [0, 1].
  template <typename T>
  static void observe_coords(Position p, T* out) {
    const uint8_t sq[3] = {p.wk, p.wr, p.bk};
    for (int i = 0; i < 3; ++i) {
      out[2 * i] = static_cast<T>(row(sq[i])) / static_cast<T>(N - 1);
      out[2 * i + 1] = static_cast<T>(col(sq[i])) / static_cast<T>(N - 1);
    }
  }

  static int count_legal_positions() {
    int n = 0;
    for (int i = 0; i < kPositions; ++i) n += is_legal(from_index(i));
    return n;
  }

  // ---- names -----------------------------------------------------------------------------

  static const char* outcome_name(Outcome o) {
    switch (o) {
      case Outcome::ongoing: return "ongoing";
      case Outcome::checkmate: return "checkmate";
      case Outcome::stalemate: return "stalemate";
      case Outcome::illegal: return "illegal";
      case Outcome::blunder: return "blunder";
      case Outcome::timeout: return "timeout";
    }
    return "unknown";
  }

  // "K NE" for king moves, "R W 3" for rook moves; writes into buf (cap >= 8 holds every
  // name) and returns it. No printf, so that it links on a bare microcontroller.
  static const char* action_name(int action, char* buf, size_t cap) {
    static const char* const kDirName[8] = {"E", "NE", "N", "NW", "W", "SW", "S", "SE"};
    char name[8] = "?";
    if (action >= 0 && action < kActions) {
      const bool king = action < 8;
      const char* dir = kDirName[king ? action : 2 * ((action - 8) / (N - 1))];
      int n = 0;
      name[n++] = king ? 'K' : 'R';
      name[n++] = ' ';
      while (*dir) name[n++] = *dir++;
      if (!king) {
        name[n++] = ' ';
        name[n++] = char('0' + (action - 8) % (N - 1) + 1);
      }
      name[n] = '\0';
    }
    size_t i = 0;
    for (; cap > 0 && i + 1 < cap && name[i]; ++i) buf[i] = name[i];
    if (cap > 0) buf[i] = '\0';
    return buf;
  }

  // ---- the environment -------------------------------------------------------------------

  Position pos{0, 2, 2 * N};  // K a1, R c1, k a3 until reset() or reset_to()
  int moves = 0;              // white moves made in this episode
  Opponent opponent = Opponent::random;
  const int8_t* dtm = nullptr;  // for Opponent::perfect: e.g. RookSolver<N>::dtm

  // A uniformly random legal position: draw three squares until the triple is legal.
  void reset(Rng& rng) {
    // The three draws are separate statements: the order in which a function's arguments are
    // evaluated differs between compilers, and the games must not.
    do {
      const int bk = static_cast<int>(rng.below(kSquares));
      const int wr = static_cast<int>(rng.below(kSquares));
      const int wk = static_cast<int>(rng.below(kSquares));
      pos = make(wk, wr, bk);
    } while (!is_legal(pos));
    moves = 0;
  }

  void reset_to(Position p) {
    pos = p;
    moves = 0;
  }

  // White plays `action`, then (if the game goes on) black replies. After a step that is not
  // done, pos is again a legal position with white to move.
  StepResult step(int action, Rng& rng) {
    Position after;
    Outcome o = apply_white(pos, action, &after);
    ++moves;
    pos = after;
    if (o == Outcome::checkmate) return StepResult{100.0f, true, o};
    if (o != Outcome::ongoing) return StepResult{-100.0f, true, o};
    pos.bk = static_cast<uint8_t>(black_reply(after, opponent, dtm, rng));
    if (moves >= kMaxMoves) return StepResult{-100.0f, true, Outcome::timeout};
    return StepResult{-1.0f, false, Outcome::ongoing};
  }

  // The compact state agents store (a replay entry): the position itself, 3 bytes.
  using State = Position;
  State state() const { return pos; }

  template <typename T>
  void observe(T* out) const { observe(pos, out); }

  template <typename T>
  void observe_coords(T* out) const { observe_coords(pos, out); }
};

}  // namespace saerl
