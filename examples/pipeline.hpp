// saerl/examples/pipeline.hpp — the glue between a trained DQN and its sparse autoencoders:
// collecting hidden activations, the Q-fidelity loss, and running the DQN with an SAE's
// reconstruction spliced into the layer it reads. (sae/ knows nothing of DQNs; this does.)
//
// The SAE reads the second hidden layer's pre-activation, z_1 (docs/DESIGN.md), the input of
// layer 2 of the Mlp after its ReLU: Q = relu(z_1) W_2 + b_2.
#pragma once
#include <cmath>
#include <memory>

#include "../core/nn/mlp.hpp"
#include "../dqn/evaluate.hpp"
#include "../gridworld/rook_exact.hpp"
#include "../sae/activation_dataset.hpp"
#include "../sae/matching_pursuit.hpp"
#include "../sae/metrics.hpp"
#include "../sae/sae.hpp"
#include "../sae/sae_trainer.hpp"

namespace saerl {

template <class Net>
struct HiddenLayer {
  static constexpr int kLayer = 1;                     // z_1: output of layer 1, before the ReLU
  static constexpr int kWidth = Net::kSizes[kLayer + 1];
  static constexpr int kRestart = kLayer + 1;          // mlp_forward_from() restarts here
};

// The hidden vector of one position.
template <class Net, class Game>
void hidden_of(const Net& net, typename Game::Position p, float* out, MlpActivations<Net, 1>& acts) {
  float obs[Game::kObs];
  Game::observe(p, obs);
  mlp_forward(net, obs, 1, acts);
  copy(acts.pre(HiddenLayer<Net>::kLayer), out, HiddenLayer<Net>::kWidth);
}

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

// How the hidden layer is replaced when the DQN acts: not at all, by the SAE's
// reconstruction (its encoder, or matching pursuit over its dictionary), zeros, the mean.
enum class Splice { none, sae, pursuit, zero, mean };

// A greedy policy whose hidden vector z_1 is the original, the SAE's reconstruction, zeros,
// or the data mean.
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

  void q_values(typename Game::Position p, float* q) {
    constexpr int W = HiddenLayer<Net>::kWidth;
    float h[W];
    hidden_of<Net, Game>(*net, p, h, acts);
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
  int greedy(typename Game::Position p) {
    float q[Game::kActions];
    q_values(p, q);
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
