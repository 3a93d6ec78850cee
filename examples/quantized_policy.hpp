// saerl/examples/quantized_policy.hpp — how much int8 quantization changes the rook-checkmate
// agent and its feature monitor: the greedy policy of a QuantizedMlp, and its agreement with
// the float network over every legal position.
//
//   int n = rook_calibration<Game5>(net, observations, hidden);    // inputs for GPTQ
//   Int8Agreement a = int8_agreement<Game5>(net, enc, qnet, qenc);
//   QuantizedPolicy<Game5, QuantizedMlp<75, 64, 64, 24>> policy;  policy.net = &qnet;        // int greedy(Position), for evaluate_rook
#pragma once
#include <vector>

#include "../core/analysis/quantize.hpp"
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

// Calibration inputs for int8 rounding (core/analysis/gptq.hpp): the observation (kIn) and the hidden
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

// Rounds the output layer's int8 weights up or down, one at a time, keeping each change that
// makes more of the n inputs X (n, kIn) pick the float network's action (one greedy pass).
// The rook checkmate's legal positions are its whole input domain, so they serve both to
// choose the rounding and to measure the result. Returns the agreements gained.
template <int... S>
int tune_output_rounding(const Mlp<float, S...>& net, const float* X, int n, QuantizedMlp<S...>& q) {
  using Net = Mlp<float, S...>;
  constexpr int L = Net::kLayers - 1, in = Net::kSizes[L], out = Net::kOut;
  static MlpActivations<Net, 1> a;
  std::vector<float> y(size_t(n) * out), step(size_t(n) * in);  // outputs; s_x qx_i of each input
  std::vector<int> target(static_cast<size_t>(n));
  int16_t qx[Net::kMaxWidth];
  for (int r = 0; r < n; ++r) {
    target[r] = argmax(mlp_forward(net, X + size_t(r) * Net::kIn, 1, a), out);
    const float* yq = qmlp_forward(q, X + size_t(r) * Net::kIn, a);
    copy(yq, y.data() + size_t(r) * out, out);
    const float sx = quantize_input(a.post(L - 1), in, qx);  // the last layer's input, as it is seen
    for (int i = 0; i < in; ++i) step[size_t(r) * in + i] = sx * float(qx[i]);
  }
  auto agrees = [&](int r, int o, float yo) {  // does row r pick its target if output o were yo?
    const float* yr = y.data() + size_t(r) * out;
    int best = 0;
    float best_v = o == 0 ? yo : yr[0];
    for (int k = 1; k < out; ++k) {
      const float v = k == o ? yo : yr[k];
      if (v > best_v) best = k, best_v = v;
    }
    return best == target[r];
  };
  int8_t* W = q.weights + QuantizedMlp<S...>::weight_offset(L);
  const float* scale = q.scales + Net::unit_offset(L);
  int gained = 0;
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i)
      for (int dir = -1; dir <= 1; dir += 2) {
        const int v = W[o * in + i] + dir;
        if (v < -127 || v > 127) continue;
        int delta = 0;
        for (int r = 0; r < n; ++r) {
          const float d = step[size_t(r) * in + i] * scale[o] * float(dir);
          if (d == 0.0f) continue;
          const float yo = y[size_t(r) * out + o];
          delta += int(agrees(r, o, yo + d)) - int(agrees(r, o, yo));
        }
        if (delta <= 0) continue;
        W[o * in + i] = int8_t(v);
        gained += delta;
        for (int r = 0; r < n; ++r) y[size_t(r) * out + o] += step[size_t(r) * in + i] * scale[o] * float(dir);
        break;
      }
  return gained;
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
