// saerl/examples/steering.hpp — causal evidence for feature labels by counterfactual steering.
//
// A label ("fires when the black king is on c3", precision 0.97) says when a feature fires,
// not that the DQN uses it. In this game every counterfactual board can be built and solved,
// so we ask more: if feature j means "p", writing j into the hidden layer of a position x where
// p is false should make the DQN act as it acts on x', the board nearest x where p holds.
//
//   auto cf = std::make_unique<saerl::Counterfactuals<5>>();   // once per DQN (0.1 s on 5x5)
//   saerl::prepare_counterfactuals(net, solver.dtm, *cf);
//   auto st = std::make_unique<saerl::Steering<SaeT::kFeatures>>();
//   saerl::Status s = saerl::steer_features(net, sae, report, *cf, &solver, saerl::SteeringOptions(), *st);
//   st->squares.rates.counterfactual_agreement;               // the piece-on-square labels
//   results.set("features.topk.steering", saerl::steering_json<5>(*st));
//   saerl::SteeringCase<5> c;                                 // one x, for the terminal
//   s = saerl::steering_case(net, sae, report, *cf, &solver, /*feature=*/j, /*seed=*/1, saerl::SteeringOptions(), c);
// report is the SAE's FeatureReport over the legal positions (sae/feature_analysis.hpp) with
// the predicates of gridworld/predicates.hpp: best_predicate, precision and density are read.
// The solver may be nullptr (the optimal rates are then -1).
//
// Definitions (a(y): the DQN's own greedy action on board y; h = z_1(x), the layer the SAE
// reads; f = the SAE's code of h, x_hat = f W_dec + b_dec; w_k = row k of W_dec):
//   labelled        a live feature whose best predicate has precision >= min_precision (0.9).
//   tested          a labelled feature; family "squares" when its predicate is a piece on a
//                   square, "named" otherwise (unless options.named is off).
//   x'              p = "piece P on s": x with P moved to s, the other pieces unchanged.
//                   p named: among the legal boards that differ from x in one piece's square
//                   and where p holds, the one whose piece moved the fewest king steps; ties
//                   go to the white king, then the rook, then the black king, then the lower
//                   square. Every named predicate is covered (dtm_* need the solver's table).
//   positions x     legal (white to move), p false on x, x' exists (legal); at most
//                   max_positions of them, drawn uniformly without replacement (Knuth's
//                   selection sampling, Rng(seed, M + j)).
//   intervention    f' = f with f_j = v_j, the mean of f_j over the legal positions where it
//                   is > 0, and f_k = 0 for k in E(x): the labelled features whose predicate
//                   holds on x and not on x'. For "P on s" these are the features labelled "P
//                   on x's square of P", and those of named predicates the move ends (e.g.
//                   "black king on an edge" when it leaves the edge). Not only p's family
//                   (erase_within_family restricts it): on odd boards "the black king is in the
//                   centre" is one square, and the feature of that square takes the named
//                   label (named predicates come first on equal F1), so the king would stay.
//     steered         h' = h + (f' - f) W_dec   (the SAE's reconstruction error is kept)
//     reconstruction  x_hat(f') = x_hat + (f' - f) W_dec   (the layer replaced, no error term)
//     random          f'' = f with f_r = v_r in place of f_j (E(x) erased alike); r is drawn
//                     once per tested feature, Rng(seed, j), uniformly from the density_pool
//                     (8) live features nearest j in |log(density_r / density_j)| (j and the
//                     features whose best predicate is p excluded; ties: the lower index).
//   The DQN's forward pass resumes from the edited layer (mlp_forward_from); per feature, over
//   its n positions:
//     counterfactual_agreement    #[argmax Q(h') = a(x')] / n
//     optimal_on_counterfactual   #[argmax Q(h') is optimal on x' (RookSolver)] / n
//     random_direction_agreement  #[argmax Q(h + (f'' - f) W_dec) = a(x')] / n
//     unintervened_agreement      #[a(x) = a(x')] / n              (no steering needed)
//     reconstruction_agreement    #[argmax Q(x_hat(f')) = a(x')] / n, reconstruction_optimal
//   and what explains them (SteeringRates): the swap ceiling, how often the action moves, the
//   edit's cosine and reach against the layer's true change z_1(x') - h, the code's changes.
//   Per family: tested = features with n > 0, and each rate averaged over them (unweighted).
//
// Cost per SAE: two DQN and SAE passes over the legal positions, then per tested position one
// DQN and SAE pass over x' and four passes from the hidden layer, batched. 5x5, default preset,
// 512 positions: 0.4 s for 10 features, 2.2 s for 200 (all four variants: 4 s). Desktop glue:
// it allocates a few MB of scratch.
#pragma once
#include <memory>

#include "json.hpp"
#include "steering_batch.hpp"

namespace saerl {

// Steers every tested feature of sae (see the header) and fills out. solver (solved, or
// nullptr: the optimal rates are then -1) judges the steered actions on x'. invalid_argument
// on options out of range.
template <class Net, class SaeT, int N, class Report>
Status steer_features(const Net& net, SaeT& sae, const Report& report, const Counterfactuals<N>& cf,
                      const typename Counterfactuals<N>::Solver* solver, const SteeringOptions& o, Steering<SaeT::kFeatures>& out) {
  using Game = RookCheckmate<N>;
  using Position = typename Game::Position;
  using Batch = detail::SteeringBatch<Net, SaeT, N>;
  constexpr int M = SaeT::kFeatures, D = SaeT::kIn, A = Game::kActions, E = Batch::kEdits;
  auto plan = std::make_unique<detail::SteeringPlan<M>>();
  Status s = detail::plan_steering<Net, SaeT, N>(net, sae, report, o, *plan);
  if (!s.ok()) return s;
  std::vector<detail::SteeringTally> tally;
  for (int j = 0; j < M; ++j)
    if (plan->tested[j]) tally.emplace_back(), tally.back().feature = j;
  Position x_prime{};
  for (int i = 0; i < Game::kPositions; ++i) {
    const Position x = Game::from_index(i);
    if (!Game::is_legal(x)) continue;
    for (detail::SteeringTally& c : tally) c.candidates += cf.counterfactual(x, plan->label[c.feature], &x_prime);
  }
  std::vector<Rng> pick;  // one stream per feature: its sample does not depend on the others
  for (detail::SteeringTally& c : tally) {
    c.remaining = c.candidates;
    c.needed = o.max_positions > 0 && o.max_positions < c.candidates ? o.max_positions : c.candidates;
    pick.emplace_back(o.seed, uint64_t(M + c.feature));
  }
  auto batch = std::make_unique<Batch>();
  auto flush = [&] {
    const float* q = batch->run(net, sae);
    for (int i = 0; i < batch->count; ++i) {
      detail::SteeringTally& c = tally[size_t(batch->tally[i])];
      const Position y = batch->target[i];
      for (int e = 0; e < E; ++e) {
        const int a = argmax(q + (i * E + e) * A, A);
        const bool agree = a == cf.action[Game::index(y)], changed = a != cf.action[batch->source[i]];
        c.agree[e] += agree;
        c.changed[e] += changed;
        c.hit[e] += agree && changed;
        if (solver) c.optimal[e] += solver->is_optimal_action(y, a);
      }
      double cosine, reach;
      int code_changes;
      batch->geometry(i, &cosine, &reach, &code_changes);
      c.cosine += cosine, c.reach += reach, c.code_changes += code_changes;
    }
    batch->count = 0;
  };
  auto acts = std::make_unique<MlpActivations<Net, 64>>();
  auto work = std::make_unique<SaeWorkspace<SaeT, 64>>();
  detail::for_each_legal_batch<N>(net, *acts, [&](const Position* pos, int n, MlpActivations<Net, 64>& a) {
    sae_forward(sae, a.pre(HiddenLayer<Net>::kLayer), n, *work, false);
    for (int b = 0; b < n; ++b) {
      const float* h = a.pre(HiddenLayer<Net>::kLayer) + b * D;
      for (size_t t = 0; t < tally.size(); ++t) {
        detail::SteeringTally& c = tally[t];
        if (!cf.counterfactual(pos[b], plan->label[c.feature], &x_prime)) continue;
        // Knuth's selection sampling: take this one with probability needed / remaining
        const bool take = c.needed > 0 && pick[t].below(uint32_t(c.remaining)) < uint32_t(c.needed);
        --c.remaining;
        if (!take) continue;
        --c.needed;
        if (batch->count == Batch::kP) flush();
        const int i = batch->count++;
        c.erased += detail::intervene<N>(sae, *plan, cf, o.erase_within_family, c.feature, pos[b], x_prime, h,
                                         work->f + b * M, work->x_hat + b * D, batch->rows + i * E * D);
        copy(h, batch->h + i * D, D);
        copy(work->f + b * M, batch->f + i * M, M);
        Game::observe(x_prime, batch->target_obs + i * Game::kObs);
        batch->tally[i] = int(t);
        batch->source[i] = Game::index(pos[b]);
        batch->target[i] = x_prime;
        ++c.positions;
        const int before = cf.action[Game::index(pos[b])], after = cf.action[Game::index(x_prime)];
        c.unintervened += before == after;
        if (solver) {
          c.unintervened_optimal += solver->is_optimal_action(x_prime, before);
          c.dqn_optimal += solver->is_optimal_action(x_prime, after);
        }
      }
    }
  });
  if (batch->count > 0) flush();
  detail::finish_steering<N>(*plan, tally, solver != nullptr, report.precision, out);
  return Status::success();
}


// One tested position of one feature, for the terminal (gridworld/render.hpp draws x and x').
template <int N>
struct SteeringCase {
  typename RookCheckmate<N>::Position x{}, x_prime{};
  int feature = -1, predicate = -1, random_feature = -1;
  int candidates = 0;  // the feature's positions; x is one of them
  double value = 0;    // v_j written
  int erased = 0;      // active features zeroed
  int action_x = -1;               // a(x): the DQN's own action before steering
  int action_steered = -1;         // argmax Q(h')
  int action_reconstruction = -1;  // argmax Q(x_hat(f'))
  int action_random = -1;          // with the random feature in place of j
  int action_swap = -1;            // with the whole code difference f(x') - f(x) written
  int action_x_prime = -1;         // a(x'): the DQN's own action on x'
  bool steered_optimal = false, x_prime_optimal = false;  // on x' (false without a solver)
};

// Picks x uniformly (Rng(seed)) among feature j's positions and steers it. invalid_argument
// when j is out of range, is not tested (dead, unlabelled, below min_precision, or named with
// options.named off; the message says which), or has no position with an x'.
template <class Net, class SaeT, int N, class Report>
Status steering_case(const Net& net, SaeT& sae, const Report& report, const Counterfactuals<N>& cf,
                     const typename Counterfactuals<N>::Solver* solver, int j, uint64_t seed, const SteeringOptions& o,
                     SteeringCase<N>& out) {
  using Game = RookCheckmate<N>;
  using Position = typename Game::Position;
  constexpr int M = SaeT::kFeatures, A = Game::kActions;
  out = SteeringCase<N>();
  if (j < 0 || j >= M) return Status::error(StatusCode::invalid_argument, "steering: feature %d is not in [0, %d)", j, M);
  auto plan = std::make_unique<detail::SteeringPlan<M>>();
  Status s = detail::plan_steering<Net, SaeT, N>(net, sae, report, o, *plan);
  if (!s.ok()) return s;
  if (!plan->tested[j]) {
    const int p = report.best_predicate[j];
    if (!(report.density[j] > 0)) return Status::error(StatusCode::invalid_argument, "steering: feature %d is dead", j);
    if (p < 0) return Status::error(StatusCode::invalid_argument, "steering: feature %d matches no predicate", j);
    return Status::error(StatusCode::invalid_argument, "steering: feature %d is labelled %s with precision %.2f: %s", j,
                         RookPredicates<N>::name(p), report.precision[j],
                         report.precision[j] < o.min_precision ? "below min_precision" : "named labels are off");
  }
  const int p = plan->label[j];
  Position x_prime{};
  for (int i = 0; i < Game::kPositions; ++i) {
    const Position x = Game::from_index(i);
    out.candidates += Game::is_legal(x) && cf.counterfactual(x, p, &x_prime);
  }
  if (out.candidates == 0)
    return Status::error(StatusCode::invalid_argument, "steering: no legal board turns %s true for feature %d",
                         RookPredicates<N>::name(p), j);
  Rng rng(seed);
  for (int i = 0, left = int(rng.below(uint32_t(out.candidates))); i < Game::kPositions; ++i) {
    out.x = Game::from_index(i);
    if (Game::is_legal(out.x) && cf.counterfactual(out.x, p, &out.x_prime) && left-- == 0) break;
  }
  using Batch = detail::SteeringBatch<Net, SaeT, N>;
  auto batch = std::make_unique<Batch>();
  auto acts = std::make_unique<MlpActivations<Net, 1>>();
  hidden_of<Net, Game>(net, out.x, batch->h, *acts);
  sae_forward(sae, batch->h, 1, batch->work, false);
  copy(batch->work.f, batch->f, M);
  out.erased = detail::intervene<N>(sae, *plan, cf, o.erase_within_family, j, out.x, out.x_prime, batch->h,
                                    batch->work.f, batch->work.x_hat, batch->rows);
  Game::observe(out.x_prime, batch->target_obs);
  batch->count = 1;
  const float* q = batch->run(net, sae);
  out.feature = j;
  out.predicate = p;
  out.random_feature = plan->random[j];
  out.value = plan->value[j];
  out.action_x = cf.action[Game::index(out.x)];
  out.action_x_prime = cf.action[Game::index(out.x_prime)];
  out.action_steered = argmax(q, A);
  out.action_reconstruction = argmax(q + A, A);
  out.action_random = argmax(q + 2 * A, A);
  out.action_swap = argmax(q + 3 * A, A);
  out.steered_optimal = solver && solver->is_optimal_action(out.x_prime, out.action_steered);
  out.x_prime_optimal = solver && solver->is_optimal_action(out.x_prime, out.action_x_prime);
  return Status::success();
}


namespace detail {

inline void set_steering_rates(Json& o, const SteeringRates& r) {
  for (const SteeringRates::Field& f : SteeringRates::kFields) o.set(f.name, json_number(r.*f.value));
}

// One family: its summary and, in `features`, its records.
template <int N, int M>
Json steering_family_json(const Steering<M>& st, const SteeringSummary& s, bool named) {
  Json o = json_object(), list = json_array();
  o.set("tested", json_number(s.tested));
  o.set("positions", json_number(double(s.positions)));
  set_steering_rates(o, s.rates);
  for (int i = 0; i < st.count; ++i) {
    const SteeringRecord& r = st.records[i];
    if ((r.predicate < RookPredicates<N>::kNamed) != named) continue;
    Json f = json_object();
    f.set("feature", json_number(r.feature));
    f.set("label", json_string(RookPredicates<N>::name(r.predicate)));
    f.set("precision", json_number(r.precision));
    f.set("value", json_number(r.value));
    f.set("random_feature", json_number(r.random_feature));
    f.set("candidates", json_number(r.candidates));
    f.set("positions", json_number(r.positions));
    f.set("erased", json_number(r.erased));
    set_steering_rates(f, r.rates);
    list.push(std::move(f));
  }
  o.set("features", std::move(list));
  return o;
}

}  // namespace detail

// results.json's features.<variant>.steering: the piece-on-square family's summary and
// `features` (one object per tested feature: feature, label, precision, value, random_feature,
// candidates, positions, erased and the rates), and the same for the named labels in `named`.
template <int N, int M>
Json steering_json(const Steering<M>& st) {
  Json o = detail::steering_family_json<N>(st, st.squares, false);
  o.set("named", detail::steering_family_json<N>(st, st.named, true));
  return o;
}

}  // namespace saerl
