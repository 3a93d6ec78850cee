// A DQN learns the 5x5 maze in 5,000 steps; its values are printed beside the exact ones.
// Build and run: make examples
#include <cstdio>
#include <memory>

#include "maze_dqn.hpp"

namespace {

// One 5x5 grid, top row first (row 4 is the top): '#' walls, 'G' the goal.
template <class Cell>
void print_grid(const char* title, const saerl::MazeDqnResult& r, Cell cell) {
  std::printf("%s\n", title);
  for (int row = 4; row >= 0; --row) {
    std::printf("  ");
    for (int col = 0; col < 5; ++col) {
      const int s = row * 5 + col;
      if (r.distance[s] < 0) std::printf("  #####");
      else if (s == saerl::MazeEnv::kGoal) std::printf("  GOAL ");
      else cell(s);
    }
    std::printf("\n");
  }
}

}  // namespace

int main() {
  auto r = std::make_unique<saerl::MazeDqnResult>();
  saerl::learn_maze(/*seed=*/1, /*steps=*/5000, *r);
  std::printf("DQN on the 5x5 maze: 5,000 steps, %ld updates, gamma 0.95, rewards / 10\n\n", r->updates);
  print_grid("learned value max_a Q(s, a):", *r, [&](int s) { std::printf(" %6.3f", r->value[s]); });
  print_grid("\nexact value V*(d) = -0.1 (1 - 0.95^(d-1)) / 0.05 + 0.95^(d-1):", *r,
             [&](int s) { std::printf(" %6.3f", r->exact[s]); });
  const char* arrows[4] = {">", "^", "<", "v"};  // E, N, W, S
  print_grid("\ngreedy action (steps to the goal):", *r,
             [&](int s) { std::printf("  %s (%2d)", arrows[r->action[s]], r->distance[s]); });
  std::printf("\nlargest |learned - exact| %.3f; the greedy policy %s\n", r->max_error,
              r->shortest ? "walks a shortest path from every square" : "does NOT always walk a shortest path");
  return r->shortest && r->max_error < 0.2 ? 0 : 1;
}
