// saerl/examples/hidden_layer.hpp — the layer of a DQN that its SAEs read, for any game: the
// hidden vector of a state, the greedy policy with that vector replaced (by an SAE's
// reconstruction, zeros or the mean), and the fidelity terms that train an SAE to keep the
// DQN's Q-values or policy. (sae/ knows nothing of DQNs; this does. The rook checkmate's exact
// measurements are in pipeline.hpp, the pellet maze's in pellets_pipeline.hpp.)
//
//   float h[saerl::HiddenLayer<Net>::kWidth];
//   saerl::MlpActivations<Net, 1> acts;
//   saerl::hidden_of<Net, Game>(net, env.state(), h, acts);       // z_1 of one state
//   auto policy = std::make_unique<saerl::SplicedPolicy<Net, SaeT, Game>>();
//   policy->net = &net;  policy->sae = &sae;                       // Splice::sae by default
//   int a = policy->greedy(env.state());                            // argmax Q with x_hat for z_1
//
// The SAE reads the second hidden layer's pre-activation, z_1 (docs/DESIGN.md), the input of
// layer 2 of the Mlp after its ReLU: Q = relu(z_1) W_2 + b_2.
#pragma once
#include <cmath>

#include "../core/nn/mlp.hpp"
#include "../sae/matching_pursuit.hpp"
#include "../sae/sae.hpp"

namespace saerl {

template <class Net>
struct HiddenLayer {
  static constexpr int kLayer = 1;                     // z_1: output of layer 1, before the ReLU
  static constexpr int kWidth = Net::kSizes[kLayer + 1];
  static constexpr int kRestart = kLayer + 1;          // mlp_forward_from() restarts here
};

// The hidden vector of one state (a position of the rook checkmate, a state of the pellet maze).
template <class Net, class Game>
void hidden_of(const Net& net, const typename Game::State& s, float* out, MlpActivations<Net, 1>& acts) {
  float obs[Game::kObs];
  Game::observe(s, obs);
  mlp_forward(net, obs, 1, acts);
  copy(acts.pre(HiddenLayer<Net>::kLayer), out, HiddenLayer<Net>::kWidth);
}

// How the hidden layer is replaced when the DQN acts: not at all, by the SAE's
// reconstruction (its encoder, or matching pursuit over its dictionary), zeros, the mean.
enum class Splice { none, sae, pursuit, zero, mean };

// A greedy policy whose hidden vector z_1 is the original, the SAE's reconstruction, zeros,
// or the data mean: anything that takes `int greedy(State)` takes it (RookExact's evaluators,
// play_pellets).
template <class Net, class SaeT, class Game>
struct SplicedPolicy {
  const Net* net;
  SaeT* sae;
  const float* mean = nullptr;
  Splice splice = Splice::sae;
  int pursuit_k = 16;
  int ablate = -1;  // with Splice::sae: this feature's code is zeroed (x_hat -= f_j w_j)
  MlpActivations<Net, 1> acts;
  SaeWorkspace<SaeT, 1> work;

  void q_values(const typename Game::State& s, float* q) {
    constexpr int W = HiddenLayer<Net>::kWidth;
    float h[W];
    hidden_of<Net, Game>(*net, s, h, acts);
    if (splice == Splice::sae) {
      sae_forward(*sae, h, 1, work, false);
      if (ablate >= 0) axpy(-work.f[ablate], sae->w_dec() + ablate * W, work.x_hat, W);
      copy(work.x_hat, h, W);
    } else if (splice == Splice::pursuit) {
      float codes[SaeT::kFeatures];
      encode_pursuit(*sae, h, pursuit_k, codes, work.x_hat);
      copy(work.x_hat, h, W);
    } else if (splice == Splice::zero) {
      fill(h, W, 0.0f);
    } else if (splice == Splice::mean) {
      copy(mean, h, W);
    }
    copy(mlp_forward_from(*net, HiddenLayer<Net>::kRestart, h, 1, acts), q, Game::kActions);
  }
  int greedy(const typename Game::State& s) {
    float q[Game::kActions];
    q_values(s, q);
    return argmax(q, Game::kActions);
  }
};

// The fidelity terms for SaeTrainer::step, back-propagated through the DQN's remaining
// (frozen) layers into dL/dx_hat. With q = Q(x) and q_hat = Q(x_hat) for a batch of B:
//   Q-fidelity       coeff * mean_{b,a} (q_hat_ba - q_ba)^2
//   policy fidelity  policy_coeff * mean_b KL(p_b || p_hat_b), p = softmax(q / t), p_hat =
//                    softmax(q_hat / t): the KL term of end-to-end SAEs (Braun et al. 2024)
//                    with the DQN's Boltzmann policy as its output distribution. At a small
//                    temperature t it weighs the actions whose values are near the best one,
//                    so it keeps the greedy action, where the Q-fidelity term weighs every
//                    action's value alike (illegal moves' too).
//                    d/dq_hat_ba = policy_coeff * (p_hat_ba - p_ba) / (t B)
template <class Net, int B>
struct QFidelity {
  const Net* net;
  float coeff = 0, policy_coeff = 0;
  float temperature = 0.01f;  // t: the Q-values' gaps that matter are 0.01-0.1 (rewards / 100)
  const float* x = nullptr;   // the batch's original hidden vectors, set before each step
  MlpActivations<Net, B> original, spliced;
  float dq[B * Net::kOut];
  float dh[B * HiddenLayer<Net>::kWidth];

  float operator()(const float* x_hat, int batch, float* d_x_hat) {
    if (coeff <= 0 && policy_coeff <= 0) return 0;
    constexpr int R = HiddenLayer<Net>::kRestart, A = Net::kOut, W = HiddenLayer<Net>::kWidth;
    const float* q = mlp_forward_from(*net, R, x, batch, original);
    const float* q_hat = mlp_forward_from(*net, R, x_hat, batch, spliced);
    float mse = 0, kl = 0;
    const float scale = coeff / float(batch * A);
    for (int i = 0; i < batch * A; ++i) {
      const float e = q_hat[i] - q[i];
      mse += e * e;
      dq[i] = 2 * scale * e;  // d/dq_hat of coeff * mean (q_hat - q)^2
    }
    if (policy_coeff > 0) {
      for (int b = 0; b < batch; ++b) {
        float p[A], p_hat[A];
        const float log_z = softmax(q + b * A, p), log_z_hat = softmax(q_hat + b * A, p_hat);
        for (int a = 0; a < A; ++a) {
          // p log(p / p_hat), with log p = q / t - log Z
          if (p[a] > 0) kl += p[a] * ((q[b * A + a] - q_hat[b * A + a]) / temperature - log_z + log_z_hat);
          dq[b * A + a] += policy_coeff * (p_hat[a] - p[a]) / (temperature * float(batch));
        }
      }
    }
    mlp_backward_from(*net, spliced, R, dq, static_cast<Net*>(nullptr), dh);
    add(dh, d_x_hat, batch * W);
    return scale * mse + policy_coeff * kl / float(batch);
  }

  // p = softmax(q / t) over the A actions; returns log Z = log sum_a exp(q_a / t)
  float softmax(const float* q, float* p) const {
    constexpr int A = Net::kOut;
    float top = q[0], sum = 0;
    for (int a = 1; a < A; ++a) top = q[a] > top ? q[a] : top;
    for (int a = 0; a < A; ++a) sum += p[a] = std::exp((q[a] - top) / temperature);
    for (int a = 0; a < A; ++a) p[a] /= sum;
    return top / temperature + std::log(sum);
  }
};

}  // namespace saerl
