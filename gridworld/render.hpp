// saerl/gridworld/render.hpp — ASCII pictures of rook-checkmate positions and mazes.
//
// Both functions write into a caller's buffer and behave like snprintf: they return the
// number of characters the whole picture needs (without the final '\0'), write at most
// cap - 1 of them and always end the buffer with '\0' when cap > 0. No heap.
//
//   char buf[256];
//   saerl::render_position<5>(env.pos, buf, sizeof buf);  std::fputs(buf, stdout);
//     5 . . . k .
//     4 . . . . .
//     3 . . K . .          rank 1 at the bottom, file a on the left;
//     2 . . . . .          K, R: white king and rook, k: black king
//     1 R . . . .
//       a b c d e
//   saerl::render_maze(maze, buf, sizeof buf);   // '#' wall, 'A' agent, 'G' goal, '.' free
#pragma once
#include <cstddef>

#include "maze.hpp"
#include "rook_checkmate.hpp"

namespace saerl {

// Appends characters to a bounded buffer, counting every character even when it is full.
struct TextSink {
  char* buf;
  size_t cap;
  size_t len = 0;

  TextSink(char* b, size_t c) : buf(b), cap(c) {
    if (cap > 0) buf[0] = '\0';
  }
  void put(char ch) {
    if (len + 1 < cap) {
      buf[len] = ch;
      buf[len + 1] = '\0';
    }
    ++len;
  }
};

// N + 1 lines of 2 + 2N characters, plus the '\0'.
template <int N>
constexpr size_t render_position_size() { return static_cast<size_t>((N + 1) * (2 + 2 * N) + 1); }

template <int N>
size_t render_position(typename RookCheckmate<N>::Position p, char* buf, size_t cap) {
  TextSink out(buf, cap);
  for (int r = N - 1; r >= 0; --r) {
    out.put(static_cast<char>('1' + r));
    for (int c = 0; c < N; ++c) {
      int s = r * N + c;
      out.put(' ');
      out.put(s == p.wk ? 'K' : s == p.wr ? 'R' : s == p.bk ? 'k' : '.');
    }
    out.put('\n');
  }
  out.put(' ');
  for (int c = 0; c < N; ++c) {
    out.put(' ');
    out.put(static_cast<char>('a' + c));
  }
  out.put('\n');
  return out.len;
}

// The position of an environment: render_position(env, buf, sizeof buf).
template <int N>
size_t render_position(const RookCheckmate<N>& env, char* buf, size_t cap) {
  return render_position<N>(env.pos, buf, cap);
}

// N lines of 2N characters, plus the '\0'.
template <int N>
constexpr size_t render_maze_size() { return static_cast<size_t>(N * 2 * N + 1); }

template <int N>
size_t render_maze(const Maze<N>& maze, char* buf, size_t cap) {
  TextSink out(buf, cap);
  for (int r = N - 1; r >= 0; --r) {
    for (int c = 0; c < N; ++c) {
      int s = r * N + c;
      if (c > 0) out.put(' ');
      out.put(s == maze.agent ? 'A' : s == Maze<N>::kGoal ? 'G' : maze.wall[s] ? '#' : '.');
    }
    out.put('\n');
  }
  return out.len;
}

}  // namespace saerl
