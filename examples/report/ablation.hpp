// saerl/examples/report/ablation.hpp — the causal test of the report: zero-ablate one SAE
// feature at a time while the DQN acts through the SAE, and count where the greedy action
// changes; for the most influential features, the exact expected return of the policy with
// the feature ablated (gridworld/rook_exact.hpp: every legal start, no sampling).
//
//   static saerl::RookExact<N> exact;   // or one std::make_unique, shared by every variant
//   exact.init(saerl::RookCheckmate<N>::Opponent::random);
//   auto ab = std::make_unique<saerl::Ablation<SaeT::kFeatures>>();
//   saerl::ablation_effects<saerl::RookCheckmate<N>>(net, sae, a.data.row(0), a.data.source, a.data.size,
//                                                    exact, *ab);   // a: report/analysis.hpp's FeatureAnalysis
//   ab->changed[j];           // legal positions where removing f_j w_j changes the action
//   ab->top_return_ratio[0];  // exact return with the most influential feature ablated / the DQN's
//
// For feature j, over the legal positions where f_j > 0 (`active`): the DQN's action from the
// reconstruction x_hat against its action from x_hat - f_j w_j (w_j: row j of W_dec).
// `changed / active` is the feature's causal effect; the top kTop by `changed` (ties: the
// lower index) are also judged exactly against the black `exact` was built for: with R the
// exact expected return over every legal start (examples/pipeline.hpp's SpliceFidelity),
//   base_return_ratio    = R(through the SAE, nothing ablated) / R(the DQN)
//                          (sae.<v>.spliced_return_ratio, see below)
//   top_return_ratio[t]  = R(through the SAE, feature top[t] ablated) / R(the DQN)
// and the exact mate probabilities of the same policies. The forward passes run in batches (so
// a ratio may differ from sae.<v>.spliced_return_ratio, computed one position at a time, where
// rounding flips a near-tie between two actions).
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>

#include "../../gridworld/rook_exact.hpp"
#include "../pipeline.hpp"

namespace saerl {

template <int M>
struct Ablation {
  static constexpr int kTop = 8;
  long active[M], changed[M];
  int top[kTop];
  int top_count = 0;
  double dqn_return = 0, dqn_mate_prob = 0;    // the DQN itself, exactly
  double base_return_ratio = 0, base_mate_prob = 0;  // through the SAE, nothing ablated
  double top_return_ratio[kTop], top_mate_prob[kTop];
};

namespace detail {

// Greedy actions of the DQN restarted from hidden vectors pushed one at a time, computed in
// batches of kBatch: push(x, slot) eventually writes the action into *slot.
template <class Net>
struct BatchedActions {
  static constexpr int kBatch = 64, W = HiddenLayer<Net>::kWidth;
  const Net* net;
  MlpActivations<Net, kBatch> acts;
  float x[kBatch * W];
  uint8_t* slot[kBatch];
  int count = 0;

  void push(const float* row, uint8_t* to) {
    copy(row, x + count * W, W);
    slot[count++] = to;
    if (count == kBatch) flush();
  }
  void flush() {
    if (count == 0) return;
    const float* q = mlp_forward_from(*net, HiddenLayer<Net>::kRestart, x, count, acts);
    for (int b = 0; b < count; ++b) *slot[b] = uint8_t(argmax(q + b * Net::kOut, Net::kOut));
    count = 0;
  }
};

}  // namespace detail

// rows (n, W): the hidden vectors z_1 of the legal positions source[i] (RookCheckmate<N>::index),
// every legal position once, as FeatureAnalysis::data holds them.
template <class Game, class Net, class SaeT>
void ablation_effects(const Net& net, SaeT& sae, const float* rows, const int32_t* source, int n,
                      RookExact<Game::kSize>& exact, Ablation<SaeT::kFeatures>& out) {
  constexpr int M = SaeT::kFeatures, W = SaeT::kIn, B = 256, K = Ablation<M>::kTop;
  const int L = exact.legal_count;
  for (int j = 0; j < M; ++j) out.active[j] = out.changed[j] = 0;
  auto work = std::make_unique<SaeWorkspace<SaeT, B>>();
  auto run = std::make_unique<detail::BatchedActions<Net>>();
  run->net = &net;
  // per legal position (RookExact's order): the DQN's action, through the SAE, and through the
  // SAE with each top feature ablated
  auto dqn = std::make_unique<uint8_t[]>(size_t(L)), base = std::make_unique<uint8_t[]>(size_t(L));
  auto ablated = std::make_unique<uint8_t[]>(size_t(L) * K);
  constexpr uint8_t kNotActive = 255;  // (actions are < 255)
  auto edited = std::make_unique<uint8_t[]>(size_t(n) * M);  // the action with j ablated, per row and active j
  std::fill(edited.get(), edited.get() + size_t(n) * M, kNotActive);
  float x[W];
  // Pass 1: every action through the SAE, and with each active feature removed.
  for (int c = 0; c < n; c += B) {
    const int cnt = n - c < B ? n - c : B;
    sae_forward(sae, rows + long(c) * W, cnt, *work, false);
    for (int b = 0; b < cnt; ++b) {
      const int l = exact.id[source[c + b]];
      run->push(rows + long(c + b) * W, &dqn[l]);
      run->push(work->x_hat + long(b) * W, &base[l]);
      for (int j = 0; j < M; ++j) {
        if (work->f[b * M + j] == 0) continue;
        copy(work->x_hat + long(b) * W, x, W);
        axpy(-work->f[b * M + j], sae.w_dec() + long(j) * W, x, W);
        run->push(x, &edited[long(c + b) * M + j]);
      }
    }
    run->flush();  // (work is overwritten by the next chunk; the slots were all filled)
    for (int b = 0; b < cnt; ++b) {
      const int l = exact.id[source[c + b]];
      for (int j = 0; j < M; ++j) {
        if (work->f[b * M + j] == 0) continue;
        ++out.active[j];
        out.changed[j] += edited[long(c + b) * M + j] != base[l];
      }
    }
  }
  out.top_count = 0;
  for (int t = 0; t < K; ++t) {
    int best = -1;
    for (int j = 0; j < M; ++j) {
      bool taken = false;
      for (int u = 0; u < t; ++u) taken = taken || out.top[u] == j;
      if (!taken && out.changed[j] > 0 && (best < 0 || out.changed[j] > out.changed[best])) best = j;
    }
    if (best < 0) break;
    out.top[out.top_count++] = best;
  }
  // Pass 2: each top feature's policy is the SAE's, except where the feature is active.
  for (int t = 0; t < out.top_count; ++t) {
    uint8_t* a = ablated.get() + long(t) * L;
    for (int l = 0; l < L; ++l) a[l] = base[l];
    for (int i = 0; i < n; ++i) {
      const uint8_t e = edited[long(i) * M + out.top[t]];
      if (e != kNotActive) a[exact.id[source[i]]] = e;
    }
  }
  const ExactResult d = exact.evaluate_actions(dqn.get()).policy, r0 = exact.evaluate_actions(base.get()).policy;
  out.dqn_return = d.expected_return;
  out.dqn_mate_prob = d.mate_prob;
  out.base_return_ratio = r0.expected_return / d.expected_return;
  out.base_mate_prob = r0.mate_prob;
  for (int t = 0; t < out.top_count; ++t) {
    const ExactResult r = exact.evaluate_actions(ablated.get() + long(t) * L).policy;
    out.top_return_ratio[t] = r.expected_return / d.expected_return;
    out.top_mate_prob[t] = r.mate_prob;
  }
}

}  // namespace saerl
