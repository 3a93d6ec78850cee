// saerl/sae/board_reconstruction.hpp — the "board reconstruction" metric of Karvonen et al.
// (NeurIPS 2024, "Measuring Progress in Dictionary Learning for Language Model Interpretability
// with Board Game Models"), adapted to the rook checkmate: how often can the whole board be
// read back from the features alone, using only features that are high-precision detectors of
// one piece on one square?
//
// The inputs are plain arrays, one row per input, so the SAE is not needed here (the caller
// computes its codes) and the same call measures raw hidden neurons as the baseline (pass
// relu(h) as the codes: "fires" is then h > 0 with the default threshold 0):
//   codes[i * M + j]   feature j's activation on input i
//   truth[i * S + s]   nonzero when piece-square s holds on input i; S = G * Q, piece g's
//                      squares are s = g * Q + q (the observation's one-hot order, G = 3
//                      pieces, Q = N * N squares); normally exactly one square per piece holds
//
//   using Recon = saerl::BoardReconstruction<SaeT::kFeatures, 75>;   // G = 3 pieces
//   auto r = std::make_unique<Recon>();                 // M x S counts: place it once
//   saerl::BoardReconstructionOptions opt;              // threshold 0, precision 0.95, 10 fires
//   saerl::Status s = saerl::board_reconstruction(codes, truth, count, count / 2, opt, *r);
//   std::printf("boards reconstructed: %.3f (king %.3f, rook %.3f, black king %.3f)\n",
//               r->reconstructed, r->piece_accuracy[0], r->piece_accuracy[1], r->piece_accuracy[2]);
//
// (a) On the training rows [0, n_train):
//   cut_j        = threshold, or threshold * max_i f_ij with relative_threshold (Karvonen et
//                  al. sweep such fractions of each feature's largest activation)
//   j fires on i when f_ij > cut_j
//   fired_j      = #{train i : j fires},   TP_js = #{train i : j fires and s holds}
//   precision_js = TP_js / fired_j
//   j detects s  when fired_j >= min_fires and precision_js >= min_precision
// (b) On the held-out rows [n_train, count):
//   predicted_is = [some detector of s fires on i]
//   reconstructed    = #{i : predicted_i = truth_i on every s} / #held-out
//   piece_accuracy_g = #{i : predicted_i = truth_i on piece g's Q squares} / #held-out
//   square_accuracy  = #{(i, s) : predicted_is = truth_is} / (#held-out * S)
// A feature that detects nothing is ignored; an input with no detector firing predicts the
// empty board, which is never right when every piece stands somewhere.
//
// Cost: O(n M) to scan codes plus O(S) per firing feature per input: O(n (M + L0 S)).
// Counts are ints and longs (up to 2^31 - 1 inputs). No heap; the struct is placed by the caller.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "../core/status.hpp"

namespace saerl {

struct BoardReconstructionOptions {
  double threshold = 0;             // a feature fires when its code exceeds the cut
  bool relative_threshold = false;  // cut_j = threshold * (feature j's max on the training rows)
  double min_precision = 0.95;      // a detector's precision on the training rows, at least
  int min_fires = 10;               // a detector fires on at least this many training rows (0 acts as 1)
};

template <int M, int S, int G = 3>
struct BoardReconstruction {
  static_assert(M > 0 && S > 0, "BoardReconstruction: the feature count M and piece-square count S must be positive");
  static_assert(G > 0 && S % G == 0, "BoardReconstruction: S must be G pieces times the same number of squares");
  static constexpr int kFeatures = M, kPieceSquares = S, kPieces = G, kSquares = S / G;

  // Results.
  double reconstructed = 0;    // fraction of held-out boards read back exactly
  double piece_accuracy[G];    // fraction of held-out inputs with piece g's squares all right
  double square_accuracy = 0;  // fraction of held-out (input, piece-square) pairs right
  int detector_pairs = 0;      // (j, s) pairs with j a detector of s
  int features_used = 0;       // features detecting at least one s
  int squares_covered = 0;     // piece-squares with at least one detector
  long train_inputs = 0, heldout_inputs = 0;

  // Counts and detectors from the training rows.
  double cut[M];                   // cut_j
  double max_code[M];              // max_i f_ij on the training rows (0 when all are <= 0)
  long fired[M];                   // fired_j
  int32_t true_positives[M][S];    // TP_js
  uint8_t detects[M][S];           // 1 when j detects s
  int detected_by_count[S];        // #{j : j detects s}
  int detects_count[M];            // #{s : j detects s}

  // From the counts (0 when j never fired).
  double precision_of(int j, int s) const {
    return fired[j] > 0 ? static_cast<double>(true_positives[j][s]) / static_cast<double>(fired[j]) : 0.0;
  }

  void clear() {
    reconstructed = square_accuracy = 0;
    for (int g = 0; g < G; ++g) piece_accuracy[g] = 0;
    detector_pairs = features_used = squares_covered = 0;
    train_inputs = heldout_inputs = 0;
    for (int j = 0; j < M; ++j) {
      cut[j] = max_code[j] = 0;
      fired[j] = 0;
      detects_count[j] = 0;
      for (int s = 0; s < S; ++s) true_positives[j][s] = 0, detects[j][s] = 0;
    }
    for (int s = 0; s < S; ++s) detected_by_count[s] = 0;
  }
};

// Fills out (cleared first) from codes (count, M) and truth (count, S): detectors from rows
// [0, n_train), reconstruction measured on rows [n_train, count). invalid_argument when either
// split is empty, a pointer is null, or an option is out of range.
template <int M, int S, int G, class T, class Truth>
Status board_reconstruction(const T* codes, const Truth* truth, int count, int n_train,
                            const BoardReconstructionOptions& opt, BoardReconstruction<M, S, G>& out) {
  static_assert(std::is_integral<Truth>::value, "board_reconstruction: truth must be bool or an integer type");
  constexpr int Q = S / G;
  out.clear();
  if (n_train < 1 || n_train >= count)
    return Status::error(StatusCode::invalid_argument,
                         "board_reconstruction: need 1 <= n_train < count (n_train %d, count %d)", n_train, count);
  if (!codes || !truth) return Status::error(StatusCode::invalid_argument, "board_reconstruction: codes or truth is null");
  if (!std::isfinite(opt.threshold) || !(opt.min_precision >= 0 && opt.min_precision <= 1) || opt.min_fires < 0)
    return Status::error(StatusCode::invalid_argument,
                         "board_reconstruction: bad options (threshold %g, min_precision %g, min_fires %d)", opt.threshold,
                         opt.min_precision, opt.min_fires);

  // (a) Training rows: the cuts, then the firing and true-positive counts, then the detectors.
  out.train_inputs = n_train;
  for (int i = 0; i < n_train; ++i) {
    const T* f = codes + static_cast<long>(i) * M;
    for (int j = 0; j < M; ++j)
      if (static_cast<double>(f[j]) > out.max_code[j]) out.max_code[j] = static_cast<double>(f[j]);
  }
  for (int j = 0; j < M; ++j) out.cut[j] = opt.relative_threshold ? opt.threshold * out.max_code[j] : opt.threshold;
  for (int i = 0; i < n_train; ++i) {
    const T* f = codes + static_cast<long>(i) * M;
    const Truth* t = truth + static_cast<long>(i) * S;
    for (int j = 0; j < M; ++j) {
      if (!(static_cast<double>(f[j]) > out.cut[j])) continue;
      ++out.fired[j];
      int32_t* tp = out.true_positives[j];
      for (int s = 0; s < S; ++s) tp[s] += t[s] != 0;
    }
  }
  const long min_fires = opt.min_fires > 1 ? opt.min_fires : 1;
  for (int j = 0; j < M; ++j) {
    if (out.fired[j] < min_fires) continue;
    for (int s = 0; s < S; ++s) {
      if (!(out.precision_of(j, s) >= opt.min_precision)) continue;
      out.detects[j][s] = 1;
      ++out.detects_count[j];
      ++out.detected_by_count[s];
      ++out.detector_pairs;
    }
    out.features_used += out.detects_count[j] > 0;
  }
  for (int s = 0; s < S; ++s) out.squares_covered += out.detected_by_count[s] > 0;

  // (b) Held-out rows: predicted_s = OR over the firing detectors of s; compare with the truth.
  const int held = count - n_train;
  out.heldout_inputs = held;
  long boards_right = 0, squares_right = 0, pieces_right[G] = {};
  for (int i = n_train; i < count; ++i) {
    const T* f = codes + static_cast<long>(i) * M;
    const Truth* t = truth + static_cast<long>(i) * S;
    uint8_t predicted[S] = {};
    for (int j = 0; j < M; ++j) {
      if (out.detects_count[j] == 0 || !(static_cast<double>(f[j]) > out.cut[j])) continue;
      for (int s = 0; s < S; ++s) predicted[s] |= out.detects[j][s];
    }
    bool board = true;
    for (int g = 0; g < G; ++g) {
      bool piece = true;
      for (int q = 0; q < Q; ++q) {
        const int s = g * Q + q;
        const bool right = (predicted[s] != 0) == (t[s] != 0);
        squares_right += right;
        piece = piece && right;
      }
      pieces_right[g] += piece;
      board = board && piece;
    }
    boards_right += board;
  }
  out.reconstructed = static_cast<double>(boards_right) / held;
  for (int g = 0; g < G; ++g) out.piece_accuracy[g] = static_cast<double>(pieces_right[g]) / held;
  out.square_accuracy = static_cast<double>(squares_right) / (static_cast<double>(held) * S);
  return Status::success();
}

}  // namespace saerl
