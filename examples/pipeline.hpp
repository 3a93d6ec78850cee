// saerl/examples/pipeline.hpp — the glue between a DQN trained on the rook checkmate and its
// sparse autoencoders: collecting the hidden activations of every legal position (or of greedy
// games), and the spliced DQN judged exactly over every legal start (RookExact). The layer the
// SAEs read, the spliced policy and the fidelity terms, for any game, are hidden_layer.hpp's.
//
//   saerl::collect_all_positions<Net, Game>(net, *data);
//   saerl::SpliceFidelity f = saerl::measure_splice<Net, SaeT, Game>(net, sae, mean, *exact);
#pragma once
#include <memory>

#include "../dqn/evaluate.hpp"
#include "../gridworld/rook_exact.hpp"
#include "../sae/activation_dataset.hpp"
#include "../sae/metrics.hpp"
#include "../sae/sae_trainer.hpp"
#include "hidden_layer.hpp"

namespace saerl {

// Every legal position's hidden vector, with the position index as its source.
template <class Net, class Game, class Dataset>
void collect_all_positions(const Net& net, Dataset& data) {
  MlpActivations<Net, 1> acts;
  float h[HiddenLayer<Net>::kWidth];
  data.clear();
  for (int i = 0; i < Game::kPositions; ++i) {
    const typename Game::Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    hidden_of<Net, Game>(net, p, h, acts);
    if (!data.push(h, i)) return;
  }
}

// The study's way: hidden vectors of the positions visited by greedy games against the
// random black, until the dataset is full or `games` games are played.
template <class Agent, class Game, class Dataset>
void collect_rollouts(Agent& agent, int games, Rng& rng, Dataset& data) {
  MlpActivations<typename Agent::Network, 1> acts;
  float h[HiddenLayer<typename Agent::Network>::kWidth];
  data.clear();
  Game env;
  for (int g = 0; g < games; ++g) {
    env.reset(rng);
    for (;;) {
      hidden_of<typename Agent::Network, Game>(agent.online, env.pos, h, acts);
      if (!data.push(h, Game::index(env.pos))) return;
      if (env.step(agent.greedy(env.pos), rng).done) break;
    }
  }
}

// The SAE's metrics over the rows of `data` (every legal position, data.source = position
// index) whose positions the greedy policy `actions` reaches by its own play
// (RookExact::reached_by): where the agent goes, rather than every position that exists.
template <class SaeT, int B, class Dataset, int N>
SaeMetrics evaluate_visited(SaeT& sae, const Dataset& data, const RookExact<N>& exact, const uint8_t* actions,
                            SaeWorkspace<SaeT, B>& work) {
  constexpr int D = SaeT::kIn;
  auto reached = std::make_unique<uint8_t[]>(size_t(exact.legal_count));
  exact.reached_by(actions, reached.get());
  auto rows = std::make_unique<typename SaeT::Scalar[]>(size_t(data.size) * D);
  int count = 0;
  for (int i = 0; i < data.size; ++i) {
    const int l = exact.id[data.source[i]];
    if (l >= 0 && reached[l]) copy(data.row(i), rows.get() + long(count++) * D, D);
  }
  return evaluate_sae_rows(sae, rows.get(), count, work);
}

// Spliced fidelity, exactly: the greedy action at every legal position with z_1 replaced
// (Splice), and the exact expected return of each such policy over every legal start
// (RookExact, against the black `exact` was built for). With R the exact expected return:
//   spliced_return_ratio  = R_sae / R_dqn
//   return_recovered_zero = (R_sae - R_zero) / (R_dqn - R_zero)   z_1 = 0
//   return_recovered_mean = (R_sae - R_mean) / (R_dqn - R_mean)   z_1 = its mean over the data
// (the fraction of loss recovered of Bricken et al. 2023, with returns for losses).
struct SpliceFidelity {
  double action_agreement = 0;  // fraction of all legal positions whose greedy action is unchanged
  ExactResult original, spliced, zero, mean;
  double spliced_return_ratio = 0, return_recovered_zero = 0, return_recovered_mean = 0;
  // the same with matching pursuit (pursuit_k features) in place of the encoder; -1: not measured
  double pursuit_action_agreement = -1, pursuit_return_ratio = -1;
};

// The spliced policy's greedy action at every legal position, in RookExact's legal order.
template <class Net, class SaeT, class Game>
void spliced_actions(SplicedPolicy<Net, SaeT, Game>& policy, const RookExact<Game::kSize>& exact, uint8_t* actions) {
  for (int l = 0; l < exact.legal_count; ++l) actions[l] = uint8_t(policy.greedy(Game::from_index(exact.legal[l])));
}

// The fraction of the rows [from, to) of `data` (data.source = position index) where two
// policies, given as actions in RookExact's legal order, choose alike: e.g. the DQN's and the
// spliced policy's (measure_splice's outputs) on the held-out rows alone.
template <class Dataset, int N>
double row_agreement(const Dataset& data, const RookExact<N>& exact, const uint8_t* a, const uint8_t* b, int from,
                     int to) {
  long same = 0, count = 0;
  for (int i = from; i < to; ++i) {
    const int l = exact.id[data.source[i]];
    if (l < 0) continue;
    same += a[l] == b[l];
    ++count;
  }
  return count ? double(same) / double(count) : 0;
}

// pursuit_k > 0 also measures the pursuit reconstruction (slower: k * M * D per position).
// dqn_actions and sae_actions, when given, receive the DQN's own greedy actions and those with
// the SAE spliced in (exact.legal_count each, in RookExact's legal order).
template <class Net, class SaeT, class Game>
SpliceFidelity measure_splice(const Net& net, SaeT& sae, const float* data_mean, RookExact<Game::kSize>& exact,
                              int pursuit_k = 0, uint8_t* dqn_actions = nullptr, uint8_t* sae_actions = nullptr) {
  auto policy = std::make_unique<SplicedPolicy<Net, SaeT, Game>>();
  policy->net = &net;
  policy->sae = &sae;
  policy->mean = data_mean;
  policy->pursuit_k = pursuit_k;
  const int n = exact.legal_count;
  // the DQN's and the spliced actions into the caller's arrays when given; the rest in scratch
  auto own = std::make_unique<uint8_t[]>(3 * size_t(n));
  uint8_t* original = dqn_actions ? dqn_actions : own.get();
  uint8_t* spliced = sae_actions ? sae_actions : own.get() + n;
  uint8_t* scratch = own.get() + 2 * size_t(n);
  auto run = [&](Splice s, uint8_t* actions) {
    policy->splice = s;
    spliced_actions(*policy, exact, actions);
    return exact.evaluate_actions(actions).policy;
  };
  auto agreement = [&](const uint8_t* actions) {
    long same = 0;
    for (int l = 0; l < n; ++l) same += actions[l] == original[l];
    return n ? double(same) / n : 0;
  };
  SpliceFidelity out;
  out.original = run(Splice::none, original);
  out.zero = run(Splice::zero, scratch);
  out.mean = run(Splice::mean, scratch);
  out.spliced = run(Splice::sae, spliced);
  out.action_agreement = agreement(spliced);
  const double r = out.original.expected_return;
  auto recovered = [&](double base, double x) { return r != base ? (x - base) / (r - base) : 1.0; };
  out.spliced_return_ratio = out.spliced.expected_return / r;
  out.return_recovered_zero = recovered(out.zero.expected_return, out.spliced.expected_return);
  out.return_recovered_mean = recovered(out.mean.expected_return, out.spliced.expected_return);
  if (pursuit_k > 0) {
    out.pursuit_return_ratio = run(Splice::pursuit, scratch).expected_return / r;
    out.pursuit_action_agreement = agreement(scratch);
  }
  return out;
}

}  // namespace saerl
