// saerl/sae/board_reconstruction.hpp — the "board reconstruction" metric of Karvonen et al.
// (NeurIPS 2024, "Measuring Progress in Dictionary Learning for Language Model Interpretability
// with Board Game Models"), on the rook checkmate: how well can the board be read back from the
// features alone, using only features that are high-precision detectors of one piece on one
// square, with the detectors and the threshold fit on training rows and scored on held-out rows?
//
// The inputs are plain arrays, one row per input, so the SAE is not needed here (the caller
// computes its codes) and the same call measures raw hidden neurons as the baseline:
//   codes[i * M + j]   feature j's activation on input i
//   truth[i * S + s]   nonzero when piece-square s holds on input i; S = G * Q, piece g's
//                      squares are s = g * Q + q (the observation's one-hot order, G = 3
//                      pieces, Q = N * N squares); normally exactly one square per piece holds
//
//   using Recon = saerl::BoardReconstruction<SaeT::kFeatures, 75>;   // G = 3 pieces, T = 10
//   auto r = std::make_unique<Recon>();                 // T x M x S counts: place it once
//   saerl::BoardReconstructionOptions opt;              // precision 0.95, 10 true positives
//   saerl::Status s = saerl::board_reconstruction(codes, truth, count, count * 4 / 5, opt, *r);
//   std::printf("board F1 %.3f at threshold %.1f of the max (boards exact %.3f)\n",
//               r->board_f1, r->fraction(r->threshold), r->board_exact);
//
// (a) Training rows [0, n_train): the counts of threshold_counts.hpp (cut_tj = (t / T) max_j,
//     the max over the training rows, t = 0 .. T-1), and at every t the detectors
//       j detects s at t   when precision_tjs >= min_precision (0.95)
//                          and TP_tjs >= min_true_positives (10)
//     (Karvonen et al.'s high-precision classifiers and significance count).
// (b) At every t, each row's predicted board: predicted_tis = [some detector of s at t fires at t
//     on i]. Per piece-square s over a set of rows, TP_ts, FP_ts, FN_ts of predicted against
//     truth, and
//       F1_ts     = 2 TP / (2 TP + FP + FN)   (undefined, and left out, when s neither holds nor is
//                                              predicted on any row of the set)
//       mean F1_t = mean of F1_ts over the piece-squares where it is defined
//     train_f1[t] is that mean on the training rows, heldout_f1[t] on the held-out rows.
// (c) threshold t* = argmax_t train_f1[t] (the lowest t on ties), chosen without the held-out rows;
//       board_f1  = heldout_f1[t*]                  the metric
//       board_exact = #{held-out i : predicted_t* = truth on all S} / #held-out
//       pooled_f1 = 2 TP / (2 TP + FP + FN) with the counts summed over all s (at t*)
//     plus piece_accuracy (piece g's Q squares all right) and square_accuracy.
//
// Which of Karvonen et al.'s choices we follow, and where we differ (their code: circuits/
// analysis.py labels the features, eval_board_reconstruction.py scores, full_pipeline.py picks):
//   - as they do: thresholds relative to each feature's max (theirs over a sample of the
//     model's activations, ours over the training rows); detectors at precision >= 0.95 with
//     >= 10 true positives on training rows, per threshold; a predicted board is the union of
//     what the firing detectors claim; scored on rows the detectors never saw.
//   - the threshold: their code keeps the one with the best held-out F1; we choose it on the
//     training rows, so the held-out figure is not tuned on the rows it is reported on.
//   - the sweep: they use 0, 0.1, ..., 1.0 of the max plus one combination (each firing feature
//     claims what it detects at the highest threshold it exceeds); we use t / T for t < T
//     (0, ..., 0.9) and no combination.
//   - the average: they pool TP, FP and FN over all squares and boards (our pooled_f1); we
//     report the mean over piece-squares of each one's F1 (board_f1), so that a rarely occupied
//     square weighs as much as a common one. Their stricter variant, which also takes back the
//     true positive of a square on which a second piece is claimed, is not computed: the wrong
//     claim already counts as a false positive of that piece's square.
//
// Cost: O(n M) to scan codes plus O(T S) per detector feature firing per input, and
// O(n T S) to score. Counts are ints and longs (up to 2^31 - 1 inputs). No heap; the struct
// is placed by the caller.
#pragma once
#include <cstdint>
#include <type_traits>

#include "../core/base/status.hpp"
#include "threshold_counts.hpp"

namespace saerl {

struct BoardReconstructionOptions {
  double min_precision = 0.95;  // a detector's precision on the training rows, at least
  int min_true_positives = 10;  // a detector's true positives on the training rows, at least (0 acts as 1)
};

template <int M, int S, int G = 3, int T = 10>
struct BoardReconstruction {
  static_assert(M > 0 && S > 0, "BoardReconstruction: the feature count M and piece-square count S must be positive");
  static_assert(G > 0 && S % G == 0, "BoardReconstruction: S must be G pieces times the same number of squares");
  static_assert(T > 0, "BoardReconstruction: the sweep needs at least one threshold");
  static constexpr int kFeatures = M, kPieceSquares = S, kPieces = G, kSquares = S / G, kThresholds = T;

  // TP, FP, FN per threshold and piece-square, and the whole-board tallies, over a set of rows.
  struct Tally {
    long rows = 0;
    long tp[T][S], fp[T][S], fn[T][S];
    long boards_right[T], squares_right[T], pieces_right[T][G];
    double mean_f1[T];  // mean F1_ts over the s where it is defined (0 when none is)
  };

  // Results.
  int threshold = -1;          // t*, chosen on the training rows
  double board_f1 = 0;         // heldout.mean_f1[t*]
  double board_exact = 0;      // fraction of held-out boards read back exactly at t*
  double pooled_f1 = 0;        // F1 of the held-out counts pooled over every s, at t*
  double piece_accuracy[G];    // fraction of held-out inputs with piece g's squares all right, at t*
  double square_accuracy = 0;  // fraction of held-out (input, piece-square) pairs right, at t*
  int detector_pairs[T];       // (j, s) pairs with j a detector of s at t
  int features_used = 0;       // features detecting at least one s at t*
  int squares_covered = 0;     // piece-squares with at least one detector at t*

  // What they come from.
  ThresholdCounts<M, S, T> counts;  // over the training rows
  uint8_t detects[T][M][S];         // 1 when j detects s at t
  int detects_count[T][M];          // #{s : j detects s at t}
  Tally train, heldout;             // train.mean_f1 is train_f1, heldout.mean_f1 is heldout_f1

  static double fraction(int t) { return ThresholdCounts<M, S, T>::fraction(t); }

  // F1_ts of a tally, or -1 where it is undefined.
  static double square_f1(const Tally& tally, int t, int s) {
    const long d = 2 * tally.tp[t][s] + tally.fp[t][s] + tally.fn[t][s];
    return d > 0 ? 2.0 * static_cast<double>(tally.tp[t][s]) / static_cast<double>(d) : -1.0;
  }

  void clear() {
    threshold = -1;
    board_f1 = board_exact = pooled_f1 = square_accuracy = 0;
    for (int g = 0; g < G; ++g) piece_accuracy[g] = 0;
    features_used = squares_covered = 0;
    for (int t = 0; t < T; ++t) {
      detector_pairs[t] = 0;
      for (int j = 0; j < M; ++j) {
        detects_count[t][j] = 0;
        for (int s = 0; s < S; ++s) detects[t][j][s] = 0;
      }
    }
    clear_tally(train);
    clear_tally(heldout);
  }

  static void clear_tally(Tally& tally) {
    tally.rows = 0;
    for (int t = 0; t < T; ++t) {
      tally.boards_right[t] = tally.squares_right[t] = 0;
      tally.mean_f1[t] = 0;
      for (int g = 0; g < G; ++g) tally.pieces_right[t][g] = 0;
      for (int s = 0; s < S; ++s) tally.tp[t][s] = tally.fp[t][s] = tally.fn[t][s] = 0;
    }
  }
};

namespace detail {

// Predicts rows [begin, end) at every threshold with r's detectors and tallies them against truth.
template <int M, int S, int G, int T, class Code, class Truth>
void tally_boards(const Code* codes, const Truth* truth, int begin, int end, const BoardReconstruction<M, S, G, T>& r,
                  typename BoardReconstruction<M, S, G, T>::Tally& out) {
  constexpr int Q = S / G;
  BoardReconstruction<M, S, G, T>::clear_tally(out);
  out.rows = end - begin;
  for (long i = begin; i < end; ++i) {
    const Code* f = codes + i * M;
    const Truth* row = truth + i * S;
    uint8_t predicted[T][S] = {};
    for (int j = 0; j < M; ++j) {
      const int level = r.counts.level(j, static_cast<double>(f[j]));
      for (int t = 0; t < level; ++t)
        if (r.detects_count[t][j] > 0)
          for (int s = 0; s < S; ++s) predicted[t][s] |= r.detects[t][j][s];
    }
    for (int t = 0; t < T; ++t) {
      bool board = true;
      for (int g = 0; g < G; ++g) {
        bool piece = true;
        for (int q = 0; q < Q; ++q) {
          const int s = g * Q + q;
          const bool p = predicted[t][s] != 0, holds = row[s] != 0;
          out.tp[t][s] += p && holds;
          out.fp[t][s] += p && !holds;
          out.fn[t][s] += !p && holds;
          out.squares_right[t] += p == holds;
          piece = piece && p == holds;
        }
        out.pieces_right[t][g] += piece;
        board = board && piece;
      }
      out.boards_right[t] += board;
    }
  }
  for (int t = 0; t < T; ++t) {
    double total = 0;
    int defined = 0;
    for (int s = 0; s < S; ++s) {
      const double f1 = BoardReconstruction<M, S, G, T>::square_f1(out, t, s);
      if (f1 >= 0) total += f1, ++defined;
    }
    out.mean_f1[t] = defined > 0 ? total / defined : 0.0;
  }
}

}  // namespace detail

// Fills out (cleared first) from codes (count, M) and truth (count, S): counts, detectors and the
// threshold from rows [0, n_train), the scores on rows [n_train, count). invalid_argument when
// either split is empty, a pointer is null, or an option is out of range.
template <int M, int S, int G, int T, class Code, class Truth>
Status board_reconstruction(const Code* codes, const Truth* truth, int count, int n_train,
                            const BoardReconstructionOptions& opt, BoardReconstruction<M, S, G, T>& out) {
  static_assert(std::is_integral<Truth>::value, "board_reconstruction: truth must be bool or an integer type");
  out.clear();
  if (n_train < 1 || n_train >= count)
    return Status::error(StatusCode::invalid_argument,
                         "board_reconstruction: need 1 <= n_train < count (n_train %d, count %d)", n_train, count);
  if (!codes || !truth) return Status::error(StatusCode::invalid_argument, "board_reconstruction: codes or truth is null");
  if (!(opt.min_precision >= 0 && opt.min_precision <= 1) || opt.min_true_positives < 0)
    return Status::error(StatusCode::invalid_argument,
                         "board_reconstruction: bad options (min_precision %g, min_true_positives %d)",
                         opt.min_precision, opt.min_true_positives);

  // (a) The training rows' counts, then the detectors at every threshold.
  Status s = count_thresholds(codes, truth, n_train, out.counts);
  if (!s.ok()) return s;
  const long min_tp = opt.min_true_positives > 1 ? opt.min_true_positives : 1;
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < M; ++j)
      for (int q = 0; q < S; ++q) {
        if (out.counts.true_positives[t][j][q] < min_tp || !(out.counts.precision(t, j, q) >= opt.min_precision)) continue;
        out.detects[t][j][q] = 1;
        ++out.detects_count[t][j];
        ++out.detector_pairs[t];
      }

  // (b), (c) The threshold from the training rows, the scores on the held-out rows.
  detail::tally_boards(codes, truth, 0, n_train, out, out.train);
  detail::tally_boards(codes, truth, n_train, count, out, out.heldout);
  int best = 0;
  for (int t = 1; t < T; ++t)
    if (out.train.mean_f1[t] > out.train.mean_f1[best]) best = t;
  out.threshold = best;

  const auto& h = out.heldout;
  const double held = static_cast<double>(h.rows);
  out.board_f1 = h.mean_f1[best];
  out.board_exact = static_cast<double>(h.boards_right[best]) / held;
  out.square_accuracy = static_cast<double>(h.squares_right[best]) / (held * S);
  for (int g = 0; g < G; ++g) out.piece_accuracy[g] = static_cast<double>(h.pieces_right[best][g]) / held;
  long tp = 0, errors = 0;
  for (int q = 0; q < S; ++q) tp += h.tp[best][q], errors += h.fp[best][q] + h.fn[best][q];
  out.pooled_f1 = tp > 0 ? 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + errors) : 0.0;
  for (int j = 0; j < M; ++j) out.features_used += out.detects_count[best][j] > 0;
  for (int q = 0; q < S; ++q) {
    bool covered = false;
    for (int j = 0; j < M && !covered; ++j) covered = out.detects[best][j][q] != 0;
    out.squares_covered += covered;
  }
  return Status::success();
}

}  // namespace saerl
