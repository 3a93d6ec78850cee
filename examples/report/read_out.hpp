// saerl/examples/report/read_out.hpp — what can be read out of an SAE's codes, against the
// DQN's Q-values and the raw neurons the SAE reads, on a fixed 80/20 split of the legal
// positions (rows shuffled with the seed):
//   probes          for each named predicate (gridworld/predicates.hpp), a logistic probe
//                   (core/analysis/logistic_probe.hpp; all predicates trained together by
//                   core/analysis/logistic_probes.hpp) on the SAE's codes and one on the Q-values,
//                   trained on the 80%, scored on the held-out 20%: accuracy and balanced
//                   accuracy (TPR + TNR) / 2, beside the majority answer's accuracy (whose
//                   balanced accuracy is 0.5). Balanced accuracy is the one to compare when a
//                   predicate is rare: "never" is then already accurate.
//   supervised      Karvonen et al. (2024): coverage of the 3 N^2 piece-on-square predicates
//                   and of the named ones, and board reconstruction (mean per-square F1 of the
//                   board read back, detectors and threshold fit on the 80%), of the SAE's codes
//                   and, as the baseline, of the raw neurons z_1 (sae/feature_analysis.hpp,
//                   sae/board_reconstruction.hpp: the definitions and where we differ).
//
//   auto r = std::make_unique<saerl::ReadOut<N>>();
//   saerl::Status s = saerl::read_out(net, sae, *analysis, seed, *r);
//   r->sae_balanced[p], r->q_balanced[p];  r->sae.coverage, r->neurons.board_f1;
#pragma once
#include <memory>

#include "../../core/analysis/logistic_probes.hpp"
#include "../../sae/board_reconstruction.hpp"
#include "../results.hpp"
#include "analysis.hpp"

namespace saerl {

template <int N = 5>
struct ReadOut {
  static constexpr int P = RookPredicates<N>::kNamed;
  double sae_accuracy[P], sae_balanced[P], q_accuracy[P], q_balanced[P];
  double baseline[P];       // the majority answer's held-out accuracy
  double positive_rate[P];  // how often the predicate holds on the held-out rows
  double sae_mean = 0, sae_balanced_mean = 0, q_mean = 0, q_balanced_mean = 0, baseline_mean = 0;
  int beyond_q = 0;  // predicates read out better from the codes than the Q-values by >= 0.1 accuracy
  int train_rows = 0, heldout_rows = 0;
  struct Supervised {
    double coverage = 0, coverage_other = 0, board_f1 = 0, board_exact = 0;
    double coverage_threshold = 0, board_threshold = 0;  // the chosen fractions of each feature's max
  };
  Supervised sae, neurons;
};

// The balanced accuracy of probe on rows [from, to) of x (rows of F) against column p of truth
// (rows of P): the mean over the classes present of the fraction predicted right.
template <class Probe, class Label>
double balanced_accuracy(const Probe& probe, const typename Probe::Scalar* x, const Label* truth, int P, int p,
                         int from, int to) {
  long right[2] = {0, 0}, total[2] = {0, 0};
  for (int i = from; i < to; ++i) {
    const int y = truth[long(i) * P + p] != 0;
    const int guess = probe.logit(x + long(i) * Probe::kFeatures) > 0;
    ++total[y];
    right[y] += guess == y;
  }
  double sum = 0;
  int classes = 0;
  for (int c = 0; c < 2; ++c)
    if (total[c] > 0) sum += double(right[c]) / double(total[c]), ++classes;
  return classes > 0 ? sum / classes : 0;
}

// Coverage of both families and board reconstruction of the features in codes (n, M); truth is
// (n, kCount) with the piece-square predicates last, squares (n, 3 N^2) those alone.
template <int N, int M>
Status supervised_metrics(const float* codes, const uint8_t* truth, const uint8_t* squares, int n, int n_train,
                          typename ReadOut<N>::Supervised& out) {
  using Pr = RookPredicates<N>;
  constexpr int P = Pr::kCount, S = Pr::kPieceSquare;
  auto counts = std::make_unique<ThresholdCounts<M, P>>();
  Status s = count_thresholds(codes, truth, n, *counts);
  if (!s.ok()) return s;
  Coverage board_family, other;
  s = coverage(*counts, Pr::kNamed, P, board_family);
  if (s.ok()) s = coverage(*counts, 0, Pr::kNamed, other);
  if (!s.ok()) return s;
  out.coverage = board_family.value;
  out.coverage_other = other.value;
  out.coverage_threshold = ThresholdCounts<M, P>::fraction(board_family.threshold);
  auto board = std::make_unique<BoardReconstruction<M, S>>();
  s = board_reconstruction(codes, squares, n, n_train, BoardReconstructionOptions(), *board);
  if (!s.ok()) return s;
  out.board_f1 = board->board_f1;
  out.board_exact = board->board_exact;
  out.board_threshold = board->fraction(board->threshold);
  return Status::success();
}

// results.json: features.<who>.coverage, .coverage_other, .board_f1, .board_exact
template <class Supervised>
void set_supervised_keys(Results& results, const char* who, const Supervised& m) {
  const char* names[4] = {"coverage", "coverage_other", "board_f1", "board_exact"};
  const double values[4] = {m.coverage, m.coverage_other, m.board_f1, m.board_exact};
  for (int k = 0; k < 4; ++k) {
    char key[96];
    std::snprintf(key, sizeof key, "features.%s.%s", who, names[k]);
    results.set(key, values[k]);
  }
}

template <class Net, class SaeT, int N>
Status read_out(const Net& net, SaeT& sae, const FeatureAnalysis<SaeT, N>& a, uint64_t seed, ReadOut<N>& out) {
  using Pr = RookPredicates<N>;
  constexpr int M = SaeT::kFeatures, W = SaeT::kIn, A = Net::kOut, P = Pr::kCount, S = Pr::kPieceSquare;
  constexpr int named = ReadOut<N>::P;
  const int n = a.data.size, n_train = n - n / 5;
  out.train_rows = n_train;
  out.heldout_rows = n - n_train;
  auto order = std::make_unique<int[]>(size_t(n));  // desktop glue: a few MB of scratch below
  for (int i = 0; i < n; ++i) order[i] = i;
  Rng rng(seed);
  for (int i = n - 1; i > 0; --i) {
    const int j = int(rng.below(uint32_t(i + 1)));
    const int t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  auto codes = std::make_unique<float[]>(size_t(n) * M);
  auto neurons = std::make_unique<float[]>(size_t(n) * W);
  auto q = std::make_unique<float[]>(size_t(n) * A);
  auto truth = std::make_unique<uint8_t[]>(size_t(n) * P);
  auto squares = std::make_unique<uint8_t[]>(size_t(n) * S);
  auto work = std::make_unique<SaeWorkspace<SaeT, 1>>();
  auto acts = std::make_unique<MlpActivations<Net, 1>>();
  for (int r = 0; r < n; ++r) {
    const int i = order[r];
    const float* h = a.data.row(i);
    sae_forward(sae, h, 1, *work, false);
    copy(work->f, codes.get() + size_t(r) * M, M);
    copy(h, neurons.get() + size_t(r) * W, W);
    copy(mlp_forward_from(net, HiddenLayer<Net>::kRestart, h, 1, *acts), q.get() + size_t(r) * A, A);
    copy(a.truth + size_t(i) * P, truth.get() + size_t(r) * P, P);
    copy(a.truth + size_t(i) * P + Pr::kNamed, squares.get() + size_t(r) * S, S);
  }
  ProbeOptions options;
  options.steps = 150;
  // every named predicate at once (core/analysis/logistic_probes.hpp): the models and losses of single
  // probes, one pass over the rows for all of them
  auto sae_probes = std::make_unique<LogisticProbes<M, named>>();
  auto q_probes = std::make_unique<LogisticProbes<A, named>>();
  Status s = sae_probes->train(codes.get(), truth.get(), n_train, P, options);
  if (s.ok()) s = q_probes->train(q.get(), truth.get(), n_train, P, options);
  if (!s.ok()) return s;
  const int held = n - n_train;
  const float* codes_held = codes.get() + size_t(n_train) * M;
  const float* q_held = q.get() + size_t(n_train) * A;
  const uint8_t* truth_held = truth.get() + size_t(n_train) * P;
  for (int p = 0; p < named; ++p) {
    long positives = 0;
    for (int i = 0; i < held; ++i) positives += truth_held[size_t(i) * P + p] != 0;
    out.positive_rate[p] = double(positives) / held;
    out.baseline[p] = out.positive_rate[p] > 0.5 ? out.positive_rate[p] : 1.0 - out.positive_rate[p];
    out.sae_accuracy[p] = sae_probes->accuracy(codes_held, truth_held, held, P, p);
    out.sae_balanced[p] = balanced_accuracy(sae_probes->one(p), codes.get(), truth.get(), P, p, n_train, n);
    out.q_accuracy[p] = q_probes->accuracy(q_held, truth_held, held, P, p);
    out.q_balanced[p] = balanced_accuracy(q_probes->one(p), q.get(), truth.get(), P, p, n_train, n);
    out.beyond_q += out.sae_accuracy[p] - out.q_accuracy[p] >= 0.1;
    out.sae_mean += out.sae_accuracy[p] / named;
    out.sae_balanced_mean += out.sae_balanced[p] / named;
    out.q_mean += out.q_accuracy[p] / named;
    out.q_balanced_mean += out.q_balanced[p] / named;
    out.baseline_mean += out.baseline[p] / named;
  }
  s = supervised_metrics<N, M>(codes.get(), truth.get(), squares.get(), n, n_train, out.sae);
  if (!s.ok()) return s;
  return supervised_metrics<N, W>(neurons.get(), truth.get(), squares.get(), n, n_train, out.neurons);
}

}  // namespace saerl
