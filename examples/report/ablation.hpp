// saerl/examples/report/ablation.hpp — the causal test of the report: zero-ablate one SAE
// feature at a time while the DQN acts through the SAE, and count where the greedy action
// changes; for the most influential features, the checkmate rate of games played with the
// feature ablated.
//
//   auto ab = std::make_unique<saerl::Ablation<SaeT::kFeatures>>();
//   saerl::ablation_effects<saerl::RookCheckmate<N>>(net, sae, /*games=*/1000, seed, *ab);
//   ab->changed[j];        // legal positions where removing f_j w_j changes the action
//   ab->top_checkmate[0];  // checkmate rate with the most influential feature ablated
//
// For feature j, over the legal positions where f_j > 0 (`active`): the DQN's action from the
// reconstruction x_hat against its action from x_hat - f_j w_j (w_j: row j of W_dec).
// `changed / active` is the feature's causal effect; the top kTop by `changed` (ties: the
// lower index) are also played against the random black, each from the same seed.
#pragma once
#include <memory>

#include "../../dqn/evaluate.hpp"
#include "../pipeline.hpp"

namespace saerl {

template <int M>
struct Ablation {
  static constexpr int kTop = 8;
  long active[M], changed[M];
  int top[kTop];
  double top_checkmate[kTop];
  int top_count = 0;
  int games = 0;
  double base_checkmate = 0;  // through the SAE, nothing ablated
};

template <class Game, class Net, class SaeT>
void ablation_effects(const Net& net, SaeT& sae, int games, uint64_t seed, Ablation<SaeT::kFeatures>& out) {
  constexpr int M = SaeT::kFeatures, W = SaeT::kIn, A = Net::kOut, R = HiddenLayer<Net>::kRestart;
  for (int j = 0; j < M; ++j) out.active[j] = out.changed[j] = 0;
  auto work = std::make_unique<SaeBatch<SaeT, 1>>();
  auto acts = std::make_unique<MlpActivations<Net, 1>>();
  float h[W], x[W];
  for (int i = 0; i < Game::kPositions; ++i) {
    const typename Game::Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    hidden_of<Net, Game>(net, p, h, *acts);
    sae_forward(sae, h, 1, *work, false);
    const int base = argmax(mlp_forward_from(net, R, work->x_hat, 1, *acts), A);
    for (int j = 0; j < M; ++j) {
      if (work->f[j] == 0) continue;
      ++out.active[j];
      copy(work->x_hat, x, W);
      axpy(-work->f[j], sae.w_dec() + j * W, x, W);
      out.changed[j] += argmax(mlp_forward_from(net, R, x, 1, *acts), A) != base;
    }
  }
  out.top_count = 0;
  for (int t = 0; t < Ablation<M>::kTop; ++t) {
    int best = -1;
    for (int j = 0; j < M; ++j) {
      bool taken = false;
      for (int u = 0; u < t; ++u) taken = taken || out.top[u] == j;
      if (!taken && out.changed[j] > 0 && (best < 0 || out.changed[j] > out.changed[best])) best = j;
    }
    if (best < 0) break;
    out.top[out.top_count++] = best;
  }
  auto policy = std::make_unique<SplicedPolicy<Net, SaeT, Game>>();
  policy->net = &net;
  policy->sae = &sae;
  const RookSolver<Game::kSize>* no_solver = nullptr;
  out.games = games;
  Rng rng(seed);
  out.base_checkmate = evaluate_rook(*policy, no_solver, games, rng).checkmate_rate;
  for (int t = 0; t < out.top_count; ++t) {
    policy->ablate = out.top[t];
    Rng same(seed);
    out.top_checkmate[t] = evaluate_rook(*policy, no_solver, games, same).checkmate_rate;
  }
}

}  // namespace saerl
