// saerl/core/analysis/quantize.hpp — int8 post-training quantization of dense layers and MLPs, for
// inference on small targets: a quarter of the weight bytes, integer multiply-adds.
//
//   static saerl::QuantizedMlp<75, 64, 64, 24> q;         // or a const one, in flash
//   saerl::quantize_mlp(net, q);                           // from a trained Mlp<float, ...>
//   saerl::MlpActivations<saerl::Mlp<float, 75, 64, 64, 24>, 1> acts;
//   const float* qvalues = saerl::qmlp_forward(q, x, acts);   // acts.pre(l) as in mlp_forward
//
// Weights: symmetric int8 with one scale per output unit (a row of W^T), stored (out, in) so
// each output is one contiguous dot product:
//   s_o = max_i |W_io| / 127,   q_io = round(W_io / s_o)  in [-127, 127].
// Inputs are quantized to 8 bits on the fly, one scale for the whole vector: unsigned
// [0, 255] when no input is negative (after a ReLU, twice the resolution), else symmetric:
//   s_x = max_i |x_i| / 255 (or / 127),   qx_i = round(x_i / s_x),
// and the products are summed in int32 (at most in * 255 * 127 < 2^31 per output):
//   y_o = b_o + (s_x s_o) sum_i qx_i q_io.
// Biases stay float. Everything is plain integer and float arithmetic in a fixed order, so a
// host and a microcontroller compute bit-identical outputs.
#pragma once
#include <cstdint>

#include "../nn/mlp.hpp"

namespace saerl {

// r rounded half away from zero, clamped to [lo, hi].
inline int round_clamped(float r, int lo, int hi) {
  const int q = int(r + (r >= 0.0f ? 0.5f : -0.5f));
  return q > hi ? hi : (q < lo ? lo : q);
}

// round(v / scale), half away from zero, clamped to [-127, 127].
inline int8_t quantize_value(float v, float inv_scale) { return int8_t(round_clamped(v * inv_scale, -127, 127)); }

// The symmetric scale of n values: max |v| / 127 (1 for an all-zero vector).
inline float symmetric_scale(const float* v, int n, int stride = 1) {
  float m = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float a = v[i * stride] < 0.0f ? -v[i * stride] : v[i * stride];
    m = a > m ? a : m;
  }
  return m > 0.0f ? m / 127.0f : 1.0f;
}

// W (in, out), input-major as in core/nn/dense.hpp, into q (out, in) with scale[out].
inline void quantize_rows(const float* W, int in, int out, int8_t* q, float* scale) {
  for (int o = 0; o < out; ++o) {
    scale[o] = symmetric_scale(W + o, in, out);
    const float inv = 1.0f / scale[o];
    for (int i = 0; i < in; ++i) q[o * in + i] = quantize_value(W[i * out + o], inv);
  }
}

// qx (in) = x quantized to 8 bits as described above (16-bit storage holds both ranges);
// returns the scale s_x.
inline float quantize_input(const float* x, int in, int16_t* qx) {
  float lo = 0.0f;
  for (int i = 0; i < in; ++i) lo = x[i] < lo ? x[i] : lo;
  const float sx = lo < 0.0f ? symmetric_scale(x, in) : symmetric_scale(x, in) * (127.0f / 255.0f);
  const float inv = 1.0f / sx;
  for (int i = 0; i < in; ++i) qx[i] = int16_t(round_clamped(x[i] * inv, -127, 255));
  return sx;
}

// y (out) = x W + b for one input x (in), W quantized by quantize_rows(); qx: scratch of `in`.
inline void qdense_forward(const float* x, const int8_t* q, const float* scale, const float* b, float* y,
                           int in, int out, int16_t* qx) {
  const float sx = quantize_input(x, in, qx);
  for (int o = 0; o < out; ++o) {
    const int8_t* row = q + o * in;
    int32_t acc = 0;
    for (int i = 0; i < in; ++i) acc += int32_t(qx[i]) * int32_t(row[i]);
    y[o] = b[o] + (sx * scale[o]) * float(acc);
  }
}

// An Mlp<float, S...> with int8 weights: W_l (out, in) one after another, then every layer's
// scales and biases (units of layer l start at Shape::unit_offset(l)).
template <int... S>
struct QuantizedMlp {
  using Shape = Mlp<float, S...>;
  static_assert(Shape::kMaxWidth <= 66000, "QuantizedMlp: wider than 66,000 inputs could overflow the int32 sums");
  static constexpr int weight_offset(int l) {
    int offset = 0;
    for (int i = 0; i < l; ++i) offset += Shape::kSizes[i] * Shape::kSizes[i + 1];
    return offset;
  }
  static constexpr int kWeights = weight_offset(Shape::kLayers);

  int8_t weights[kWeights];
  float scales[Shape::kUnits];
  float biases[Shape::kUnits];
};

namespace detail {
template <class Net>
struct QuantizedOf;
template <int... S>
struct QuantizedOf<Mlp<float, S...>> {
  using type = QuantizedMlp<S...>;
};
}  // namespace detail

// QuantizedMlpOf<Mlp<float, S...>> is QuantizedMlp<S...>.
template <class Net>
using QuantizedMlpOf = typename detail::QuantizedOf<Net>::type;

template <int... S>
void quantize_mlp(const Mlp<float, S...>& net, QuantizedMlp<S...>& q) {
  using Shape = Mlp<float, S...>;
  for (int l = 0; l < Shape::kLayers; ++l) {
    const int in = Shape::kSizes[l], out = Shape::kSizes[l + 1], u = Shape::unit_offset(l);
    quantize_rows(net.weight(l), in, out, q.weights + QuantizedMlp<S...>::weight_offset(l), q.scales + u);
    copy(net.bias(l), q.biases + u, out);
  }
}

// mlp_forward() of one input with the quantized network: fills acts.pre(l) and acts.post(l)
// and returns the output (kOut values).
template <int... S>
const float* qmlp_forward(const QuantizedMlp<S...>& q, const float* x, MlpActivations<Mlp<float, S...>, 1>& acts) {
  using Shape = Mlp<float, S...>;
  int16_t qx[Shape::kMaxWidth];
  acts.batch = 1;
  acts.input = x;
  const float* a = x;
  for (int l = 0; l < Shape::kLayers; ++l) {
    const int in = Shape::kSizes[l], out = Shape::kSizes[l + 1], u = Shape::unit_offset(l);
    qdense_forward(a, q.weights + QuantizedMlp<S...>::weight_offset(l), q.scales + u, q.biases + u, acts.pre(l),
                   in, out, qx);
    if (l + 1 < Shape::kLayers) {
      relu_forward(acts.pre(l), acts.post(l), out);
      a = acts.post(l);
    }
  }
  return acts.output();
}

}  // namespace saerl
