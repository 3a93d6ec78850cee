// saerl/dqn/dqn_agent.hpp — a deep Q network agent: online and target networks, n-step
// replay, Double DQN as an option, Huber loss on scaled rewards, Adam.
//
//   using Game = saerl::RookCheckmate<5>;
//   using Net = saerl::Mlp<float, Game::kObs, 128, 128, Game::kActions>;
//   using Agent = saerl::DqnAgent<Game, Net, 32, 50000>;     // batch 32, replay 50,000
//   auto agent = std::make_unique<Agent>();                   // large: place it once
//   agent->init(config, rng);
//   int a = agent->act(env.state(), epsilon, rng);
//   auto r = env.step(a, rng);
//   agent->record(state, a, r.reward, env.state(), r.done);  // stores n-step transitions
//   if (agent->ready()) agent->update(rng);                   // one gradient step
//
// The environment type provides `State`, `state()`, `static observe(State, T*)`, kObs and
// kActions. Transitions store states, not observations: an observation is rebuilt from its
// state only when a batch is formed.
//
// One update, top to bottom (B transitions (s, a, R, s', done, k) with R the n-step return):
//   y   = R + (done ? 0 : gamma^k * Q_target(s', a*)),  a* = argmax_a Q_target(s', a)
//         (Double DQN: a* = argmax_a Q_online(s', a))
//   L   = mean_b huber(Q_online(s, a_b) - y_b)   (optionally with noise injected into a hidden
//         layer of Q_online, see DqnConfig::hidden_noise)
//   dL/dQ_online(s, a) is nonzero only at the taken action (with prioritized replay the batch
//   is drawn by priority and each dL/dQ weighted, see DqnConfig::priority_alpha); backward,
//   clip, Adam step;
//   the target network is copied every target_every updates (or Polyak-averaged, tau > 0).
// check_finite(step) is the divergence guard: a Status naming the first network tensor, or the
// loss, that holds a NaN or an infinity.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "../core/nn/divergence.hpp"
#include "../core/nn/loss.hpp"
#include "../core/nn/mlp.hpp"
#include "../core/nn/optim.hpp"
#include "replay_buffer.hpp"
#include "sum_tree.hpp"

namespace saerl {

struct DqnConfig {
  float lr = 5e-4f;
  float gamma = 0.98f;
  float reward_scale = 0.01f;  // rewards are divided by 100, as in the study
  float huber_delta = 1.0f;
  float grad_clip = 10.0f;     // max gradient L2 norm; 0 disables clipping
  int learn_start = 2000;      // transitions stored before the first update
  int train_every = 4;         // environment steps per update
  int target_every = 500;      // updates between hard target copies (when tau == 0)
  float tau = 0.0f;            // Polyak factor per update: target = tau * online + (1 - tau) * target
  int n_step = 1;              // n-step returns, 1..kMaxNStep
  bool double_dqn = false;
  // Cut n-step returns at exploration (as Watkins' Q(lambda) cuts its traces): a return stops
  // before the first later action that was drawn at random and bootstraps from the state where
  // it was drawn, so it sums only rewards of greedy actions. Without the cut, an n-step return
  // values the epsilon-greedy policy: a random move that loses at once lowers the value of the
  // moves before it.
  bool cut_at_exploration = false;
  // Exploration among plausible actions (action elimination by the agent's own values): a
  // random action is drawn uniformly from those whose Q is above this floor, in scaled reward
  // units (e.g. -0.9: not an action the agent already believes to lose at once); uniformly
  // from all when none is. Below -1e30 (the default): from all actions, plain epsilon-greedy.
  float explore_floor = -1e38f;
  // Symmetry augmentation: each sampled transition is replaced by its image under a random
  // symmetry of the game (for environments that have them, e.g. the eight of the square
  // board), so one game teaches its rotations and reflections too.
  bool symmetries = false;
  // Noise injection: Gaussian noise of this standard deviation is added to z_l, the
  // pre-activation of layer noise_layer, in the online network's training forward pass only
  // (not when acting, nor in the targets). Q learns to ignore small changes of that layer,
  // which is what an SAE's reconstruction makes. 0: off.
  float hidden_noise = 0.0f;
  int noise_layer = 1;
  // Prioritized replay (Schaul et al. 2016, proportional): transition i is drawn with
  // probability P(i) = p_i / sum_j p_j, where p_i = (|delta_i| + 0.001)^alpha and delta_i is its
  // TD error when it was last drawn (a new transition gets the largest p seen so far, so it is
  // drawn soon); its loss is weighted by w_i = (size P(i))^-beta / max_batch w, which undoes
  // the bias of the skewed draws when beta = 1. Rare transitions with large errors (a move that
  // loses at once, which the network has started to overrate) come back often. 0: uniform.
  float priority_alpha = 0.0f;
  float priority_beta = 0.5f;
};

namespace detail {
// Does Game describe symmetries (kSymmetries, transform, transform_action)?
template <class Game, class = void>
struct HasSymmetries : std::false_type {};
template <class Game>
struct HasSymmetries<Game, decltype(void(Game::kSymmetries))> : std::true_type {};
}  // namespace detail

template <class Game, class Net, int Batch, int Capacity>
struct DqnAgent {
  using T = typename Net::Scalar;
  using State = typename Game::State;
  using Network = Net;
  static constexpr int kObs = Game::kObs, kActions = Game::kActions, kBatch = Batch;
  static constexpr int kMaxNStep = 16;
  static_assert(Net::kIn == Game::kObs, "DqnAgent: the network's input width must equal Game::kObs");
  static_assert(Net::kOut == Game::kActions, "DqnAgent: the network's output width must equal Game::kActions");
  static_assert(Game::kActions <= 255, "DqnAgent: actions are stored in one byte");

  struct Transition {
    State s, s2;
    uint8_t action;
    uint8_t steps;  // k: how many rewards R sums (n, or fewer at the episode's end)
    uint8_t done;   // s2 is terminal: no bootstrap
    float reward;   // R = sum_{j<k} gamma^j r_j, already scaled
  };

  DqnConfig config;
  Net online, target, grad;
  Adam<T, Net::kParams> adam;
  ReplayBuffer<Transition, Capacity> replay;
  using Priorities = SumTree<Capacity>;
  Priorities priority;  // p_i of each replay slot (with config.priority_alpha > 0)
  float max_priority = 1;
  long updates = 0, steps = 0;
  T last_loss = 0;

  // n-step window of the current episode: (s, a, scaled r) for the last few steps.
  struct Pending { State s; uint8_t action; uint8_t explored; float reward; };
  Pending pending[kMaxNStep];
  int pending_count = 0;

  bool explored_ = false;  // the last act() drew its action at random

  // Work buffers for one update.
  MlpActivations<Net, Batch> acts, next_acts, next_online_acts;
  MlpActivations<Net, 1> single;
  T x[Batch * kObs], x2[Batch * kObs], dq[Batch * kActions];
  float noise[Batch * Net::kMaxWidth];  // N(0, 1) draws for noise injection
  T pred[Batch], y[Batch], dpred[Batch];

  void init(const DqnConfig& c, Rng& rng) {
    config = c;
    if (config.n_step < 1) config.n_step = 1;
    if (config.n_step > kMaxNStep) config.n_step = kMaxNStep;
    if (config.target_every < 1) config.target_every = 1;  // both are divisors: 0 would trap
    if (config.train_every < 1) config.train_every = 1;
    online.init(rng);
    target.copy_from(online);
    adam.reset();
    adam.lr = T(config.lr);
    replay.clear();
    priority.clear();
    max_priority = 1;
    updates = steps = 0;
    pending_count = 0;
  }

  // Q-values of one state, written to q (kActions).
  void q_values(const State& s, T* q) {
    T obs[kObs];
    Game::observe(s, obs);
    copy(mlp_forward(online, obs, 1, single), q, kActions);
  }

  int greedy(const State& s) {
    T q[kActions];
    q_values(s, q);
    return argmax(q, kActions);
  }

  // Epsilon-greedy: a uniformly random action with probability epsilon.
  int act(const State& s, float epsilon, Rng& rng) {
    explored_ = rng.uniform() < epsilon;
    if (!explored_) return greedy(s);
    if (config.explore_floor < -1e30f) return int(rng.below(kActions));
    T q[kActions];
    q_values(s, q);
    int plausible[kActions], n = 0;
    for (int a = 0; a < kActions; ++a)
      if (q[a] > T(config.explore_floor)) plausible[n++] = a;
    return n > 0 ? plausible[rng.below(uint32_t(n))] : int(rng.below(kActions));
  }

  bool ready() const { return replay.size >= config.learn_start && replay.size >= Batch; }

  // Records one environment step; pushes an n-step transition once n steps are known, and
  // flushes the window at the episode's end. `truncated`: the episode stops here without
  // ending (a time limit of the training loop, not of the game): the window is flushed, and its
  // returns bootstrap from s2 (Pardo et al. 2018, "Time Limits in Reinforcement Learning").
  void record(const State& s, int action, float reward, const State& s2, bool done, bool truncated = false) {
    ++steps;
    const bool cut = config.cut_at_exploration && explored_;
    pending[pending_count++] = Pending{s, uint8_t(action), uint8_t(cut), reward * config.reward_scale};
    explored_ = false;
    if (pending_count < config.n_step && !done && !truncated) return;
    const bool last = done || truncated;
    const int flush = last ? pending_count : 1;  // at the end every pending start gets its tail
    for (int f = 0; f < flush; ++f) {
      int end = f + 1;  // the return sums rewards f .. end-1 and bootstraps from end's state
      while (end < pending_count && !pending[end].explored) ++end;
      Transition t;
      t.s = pending[f].s;
      t.action = pending[f].action;
      t.s2 = end < pending_count ? pending[end].s : s2;
      t.done = end < pending_count ? 0 : done;
      t.steps = uint8_t(end - f);
      float R = 0, discount = 1;
      for (int j = f; j < end; ++j, discount *= config.gamma) R += discount * pending[j].reward;
      t.reward = R;
      const int slot = replay.push(t);
      if (config.priority_alpha > 0) priority.set(slot, max_priority);
    }
    if (last) {
      pending_count = 0;
    } else {
      for (int j = 1; j < pending_count; ++j) pending[j - 1] = pending[j];
      --pending_count;
    }
  }

  // One gradient step on a batch drawn from the replay buffer; returns the loss.
  T update(Rng& rng) {
    const Transition* batch[Batch];
    int action[Batch], slot[Batch];
    const bool prioritized = config.priority_alpha > 0;
    for (int b = 0; b < Batch; ++b) {
      slot[b] = prioritized ? draw_prioritized(rng) : replay.sample_slot(rng);
      batch[b] = &replay.items[slot[b]];
      State s = batch[b]->s, s2 = batch[b]->s2;
      action[b] = batch[b]->action;
      augment(s, s2, action[b], rng);
      Game::observe(s, x + b * kObs);
      Game::observe(s2, x2 + b * kObs);
    }
    // targets y = R + gamma^k Q_target(s', a*) for non-terminal s'
    const T* q_next = mlp_forward(target, x2, Batch, next_acts);
    const T* q_choose = config.double_dqn ? mlp_forward(online, x2, Batch, next_online_acts) : q_next;
    for (int b = 0; b < Batch; ++b) {
      const Transition& t = *batch[b];
      T boot = 0;
      if (!t.done) {
        int a_star = argmax(q_choose + b * kActions, kActions);
        boot = T(std::pow(double(config.gamma), double(t.steps))) * q_next[b * kActions + a_star];
      }
      y[b] = T(t.reward) + boot;
    }
    // forward (z_l += N(0, sigma^2) with noise injection: the layers above run again and the
    // backward pass sees the noisy z_l), loss, zero grads, backward, update
    const T* q = mlp_forward(online, x, Batch, acts);
    if (config.hidden_noise > 0 && config.noise_layer >= 0 && config.noise_layer + 1 < Net::kLayers) {
      T* z = acts.pre(config.noise_layer);
      const int n = Batch * Net::kSizes[config.noise_layer + 1];
      rng.fill_normal(noise, n);
      for (int i = 0; i < n; ++i) z[i] += T(config.hidden_noise * noise[i]);
      q = mlp_forward_from(online, config.noise_layer + 1, z, Batch, acts);
    }
    for (int b = 0; b < Batch; ++b) pred[b] = q[b * kActions + action[b]];
    last_loss = huber_loss(pred, y, Batch, dpred, T(config.huber_delta));
    if (prioritized) reprioritize(slot);
    fill(dq, Batch * kActions, T(0));
    for (int b = 0; b < Batch; ++b) dq[b * kActions + action[b]] = dpred[b];
    grad.zero();
    mlp_backward(online, acts, dq, &grad, static_cast<T*>(nullptr));
    if (config.grad_clip > 0) clip_grad_norm(grad.params, Net::kParams, T(config.grad_clip));
    adam.update(online.params, grad.params);
    ++updates;
    sync_target();
    return last_loss;
  }

  // A replay slot drawn with probability p_i / sum_j p_j (the tree's padding and unused slots
  // weigh 0, so only stored transitions are drawn).
  int draw_prioritized(Rng& rng) const {
    const int i = priority.find(rng.uniform() * priority.total());
    return i < replay.size ? i : replay.size - 1;
  }

  // After the loss of a prioritized batch: scales each dL/dpred_b by its importance weight
  // w_b = (size P(b))^-beta / max_b w_b, then gives each drawn slot its new priority
  // (|pred_b - y_b| + 0.001)^alpha. (The weights use the priorities the batch was drawn with.)
  void reprioritize(const int* slot) {
    T w[Batch], w_max = 0;
    const double total = double(priority.total()), n = double(replay.size);
    for (int b = 0; b < Batch; ++b) {
      w[b] = T(std::pow(n * double(priority.weight(slot[b])) / total, -double(config.priority_beta)));
      if (w[b] > w_max) w_max = w[b];
    }
    for (int b = 0; b < Batch; ++b) {
      dpred[b] *= w[b] / w_max;
      const float p = float(std::pow(std::fabs(double(pred[b] - y[b])) + 1e-3, double(config.priority_alpha)));
      priority.set(slot[b], p);
      if (p > max_priority) max_priority = p;
    }
  }

  // With config.symmetries, a transition (s, a, s2) is replaced by its image under a random
  // symmetry of the game: Game::kSymmetries, Game::transform(state, g), Game::transform_action.
  void augment(State& s, State& s2, int& a, Rng& rng) const {
    if constexpr (detail::HasSymmetries<Game>::value) {
      if (!config.symmetries) return;
      const int g = int(rng.below(uint32_t(Game::kSymmetries)));
      s = Game::transform(s, g);
      s2 = Game::transform(s2, g);
      a = Game::transform_action(a, g);
    } else {
      (void)s, (void)s2, (void)a, (void)rng;
    }
  }

  // The divergence guard: the online and target networks and the last loss are finite.
  Status check_finite(long step) const {
    Status s = check_finite_mlp(online, "online network", step);
    if (s.ok()) s = check_finite_mlp(target, "target network", step);
    if (s.ok()) s = check_finite_loss(double(last_loss), "DQN loss", step);
    return s;
  }

  void sync_target() {
    if (config.tau > 0) {
      // target = tau * online + (1 - tau) * target
      const T tau = T(config.tau);
      for (int i = 0; i < Net::kParams; ++i) target.params[i] += tau * (online.params[i] - target.params[i]);
    } else if (updates % config.target_every == 0) {
      target.copy_from(online);
    }
  }
};

}  // namespace saerl
