// saerl/core/analysis/gptq.hpp — int8 rounding calibrated on example inputs (GPTQ, Frantar et al. 2022):
// the same int8 format as core/analysis/quantize.hpp, with the rounding errors compensated so that
// the layer's outputs on the calibration inputs move as little as possible.
//
//   std::vector<float> X = ...;                           // n example inputs (n, in)
//   saerl::quantize_rows_calibrated(W, b, in, out, X.data(), n, q, scale, b_corrected);
//   saerl::quantize_mlp_calibrated(net, X.data(), n, qnet);     // every layer of an Mlp
//
// For one output unit with weights w (in) and inputs x, the error of a rounding d = q s - w is
// E[(x . d)^2] = d^T H d with H = E[x x^T]. GPTQ rounds the weights one input at a time and
// spreads each rounding error over the weights not yet rounded, along the rows of the upper
// Cholesky factor U of H^{-1} (H^{-1} = U^T U):
//   q_i = round(w_i / s),  e = (w_i - q_i s) / U_ii,  w_j -= e U_ij  for j > i.
// Then the bias absorbs the mean of what is left (bias correction, Nagel et al. 2019):
//   b -= E[x] . d.
// H gets a small damping (1% of its mean diagonal) so that it is invertible when some inputs
// never vary (a one-hot square no piece stands on). Host-side work: it allocates.
#pragma once
#include <vector>

#include "cholesky.hpp"
#include "quantize.hpp"

namespace saerl {

namespace detail {

// U with H^{-1} = U^T U (U upper triangular), from H: H^{-1} = L^{-T} L^{-1} with H = L L^T,
// then the Cholesky factor of that.
inline bool inverse_upper_factor(std::vector<double> H, int n, std::vector<double>& U) {
  if (!cholesky_lower(H.data(), n, n)) return false;
  std::vector<double> Linv(size_t(n) * n, 0.0);  // L^{-1}, lower, by forward substitution
  for (int c = 0; c < n; ++c) {
    Linv[c * n + c] = 1.0 / H[c * n + c];
    for (int i = c + 1; i < n; ++i) {
      double s = 0.0;
      for (int k = c; k < i; ++k) s -= H[i * n + k] * Linv[k * n + c];
      Linv[i * n + c] = s / H[i * n + i];
    }
  }
  U.assign(size_t(n) * n, 0.0);  // first H^{-1} = Linv^T Linv
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) {
      double s = 0.0;
      for (int k = i; k < n; ++k) s += Linv[k * n + i] * Linv[k * n + j];
      U[i * n + j] = U[j * n + i] = s;
    }
  if (!cholesky_lower(U.data(), n, n)) return false;
  for (int i = 0; i < n; ++i)  // U = L^T
    for (int j = i + 1; j < n; ++j) U[i * n + j] = U[j * n + i], U[j * n + i] = 0.0;
  return true;
}

}  // namespace detail

// W (in, out) and b (out) as core/nn/dense.hpp stores them; X: n calibration inputs (n, in).
// Writes q (out, in), scale (out) and the corrected bias b_out (out), as quantize_rows()
// would but rounded by GPTQ. Falls back to plain rounding if H cannot be factored.
inline void quantize_rows_calibrated(const float* W, const float* b, int in, int out, const float* X, int n,
                                     int8_t* q, float* scale, float* b_out) {
  std::vector<double> H(size_t(in) * in, 0.0), mean(static_cast<size_t>(in), 0.0), U;
  for (int r = 0; r < n; ++r)
    for (int i = 0; i < in; ++i) {
      const double xi = X[size_t(r) * in + i];
      mean[i] += xi / n;
      if (xi != 0.0)
        for (int j = 0; j < in; ++j) H[size_t(i) * in + j] += xi * X[size_t(r) * in + j] / n;
    }
  double diag = 0.0;
  for (int i = 0; i < in; ++i) diag += H[size_t(i) * in + i] / in;
  for (int i = 0; i < in; ++i) H[size_t(i) * in + i] += 0.01 * (diag > 0.0 ? diag : 1.0);
  const bool factored = detail::inverse_upper_factor(H, in, U);

  std::vector<double> w(static_cast<size_t>(in));
  for (int o = 0; o < out; ++o) {
    scale[o] = symmetric_scale(W + o, in, out);
    const double s = scale[o];
    for (int i = 0; i < in; ++i) w[i] = W[size_t(i) * out + o];
    double shift = 0.0;  // E[x] . d
    for (int i = 0; i < in; ++i) {
      const int8_t qi = quantize_value(float(w[i]), float(1.0 / s));
      q[size_t(o) * in + i] = qi;
      const double err = w[i] - qi * s;
      if (factored) {
        const double e = err / U[size_t(i) * in + i];
        for (int j = i + 1; j < in; ++j) w[j] -= e * U[size_t(i) * in + j];
      }
      shift += mean[i] * (qi * s - double(W[size_t(i) * out + o]));
    }
    b_out[o] = float(b[o] - shift);
  }
}

// quantize_mlp() with each layer rounded by GPTQ on its inputs in the float network, for the
// n calibration inputs X (n, kIn).
template <int... S>
void quantize_mlp_calibrated(const Mlp<float, S...>& net, const float* X, int n, QuantizedMlp<S...>& q) {
  using Net = Mlp<float, S...>;
  static MlpActivations<Net, 1> acts;  // static: a large network's activations stay off the stack
  // one forward pass per input keeps every hidden layer's output: the inputs of layers 1..L-1
  std::vector<std::vector<float>> hidden(Net::kLayers);
  for (int l = 1; l < Net::kLayers; ++l) hidden[l].resize(size_t(n) * Net::kSizes[l]);
  for (int r = 0; r < n; ++r) {
    mlp_forward(net, X + size_t(r) * Net::kIn, 1, acts);
    for (int l = 1; l < Net::kLayers; ++l)
      copy(acts.post(l - 1), hidden[l].data() + size_t(r) * Net::kSizes[l], Net::kSizes[l]);
  }
  for (int l = 0; l < Net::kLayers; ++l) {
    const int in = Net::kSizes[l], out = Net::kSizes[l + 1], u = Net::unit_offset(l);
    quantize_rows_calibrated(net.weight(l), net.bias(l), in, out, l == 0 ? X : hidden[l].data(), n,
                             q.weights + QuantizedMlp<S...>::weight_offset(l), q.scales + u, q.biases + u);
  }
}

}  // namespace saerl
