// saerl/examples/quantized_policy.hpp — how much int8 quantization changes the rook-checkmate
// agent and its feature monitor: the greedy policy of a QuantizedMlp, and its agreement with
// the float network over every legal position.
//
//   int n = rook_calibration<Game5>(net, observations, hidden);    // inputs for GPTQ
//   Int8Agreement a = int8_agreement<Game5>(net, enc, qnet, qenc);
//   QuantizedPolicy<Game5, QuantizedMlp<75, 64, 64, 24>> policy;  policy.net = &qnet;        // int greedy(Position), for evaluate_rook
#pragma once
#include <vector>

#include "../core/quantize.hpp"
#include "../sae/sae_encoder.hpp"
#include "pipeline.hpp"

namespace saerl {

template <class Game, class QNet>
struct QuantizedPolicy {
  using Net = typename QNet::Shape;
  const QNet* net = nullptr;
  MlpActivations<Net, 1> acts;

  int greedy(typename Game::Position p) {
    float obs[Net::kIn];
    Game::observe(p, obs);
    return int(argmax(qmlp_forward(*net, obs, acts), Net::kOut));
  }
};

// Calibration inputs for int8 rounding (core/gptq.hpp): the observation (kIn) and the hidden
// vector the SAE reads (HiddenLayer) of every legal position. Returns the positions.
template <class Game, class Net>
int rook_calibration(const Net& net, std::vector<float>& observations, std::vector<float>& hidden) {
  constexpr int W = HiddenLayer<Net>::kWidth;
  static MlpActivations<Net, 1> acts;
  float obs[Net::kIn];
  observations.clear();
  hidden.clear();
  int n = 0;
  for (int i = 0; i < Game::kPositions; ++i) {
    const typename Game::Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    ++n;
    Game::observe(p, obs);
    mlp_forward(net, obs, 1, acts);
    observations.insert(observations.end(), obs, obs + Net::kIn);
    hidden.insert(hidden.end(), acts.pre(HiddenLayer<Net>::kLayer), acts.pre(HiddenLayer<Net>::kLayer) + W);
  }
  return n;
}

struct Int8Agreement {
  int positions = 0;
  double action_agreement = 0;   // the int8 policy's action equals the float one
  double feature_agreement = 0;  // the int8 encoder activates exactly the float one's features
  // over the positions whose float top-2 Q-values differ by >= 0.01 (a move's cost, rewards
  // being scaled by 1/100): where the float policy is not close to a tie
  int decisive_positions = 0;
  double decisive_agreement = 0;
};

// Over every legal position: the float network and encoder against their int8 versions.
template <class Game, int... S, int D, int M>
Int8Agreement int8_agreement(const Mlp<float, S...>& net, const SaeEncoder<float, D, M>& enc,
                             const QuantizedMlp<S...>& qnet, const QuantizedSaeEncoder<D, M>& qenc) {
  using Net = Mlp<float, S...>;
  constexpr int kLayer = HiddenLayer<Net>::kLayer;
  static_assert(HiddenLayer<Net>::kWidth == D, "int8_agreement: the encoder must read the network's hidden layer");
  static MlpActivations<Net, 1> a, qa;  // static: keeps a large network's activations off the stack
  float f[M], qf[M], work[SaeEncoder<float, D, M>::kWork], obs[Net::kIn];
  long same_action = 0, same_features = 0, same_decisive = 0;
  Int8Agreement r;
  for (int i = 0; i < Game::kPositions; ++i) {
    const typename Game::Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    ++r.positions;
    Game::observe(p, obs);
    const float* q = mlp_forward(net, obs, 1, a);
    const float* qq = qmlp_forward(qnet, obs, qa);
    const int best = argmax(q, Net::kOut);
    const bool same_best = best == argmax(qq, Net::kOut);
    same_action += same_best;
    float second = -1e30f;
    for (int o = 0; o < Net::kOut; ++o)
      if (o != best && q[o] > second) second = q[o];
    if (q[best] - second >= 0.01f) ++r.decisive_positions, same_decisive += same_best;
    sae_encode(enc, a.pre(kLayer), f, work);
    sae_encode(qenc, qa.pre(kLayer), qf, work);
    bool same = true;
    for (int j = 0; j < M; ++j) same = same && (f[j] > 0.0f) == (qf[j] > 0.0f);
    same_features += same;
  }
  const double n = r.positions > 0 ? r.positions : 1;
  r.action_agreement = same_action / n;
  r.feature_agreement = same_features / n;
  r.decisive_agreement = r.decisive_positions > 0 ? double(same_decisive) / r.decisive_positions : 0;
  return r;
}

}  // namespace saerl
