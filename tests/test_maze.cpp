// Tests of gridworld/maze.hpp: walls, rewards, episode limits and the BFS distances.
#include <doctest/doctest.h>

#include "gridworld/maze.hpp"

namespace {

// Checks, for one board size, that every free square reaches the goal and that the BFS
// distances are shortest: d(goal) = 0 and d(s) = 1 + the smallest d of s's neighbours;
// then walks downhill from every square with step() and arrives in exactly d(s) steps.
template <int N>
void check_distances() {
  using M = saerl::Maze<N>;
  M maze;
  int d[M::kSquares];
  maze.distances_to_goal(d);
  CHECK(d[M::kGoal] == 0);
  saerl::Rng rng(1);
  for (int s = 0; s < M::kSquares; ++s) {
    if (maze.wall[s]) {
      CHECK(d[s] == -1);
      continue;
    }
    CHECK(d[s] >= 0);  // connected
    CHECK(maze.distance_to_goal(s) == d[s]);
    if (s == M::kGoal) continue;
    int nearest = -1;
    for (int a = 0; a < M::kActions; ++a) {
      int t = maze.neighbour(s, a);  // s itself when blocked
      if (t != s && (nearest == -1 || d[t] < nearest)) nearest = d[t];
    }
    CHECK(d[s] == nearest + 1);
    // Walk downhill to the goal.
    maze.reset_to(s);
    float total = 0.0f;
    typename M::StepResult r{0.0f, false, false};
    while (!r.done) {
      int best = 0;
      for (int a = 1; a < M::kActions; ++a)
        if (d[maze.neighbour(maze.agent, a)] < d[maze.neighbour(maze.agent, best)]) best = a;
      r = maze.step(best, rng);
      total += r.reward;
    }
    CHECK(r.reached_goal);
    CHECK(maze.steps == d[s]);
    CHECK(total == 10.0f - static_cast<float>(d[s] - 1));
  }
}

}  // namespace

TEST_CASE("every free square has a shortest path to the goal, found by BFS") {
  check_distances<3>();
  check_distances<4>();
  check_distances<5>();
  check_distances<8>();
  check_distances<16>();
}

TEST_CASE("the 5x5 maze is a serpentine: 16 steps from the bottom-left corner") {
  saerl::Maze<5> maze;
  CHECK(maze.distance_to_goal(0) == 16);
  CHECK(maze.distance_to_goal(saerl::Maze<5>::kGoal) == 0);
  CHECK(maze.distance_to_goal(1) == -1);  // b1 is a wall
  int walls = 0;
  for (bool w : maze.wall) walls += w;
  CHECK(walls == 8);
  CHECK_FALSE(maze.wall[saerl::Maze<5>::kGoal]);
}

TEST_CASE("bumping into a wall or the edge costs -1 and stays put") {
  saerl::Maze<5> maze;
  saerl::Rng rng(1);
  maze.reset_to(0);
  auto r = maze.step(saerl::Maze<5>::kEast, rng);  // b1 is a wall
  CHECK(maze.agent == 0);
  CHECK(r.reward == -1.0f);
  CHECK_FALSE(r.done);
  r = maze.step(saerl::Maze<5>::kSouth, rng);  // the bottom edge
  CHECK(maze.agent == 0);
  CHECK(r.reward == -1.0f);
  r = maze.step(saerl::Maze<5>::kNorth, rng);
  CHECK(maze.agent == 5);
  CHECK(maze.steps == 3);
}

TEST_CASE("reaching the goal gives +10 and ends the episode") {
  saerl::Maze<5> maze;
  saerl::Rng rng(1);
  maze.reset_to(saerl::Maze<5>::kGoal - 5);  // just below the goal
  auto r = maze.step(saerl::Maze<5>::kNorth, rng);
  CHECK(r.reward == 10.0f);
  CHECK(r.done);
  CHECK(r.reached_goal);
}

TEST_CASE("an episode ends after 4 N^2 steps") {
  saerl::Maze<5> maze;
  saerl::Rng rng(1);
  maze.reset_to(0);
  for (int i = 1; i < saerl::Maze<5>::kMaxSteps; ++i)
    CHECK_FALSE(maze.step(saerl::Maze<5>::kSouth, rng).done);
  auto r = maze.step(saerl::Maze<5>::kSouth, rng);
  CHECK(r.done);
  CHECK_FALSE(r.reached_goal);
  CHECK(r.reward == -1.0f);
  CHECK(maze.steps == 100);
}

TEST_CASE("resets start on a free square other than the goal") {
  saerl::Maze<5> maze;
  saerl::Rng rng(3);
  bool seen[25] = {false};
  for (int i = 0; i < 2000; ++i) {
    maze.reset(rng);
    CHECK_FALSE(maze.wall[maze.agent]);
    CHECK(maze.agent != saerl::Maze<5>::kGoal);
    CHECK(maze.steps == 0);
    seen[maze.agent] = true;
  }
  int distinct = 0;
  for (bool b : seen) distinct += b;
  CHECK(distinct == 25 - 8 - 1);
}

TEST_CASE("the maze observation is one-hot of the agent's square") {
  saerl::Maze<5> maze;
  maze.reset_to(7);
  float obs[saerl::Maze<5>::kObs];
  maze.observe(obs);
  for (int i = 0; i < saerl::Maze<5>::kObs; ++i) CHECK(obs[i] == (i == 7 ? 1.0f : 0.0f));
  CHECK(maze.state() == 7);
  double obs2[saerl::Maze<5>::kObs];
  saerl::Maze<5>::observe(maze.state(), obs2);
  for (int i = 0; i < saerl::Maze<5>::kObs; ++i) CHECK(obs2[i] == (i == 7 ? 1.0 : 0.0));
}
