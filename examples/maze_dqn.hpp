// saerl/examples/maze_dqn.hpp — the second teaching example: a DQN learns the 5x5 maze, and
// its learned values are compared with the exact ones.
//
// The maze (gridworld/maze.hpp) is small enough that the optimal value of every square is
// known in closed form: from a square d steps from the goal, the agent collects -1 for d - 1
// steps and +10 on arrival. With rewards scaled by 1/10 and discount gamma,
//   V*(d) = sum_{t<d-1} gamma^t (-0.1) + gamma^(d-1) (1) = -0.1 (1 - gamma^(d-1)) / (1 - gamma) + gamma^(d-1).
// A DQN (dqn/dqn_agent.hpp) driven by the usual loop (dqn/train.hpp) should learn
// max_a Q(s, a) ~ V*(d(s)), and its greedy policy should walk a shortest path.
//
//   auto r = std::make_unique<saerl::MazeDqnResult>();
//   saerl::learn_maze(/*seed=*/1, /*steps=*/5000, *r);
//   r->value[s], r->exact[s];   // learned and exact values of square s (row * 5 + col)
//   r->shortest;                // the greedy policy takes a shortest path from every square
//
// examples/maze_dqn.cpp prints it as grids; tests/test_examples.cpp checks it.
#pragma once
#include <cmath>
#include <memory>

#include "../dqn/dqn_agent.hpp"
#include "../dqn/train.hpp"
#include "../gridworld/maze.hpp"

namespace saerl {

using MazeEnv = Maze<5>;
using MazeNet = Mlp<float, MazeEnv::kObs, 64, MazeEnv::kActions>;
using MazeAgent = DqnAgent<MazeEnv, MazeNet, 32, 10000>;  // batch 32, replay 10,000

struct MazeDqnResult {
  static constexpr int kSquares = MazeEnv::kSquares;
  int distance[kSquares];  // steps to the goal by breadth-first search; -1 on walls
  double exact[kSquares];  // V*(d), 0 on walls and the goal
  float value[kSquares];   // max_a Q(s, a), 0 on walls and the goal
  int action[kSquares];    // the greedy action, -1 on walls and the goal
  double max_error = 0;    // max over free squares of |value - exact|
  bool shortest = false;   // the greedy walk reaches the goal in exactly d(s) steps from every s
  long updates = 0;
};

inline double maze_optimal_value(int d, double gamma, double reward_scale) {
  const double g = std::pow(gamma, d - 1);
  return reward_scale * (-1.0 * (1 - g) / (1 - gamma) + 10.0 * g);
}

inline void learn_maze(uint64_t seed, long steps, MazeDqnResult& r) {
  DqnConfig c;
  c.lr = 1e-3f;
  c.gamma = 0.95f;
  c.reward_scale = 0.1f;
  c.learn_start = 500;
  c.train_every = 1;
  c.target_every = 200;
  Rng rng(seed);
  auto agent = std::make_unique<MazeAgent>();
  agent->init(c, rng);
  DqnRunner<MazeAgent, MazeEnv> runner;
  runner.epsilon = {1.0f, 0.05f, steps / 2};  // explore everything first, then mostly exploit
  MazeEnv env;
  env.reset(rng);
  for (long t = 0; t < steps; ++t) runner.step(*agent, env, rng);
  r.updates = agent->updates;

  env.distances_to_goal(r.distance);
  r.max_error = 0;
  r.shortest = true;
  for (int s = 0; s < MazeEnv::kSquares; ++s) {
    r.exact[s] = 0;
    r.value[s] = 0;
    r.action[s] = -1;
    if (env.wall[s] || s == MazeEnv::kGoal) continue;
    float q[MazeEnv::kActions];
    agent->q_values(MazeEnv::State(s), q);
    r.action[s] = argmax(q, MazeEnv::kActions);
    r.value[s] = q[r.action[s]];
    r.exact[s] = maze_optimal_value(r.distance[s], c.gamma, c.reward_scale);
    const double e = std::fabs(r.value[s] - r.exact[s]);
    if (e > r.max_error) r.max_error = e;
    env.reset_to(s);  // walk greedily for d(s) steps
    while (env.agent != MazeEnv::kGoal && env.steps < r.distance[s]) env.step(agent->greedy(env.state()), rng);
    r.shortest = r.shortest && env.agent == MazeEnv::kGoal;
  }
}

}  // namespace saerl
