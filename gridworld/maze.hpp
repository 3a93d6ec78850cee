// saerl/gridworld/maze.hpp — a small goal-reaching maze, the simplest environment to learn on.
//
// An agent walks an N x N grid with walls to the goal in the top-right corner. Rewards: -1 a
// step (also when it bumps into a wall or the edge and stays put), +10 on reaching the goal,
// which ends the episode; after 4 * N * N steps the episode ends anyway. The walls are fixed:
// every odd interior column is a wall with one gap, alternately at the top and the bottom, so
// the free squares form one connected serpentine. distance_to_goal() gives the true shortest
// distances (by breadth-first search) to check what an agent has learned.
//
//   saerl::Rng rng(1);
//   saerl::Maze<5> maze;
//   maze.reset(rng);                                 // random free start, not the goal
//   float obs[saerl::Maze<5>::kObs];
//   maze.observe(obs);                               // one-hot of the agent's square
//   auto r = maze.step(saerl::Maze<5>::kNorth, rng); // r.reward, r.done, r.reached_goal
//   int d = maze.distance_to_goal(maze.agent);       // steps still needed
//
// Squares are numbered row * N + col; row 0 is the bottom row, north is row + 1.
#pragma once
#include <cstdint>

#include "../core/base/rng.hpp"

namespace saerl {

template <int N = 5>
struct Maze {
  static_assert(N >= 3, "Maze: the grid must be at least 3x3");
  static_assert(N <= 16, "Maze: at most 16x16, so a square fits in one byte");

  static constexpr int kSquares = N * N;
  static constexpr int kActions = 4;             // E, N, W, S
  static constexpr int kObs = N * N;             // one-hot of the agent's square
  static constexpr int kMaxSteps = 4 * N * N;    // the episode ends after this many steps
  static constexpr int kGoal = N * N - 1;        // top-right corner
  static constexpr int kEast = 0, kNorth = 1, kWest = 2, kSouth = 3;
  static constexpr int kDRow[4] = {0, 1, 0, -1};
  static constexpr int kDCol[4] = {1, 0, -1, 0};

  struct StepResult {
    float reward;       // -1 a step, +10 on reaching the goal
    bool done;          // goal reached or kMaxSteps used
    bool reached_goal;
  };

  bool wall[kSquares];
  int agent = 0;  // the agent's square
  int steps = 0;  // steps taken in this episode

  // Walls: column c = 1, 3, 5, ... (never the last column) is blocked except for one gap,
  // at the top row for c = 1, 5, 9, ... and at the bottom row for c = 3, 7, 11, ...
  Maze() {
    for (int s = 0; s < kSquares; ++s) wall[s] = false;
    for (int c = 1; c < N - 1; c += 2) {
      int gap = (c / 2) % 2 == 0 ? N - 1 : 0;
      for (int r = 0; r < N; ++r) wall[r * N + c] = (r != gap);
    }
  }

  bool is_free(int square) const { return square >= 0 && square < kSquares && !wall[square]; }

  // A uniformly random free square other than the goal.
  void reset(Rng& rng) {
    do {
      agent = static_cast<int>(rng.below(kSquares));
    } while (wall[agent] || agent == kGoal);
    steps = 0;
  }

  void reset_to(int square) {
    agent = square;
    steps = 0;
  }

  // The square one move away, or `square` itself when a wall or the edge is in the way.
  int neighbour(int square, int action) const {
    int r = square / N + kDRow[action], c = square % N + kDCol[action];
    if (r < 0 || r >= N || c < 0 || c >= N || wall[r * N + c]) return square;
    return r * N + c;
  }

  // The rng is unused (the maze is deterministic); it keeps the interface of RookCheckmate.
  StepResult step(int action, Rng& /*rng*/) {
    if (action >= 0 && action < kActions) agent = neighbour(agent, action);
    ++steps;
    if (agent == kGoal) return StepResult{10.0f, true, true};
    return StepResult{-1.0f, steps >= kMaxSteps, false};
  }

  // The compact state agents store (a replay entry): the agent's square, one byte.
  using State = uint8_t;
  State state() const { return static_cast<State>(agent); }

  template <typename T>
  static void observe(State s, T* out) {
    for (int i = 0; i < kObs; ++i) out[i] = T(0);
    out[s] = T(1);
  }

  template <typename T>
  void observe(T* out) const { observe(state(), out); }

  // Breadth-first search from the goal: out[s] = fewest steps from s to the goal, -1 for
  // walls and unreachable squares. The queue is a fixed array: each square enters it once.
  void distances_to_goal(int out[kSquares]) const {
    for (int s = 0; s < kSquares; ++s) out[s] = -1;
    int queue[kSquares], head = 0, tail = 0;
    out[kGoal] = 0;
    queue[tail++] = kGoal;
    while (head < tail) {
      int s = queue[head++];
      for (int a = 0; a < kActions; ++a) {
        int t = neighbour(s, a);  // moves are reversible, so BFS from the goal is exact
        if (out[t] == -1) {
          out[t] = out[s] + 1;
          queue[tail++] = t;
        }
      }
    }
  }

  int distance_to_goal(int square) const {
    if (!is_free(square)) return -1;
    int d[kSquares];
    distances_to_goal(d);
    return d[square];
  }
};

}  // namespace saerl
