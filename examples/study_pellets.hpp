// saerl/examples/study_pellets.hpp — one run of the follow-up study's protocol on the pellet
// maze (saerl sweep --protocol study --game pellets; docs/SWEEP.md): examples/study.hpp's SAE
// recipe on a trained DQN's hidden layer, once on the states its greedy play visits and once on
// states drawn uniformly from the game's state space (Pellets::uniform_state: the visitation
// control, since the states are too many to take every one, as the rook game does).
//
//   StudyRun r = study_run_pellets<Net, Game, SaeT, 256>(net, k, sae_steps, seed, rng);
//   // r.on_policy.live: features that fire at least once on the greedy-play states
//   // r.all.live:       the same recipe trained and counted on kStudyPositions uniform states
//   // r.distinct_states: distinct states (agent, ghosts, steps, pellets) among the greedy ones;
//   // r.distinct_positions: distinct placements of the agent and the ghosts among them
#pragma once
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "pellets_pipeline.hpp"
#include "study.hpp"

namespace saerl {

// Distinct states among states[0, n), compared byte for byte.
template <class State>
int count_distinct_states(const State* states, int n) {
  std::vector<const State*> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[size_t(i)] = states + i;
  auto less = [](const State* a, const State* b) { return std::memcmp(a, b, sizeof(State)) < 0; };
  std::sort(order.begin(), order.end(), less);
  int distinct = 0;
  for (int i = 0; i < n; ++i) distinct += i == 0 || less(order[size_t(i) - 1], order[size_t(i)]);
  return distinct;
}

// The protocol's measurements of one trained network: greedy games of seeds seed, seed + 1, ...
// for the on-policy states; the uniform states and the SAEs' draws from rng.
template <class Net, class Game, class SaeT, int B>
StudyRun study_run_pellets(const Net& net, int k, long sae_steps, uint64_t seed, Rng& rng) {
  constexpr int D = SaeT::kIn;
  static_assert(HiddenLayer<Net>::kWidth == D, "study_run_pellets: the SAE must read the DQN's hidden width");
  StudyRun r;
  auto visited = std::make_unique<VisitedStates<Game, Net, kStudyPositions>>();
  {
    auto policy = std::make_unique<GreedyNet<Net, Game>>(net);
    collect_greedy_states<Game>(*policy, net, kStudyPositions, seed, *visited);
  }
  r.distinct_states = count_distinct_states(visited->states, visited->data.size);
  {  // placements: (agent, ghost 0, ghost 1) as one number below kSquares^(1 + Ghosts)
    int range = Game::kSquares;
    for (int g = 0; g < Game::kGhosts; ++g) range *= Game::kSquares;
    std::vector<int32_t> ids(static_cast<size_t>(visited->data.size));
    for (int i = 0; i < visited->data.size; ++i) {
      int id = visited->states[i].agent;
      for (int g = 0; g < Game::kGhosts; ++g) id = id * Game::kSquares + visited->states[i].ghost[g];
      ids[size_t(i)] = id;
    }
    r.distinct_positions = count_distinct(ids.data(), visited->data.size, range);
  }
  r.on_policy = train_study_sae<SaeT, B>(visited->data.row(0), visited->data.size, k, sae_steps, rng);
  // the visitation control: as many states, uniform over the state space
  auto& data = visited->data;
  data.clear();
  MlpActivations<Net, 1> acts;
  float h[D];
  for (int i = 0; i < kStudyPositions; ++i) {
    hidden_of<Net, Game>(net, Game::uniform_state(rng), h, acts);
    data.push(h, i);
  }
  r.all = train_study_sae<SaeT, B>(data.row(0), data.size, k, sae_steps, rng);
  return r;
}

}  // namespace saerl
