#include <doctest/doctest.h>

#include <cmath>

#include "core/matmul.hpp"
#include "tests/gradcheck.hpp"

namespace {

// The largest |fast - reference| relative to the magnitude of the terms summed.
template <class T>
double max_error(const T* a, const T* b, int n) {
  double worst = 0;
  for (int i = 0; i < n; ++i) worst = std::fmax(worst, std::fabs(double(a[i]) - double(b[i])));
  return worst;
}

template <class T>
void check_all_kernels(int m, int n, int k, bool accumulate, double tolerance) {
  saerl::Rng rng{uint64_t(m * 10007 + n * 101 + k)};
  static T A[64 * 80], B[80 * 64], C0[64 * 64], C1[64 * 64];
  saerl_test::random_fill(A, m * k, rng);
  saerl_test::random_fill(B, k * n, rng);
  CAPTURE(m);
  CAPTURE(n);
  CAPTURE(k);
  CAPTURE(accumulate);
  const double bound = tolerance * (k + 1);

  saerl_test::random_fill(C0, m * n, rng);
  saerl::copy(C0, C1, m * n);
  saerl::matmul_nn(A, B, C0, m, n, k, accumulate);
  saerl::matmul_nn_ref(A, B, C1, m, n, k, accumulate);
  CHECK(max_error(C0, C1, m * n) <= bound);

  // A read as (k x m) for A^T * B
  saerl::copy(C0, C1, m * n);
  saerl::matmul_tn(A, B, C0, m, n, k, accumulate);
  saerl::matmul_tn_ref(A, B, C1, m, n, k, accumulate);
  CHECK(max_error(C0, C1, m * n) <= bound);

  // B read as (n x k) for A * B^T
  saerl::copy(C0, C1, m * n);
  saerl::matmul_nt(A, B, C0, m, n, k, accumulate);
  saerl::matmul_nt_ref(A, B, C1, m, n, k, accumulate);
  CHECK(max_error(C0, C1, m * n) <= bound);
}

}  // namespace

TEST_CASE("blocked kernels equal the reference loops, including sizes off the block") {
  const int sizes[] = {1, 3, 4, 5, 15, 16, 17, 33, 64};
  for (int m : sizes)
    for (int n : sizes)
      for (int k : {1, 3, 17, 64, 80}) {
        if (m > 64 || n > 64) continue;
        check_all_kernels<float>(m, n, k, false, 1e-6);
        check_all_kernels<double>(m, n, k, true, 1e-14);
      }
}

TEST_CASE("the reference product of known matrices is exact") {
  // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]
  const double A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8};
  double C[4];
  saerl::matmul_nn_ref(A, B, C, 2, 2, 2);
  CHECK(C[0] == 19);
  CHECK(C[1] == 22);
  CHECK(C[2] == 43);
  CHECK(C[3] == 50);
  saerl::matmul_nn(A, B, C, 2, 2, 2);
  CHECK(C[3] == 50);
}

TEST_CASE("matvec and vecmat agree with the matrix products they stand for") {
  const float A[6] = {1, 2, 3, 4, 5, 6};  // 2 x 3
  const float x3[3] = {1, 0, -1}, x2[2] = {1, 2};
  float y[3];
  saerl::matvec(A, x3, y, 2, 3);  // A x: (1-3, 4-6)
  CHECK(y[0] == -2.0f);
  CHECK(y[1] == -2.0f);
  saerl::vecmat(x2, A, y, 2, 3);  // x A: (1+8, 2+10, 3+12)
  CHECK(y[0] == 9.0f);
  CHECK(y[1] == 12.0f);
  CHECK(y[2] == 15.0f);
}
