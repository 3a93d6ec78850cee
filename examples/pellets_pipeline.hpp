// saerl/examples/pellets_pipeline.hpp — the glue between a DQN trained on the pellet maze
// (gridworld/pellets.hpp) and its sparse autoencoders: the run's types, the SAE's data (the
// hidden vectors of the states the DQN's greedy play visits, split by game), and the spliced
// DQN measured on states and on whole games. `saerl run --game pellets` is built on it.
//
//   using T = saerl::PelletsTypes;
//   auto v = std::make_unique<saerl::VisitedStates<T::Game, T::Net, T::kStates>>();
//   saerl::collect_greedy_states<T::Game>(*agent, agent->online, 32768, /*seed=*/101, *v);
//   saerl::split_by_game(v->data, 0.2);        // the last games' states are held out
//   auto policy = saerl::spliced_policy<T::Game>(agent->online, sae);          // Splice::sae
//   double a = saerl::action_agreement<T::Game>(agent->online, sae, v->states, v->data.train_size, v->data.size);
//   saerl::PelletsScores s = saerl::play_pellets<T::Game>(*policy, 1000, /*seed=*/1);
//
// The spliced DQN is hidden_layer.hpp's SplicedPolicy: z_1 replaced by the SAE's
// reconstruction (no error term). Action agreement is over states the DQN itself visited (its
// on-policy distribution); the spliced score is over whole games from the same starts as the
// DQN's (play_pellets: same seed, same starts), so it also counts where the spliced policy
// leads the agent.
#pragma once
#include <cstdint>
#include <memory>

#include "../core/nn/mlp.hpp"
#include "../dqn/dqn_agent.hpp"
#include "../gridworld/pellets.hpp"
#include "../gridworld/pellets_play.hpp"
#include "../sae/activation_dataset.hpp"
#include "../sae/sae.hpp"
#include "hidden_layer.hpp"

namespace saerl {

// The run's types: the 7x7 maze with two ghosts, a 109-128-128-4 network (the rook default's
// widths), its agent (batch 64, replay 100,000 transitions of 9-byte states), a 4x SAE, and
// room for kStates states of greedy play.
struct PelletsTypes {
  using Game = Pellets<PelletsMaze7, 2>;
  static constexpr int kHidden = 128, kSaeBatch = 256, kStates = 32768;
  using Net = Mlp<float, Game::kObs, kHidden, kHidden, Game::kActions>;
  using Agent = DqnAgent<Game, Net, 64, 100000>;
  using SaeT = Sae<float, kHidden, 4 * kHidden>;
};

// The SAE's data: row i of `data` is z_1 of states[i], its source the number of the game it
// came from (games numbered from 0 in play order).
template <class Game, class Net, int Capacity>
struct VisitedStates {
  static constexpr int kCapacity = Capacity;
  ActivationDataset<float, HiddenLayer<Net>::kWidth, Capacity> data;
  typename Game::State states[Capacity];
  int games = 0;  // games with states in the data (the last may be cut short)
};

// Fills `out` with the first `count` (at most Capacity) states that `policy` acts in over
// greedy games, and z_1 of `net` at each: play_pellets rounds of 100 games, round r from seed
// `seed + r`, until enough. Returns the number of states collected. `policy` is normally the
// DQN whose `net` it is; the caller keeps `seed` apart from the seeds it scores policies with.
template <class Game, class Policy, class Net, int Capacity>
int collect_greedy_states(Policy& policy, const Net& net, int count, uint64_t seed,
                          VisitedStates<Game, Net, Capacity>& out) {
  constexpr int kRound = 100;
  if (count > Capacity) count = Capacity;
  out.data.clear();
  out.games = 0;
  MlpActivations<Net, 1> acts;
  float h[HiddenLayer<Net>::kWidth];
  for (uint64_t round = 0; out.data.size < count; ++round) {
    const int before = out.data.size;
    play_pellets<Game>(policy, kRound, seed + round, Game::kDefaultChase, [&](const typename Game::State& s) {
      if (out.data.size >= count) return;
      if (s.steps == 0) ++out.games;
      hidden_of<Net, Game>(net, s, h, acts);
      out.states[out.data.size] = s;
      out.data.push(h, out.games - 1);
    });
    if (out.data.size == before) break;  // (no game visits a state: cannot happen, but never loop)
  }
  return out.data.size;
}

// Holds out about `holdout` of the rows: train_size becomes the first row of a game at or
// after size * (1 - holdout), so that no game has states on both sides (its states are
// alike); with a single game, the cut itself. Rows keep their play order.
template <class Dataset>
void split_by_game(Dataset& data, double holdout) {
  const double h = holdout > 0 ? (holdout < 1 ? holdout : 1) : 0;
  int cut = data.size - int(double(data.size) * h + 0.5);
  int t = cut;
  while (t > 0 && t < data.size && data.source[t] == data.source[t - 1]) ++t;
  data.train_size = t < data.size ? t : cut;
}

// The DQN `net` with the SAE spliced in (Splice::sae), placed on the heap (it holds
// activations and an SAE workspace).
template <class Game, class Net, class SaeT>
std::unique_ptr<SplicedPolicy<Net, SaeT, Game>> spliced_policy(const Net& net, SaeT& sae, Splice how = Splice::sae) {
  auto p = std::make_unique<SplicedPolicy<Net, SaeT, Game>>();
  p->net = &net;
  p->sae = &sae;
  p->splice = how;
  return p;
}

// The fraction of states[from, to) where the DQN `net` and the DQN with `sae` spliced in choose
// the same action (1 when the range is empty).
template <class Game, class Net, class SaeT>
double action_agreement(const Net& net, SaeT& sae, const typename Game::State* states, int from, int to) {
  auto dqn = spliced_policy<Game>(net, sae, Splice::none);
  auto spliced = spliced_policy<Game>(net, sae);
  long same = 0;
  for (int i = from; i < to; ++i) same += dqn->greedy(states[i]) == spliced->greedy(states[i]);
  return to > from ? double(same) / double(to - from) : 1.0;
}

}  // namespace saerl
