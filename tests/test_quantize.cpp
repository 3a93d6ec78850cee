#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/analysis/gptq.hpp"
#include "core/base/rng.hpp"
#include "examples/quantized_policy.hpp"
#include "tests/gradcheck.hpp"

using namespace saerl;

using saerl_test::random_fill;

TEST_CASE("quantize_value rounds half away from zero and clamps to [-127, 127]") {
  CHECK(quantize_value(2.5f, 1.0f) == 3);
  CHECK(quantize_value(-2.5f, 1.0f) == -3);
  CHECK(quantize_value(2.49f, 1.0f) == 2);
  CHECK(quantize_value(1000.0f, 1.0f) == 127);
  CHECK(quantize_value(-1000.0f, 1.0f) == -127);
  CHECK(quantize_value(0.3f, 10.0f) == 3);
}

TEST_CASE("quantize_rows: each output's largest weight maps to +-127 and the rest within half a step") {
  Rng rng(3);
  constexpr int in = 17, out = 5;
  float W[in * out];
  random_fill(W, in * out, rng);
  int8_t q[out * in];
  float scale[out];
  quantize_rows(W, in, out, q, scale);
  for (int o = 0; o < out; ++o) {
    int peak = 0;
    for (int i = 0; i < in; ++i) {
      const int v = q[o * in + i] < 0 ? -q[o * in + i] : q[o * in + i];
      peak = v > peak ? v : peak;
      CHECK(std::fabs(q[o * in + i] * scale[o] - W[i * out + o]) <= 0.5f * scale[o] * 1.0001f);
    }
    CHECK(peak == 127);
  }
}

TEST_CASE("qdense_forward stays within the rounding bound of the float layer") {
  Rng rng(5);
  constexpr int in = 33, out = 7;
  float W[in * out], b[out], x[in], y[out], yq[out], scale[out];
  int8_t q[out * in];
  int16_t qx[in];
  random_fill(W, in * out, rng, 0.3f);
  random_fill(b, out, rng);
  for (int signed_input = 0; signed_input < 2; ++signed_input) {
    CAPTURE(signed_input);
    for (int i = 0; i < in; ++i) x[i] = signed_input ? float(rng.normal()) : float(rng.uniform());
    dense_forward(x, W, b, y, 1, in, out);
    quantize_rows(W, in, out, q, scale);
    qdense_forward(x, q, scale, b, yq, in, out, qx);
    float xmax = 0;
    for (float v : x) xmax = std::fabs(v) > xmax ? std::fabs(v) : xmax;
    const float sx = signed_input ? xmax / 127 : xmax / 255;
    for (int o = 0; o < out; ++o) {
      // |x.w - (qx sx).(qw s)| <= sum_i |x_i| s/2 + |w_i| sx/2 + s sx/4
      double bound = 0;
      for (int i = 0; i < in; ++i) bound += std::fabs(x[i]) * scale[o] / 2 + std::fabs(W[i * out + o]) * sx / 2 + scale[o] * sx / 4;
      CHECK(std::fabs(yq[o] - y[o]) <= bound * 1.001 + 1e-6);
      CHECK(std::fabs(yq[o] - y[o]) > 0);  // it is an approximation, not a copy of the float path
    }
  }
}

TEST_CASE("qmlp_forward approximates mlp_forward and fills the hidden layers") {
  using Net = Mlp<float, 10, 16, 12, 4>;
  auto net = std::make_unique<Net>();
  Rng rng(8);
  net->init(rng);
  auto q = std::make_unique<QuantizedMlp<10, 16, 12, 4>>();
  quantize_mlp(*net, *q);
  MlpActivations<Net, 1> a, qa;
  float x[10];
  for (int trial = 0; trial < 20; ++trial) {
    random_fill(x, 10, rng);
    const float* y = mlp_forward(*net, x, 1, a);
    const float* yq = qmlp_forward(*q, x, qa);
    for (int o = 0; o < 4; ++o) CHECK(yq[o] == doctest::Approx(y[o]).epsilon(0.05).scale(1.0));
    for (int j = 0; j < 12; ++j) CHECK(qa.post(1)[j] == doctest::Approx(a.post(1)[j]).epsilon(0.05).scale(1.0));
  }
}

TEST_CASE("GPTQ: H^{-1} = U^T U for the factor it uses") {
  constexpr int n = 6;
  Rng rng(2);
  std::vector<double> A(n * n), H(n * n, 0.0), U;
  for (auto& v : A) v = rng.normal();
  for (int i = 0; i < n; ++i)  // H = A A^T + I: symmetric positive definite
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < n; ++k) H[i * n + j] += A[i * n + k] * A[j * n + k];
      H[i * n + j] += i == j;
    }
  REQUIRE(detail::inverse_upper_factor(H, n, U));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < i; ++j) CHECK(U[i * n + j] == 0.0);
  // (U^T U) H = I
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < n; ++k) {
        double hinv_ik = 0;
        for (int m = 0; m < n; ++m) hinv_ik += U[m * n + i] * U[m * n + k];
        s += hinv_ik * H[k * n + j];
      }
      CHECK(s == doctest::Approx(i == j ? 1.0 : 0.0).scale(1.0).epsilon(1e-9));
    }
}

TEST_CASE("GPTQ rounding moves a layer's outputs on its calibration inputs less than plain rounding") {
  constexpr int in = 24, out = 6, n = 400;
  Rng rng(11);
  std::vector<float> W(in * out), b(out), X(n * in), basis(in * 4);
  random_fill(W.data(), in * out, rng, 0.5f);
  random_fill(b.data(), out, rng);
  random_fill(basis.data(), in * 4, rng);
  for (int r = 0; r < n; ++r) {  // correlated inputs: 4 latent factors, plus a little noise
    float z[4];
    random_fill(z, 4, rng);
    for (int i = 0; i < in; ++i) {
      float s = 0.05f * float(rng.normal());
      for (int f = 0; f < 4; ++f) s += z[f] * basis[f * in + i];
      X[r * in + i] = s;
    }
  }
  std::vector<int8_t> q0(out * in), q1(out * in);
  std::vector<float> s0(out), s1(out), b1(out);
  quantize_rows(W.data(), in, out, q0.data(), s0.data());
  quantize_rows_calibrated(W.data(), b.data(), in, out, X.data(), n, q1.data(), s1.data(), b1.data());
  double plain = 0, calibrated = 0;
  for (int r = 0; r < n; ++r)
    for (int o = 0; o < out; ++o) {
      double y = b[o], y0 = b[o], y1 = b1[o];
      for (int i = 0; i < in; ++i) {
        const double x = X[r * in + i];
        y += x * W[i * out + o];
        y0 += x * q0[o * in + i] * s0[o];
        y1 += x * q1[o * in + i] * s1[o];
      }
      plain += (y0 - y) * (y0 - y);
      calibrated += (y1 - y) * (y1 - y);
    }
  CHECK(calibrated < 0.5 * plain);
}

TEST_CASE("tune_output_rounding gains exactly the agreements it reports, and never loses any") {
  using Net = Mlp<float, 12, 16, 6>;
  auto net = std::make_unique<Net>();
  auto q = std::make_unique<QuantizedMlp<12, 16, 6>>();
  Rng rng(21);
  net->init(rng);
  constexpr int n = 300;
  std::vector<float> X(n * 12);
  random_fill(X.data(), n * 12, rng);
  quantize_mlp(*net, *q);
  auto agreements = [&] {
    MlpActivations<Net, 1> a, qa;
    int same = 0;
    for (int r = 0; r < n; ++r)
      same += argmax(mlp_forward(*net, X.data() + r * 12, 1, a), 6) == argmax(qmlp_forward(*q, X.data() + r * 12, qa), 6);
    return same;
  };
  const int before = agreements();
  const int gained = tune_output_rounding(*net, X.data(), n, *q);
  CHECK(gained >= 0);
  CHECK(agreements() == before + gained);
}
