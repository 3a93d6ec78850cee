#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/math/matmul.hpp"
#include "tests/gradcheck.hpp"

namespace {

// The largest |fast - reference| relative to the magnitude of the terms summed.
template <class T>
double max_error(const T* a, const T* b, int n) {
  double worst = 0;
  for (int i = 0; i < n; ++i) worst = std::fmax(worst, std::fabs(double(a[i]) - double(b[i])));
  return worst;
}

// Every fast kernel against its reference loop on random A (m x k, also read as k x m) and B
// (k x n, also read as n x k). A fraction `zeros` of A's entries is set to zero: above 7/8
// matmul_nn and matmul_tn take the row path, which skips them.
template <class T>
void check_all_kernels(int m, int n, int k, bool accumulate, double tolerance, double zeros = 0) {
  saerl::Rng rng{uint64_t(m * 10007 + n * 101 + k)};
  std::vector<T> A(size_t(m) * k), B(size_t(k) * n), C0(size_t(m) * n), C1(size_t(m) * n);
  saerl_test::random_fill(A.data(), m * k, rng);
  for (T& a : A)
    if (rng.uniform() < zeros) a = T(0);
  saerl_test::random_fill(B.data(), k * n, rng);
  CAPTURE(m);
  CAPTURE(n);
  CAPTURE(k);
  CAPTURE(accumulate);
  CAPTURE(zeros);
  const double bound = tolerance * (k + 1);

  saerl_test::random_fill(C0.data(), m * n, rng);
  C1 = C0;
  saerl::matmul_nn(A.data(), B.data(), C0.data(), m, n, k, accumulate);
  saerl::matmul_nn_ref(A.data(), B.data(), C1.data(), m, n, k, accumulate);
  CHECK(max_error(C0.data(), C1.data(), m * n) <= bound);

  // A read as (k x m) for A^T * B
  C1 = C0;
  saerl::matmul_tn(A.data(), B.data(), C0.data(), m, n, k, accumulate);
  saerl::matmul_tn_ref(A.data(), B.data(), C1.data(), m, n, k, accumulate);
  CHECK(max_error(C0.data(), C1.data(), m * n) <= bound);

  // B read as (n x k) for A * B^T
  C1 = C0;
  saerl::matmul_nt(A.data(), B.data(), C0.data(), m, n, k, accumulate);
  saerl::matmul_nt_ref(A.data(), B.data(), C1.data(), m, n, k, accumulate);
  CHECK(max_error(C0.data(), C1.data(), m * n) <= bound);
}

}  // namespace

TEST_CASE("blocked kernels equal the reference loops, including sizes off the block") {
  const int sizes[] = {1, 3, 4, 5, 15, 16, 17, 33, 64};
  for (int m : sizes)
    for (int n : sizes)
      for (int k : {1, 3, 17, 64, 80}) {
        check_all_kernels<float>(m, n, k, false, 1e-6);
        check_all_kernels<double>(m, n, k, true, 1e-14);
      }
}

TEST_CASE("the kernels equal the reference loops on every edge of their blocks") {
  using saerl::detail::kKc;
  using saerl::detail::kMR;
  using saerl::detail::kNV;
  using saerl::detail::kRowNV;
  const int w = saerl::detail::lanes<float>();
  // register blocks of kMR rows and kNV vectors, slices of kKc, the row path's kRowNV vectors
  const int ms[] = {1, kMR - 1, kMR, kMR + 1, 2 * kMR + 1, 80, 200};
  const int ns[] = {1, w - 1, w, w + 1, kNV * w - 1, kNV * w, kNV * w + 1, 2 * kNV * w + 3, 200, (kRowNV - 1) * w + 1,
                    kRowNV * w + w + 1};
  const int ks[] = {1, 5, kKc - 1, kKc, kKc + 1, 2 * kKc + 3};
  for (int m : ms)
    for (int n : ns)
      for (int k : ks) {
        check_all_kernels<float>(m, n, k, m % 2 == 0, 1e-6);
        check_all_kernels<float>(m, n, k, true, 1e-6, 0.95);  // mostly zeros: the row path
      }
  for (int m : {3, kMR + 1, 33})
    for (int n : {5, kNV * saerl::detail::lanes<double>() + 1, 70})
      for (int k : {kKc - 1, kKc + 1}) {
        check_all_kernels<double>(m, n, k, false, 1e-14);
        check_all_kernels<double>(m, n, k, true, 1e-14, 0.95);
      }
}

TEST_CASE("a row of a batch gets the same floats as that row alone") {
  // every element is one running sum over k in order, whichever path and block computes it
  const int m = 37, n = 100, k = 150;
  saerl::Rng rng(7);
  std::vector<float> A(m * k), B(k * n), C(m * n), bias(n), row(n);
  saerl_test::random_fill(A.data(), m * k, rng);
  saerl_test::random_fill(B.data(), k * n, rng);
  saerl_test::random_fill(bias.data(), n, rng);
  for (int i = 0; i < m; ++i) saerl::copy(bias.data(), C.data() + i * n, n);
  saerl::matmul_nn(A.data(), B.data(), C.data(), m, n, k, /*accumulate=*/true);
  int differ = 0;
  for (int i = 0; i < m; ++i) {
    saerl::copy(bias.data(), row.data(), n);
    saerl::matmul_nn(A.data() + i * k, B.data(), row.data(), 1, n, k, /*accumulate=*/true);
    for (int j = 0; j < n; ++j) differ += row[j] != C[i * n + j];
  }
  CHECK(differ == 0);
}

TEST_CASE("matmul_nn_bias gives the floats of copying the bias into C, then accumulating") {
  using saerl::detail::kKc;
  using saerl::detail::kMR;
  const int w = saerl::detail::lanes<float>();
  saerl::Rng rng(11);
  for (int m : {1, kMR - 1, kMR + 1, 40})
    for (int n : {1, w + 3, 4 * w, 200})
      for (int k : {0, 5, kKc + 1})
        for (double zeros : {0.0, 0.95}) {  // the blocked path, and the row path
          CAPTURE(m);
          CAPTURE(n);
          CAPTURE(k);
          CAPTURE(zeros);
          std::vector<float> A(size_t(m) * k + 1), B(size_t(k) * n + 1), bias(n), C(m * n), D(m * n), R(m * n);
          saerl_test::random_fill(A.data(), m * k, rng);
          for (float& a : A)
            if (rng.uniform() < zeros) a = 0.0f;
          saerl_test::random_fill(B.data(), k * n, rng);
          saerl_test::random_fill(bias.data(), n, rng);
          saerl::matmul_nn_bias(A.data(), B.data(), bias.data(), C.data(), m, n, k);
          for (int i = 0; i < m; ++i) saerl::copy(bias.data(), D.data() + i * n, n);
          saerl::matmul_nn(A.data(), B.data(), D.data(), m, n, k, /*accumulate=*/true);
          CHECK(std::memcmp(C.data(), D.data(), sizeof(float) * C.size()) == 0);
          saerl::matmul_nn_bias_ref(A.data(), B.data(), bias.data(), R.data(), m, n, k);
          CHECK(max_error(C.data(), R.data(), m * n) <= 1e-6 * (k + 1));
        }
}

TEST_CASE("an empty shared dimension gives zeros, or leaves C as it was") {
  float A[1] = {1}, B[1] = {1}, C[6] = {1, 2, 3, 4, 5, 6};
  saerl::matmul_nt(A, B, C, 2, 3, 0, /*accumulate=*/true);
  CHECK(C[5] == 6.0f);
  saerl::matmul_nn(A, B, C, 2, 3, 0);
  saerl::matmul_tn(A, B, C + 3, 1, 3, 0);
  for (float c : C) CHECK(c == 0.0f);
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
