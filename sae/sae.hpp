// saerl/sae/sae.hpp — a sparse autoencoder over D-dimensional activation vectors with a
// dictionary of M features, in four variants, with its forward and backward passes.
//
//   using SaeT = saerl::Sae<float, 128, 512>;            // reads 128-d vectors, 512 features
//   auto sae = std::make_unique<SaeT>();                  // large: place it once
//   sae->init(saerl::SaeVariant::topk, 16, data_mean, rng);
//   auto work = std::make_unique<saerl::SaeBatch<SaeT, 256>>();
//   saerl::sae_forward(*sae, x, 256, *work, /*training=*/false);   // work->f: codes, work->x_hat
//
// Shapes (input-major, as core/dense.hpp): W_enc (D, M), b_enc (M), W_dec (M, D), b_dec (D).
// Row j of W_dec is feature j's direction in activation space, kept at unit norm.
//
//   xc    = x - b_dec                          (the decoder bias doubles as centring)
//   z     = xc W_enc + b_enc                   pre-activations, (B, M)
//   f     = sigma(z)                           codes, by variant:
//     relu       f = max(z, 0)                                  (the study's; L1 penalty)
//     topk       the k largest z of each row, if positive; the rest 0
//     batchtopk  training: the k*B largest positive z of the whole batch; inference:
//                f = z [z > theta], theta a running mean of the smallest kept value
//     jumprelu   f = z [z > theta_j], theta_j = exp(log_threshold_j), trained with a
//                straight-through estimator (Rajamanoharan et al. 2024)
//   x_hat = f W_dec + b_dec
//
// sae_backward() takes dL/dx_hat and dL/df (the sparsity penalty's part) and adds the
// parameter gradients. The code gradient passes only where f != 0 (the kept features);
// for JumpReLU the threshold gets the pseudo-gradient
//   dL/dtheta_j = sum_b dL/df_bj * (-(theta_j / eps) K((z_bj - theta_j) / eps))
// with K the rectangle kernel K(u) = [|u| < 1/2], and the L0 penalty's
//   dL0/dtheta_j = -(1 / eps) sum_b K((z_bj - theta_j) / eps);  d/dlog(theta) = theta d/dtheta.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../core/dense.hpp"
#include "../core/rng.hpp"

namespace saerl {

enum class SaeVariant : uint8_t { relu = 0, topk = 1, batchtopk = 2, jumprelu = 3 };

inline const char* sae_variant_name(SaeVariant v) {
  switch (v) {
    case SaeVariant::relu: return "relu";
    case SaeVariant::topk: return "topk";
    case SaeVariant::batchtopk: return "batchtopk";
    case SaeVariant::jumprelu: return "jumprelu";
  }
  return "unknown";
}

template <class T, int D, int M>
struct Sae {
  static_assert(D > 0 && M > 0, "Sae: the input width D and the dictionary width M must be positive");
  using Scalar = T;
  static constexpr int kIn = D, kFeatures = M;
  // One parameter block: W_enc | b_enc | W_dec | b_dec | log_threshold (JumpReLU) |
  // batch_threshold (BatchTopK at inference, a running mean, not trained by gradient).
  static constexpr int kParams = D * M + M + M * D + D + M + 1;

  T params[kParams];
  SaeVariant variant = SaeVariant::relu;
  int k = 0;  // features kept per input (topk, batchtopk)

  T* w_enc() { return params; }
  const T* w_enc() const { return params; }
  T* b_enc() { return params + D * M; }
  const T* b_enc() const { return params + D * M; }
  T* w_dec() { return params + D * M + M; }
  const T* w_dec() const { return params + D * M + M; }
  T* b_dec() { return params + 2 * D * M + M; }
  const T* b_dec() const { return params + 2 * D * M + M; }
  T* log_threshold() { return params + 2 * D * M + M + D; }
  const T* log_threshold() const { return params + 2 * D * M + M + D; }
  T& batch_threshold() { return params[kParams - 1]; }
  T batch_threshold() const { return params[kParams - 1]; }

  // Decoder rows: random directions of unit norm. Encoder: the decoder's transpose.
  // b_dec: the data mean (or zero when mean is null). Thresholds start at 0.001.
  void init(SaeVariant v, int features_kept, const T* mean, Rng& rng, T initial_threshold = T(0.001)) {
    variant = v;
    k = features_kept < 1 ? 1 : (features_kept > M ? M : features_kept);
    for (int i = 0; i < kParams; ++i) params[i] = T(0);
    for (int j = 0; j < M * D; ++j) w_dec()[j] = T(rng.normal());
    normalize_decoder();
    for (int j = 0; j < M; ++j)
      for (int d = 0; d < D; ++d) w_enc()[d * M + j] = w_dec()[j * D + d];
    if (mean) copy(mean, b_dec(), D);
    fill(log_threshold(), M, T(std::log(double(initial_threshold))));
    batch_threshold() = T(0);
  }

  // Every row of W_dec to unit L2 norm (a zero row is left alone).
  void normalize_decoder() {
    for (int j = 0; j < M; ++j) {
      T* w = w_dec() + j * D;
      T norm = std::sqrt(sum_squares(w, D));
      if (norm > T(0)) scale(w, D, T(1) / norm);
    }
  }

  // Removes from a gradient of W_dec its component along each (unit) row: g_j -= (g_j . w_j) w_j,
  // so that an optimizer step moves the rows along the unit sphere before renormalising.
  void remove_parallel_gradient(T* grad_w_dec) const {
    for (int j = 0; j < M; ++j) {
      const T* w = w_dec() + j * D;
      T* g = grad_w_dec + j * D;
      axpy(-dot(g, w, D), w, g, D);
    }
  }
};

// What one forward pass over up to B inputs keeps for the backward pass.
template <class SaeT, int B>
struct SaeBatch {
  using T = typename SaeT::Scalar;
  static constexpr int D = SaeT::kIn, M = SaeT::kFeatures, kBatch = B;
  int batch = 0;
  T xc[B * D];      // x - b_dec
  T z[B * M];       // pre-activations
  T f[B * M];       // codes
  T x_hat[B * D];   // reconstruction
  T df[B * M];      // backward scratch: dL/df, then dL/dz
  T dxc[B * D];     // backward scratch: dL/dxc
  T scratch[B * M]; // top-k selection
};

namespace detail {

// The value v such that exactly `keep` of values[0..n) are >= v counting ties in order:
// returns the keep-th largest (keep in 1..n). Reorders `work` (a copy of values).
template <class T>
T kth_largest(T* work, int n, int keep) {
  std::nth_element(work, work + (keep - 1), work + n, [](T a, T b) { return a > b; });
  return work[keep - 1];
}

// Keeps in f the entries of z (length n) that are among the `keep` largest and positive;
// ties at the cut are taken in index order, so exactly min(keep, #positive) survive.
template <class T>
void keep_top(const T* z, T* f, int n, int keep, T* work) {
  if (keep < 1) {  // nothing kept (an SAE used before init())
    fill(f, n, T(0));
    return;
  }
  if (keep > n) keep = n;
  copy(z, work, n);
  const T cut = kth_largest(work, n, keep);
  int above = 0;
  for (int i = 0; i < n; ++i) above += z[i] > cut;
  int ties = keep - above;  // how many entries equal to the cut may still be kept
  for (int i = 0; i < n; ++i) {
    bool kept = z[i] > cut || (z[i] == cut && ties-- > 0);
    f[i] = kept && z[i] > T(0) ? z[i] : T(0);
  }
}

// The inference-time sparsity rule of `variant`: f from the pre-activations z (rows x M).
// theta(j) gives JumpReLU's threshold of feature j, batch_theta is BatchTopK's; work holds M.
template <class T, class Theta>
void select_features(SaeVariant variant, int k, const T* z, T* f, int rows, int M, Theta theta,
                     T batch_theta, T* work) {
  const int n = rows * M;
  switch (variant) {
    case SaeVariant::relu:
      for (int i = 0; i < n; ++i) f[i] = z[i] > T(0) ? z[i] : T(0);
      break;
    case SaeVariant::topk:
      for (int b = 0; b < rows; ++b) keep_top(z + b * M, f + b * M, M, k, work);
      break;
    case SaeVariant::batchtopk:
      for (int i = 0; i < n; ++i) f[i] = z[i] > batch_theta && z[i] > T(0) ? z[i] : T(0);
      break;
    case SaeVariant::jumprelu:
      for (int j = 0; j < M; ++j) {
        const T t = theta(j);
        for (int b = 0; b < rows; ++b) f[b * M + j] = z[b * M + j] > t ? z[b * M + j] : T(0);
      }
      break;
  }
}

}  // namespace detail

// Encodes and decodes x (batch, D), batch <= B (a larger batch is cut to B). In training,
// BatchTopK selects over the batch and updates its inference threshold; otherwise it
// applies that threshold.
template <class SaeT, int B>
void sae_forward(SaeT& sae, const typename SaeT::Scalar* x, int batch, SaeBatch<SaeT, B>& w, bool training) {
  using T = typename SaeT::Scalar;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  if (batch > B) batch = B;
  w.batch = batch;
  for (int b = 0; b < batch; ++b)
    for (int d = 0; d < D; ++d) w.xc[b * D + d] = x[b * D + d] - sae.b_dec()[d];
  dense_forward(w.xc, sae.w_enc(), sae.b_enc(), w.z, batch, D, M);
  if (training && sae.variant == SaeVariant::batchtopk) {
    const int n = batch * M;
    detail::keep_top(w.z, w.f, n, sae.k * batch, w.scratch);
    // theta <- running mean of the smallest kept activation (Bussmann et al. 2024)
    T smallest = T(0);
    bool any = false;
    for (int i = 0; i < n; ++i)
      if (w.f[i] > T(0) && (!any || w.f[i] < smallest)) smallest = w.f[i], any = true;
    if (any) sae.batch_threshold() = sae.batch_threshold() == T(0) ? smallest
                                     : T(0.99) * sae.batch_threshold() + T(0.01) * smallest;
  } else {
    const T* log_theta = sae.log_threshold();
    detail::select_features(sae.variant, sae.k, w.z, w.f, batch, M, [log_theta](int j) { return std::exp(log_theta[j]); },
                            sae.batch_threshold(), w.scratch);
  }
  dense_forward(w.f, sae.w_dec(), sae.b_dec(), w.x_hat, batch, M, D);
}

// Backward from dL/dx_hat (batch, D) and the sparsity penalty's dL/df (batch, M; may be null),
// adding into grad's parameter block. jump_bandwidth (eps) and l0_coeff are for JumpReLU:
// the L0 penalty is l0_coeff * mean_b sum_j [z_bj > theta_j]. penalty_stride is the distance
// between the rows of d_f_penalty: M, or 0 when one row (M) serves every input (the L1
// penalty's gradient does not depend on the input).
template <class SaeT, int B>
void sae_backward(const SaeT& sae, SaeBatch<SaeT, B>& w, const typename SaeT::Scalar* d_x_hat,
                  const typename SaeT::Scalar* d_f_penalty, SaeT& grad,
                  typename SaeT::Scalar jump_bandwidth = 0, typename SaeT::Scalar l0_coeff = 0,
                  int penalty_stride = SaeT::kFeatures) {
  using T = typename SaeT::Scalar;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  const int batch = w.batch, n = batch * M;
  // decoder: dW_dec += f^T dx_hat, db_dec += sum dx_hat, df = dx_hat W_dec^T
  dense_backward(w.f, sae.w_dec(), d_x_hat, w.df, grad.w_dec(), grad.b_dec(), batch, M, D);
  const bool jump = sae.variant == SaeVariant::jumprelu && jump_bandwidth > T(0);
  if (d_f_penalty && jump)  // (otherwise added below, in the same pass as the mask)
    for (int b = 0; b < batch; ++b) add(d_f_penalty + b * penalty_stride, w.df + b * M, M);
  if (jump) {
    // threshold pseudo-gradients (see the header), accumulated per feature, then the chain
    // rule to log(theta): d/dlog(theta) = theta d/dtheta
    const T eps = jump_bandwidth;
    for (int j = 0; j < M; ++j) {
      const T theta = std::exp(sae.log_threshold()[j]);
      T g = 0;
      for (int b = 0; b < batch; ++b) {
        const T u = (w.z[b * M + j] - theta) / eps;
        if (u > T(-0.5) && u < T(0.5)) g += -(theta / eps) * w.df[b * M + j] - l0_coeff / (eps * T(batch));
      }
      grad.log_threshold()[j] += theta * g;
    }
  }
  // dz = df where the feature was kept (f != 0), else 0
  if (d_f_penalty && !jump)
    for (int b = 0; b < batch; ++b) {
      const T* pen = d_f_penalty + b * penalty_stride;
      for (int j = 0; j < M; ++j) w.df[b * M + j] = w.f[b * M + j] != T(0) ? w.df[b * M + j] + pen[j] : T(0);
    }
  else
    for (int i = 0; i < n; ++i) w.df[i] = w.f[i] != T(0) ? w.df[i] : T(0);
  // encoder: dW_enc += xc^T dz, db_enc += sum dz, dxc = dz W_enc^T; xc = x - b_dec
  dense_backward(w.xc, sae.w_enc(), w.df, w.dxc, grad.w_enc(), grad.b_enc(), batch, D, M);
  for (int b = 0; b < batch; ++b)
    for (int d = 0; d < D; ++d) grad.b_dec()[d] -= w.dxc[b * D + d];
}

}  // namespace saerl
