// Tests of the teaching examples (examples/xor.hpp, maze_dqn.hpp, superposition.hpp,
// rook_features.hpp): the claim each example prints, checked with the same seed and steps.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "examples/maze_dqn.hpp"
#include "examples/rook_features.hpp"
#include "examples/superposition.hpp"
#include "examples/xor.hpp"

TEST_CASE("xor example: the backward pass matches finite differences, and the MLP learns XOR") {
  static saerl::XorResult r;
  saerl::learn_xor(1, 1000, r);
  CHECK(r.gradient_error < 1e-6);
  CHECK(r.initial_loss > 0.1);
  CHECK(r.final_loss < 1e-3);
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(std::fabs(r.output[i] - r.target[i]) < 0.1);
  }
  CHECK(r.solved);
}

TEST_CASE("maze example: exact values follow V(d) = -0.1 + 0.95 V(d-1) from V(1) = 1") {
  CHECK(saerl::maze_optimal_value(1, 0.95, 0.1) == doctest::Approx(1.0));
  double v = 1.0;
  for (int d = 2; d <= 16; ++d) {
    v = -0.1 + 0.95 * v;  // one more step: -1 scaled, then the discounted rest
    CHECK(saerl::maze_optimal_value(d, 0.95, 0.1) == doctest::Approx(v));
  }
}

TEST_CASE("maze example: the DQN walks shortest paths and its values are within 0.1 of the exact ones") {
  auto r = std::make_unique<saerl::MazeDqnResult>();
  saerl::learn_maze(1, 5000, *r);
  CHECK(r->updates == 5000 - 500 + 1);  // one per step from the 500th stored transition on
  CHECK(r->shortest);
  CHECK(r->max_error < 0.1);
  int free_squares = 0;
  const saerl::MazeEnv maze;
  for (int s = 0; s < saerl::MazeDqnResult::kSquares; ++s) {
    if (r->action[s] < 0) continue;
    ++free_squares;
    // the learned value rises on the way to the goal
    for (int a = 0; a < saerl::MazeEnv::kActions; ++a) {
      const int t = maze.neighbour(s, a);
      if (t != saerl::MazeEnv::kGoal && r->distance[t] == r->distance[s] - 1) CHECK(r->value[t] > r->value[s]);
    }
  }
  CHECK(free_squares == 25 - 8 - 1);  // every square but the walls and the goal was checked
}

TEST_CASE("superposition example: the SAE finds each of 16 overlapping features in a latent of its own") {
  auto r = std::make_unique<saerl::SuperpositionResult>();
  saerl::recover_features(1, 4000, *r);
  CHECK(r->interference > 0.5);  // the features really overlap
  bool distinct = true;
  for (int i = 0; i < saerl::SuperpositionResult::F; ++i) {
    CAPTURE(i);
    CHECK(r->recovered[i] > 0.9);
    CHECK(r->recovered[i] > r->neuron[i]);  // better than the best single coordinate
    for (int k = 0; k < i; ++k) distinct = distinct && r->latent[k] != r->latent[i];
  }
  CHECK(distinct);
  CHECK(r->min_recovered > 0.9);
}

TEST_CASE("rook features example: one feature detects a piece on a square, and its heat map peaks there") {
  auto r = std::make_unique<saerl::RookFeaturesResult>();
  saerl::rook_features(1, 5000, 2000, *r);
  CHECK(r->fvu < 0.5);
  REQUIRE(r->feature >= 0);
  CHECK(r->f1 > 0.8);
  CHECK(r->precision > 0.8);
  CHECK(r->recall > 0.8);
  CHECK(r->f1 > r->neuron_f1 + 0.2);  // no single neuron of the layer is such a detector
  int peak = 0;
  for (int s = 1; s < 25; ++s)
    if (r->heat[r->piece][s] > r->heat[r->piece][peak]) peak = s;
  CHECK(peak == r->square);
  CHECK(r->heat[r->piece][peak] > 0);
}
