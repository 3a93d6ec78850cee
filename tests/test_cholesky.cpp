#include <doctest/doctest.h>

#include <cmath>

#include "core/analysis/cholesky.hpp"
#include "core/base/rng.hpp"
#include "gradcheck.hpp"

namespace {
constexpr int kN = 6, kStride = 8;  // a stride wider than n, as matching pursuit's Gram matrix

// A = B B^T + n I: symmetric positive definite, stored with row stride kStride.
void random_spd(double* A, uint64_t seed) {
  saerl::Rng rng(seed);
  double B[kN * kN];
  saerl_test::random_fill(B, kN * kN, rng);
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      double s = i == j ? kN : 0.0;
      for (int k = 0; k < kN; ++k) s += B[i * kN + k] * B[j * kN + k];
      A[i * kStride + j] = s;
    }
}
}  // namespace

TEST_CASE("cholesky_lower gives a lower-triangular L with positive diagonal and L L^T = A") {
  double A[kN * kStride] = {}, L[kN * kStride];
  random_spd(A, 3);
  for (int i = 0; i < kN * kStride; ++i) L[i] = A[i];
  REQUIRE(saerl::cholesky_lower(L, kN, kStride));
  for (int i = 0; i < kN; ++i) {
    CHECK(L[i * kStride + i] > 0);
    for (int j = i + 1; j < kN; ++j) CHECK(L[i * kStride + j] == 0);
  }
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      double s = 0;
      for (int k = 0; k < kN; ++k) s += L[i * kStride + k] * L[j * kStride + k];
      CHECK(s == doctest::Approx(A[i * kStride + j]).epsilon(1e-12));
    }
}

TEST_CASE("cholesky_solve returns x with A x = b, also when x is b") {
  double A[kN * kStride] = {}, L[kN * kStride], b[kN], x[kN];
  random_spd(A, 4);
  for (int i = 0; i < kN * kStride; ++i) L[i] = A[i];
  REQUIRE(saerl::cholesky_lower(L, kN, kStride));
  saerl::Rng rng(5);
  saerl_test::random_fill(b, kN, rng);
  saerl::cholesky_solve(L, kN, kStride, b, x);
  for (int i = 0; i < kN; ++i) {
    double s = 0;
    for (int j = 0; j < kN; ++j) s += A[i * kStride + j] * x[j];
    CHECK(s == doctest::Approx(b[i]).epsilon(1e-12));
  }
  saerl::cholesky_solve(L, kN, kStride, b, b);
  for (int i = 0; i < kN; ++i) CHECK(b[i] == x[i]);
}

TEST_CASE("cholesky_lower refuses a matrix that is not positive definite") {
  double indefinite[2 * 2] = {1, 2, 2, 1};  // eigenvalues 3 and -1
  CHECK_FALSE(saerl::cholesky_lower(indefinite, 2, 2));
  float singular[2 * 2] = {1, 1, 1, 1};  // rank 1: the second pivot is 0
  CHECK_FALSE(saerl::cholesky_lower(singular, 2, 2));
  float nan_entry[1] = {std::nanf("")};
  CHECK_FALSE(saerl::cholesky_lower(nan_entry, 1, 1));
}
