// saerl/examples/steering_batch.hpp — the inner workings of examples/steering.hpp (read that
// header first): the plan of what to test, the batched edited layers and the tallies.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "../core/nn/mlp.hpp"
#include "../core/base/rng.hpp"
#include "../core/base/status.hpp"
#include "../gridworld/rook_solver.hpp"
#include "../sae/sae.hpp"
#include "counterfactuals.hpp"
#include "steering_types.hpp"

namespace saerl {

namespace detail {

// What steering reads of an SAE and its report: the labels, the features tested, the values
// written and the random features.
template <int M>
struct SteeringPlan {
  int label[M];     // best predicate of a live feature at precision >= min_precision; -1 otherwise
  bool tested[M];   // label >= 0, and options.named or a piece-on-square label
  float value[M];   // v_j: mean of f_j over the legal positions where f_j > 0
  int random[M];    // r of a tested j; -1 otherwise (or when no other feature is live)
  std::vector<int> labelled;  // the features with label >= 0, in index order
};

// Fills the plan. invalid_argument on options out of range.
template <class Net, class SaeT, int N, class Report>
Status plan_steering(const Net& net, SaeT& sae, const Report& report, const SteeringOptions& o,
                     SteeringPlan<SaeT::kFeatures>& plan) {
  using Predicates = RookPredicates<N>;
  constexpr int M = SaeT::kFeatures, L = HiddenLayer<Net>::kLayer;
  static_assert(Report::kFeatures == M, "steering: the report must be of this SAE's features");
  static_assert(Report::kPredicates == Predicates::kCount, "steering: the report must use RookPredicates<N>");
  static_assert(HiddenLayer<Net>::kWidth == SaeT::kIn, "steering: the SAE must read the DQN's layer z_1");
  if (!(o.min_precision > 0 && o.min_precision <= 1) || o.max_positions < 0 || o.density_pool < 1)
    return Status::error(StatusCode::invalid_argument,
                         "steering: min_precision %g must be in (0, 1], max_positions %d >= 0, density_pool %d >= 1",
                         o.min_precision, o.max_positions, o.density_pool);
  plan.labelled.clear();
  for (int j = 0; j < M; ++j) {
    const int p = report.best_predicate[j];
    plan.label[j] = report.density[j] > 0 && p >= 0 && report.precision[j] >= o.min_precision ? p : -1;
    plan.tested[j] = plan.label[j] >= 0 && (o.named || plan.label[j] >= Predicates::kNamed);
    plan.random[j] = -1;
    if (plan.label[j] >= 0) plan.labelled.push_back(j);
  }
  // v_j over the legal positions
  std::vector<double> sum(M, 0.0);
  std::vector<long> active(M, 0);
  auto acts = std::make_unique<MlpActivations<Net, 64>>();
  auto work = std::make_unique<SaeWorkspace<SaeT, 64>>();
  for_each_legal_batch<N>(net, *acts, [&](const typename RookCheckmate<N>::Position*, int n, MlpActivations<Net, 64>& a) {
    sae_forward(sae, a.pre(L), n, *work, false);
    for (int i = 0; i < n * M; ++i)
      if (work->f[i] > 0) sum[size_t(i % M)] += work->f[i], ++active[size_t(i % M)];
  });
  for (int j = 0; j < M; ++j) plan.value[j] = active[size_t(j)] > 0 ? o.strength * float(sum[size_t(j)] / double(active[size_t(j)])) : 0.0f;
  // r: uniform among the density_pool live features nearest j in log density
  std::vector<double> gap(M);
  std::vector<int> pool;
  for (int j = 0; j < M; ++j) {
    if (!plan.tested[j]) continue;
    for (int k = 0; k < M; ++k)
      gap[size_t(k)] = k == j || !(report.density[k] > 0) || report.best_predicate[k] == plan.label[j]
                           ? HUGE_VAL : std::fabs(std::log(report.density[k] / report.density[j]));
    pool.clear();
    while (int(pool.size()) < o.density_pool) {
      int best = -1;
      for (int k = 0; k < M; ++k)
        if (gap[size_t(k)] < HUGE_VAL && (best < 0 || gap[size_t(k)] < gap[size_t(best)])) best = k;
      if (best < 0) break;
      pool.push_back(best);
      gap[size_t(best)] = HUGE_VAL;
    }
    Rng rng(o.seed, uint64_t(j));
    if (!pool.empty()) plan.random[j] = pool[rng.below(uint32_t(pool.size()))];
  }
  return Status::success();
}

// The edited layers of one tested (x, x') for feature j, written to rows (4, D): steered,
// reconstruction, random (h + the erasures when j has no random feature), and h - x_hat, to
// which the caller adds x_hat(x') for the swap. h, f, x_hat: x's layer, code and
// reconstruction. Returns the number of active features erased.
template <int N, class SaeT>
int intervene(const SaeT& sae, const SteeringPlan<SaeT::kFeatures>& plan, const Counterfactuals<N>& cf, bool within,
              int j, typename RookCheckmate<N>::Position x, typename RookCheckmate<N>::Position x_prime,
              const float* h, const float* f, const float* x_hat, float* rows) {
  constexpr int D = SaeT::kIn, kNamed = RookPredicates<N>::kNamed;
  const int p = plan.label[j], r = plan.random[j];
  float erase[D];  // sum over E(x) of -f_k w_k
  fill(erase, D, 0.0f);
  int erased = 0;
  bool r_erased = false;
  for (int k : plan.labelled) {
    const int q = plan.label[k];
    if (q == p || f[k] == 0 || (within && (q < kNamed) != (p < kNamed))) continue;
    if (!cf.holds(x, q) || cf.holds(x_prime, q)) continue;
    axpy(-f[k], sae.w_dec() + k * D, erase, D);
    ++erased;
    r_erased = r_erased || k == r;
  }
  float *steered = rows, *reconstruction = rows + D, *random = rows + 2 * D, *error = rows + 3 * D;
  for (int d = 0; d < D; ++d) {
    steered[d] = random[d] = h[d] + erase[d];
    reconstruction[d] = x_hat[d] + erase[d];
    error[d] = h[d] - x_hat[d];
  }
  axpy(plan.value[j] - f[j], sae.w_dec() + j * D, steered, D);
  axpy(plan.value[j] - f[j], sae.w_dec() + j * D, reconstruction, D);
  if (r >= 0) axpy(plan.value[r] - (r_erased ? 0.0f : f[r]), sae.w_dec() + r * D, random, D);
  return erased;
}

// Tested positions waiting for the DQN, kP at a time: their layers h, their edited layers, and
// x' with its layer z_1(x') and reconstruction (for the swap and the cosine).
template <class Net, class SaeT, int N>
struct SteeringBatch {
  using Game = RookCheckmate<N>;
  static constexpr int kP = 32, kEdits = 4, D = SaeT::kIn, M = SaeT::kFeatures;
  int count = 0;
  int tally[kP];
  int source[kP];                      // index of x
  typename Game::Position target[kP];  // x'
  float h[kP * D];
  float f[kP * M];  // x's code
  float rows[kP * kEdits * D];
  float target_obs[kP * Game::kObs];
  MlpActivations<Net, kP> target_acts;
  MlpActivations<Net, kP * kEdits> acts;
  SaeWorkspace<SaeT, kP> work;

  // Runs x' and the edited layers through the DQN; q (count * kEdits, A) in acts.output().
  // Completes the swap rows with x_hat(x').
  const float* run(const Net& net, SaeT& sae) {
    mlp_forward(net, target_obs, count, target_acts);
    sae_forward(sae, target_acts.pre(HiddenLayer<Net>::kLayer), count, work, false);
    for (int i = 0; i < count; ++i) add(work.x_hat + i * D, rows + (i * kEdits + 3) * D, D);
    return mlp_forward_from(net, HiddenLayer<Net>::kRestart, rows, count * kEdits, acts);
  }
  // Position i's delta_cosine, delta_reach and code_changes (after run; see SteeringRates).
  void geometry(int i, double* cosine, double* reach, int* code_changes) const {
    const float *x = h + i * D, *steered = rows + i * kEdits * D;
    const float* target_h = target_acts.pre(HiddenLayer<Net>::kLayer) + i * D;
    double dot = 0, a = 0, b = 0;
    for (int d = 0; d < D; ++d) {
      const double u = steered[d] - x[d], v = target_h[d] - x[d];
      dot += u * v, a += u * u, b += v * v;
    }
    *cosine = a > 0 && b > 0 ? dot / std::sqrt(a * b) : 0.0;
    *reach = b > 0 ? dot / b : 0.0;
    *code_changes = 0;
    for (int k = 0; k < M; ++k) *code_changes += f[i * M + k] != work.f[i * M + k];
  }
};

// Counts of one tested feature over its positions.
struct SteeringTally {
  int feature = -1;
  long candidates = 0, remaining = 0, needed = 0;  // selection sampling: draw needed of remaining
  long positions = 0, erased = 0, unintervened = 0;
  // per edit (steered, reconstruction, random, swap): a_e = a(x'); a_e != a(x); both
  long agree[4] = {0, 0, 0, 0}, changed[4] = {0, 0, 0, 0}, hit[4] = {0, 0, 0, 0};
  long optimal[4] = {0, 0, 0, 0};  // per edit, a_e optimal on x'
  long unintervened_optimal = 0, dqn_optimal = 0;  // a(x), a(x') optimal on x'
  double cosine = 0, reach = 0, code_changes = 0;
};

// Rates of the tallied features into records and the two family means.
template <int N, int M>
void finish_steering(const SteeringPlan<M>& plan, const std::vector<SteeringTally>& tally, bool solved,
                     const double* precision, Steering<M>& out) {
  out.squares = out.named = SteeringSummary();
  out.count = 0;
  for (const SteeringTally& c : tally) {
    if (c.positions == 0) continue;
    SteeringRecord& r = out.records[out.count++];
    const double n = double(c.positions);
    r.feature = c.feature;
    r.predicate = plan.label[c.feature];
    r.random_feature = plan.random[c.feature];
    r.precision = precision[c.feature];
    r.value = plan.value[c.feature];
    r.candidates = int(c.candidates);
    r.positions = int(c.positions);
    r.erased = double(c.erased) / n;
    SteeringRates& m = r.rates;
    m.counterfactual_agreement = double(c.agree[0]) / n;
    m.reconstruction_agreement = double(c.agree[1]) / n;
    m.random_direction_agreement = double(c.agree[2]) / n;
    m.swap_agreement = double(c.agree[3]) / n;
    m.unintervened_agreement = double(c.unintervened) / n;
    m.optimal_on_counterfactual = solved ? double(c.optimal[0]) / n : -1;
    m.reconstruction_optimal = solved ? double(c.optimal[1]) / n : -1;
    m.random_optimal = solved ? double(c.optimal[2]) / n : -1;
    m.unintervened_optimal = solved ? double(c.unintervened_optimal) / n : -1;
    m.dqn_optimal = solved ? double(c.dqn_optimal) / n : -1;
    m.action_changed = double(c.changed[0]) / n;
    m.directed_agreement = c.changed[0] > 0 ? double(c.hit[0]) / double(c.changed[0]) : 0;
    m.random_directed_agreement = c.changed[2] > 0 ? double(c.hit[2]) / double(c.changed[2]) : 0;
    m.delta_cosine = c.cosine / n;
    m.delta_reach = c.reach / n;
    m.code_changes = c.code_changes / n;
    SteeringSummary& s = r.predicate < RookPredicates<N>::kNamed ? out.named : out.squares;
    ++s.tested;
    s.positions += c.positions;
    s.rates.add(r.rates, 1.0);
  }
  for (SteeringSummary* s : {&out.squares, &out.named}) {
    SteeringRates mean;
    if (s->tested > 0) mean.add(s->rates, 1.0 / s->tested);
    s->rates = mean;
  }
}

}  // namespace detail

}  // namespace saerl
