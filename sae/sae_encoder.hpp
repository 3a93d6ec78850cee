// saerl/sae/sae_encoder.hpp — the encoder half of a trained SAE, for inference only: what a
// microcontroller needs to say which features are active, at half the size of the whole SAE.
//
//   static saerl::SaeEncoder<float, 64, 256> enc;          // or a const one, in flash
//   saerl::encoder_of(sae, enc);                           // from a trained Sae<float, 64, 256>
//   float f[256], work[enc.kWork];
//   saerl::sae_encode(enc, x, f, work);                    // f: the codes of one input x (64)
//
// It computes exactly what sae_forward() computes at inference (training = false): codes
// f = sigma((x - b_dec) W_enc + b_enc), with JumpReLU's thresholds stored as theta_j itself
// (not its logarithm) so that no exp() is needed on the target. No heap, no libm.
#pragma once
#include <cmath>

#include "../core/analysis/gptq.hpp"
#include "sae.hpp"

namespace saerl {

template <class T, int D, int M>
struct SaeEncoder {
  static_assert(D > 0 && M > 0, "SaeEncoder: the input width D and the dictionary width M must be positive");
  using Scalar = T;
  static constexpr int kIn = D, kFeatures = M;
  static constexpr int kWork = D > M ? D : M;  // scratch values sae_encode() needs

  T w_enc[D * M];     // (D, M), as in Sae
  T b_enc[M];
  T b_dec[D];         // subtracted from the input before encoding
  T threshold[M];     // JumpReLU: theta_j = exp(log_threshold_j)
  T batch_threshold;  // BatchTopK's inference threshold
  SaeVariant variant;
  int k;              // TopK: features kept per input
};

// Copies the encoder's parameters out of a trained SAE.
template <class T, int D, int M>
void encoder_of(const Sae<T, D, M>& sae, SaeEncoder<T, D, M>& enc) {
  copy(sae.w_enc(), enc.w_enc, D * M);
  copy(sae.b_enc(), enc.b_enc, M);
  copy(sae.b_dec(), enc.b_dec, D);
  for (int j = 0; j < M; ++j) enc.threshold[j] = T(std::exp(sae.log_threshold()[j]));
  enc.batch_threshold = sae.batch_threshold();
  enc.variant = sae.variant;
  enc.k = sae.k;
}

// The same encoder with int8 weights (core/analysis/quantize.hpp): W_enc^T (M, D) with a scale per
// feature; the centred input is quantized on the fly.
template <int D, int M>
struct QuantizedSaeEncoder {
  static constexpr int kIn = D, kFeatures = M;
  static constexpr int kWork = D > M ? D : M;

  int8_t w_enc[M * D];  // (M, D): feature j's encoder row is contiguous
  float scale[M];
  float b_enc[M];
  float b_dec[D];
  float threshold[M];
  float batch_threshold;
  SaeVariant variant;
  int k;
};

template <int D, int M>
void quantize_encoder(const SaeEncoder<float, D, M>& enc, QuantizedSaeEncoder<D, M>& q) {
  quantize_rows(enc.w_enc, D, M, q.w_enc, q.scale);
  copy(enc.b_enc, q.b_enc, M);
  copy(enc.b_dec, q.b_dec, D);
  copy(enc.threshold, q.threshold, M);
  q.batch_threshold = enc.batch_threshold;
  q.variant = enc.variant;
  q.k = enc.k;
}

// quantize_encoder() with the rounding calibrated by GPTQ (core/analysis/gptq.hpp) on n example
// inputs X (n, D).
template <int D, int M>
void quantize_encoder_calibrated(const SaeEncoder<float, D, M>& enc, const float* X, int n, QuantizedSaeEncoder<D, M>& q) {
  quantize_encoder(enc, q);
  std::vector<float> centred(size_t(n) * D);
  for (int r = 0; r < n; ++r)
    for (int d = 0; d < D; ++d) centred[size_t(r) * D + d] = X[size_t(r) * D + d] - enc.b_dec[d];
  quantize_rows_calibrated(enc.w_enc, enc.b_enc, D, M, centred.data(), n, q.w_enc, q.scale, q.b_enc);
}

// f (M) = the codes of one input x (D); work holds kWork = max(D, M) values: the centred
// input, then TopK's selection.
template <class T, int D, int M>
void sae_encode(const SaeEncoder<T, D, M>& enc, const T* x, T* f, T* work) {
  for (int d = 0; d < D; ++d) work[d] = x[d] - enc.b_dec[d];
  dense_forward(work, enc.w_enc, enc.b_enc, f, 1, D, M);  // f holds z until the selection
  const T* theta = enc.threshold;
  detail::select_features(enc.variant, enc.k, f, f, 1, M, [theta](int j) { return theta[j]; },
                          enc.batch_threshold, work);
}

// The same with the quantized encoder.
template <int D, int M>
void sae_encode(const QuantizedSaeEncoder<D, M>& enc, const float* x, float* f, float* work) {
  int16_t qx[D];
  for (int d = 0; d < D; ++d) work[d] = x[d] - enc.b_dec[d];
  qdense_forward(work, enc.w_enc, enc.scale, enc.b_enc, f, D, M, qx);
  const float* theta = enc.threshold;
  detail::select_features(enc.variant, enc.k, f, f, 1, M, [theta](int j) { return theta[j]; },
                          enc.batch_threshold, work);
}

}  // namespace saerl
