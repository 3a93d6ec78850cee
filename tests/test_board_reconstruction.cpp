// Tests for sae/board_reconstruction.hpp on hand-built codes over a 2x2 board (G = 3 pieces,
// Q = 4 squares, S = 12 piece-squares), where every count and fraction is known in advance.
//
// Row i places piece 0 on square i % 4, piece 1 on (i / 4) % 4, piece 2 on (i / 16) % 4: the
// 64 combinations, twice. Rows [0, 64) train, rows [64, 128) are held out, so each
// piece-square holds on 16 training rows and on 16 held-out rows.
#include <cstdint>
#include <memory>
#include <vector>

#include <doctest/doctest.h>

#include "sae/board_reconstruction.hpp"

using namespace saerl;

namespace {

constexpr int G = 3, Q = 4, S = G * Q, kCount = 128, kTrain = 64;

int square_of(int row, int piece) {
  const int c = row % 64;
  return piece == 0 ? c % 4 : piece == 1 ? (c / 4) % 4 : (c / 16) % 4;
}
bool holds(int row, int s) { return square_of(row, s / Q) == s % Q; }

std::vector<uint8_t> make_truth() {
  std::vector<uint8_t> t(kCount * S);
  for (int i = 0; i < kCount; ++i)
    for (int s = 0; s < S; ++s) t[i * S + s] = holds(i, s);
  return t;
}

// M = S features, feature s = 1 exactly when piece-square s holds (a perfect dictionary).
template <int M>
std::vector<float> perfect_codes() {
  std::vector<float> f(kCount * M, 0.0f);
  for (int i = 0; i < kCount; ++i)
    for (int s = 0; s < S; ++s) f[i * M + s] = holds(i, s) ? 1.0f : 0.0f;
  return f;
}

using Recon = BoardReconstruction<S, S>;

}  // namespace

TEST_CASE("features that fire exactly on their piece-square reconstruct every held-out board") {
  const auto truth = make_truth();
  const auto codes = perfect_codes<S>();
  auto r = std::make_unique<Recon>();
  REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, BoardReconstructionOptions(), *r).ok());
  CHECK(r->train_inputs == 64);
  CHECK(r->heldout_inputs == 64);
  CHECK(r->reconstructed == 1.0);
  for (int g = 0; g < G; ++g) CHECK(r->piece_accuracy[g] == 1.0);
  CHECK(r->square_accuracy == 1.0);
  CHECK(r->detector_pairs == S);
  CHECK(r->features_used == S);
  CHECK(r->squares_covered == S);
  for (int s = 0; s < S; ++s) {
    CHECK(r->fired[s] == 16);
    CHECK(r->detects[s][s] == 1);
    CHECK(r->precision_of(s, s) == 1.0);
  }
  CHECK(r->precision_of(0, 1) == 0.0);    // same piece, another square: never together
  CHECK(r->precision_of(0, 4) == 0.25);   // another piece: a quarter of the time
}

TEST_CASE("codes with no informative feature reconstruct no board") {
  const auto truth = make_truth();
  SUBCASE("all zero: nothing fires") {
    const std::vector<float> codes(kCount * S, 0.0f);
    auto r = std::make_unique<Recon>();
    REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, BoardReconstructionOptions(), *r).ok());
    CHECK(r->detector_pairs == 0);
    CHECK(r->reconstructed == 0.0);
    for (int g = 0; g < G; ++g) CHECK(r->piece_accuracy[g] == 0.0);
    CHECK(r->square_accuracy == doctest::Approx(9.0 / 12.0));  // the 9 false piece-squares are right
  }
  SUBCASE("all one: every feature fires everywhere, precision 1/4 at best") {
    const std::vector<float> codes(kCount * S, 1.0f);
    auto r = std::make_unique<Recon>();
    REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, BoardReconstructionOptions(), *r).ok());
    CHECK(r->precision_of(3, 7) == 0.25);
    CHECK(r->detector_pairs == 0);
    CHECK(r->reconstructed == 0.0);
  }
}

TEST_CASE("a detector below the precision bar is ignored") {
  // Feature 0 fires on the 16 training rows with piece-square 0, plus training row 1 (piece 0
  // on square 1) and held-out row 65 likewise: precision 16/17 = 0.941 on the training rows.
  const auto truth = make_truth();
  auto codes = perfect_codes<S>();
  codes[1 * S + 0] = 1.0f;
  codes[65 * S + 0] = 1.0f;
  auto r = std::make_unique<Recon>();
  BoardReconstructionOptions opt;
  REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
  CHECK(r->fired[0] == 17);
  CHECK(r->true_positives[0][0] == 16);
  CHECK(r->precision_of(0, 0) == doctest::Approx(16.0 / 17.0));
  CHECK(r->detects[0][0] == 0);
  CHECK(r->squares_covered == S - 1);
  // The 16 held-out boards with piece 0 on square 0 lose that piece; the other 48 are right.
  CHECK(r->reconstructed == 0.75);
  CHECK(r->piece_accuracy[0] == 0.75);
  CHECK(r->piece_accuracy[1] == 1.0);
  CHECK(r->piece_accuracy[2] == 1.0);

  SUBCASE("lowering the bar to 0.94 admits it, and its false firing on row 65 costs that board") {
    opt.min_precision = 0.94;
    REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
    CHECK(r->detects[0][0] == 1);
    CHECK(r->reconstructed == 63.0 / 64.0);
  }
}

TEST_CASE("the firing threshold decides what counts as firing") {
  // Feature 0 is 1 when piece-square 0 holds and 0.5 otherwise: above 0 it fires everywhere.
  const auto truth = make_truth();
  auto codes = perfect_codes<S>();
  for (int i = 0; i < kCount; ++i)
    if (!holds(i, 0)) codes[i * S + 0] = 0.5f;
  auto r = std::make_unique<Recon>();
  BoardReconstructionOptions opt;
  REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
  CHECK(r->fired[0] == 64);
  CHECK(r->detects[0][0] == 0);
  CHECK(r->reconstructed == 0.75);

  SUBCASE("an absolute threshold of 0.6") {
    opt.threshold = 0.6;
    REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
    CHECK(r->fired[0] == 16);
    CHECK(r->detects[0][0] == 1);
    CHECK(r->reconstructed == 1.0);
  }
  SUBCASE("a relative threshold of 0.6 of each feature's maximum (1 here)") {
    opt.threshold = 0.6;
    opt.relative_threshold = true;
    REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
    CHECK(r->max_code[0] == 1.0);
    CHECK(r->cut[0] == 0.6);
    CHECK(r->reconstructed == 1.0);
  }
  SUBCASE("a threshold of 1 silences every feature") {
    opt.threshold = 1.0;
    REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
    CHECK(r->detector_pairs == 0);
    CHECK(r->reconstructed == 0.0);
  }
}

TEST_CASE("a detector must fire on at least min_fires training rows") {
  // Every perfect feature fires on 16 training rows.
  const auto truth = make_truth();
  const auto codes = perfect_codes<S>();
  auto r = std::make_unique<Recon>();
  BoardReconstructionOptions opt;
  opt.min_fires = 16;
  REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
  CHECK(r->detector_pairs == S);
  CHECK(r->reconstructed == 1.0);
  opt.min_fires = 17;
  REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).ok());
  CHECK(r->detector_pairs == 0);
  CHECK(r->reconstructed == 0.0);
}

TEST_CASE("extra features and redundant detectors: any firing detector predicts its square") {
  // M = 2S: features s and S + s both detect piece-square s; the second is silent on the
  // held-out rows, so the first alone must carry the prediction.
  constexpr int M = 2 * S;
  const auto truth = make_truth();
  auto codes = perfect_codes<M>();
  for (int i = 0; i < kTrain; ++i)
    for (int s = 0; s < S; ++s) codes[i * M + S + s] = codes[i * M + s] * 3.0f;
  auto r = std::make_unique<BoardReconstruction<M, S>>();
  REQUIRE(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, BoardReconstructionOptions(), *r).ok());
  CHECK(r->detector_pairs == 2 * S);
  CHECK(r->features_used == M);
  CHECK(r->detected_by_count[5] == 2);
  CHECK(r->reconstructed == 1.0);
}

TEST_CASE("bad board reconstruction arguments are refused with invalid_argument") {
  const auto truth = make_truth();
  const auto codes = perfect_codes<S>();
  auto r = std::make_unique<Recon>();
  BoardReconstructionOptions opt;
  CHECK(board_reconstruction(codes.data(), truth.data(), kCount, 0, opt, *r).code == StatusCode::invalid_argument);
  CHECK(board_reconstruction(codes.data(), truth.data(), kCount, kCount, opt, *r).code == StatusCode::invalid_argument);
  CHECK(board_reconstruction(static_cast<const float*>(nullptr), truth.data(), kCount, kTrain, opt, *r).code ==
        StatusCode::invalid_argument);
  opt.min_precision = 1.5;
  CHECK(board_reconstruction(codes.data(), truth.data(), kCount, kTrain, opt, *r).code == StatusCode::invalid_argument);
}
