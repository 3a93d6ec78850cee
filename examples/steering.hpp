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
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "../core/mlp.hpp"
#include "../core/rng.hpp"
#include "../core/status.hpp"
#include "../gridworld/predicates.hpp"
#include "../gridworld/rook_solver.hpp"
#include "../sae/sae.hpp"
#include "json.hpp"
#include "pipeline.hpp"

namespace saerl {

// The boards x' of every named predicate and the DQN's action on every board: once per DQN
// (and solver), shared by all its SAEs. Large on 8x8 (about 22 MB): place it behind a pointer.
template <int N>
struct Counterfactuals {
  using Game = RookCheckmate<N>;
  using Predicates = RookPredicates<N>;
  using Position = typename Game::Position;
  using Solver = RookSolver<N>;  // (a non-deduced parameter type, so that nullptr is accepted)
  static constexpr int kNamed = Predicates::kNamed;
  static constexpr uint8_t kNone = 255;  // no x': p holds on x already, or no legal board has it
  static_assert(3 * N * N < kNone, "Counterfactuals: a move (plane * N * N + square) must fit in a byte");

  const int8_t* dtm = nullptr;               // the dtm_* predicates' table (nullptr: they never hold)
  int8_t action[Game::kPositions];           // a(y), the DQN's greedy action; -1 on illegal y
  uint8_t named[Game::kPositions][kNamed];   // named predicate p holds on y (0 on illegal y)
  uint8_t nearest[Game::kPositions][kNamed]; // the move to x' of named predicate p, or kNone

  // Predicate p (named or piece-on-square) on legal y.
  bool holds(Position y, int p) const {
    if (p < kNamed) return named[Game::index(y)][p] != 0;
    const int plane = (p - kNamed) / (N * N), sq = (p - kNamed) % (N * N);
    return square_of(y, plane) == sq;
  }

  // x' of predicate p for legal x; false when there is none (p holds on x, or x' is illegal).
  bool counterfactual(Position x, int p, Position* out) const {
    int move = p - kNamed;  // "P on s" is the move of plane P to s
    if (p < kNamed) {
      move = nearest[Game::index(x)][p];
      if (move == kNone) return false;
    } else if (holds(x, p)) {
      return false;
    }
    *out = moved(x, move);
    return Game::is_legal(*out);
  }

  static int square_of(Position y, int plane) { return plane == 0 ? y.wk : plane == 1 ? y.wr : y.bk; }
  // y with the piece of plane move / (N * N) on square move % (N * N).
  static Position moved(Position y, int move) {
    const uint8_t sq = static_cast<uint8_t>(move % (N * N));
    const int plane = move / (N * N);
    if (plane == 0) y.wk = sq;
    else if (plane == 1) y.wr = sq;
    else y.bk = sq;
    return y;
  }
};

namespace detail {

// Runs the DQN over the legal positions in index order, B at a time, and calls
// visit(positions, n, acts) after each batch (acts: z_1 at pre(HiddenLayer::kLayer), Q at output()).
template <int N, class Net, int B, class Visit>
void for_each_legal_batch(const Net& net, MlpActivations<Net, B>& acts, Visit&& visit) {
  using Game = RookCheckmate<N>;
  static_assert(Net::kIn == Game::kObs && Net::kOut == Game::kActions,
                "steering: the DQN must read RookCheckmate<N>'s one-hot board and output its actions");
  std::vector<float> obs(static_cast<size_t>(B) * Game::kObs);
  typename Game::Position pos[B];
  int n = 0;
  for (int i = 0; i <= Game::kPositions; ++i) {
    if (i < Game::kPositions && Game::is_legal(Game::from_index(i))) {
      pos[n] = Game::from_index(i);
      Game::observe(pos[n], obs.data() + size_t(n) * Game::kObs);
      ++n;
    }
    if (n == B || (i == Game::kPositions && n > 0)) {
      mlp_forward(net, obs.data(), n, acts);
      visit(pos, n, acts);
      n = 0;
    }
  }
}

}  // namespace detail

// Fills cf: the DQN's action and the named predicates on every legal board, then for every
// legal x and named predicate false on x the nearest board where it holds (see the header).
// dtm (the solver's table, or nullptr) must outlive cf.
template <class Net, int N>
void prepare_counterfactuals(const Net& net, const int8_t* dtm, Counterfactuals<N>& cf) {
  using C = Counterfactuals<N>;
  using Game = typename C::Game;
  constexpr int S = N * N, kNamed = C::kNamed;
  cf.dtm = dtm;
  for (int i = 0; i < Game::kPositions; ++i) {
    cf.action[i] = -1;
    for (int p = 0; p < kNamed; ++p) cf.named[i][p] = 0, cf.nearest[i][p] = C::kNone;
  }
  auto acts = std::make_unique<MlpActivations<Net, 64>>();
  detail::for_each_legal_batch<N>(net, *acts, [&](const typename Game::Position* pos, int n, MlpActivations<Net, 64>& a) {
    for (int b = 0; b < n; ++b) {
      cf.action[Game::index(pos[b])] = static_cast<int8_t>(argmax(a.output() + b * Game::kActions, Game::kActions));
      bool truth[kNamed];
      C::Predicates::evaluate_named(pos[b], dtm, truth);
      for (int p = 0; p < kNamed; ++p) cf.named[Game::index(pos[b])][p] = truth[p];
    }
  });
  for (int i = 0; i < Game::kPositions; ++i) {
    const typename Game::Position x = Game::from_index(i);
    if (!Game::is_legal(x)) continue;
    int best[kNamed];  // king steps of the nearest board found so far
    for (int p = 0; p < kNamed; ++p) best[p] = S;
    for (int move = 0; move < 3 * S; ++move) {  // K, R, k; squares in order: the first wins ties
      const int from = C::square_of(x, move / S);
      const typename Game::Position y = C::moved(x, move);
      if (from == move % S || !Game::is_legal(y)) continue;
      const int steps = Game::king_distance(from, move % S);
      const uint8_t* x_has = cf.named[i];
      const uint8_t* y_has = cf.named[Game::index(y)];
      for (int p = 0; p < kNamed; ++p)
        if (!x_has[p] && y_has[p] && steps < best[p]) best[p] = steps, cf.nearest[i][p] = static_cast<uint8_t>(move);
    }
  }
}

struct SteeringOptions {
  double min_precision = 0.9;   // labels below this precision are not tested (nor erased)
  int max_positions = 512;      // per feature, drawn without replacement; 0: every position
  int density_pool = 8;         // the random feature: one of this many nearest in log density
  uint64_t seed = 1;
  bool named = true;            // also test the features labelled with named predicates
  bool erase_within_family = false;  // E(x) only from p's family (piece-square or named)
  float strength = 1;           // f_j = strength * v_j (1: the mean value; larger did not help)
};

// Means over a feature's positions x (definitions in the header). The headline six first; then
// what explains them:
//   swap_agreement     the ceiling: argmax Q(h + (f(x') - f(x)) W_dec) = a(x'), every feature
//                      that differs written
//   action_changed     argmax Q(h') != a(x): the intervention moves the action at all
//   directed_agreement of those moves, the fraction that land on a(x') (hit / changed);
//                      random_directed_agreement the same for the random feature
//   delta_cosine       cos(h' - h, z_1(x') - h): the edit's direction against the true change
//   delta_reach        <h' - h, z_1(x') - h> / |z_1(x') - h|^2: how far along it the edit goes
//   code_changes       the features whose code differs between x and x' (a count, not a rate)
//   random_optimal, unintervened_optimal, dqn_optimal: how often the random edit's action,
//                      a(x) and a(x') are optimal on x' (the baselines and the ceiling of
//                      optimal_on_counterfactual)
struct SteeringRates {
  double counterfactual_agreement = 0, optimal_on_counterfactual = 0, random_direction_agreement = 0,
         unintervened_agreement = 0, reconstruction_agreement = 0, reconstruction_optimal = 0;
  double swap_agreement = 0, action_changed = 0, directed_agreement = 0, random_directed_agreement = 0,
         delta_cosine = 0, delta_reach = 0, code_changes = 0;
  double random_optimal = 0, unintervened_optimal = 0, dqn_optimal = 0;

  struct Field {
    const char* name;
    double SteeringRates::*value;
  };
  static constexpr Field kFields[] = {
      {"counterfactual_agreement", &SteeringRates::counterfactual_agreement},
      {"optimal_on_counterfactual", &SteeringRates::optimal_on_counterfactual},
      {"random_direction_agreement", &SteeringRates::random_direction_agreement},
      {"unintervened_agreement", &SteeringRates::unintervened_agreement},
      {"reconstruction_agreement", &SteeringRates::reconstruction_agreement},
      {"reconstruction_optimal", &SteeringRates::reconstruction_optimal},
      {"swap_agreement", &SteeringRates::swap_agreement},
      {"action_changed", &SteeringRates::action_changed},
      {"directed_agreement", &SteeringRates::directed_agreement},
      {"random_directed_agreement", &SteeringRates::random_directed_agreement},
      {"delta_cosine", &SteeringRates::delta_cosine},
      {"delta_reach", &SteeringRates::delta_reach},
      {"code_changes", &SteeringRates::code_changes},
      {"random_optimal", &SteeringRates::random_optimal},
      {"unintervened_optimal", &SteeringRates::unintervened_optimal},
      {"dqn_optimal", &SteeringRates::dqn_optimal},
  };

  void add(const SteeringRates& r, double w) {
    for (const Field& f : kFields) this->*f.value += w * (r.*f.value);
  }
};

// One tested feature.
struct SteeringRecord {
  int feature = -1, predicate = -1, random_feature = -1;
  double precision = 0;  // of the label
  double value = 0;      // v_j, the value written
  int candidates = 0;    // positions x with an x' (before sampling)
  int positions = 0;     // tested
  double erased = 0;     // mean number of active features zeroed (|E(x)| with f_k > 0)
  SteeringRates rates;   // the optimal rates are -1 without a solver
};

// A family: its tested features and their rates, each the unweighted mean over them.
struct SteeringSummary {
  int tested = 0;
  long positions = 0;
  SteeringRates rates;
};

template <int M>
struct Steering {
  SteeringSummary squares, named;  // piece-on-square labels; the named predicates' labels
  int count = 0;                   // records[0..count): tested features in index order
  SteeringRecord records[M];
};

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
  auto work = std::make_unique<SaeBatch<SaeT, 64>>();
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
  SaeBatch<SaeT, kP> work;

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
  auto work = std::make_unique<SaeBatch<SaeT, 64>>();
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
