// saerl/gridworld/pellets_predicates.hpp — ground truth over pellet-maze states, to label SAE
// features: named facts (ghost distances and directions, danger, the agent's room and exits,
// pellets left per quadrant, the nearest pellet's distance and direction, time), the
// "X on square s" facts, and a few plain numbers for probes.
//
//   using Game = saerl::Pellets<saerl::PelletsMaze7, 2>;
//   using P = saerl::PelletsPredicates<Game>;
//   bool truth[P::kCount];
//   P::evaluate(env.state(), truth);
//   if (truth[P::ghost_le2]) ...              // named predicates are enum members
//   char phrase[64];
//   std::printf("%s: fires when %s\n", P::name(i), P::describe(i, phrase, sizeof phrase));
//   int v[P::kNumbers];
//   P::measure(env.state(), v);               // v[P::room] == Game::room(state), ...
//
// Indices: the named predicates 0..kNamed, then three planes over the free squares in
// free-square order: kNamed + plane * kFree + i, plane 0 "the agent is on", 1 "a ghost is on",
// 2 "a pellet is on" (names "A_d4", "G_d4", "P_d4": file a = col 0, rank 1 = row 0).
// Words of the phrases: distances are shortest paths through the maze; a move "heads for" a
// thing when it shortens the distance to the nearest one; the quadrants NE, NW, SW, SE are the
// halves' intersections, the middle row and column belonging to both halves; a destination is
// "safe" when no ghost stands on it or next to it (no ghost can land there this step), and the
// agent's destinations are its exits plus its own square when some action bumps into a wall.
// With one ghost, ghosts_both_le4 is always false; with no pellet left (a cleared terminal
// state) the number nearest_pellet is -1 and every pellet_* predicate is false.
#pragma once
#include <cstddef>
#include <cstdint>

#include "pellets.hpp"

namespace saerl {

template <class Game>
struct PelletsPredicates {
  using State = typename Game::State;
  static constexpr int N = Game::kSize, kFree = Game::kFree;
  static_assert(N <= 9, "PelletsPredicates: square names have one digit, so the maze is at most 9x9");

  // The named predicates, in index order; the enum member is the machine name.
  enum Named : int {
    // the nearest ghost
    ghost_d1,
    ghost_le2,
    ghost_le3,
    ghost_le4,
    ghost_ge6,
    ghost_dir_e,
    ghost_dir_n,
    ghost_dir_w,
    ghost_dir_s,
    ghosts_both_le4,
    // danger and room
    safe_moves_0,
    safe_moves_1,
    safe_moves_ge2,
    room_le2,
    room_le4,
    room_le8,
    room_ge16,
    // the agent's square
    junction,
    agent_ring,
    agent_corner,
    // pellets
    pellet_d1,
    pellet_le2,
    pellet_le4,
    pellet_ge5,
    pellet_dir_e,
    pellet_dir_n,
    pellet_dir_w,
    pellet_dir_s,
    left_le5,
    left_le10,
    left_le20,
    left_ge30,
    pellets_ne,
    pellets_nw,
    pellets_sw,
    pellets_se,
    pellets_ne_half,
    pellets_nw_half,
    pellets_sw_half,
    pellets_se_half,
    // time
    time_quarter,
    time_half,
    kNamedCount
  };

  // Plain numbers per state, for probes and heat maps.
  enum Number : int {
    pellets_left,
    nearest_pellet,
    nearest_ghost,
    room,
    exits,
    safe_moves,
    steps,
    left_ne,
    left_nw,
    left_sw,
    left_se,
    kNumberCount
  };

  static constexpr int kNamed = kNamedCount;
  static constexpr int kSquarePlanes = 3 * kFree;  // agent, ghost, pellet on each free square
  static constexpr int kCount = kNamed + kSquarePlanes;
  static constexpr int kNumbers = kNumberCount;

  // Index of "plane on square sq" (plane 0 agent, 1 ghost, 2 pellet; sq a free square).
  static int on_square(int plane, int sq) { return kNamed + plane * kFree + Game::free_index(sq); }

  static const char* name(int i) {
    if (i >= 0 && i < kNamed) return kTable[i][0];
    if (i >= kNamed && i < kCount) return kSquareNames.text[i - kNamed];
    return "?";
  }

  static const char* number_name(int i) { return i >= 0 && i < kNumbers ? kNumberNames[i] : "?"; }

  // The phrase that completes "fires when <phrase>", in buf (truncated to cap - 1 characters,
  // terminated when cap > 0); returns buf.
  static const char* describe(int i, char* buf, size_t cap) {
    static const char* const kPlane[3] = {"the agent is on ", "a ghost is on ", "a pellet is on "};
    size_t len = 0;
    if (cap > 0) buf[0] = '\0';
    if (i >= 0 && i < kNamed) return put(buf, cap, &len, kTable[i][1]);
    if (i < kNamed || i >= kCount) return put(buf, cap, &len, "?");
    put(buf, cap, &len, kPlane[(i - kNamed) / kFree]);
    return put(buf, cap, &len, kSquareNames.text[i - kNamed] + 2);  // "d4" of "A_d4"
  }

  // The index of a machine name, or -1.
  static int find(const char* text) {
    for (int i = 0; i < kCount; ++i) {
      const char* a = name(i);
      int k = 0;
      for (; a[k] != '\0' && a[k] == text[k]; ++k) {
      }
      if (a[k] == text[k]) return i;
    }
    return -1;
  }

  // All kCount predicates: out[0..kNamed) named, then the three square planes.
  static void evaluate(const State& s, bool* out) {
    int v[kNumbers];
    measure(s, v);
    const int dg = v[nearest_ghost], dp = v[nearest_pellet];
    out[ghost_d1] = dg == 1;
    out[ghost_le2] = dg <= 2;
    out[ghost_le3] = dg <= 3;
    out[ghost_le4] = dg <= 4;
    out[ghost_ge6] = dg >= 6;
    int both = 0;
    for (int g = 0; g < Game::kGhosts; ++g) both += Game::distance(s.agent, s.ghost[g]) <= 4;
    out[ghosts_both_le4] = both >= 2;

    out[safe_moves_0] = v[safe_moves] == 0;
    out[safe_moves_1] = v[safe_moves] == 1;
    out[safe_moves_ge2] = v[safe_moves] >= 2;
    out[room_le2] = v[room] <= 2;
    out[room_le4] = v[room] <= 4;
    out[room_le8] = v[room] <= 8;
    out[room_ge16] = v[room] >= 16;

    out[junction] = v[exits] >= 3;
    const int r = Game::row(s.agent), c = Game::col(s.agent);
    const bool edge_r = r == 0 || r == N - 1, edge_c = c == 0 || c == N - 1;
    out[agent_ring] = edge_r || edge_c;
    out[agent_corner] = edge_r && edge_c;

    out[pellet_d1] = dp == 1;
    out[pellet_le2] = dp >= 1 && dp <= 2;
    out[pellet_le4] = dp >= 1 && dp <= 4;
    out[pellet_ge5] = dp >= 5;
    for (int a = 0; a < 4; ++a) {
      const int t = Game::neighbour(s.agent, a);
      State moved = s;
      moved.agent = static_cast<uint8_t>(t);
      out[ghost_dir_e + a] = t != s.agent && Game::nearest_ghost(moved) < dg;
      out[pellet_dir_e + a] = t != s.agent && dp > 0 && Game::nearest_pellet(moved) < dp;
    }

    const int left = v[pellets_left];
    out[left_le5] = left <= 5;
    out[left_le10] = left <= 10;
    out[left_le20] = left <= 20;
    out[left_ge30] = left >= 30;
    int size[4];
    quadrant_counts(nullptr, size);
    for (int q = 0; q < 4; ++q) {
      out[pellets_ne + q] = v[left_ne + q] > 0;
      out[pellets_ne_half + q] = 2 * v[left_ne + q] > size[q];
    }
    out[time_quarter] = 4 * s.steps >= Game::kMaxSteps;
    out[time_half] = 2 * s.steps >= Game::kMaxSteps;

    bool* sq = out + kNamed;
    for (int i = 0; i < kSquarePlanes; ++i) sq[i] = false;
    sq[Game::free_index(s.agent)] = true;
    for (int g = 0; g < Game::kGhosts; ++g) sq[kFree + Game::free_index(s.ghost[g])] = true;
    for (int i = 0; i < kFree; ++i) sq[2 * kFree + i] = Game::has_pellet(s, Game::free_square(i));
  }

  // The kNumbers plain numbers of a state.
  static void measure(const State& s, int* v) {
    v[pellets_left] = Game::pellets_left(s);
    v[nearest_pellet] = Game::nearest_pellet(s);
    v[nearest_ghost] = Game::nearest_ghost(s);
    v[room] = Game::room(s);
    uint8_t to[5];
    const int m = Game::exits(s.agent, to);
    v[exits] = m;
    if (m < 4) to[m] = s.agent;  // some action bumps: staying is a destination too
    int safe = 0;
    for (int i = 0; i < (m < 4 ? m + 1 : m); ++i) {
      bool ok = true;
      for (int g = 0; g < Game::kGhosts; ++g) ok = ok && Game::distance(s.ghost[g], to[i]) >= 2;
      safe += ok;
    }
    v[safe_moves] = safe;
    v[steps] = s.steps;
    quadrant_counts(&s, v + left_ne);
  }

 private:
  // {name, phrase}: one row per Named member, in the same order (the static_assert checks).
  static constexpr const char* kTable[][2] = {
      {"ghost_d1", "a ghost is next to the agent"},
      {"ghost_le2", "a ghost is within two steps of the agent"},
      {"ghost_le3", "a ghost is within three steps of the agent"},
      {"ghost_le4", "a ghost is within four steps of the agent"},
      {"ghost_ge6", "no ghost is within five steps of the agent"},
      {"ghost_dir_e", "moving east heads for the nearest ghost"},
      {"ghost_dir_n", "moving north heads for the nearest ghost"},
      {"ghost_dir_w", "moving west heads for the nearest ghost"},
      {"ghost_dir_s", "moving south heads for the nearest ghost"},
      {"ghosts_both_le4", "two ghosts are within four steps of the agent"},
      {"safe_moves_0", "the agent has no safe destination"},
      {"safe_moves_1", "the agent has exactly one safe destination"},
      {"safe_moves_ge2", "the agent has two or more safe destinations"},
      {"room_le2", "the agent reaches at most 2 squares before every ghost"},
      {"room_le4", "the agent reaches at most 4 squares before every ghost"},
      {"room_le8", "the agent reaches at most 8 squares before every ghost"},
      {"room_ge16", "the agent reaches 16 or more squares before every ghost"},
      {"junction", "the agent stands on a junction (three or more exits)"},
      {"agent_ring", "the agent is on the outer ring"},
      {"agent_corner", "the agent is in a corner"},
      {"pellet_d1", "a pellet is next to the agent"},
      {"pellet_le2", "a pellet is within two steps of the agent"},
      {"pellet_le4", "a pellet is within four steps of the agent"},
      {"pellet_ge5", "the nearest pellet is five or more steps away"},
      {"pellet_dir_e", "moving east heads for the nearest pellet"},
      {"pellet_dir_n", "moving north heads for the nearest pellet"},
      {"pellet_dir_w", "moving west heads for the nearest pellet"},
      {"pellet_dir_s", "moving south heads for the nearest pellet"},
      {"left_le5", "at most 5 pellets are left"},
      {"left_le10", "at most 10 pellets are left"},
      {"left_le20", "at most 20 pellets are left"},
      {"left_ge30", "30 or more pellets are left"},
      {"pellets_ne", "the north-east quadrant has a pellet"},
      {"pellets_nw", "the north-west quadrant has a pellet"},
      {"pellets_sw", "the south-west quadrant has a pellet"},
      {"pellets_se", "the south-east quadrant has a pellet"},
      {"pellets_ne_half", "more than half the north-east quadrant holds pellets"},
      {"pellets_nw_half", "more than half the north-west quadrant holds pellets"},
      {"pellets_sw_half", "more than half the south-west quadrant holds pellets"},
      {"pellets_se_half", "more than half the south-east quadrant holds pellets"},
      {"time_quarter", "a quarter of the step cap is used"},
      {"time_half", "half the step cap is used"},
  };
  static_assert(sizeof(kTable) / sizeof(kTable[0]) == kNamedCount,
                "PelletsPredicates: kTable needs one row per Named member");

  static constexpr const char* kNumberNames[kNumberCount] = {
      "pellets_left", "nearest_pellet", "nearest_ghost", "room", "exits", "safe_moves",
      "steps", "left_ne", "left_nw", "left_sw", "left_se"};

  // "A_d4", "G_d4", "P_d4" for the three planes, built at compile time.
  struct SquareNames {
    char text[3 * kFree][5];
    constexpr SquareNames() : text{} {
      const char plane[3] = {'A', 'G', 'P'};
      for (int p = 0; p < 3; ++p)
        for (int i = 0; i < kFree; ++i) {
          const int sq = Game::kTables.free_square[i];
          char* t = text[p * kFree + i];
          t[0] = plane[p];
          t[1] = '_';
          t[2] = static_cast<char>('a' + sq % N);
          t[3] = static_cast<char>('1' + sq / N);
        }
    }
  };
  static constexpr SquareNames kSquareNames{};

  // Writes text after buf[0..*len), keeping it terminated within cap; returns buf.
  static const char* put(char* buf, size_t cap, size_t* len, const char* text) {
    for (; *text != '\0' && *len + 1 < cap; ++text) buf[(*len)++] = *text;
    if (*len < cap) buf[*len] = '\0';
    return buf;
  }

  // Per quadrant NE, NW, SW, SE: its pellets (s != nullptr) or its free squares (s == nullptr).
  static void quadrant_counts(const State* s, int out[4]) {
    for (int q = 0; q < 4; ++q) out[q] = 0;
    for (int i = 0; i < kFree; ++i) {
      const int sq = Game::free_square(i), r2 = 2 * Game::row(sq), c2 = 2 * Game::col(sq);
      if (s != nullptr && !Game::has_pellet(*s, sq)) continue;
      const bool north = r2 >= N - 1, south = r2 <= N - 1, east = c2 >= N - 1, west = c2 <= N - 1;
      out[0] += north && east;
      out[1] += north && west;
      out[2] += south && west;
      out[3] += south && east;
    }
  }
};

}  // namespace saerl
