// saerl/sae/sae.hpp — a sparse autoencoder over D-dimensional activation vectors with a
// dictionary of M features, in four variants, with its forward and backward passes.
//
//   using SaeT = saerl::Sae<float, 128, 512>;            // reads 128-d vectors, 512 features
//   auto sae = std::make_unique<SaeT>();                  // large: place it once
//   sae->init(saerl::SaeVariant::topk, 16, data_mean, rng);
//   auto work = std::make_unique<saerl::SaeWorkspace<SaeT, 256>>();
//   saerl::sae_forward(*sae, x, 256, *work, /*training=*/false);   // work->f: codes, work->x_hat
//
// Shapes (input-major, as core/nn/dense.hpp): W_enc (D, M), b_enc (M), W_dec (M, D), b_dec (D).
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
// parameter gradients. The code gradient passes only where f != 0 (the kept features).
// TopK and BatchTopK codes are also listed (sae_forward, when at most one in eight is
// nonzero): the decoder then reads only the listed rows of W_dec, and sae_backward_sparse
// computes the same gradients touching only the listed features (Gao et al. 2024's sparse
// kernels): the dense encoder pass is the only one left that costs B D M.
// for JumpReLU the threshold gets the pseudo-gradient
//   dL/dtheta_j = sum_b dL/df_bj * (-(theta_j / eps) K((z_bj - theta_j) / eps))
// with K the rectangle kernel K(u) = [|u| < 1/2], and the L0 penalty's
//   dL0/dtheta_j = -(1 / eps) sum_b K((z_bj - theta_j) / eps);  d/dlog(theta) = theta d/dtheta.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../core/nn/dense.hpp"
#include "../core/math/matmul_sparse.hpp"
#include "../core/base/rng.hpp"
#include "topk.hpp"

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
  // b_dec: the data mean (or zero when mean is null); Bricken et al. (2023) and Gao et al.
  // (2024) start it at the geometric median, which is costlier and, on these activations,
  // not measured to matter. Thresholds start at 0.001.
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
struct SaeWorkspace {
  using T = typename SaeT::Scalar;
  static constexpr int D = SaeT::kIn, M = SaeT::kFeatures, kBatch = B;
  int batch = 0;
  T xc[B * D];      // x - b_dec
  T z[B * M];       // pre-activations
  T f[B * M];       // codes
  T x_hat[B * D];   // reconstruction
  T df[B * M];      // backward scratch: dL/df, then dL/dz
  T dz_sum[M];      // backward scratch: sum over the batch of dL/dz
  T scratch[B * M]; // top-k selection
  // The nonzero codes as lists (detail::list_codes): row b's features are
  // code_index[code_start[b] .. code_start[b+1]), their codes code_value, their dL/dz code_grad.
  // listed is false when the codes were not listed (not TopK, or too many nonzero).
  static constexpr int kListCapacity = B * M / 8 + 1;
  bool listed = false;
  int code_start[B + 1];
  int code_index[kListCapacity];
  T code_value[kListCapacity];
  T code_grad[kListCapacity];
  // the same lists by feature (transpose_lists), for the backward pass: feature j's inputs
  // are by_feature_input[by_feature_start[j] .. by_feature_start[j+1]), their entries in the
  // lists above by_feature_from, and by_feature_value a gathered copy of codes or gradients
  int by_feature_start[M + 1];
  int by_feature_input[kListCapacity];
  int by_feature_from[kListCapacity];
  T by_feature_value[kListCapacity];
};

namespace detail {

// The inference-time sparsity rule of `variant`: f from the pre-activations z (rows x M).
// theta(j) gives JumpReLU's threshold of feature j, batch_theta is BatchTopK's; work holds
// rows x M values (TopK's rows are selected in parallel, each in its own part of work).
template <class T, class Theta>
void select_features(SaeVariant variant, int k, const T* z, T* f, int rows, int M, Theta theta,
                     T batch_theta, T* work) {
  const int n = rows * M;
  switch (variant) {
    case SaeVariant::relu:
      for (int i = 0; i < n; ++i) f[i] = z[i] > T(0) ? z[i] : T(0);
      break;
    case SaeVariant::topk:
      parallel_for(rows, [&](int b0, int b1) {
        for (int b = b0; b < b1; ++b) keep_top(z + b * M, f + b * M, M, k, work + b * M);
      });
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
void sae_forward(SaeT& sae, const typename SaeT::Scalar* x, int batch, SaeWorkspace<SaeT, B>& w, bool training) {
  using T = typename SaeT::Scalar;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  if (batch > B) batch = B;
  w.batch = batch;
  for (int b = 0; b < batch; ++b)
    for (int d = 0; d < D; ++d) w.xc[b * D + d] = x[b * D + d] - sae.b_dec()[d];
  dense_forward(w.xc, sae.w_enc(), sae.b_enc(), w.z, batch, D, M);
  w.listed = false;
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
  } else if (sae.variant == SaeVariant::topk && sae.k <= SaeWorkspace<SaeT, B>::kListCapacity / batch) {
    detail::keep_top_listed(w.z, w.f, batch, M, sae.k, w.scratch, w.code_start, w.code_index, w.code_value);
    w.listed = true;
  } else {
    const T* log_theta = sae.log_threshold();
    detail::select_features(sae.variant, sae.k, w.z, w.f, batch, M, [log_theta](int j) { return std::exp(log_theta[j]); },
                            sae.batch_threshold(), w.scratch);
  }
  // decoder: x_hat = f W_dec + b_dec, from the listed rows of W_dec when the codes are listed
  if (!w.listed && (sae.variant == SaeVariant::topk || sae.variant == SaeVariant::batchtopk))
    w.listed = detail::list_codes(w.f, batch, M, w.code_start, w.code_index, w.code_value,
                                  SaeWorkspace<SaeT, B>::kListCapacity);
  if (w.listed)
    sparse_matmul_nn(w.code_start, w.code_index, w.code_value, sae.w_dec(), w.x_hat, batch, D, false, sae.b_dec());
  else
    dense_forward(w.f, sae.w_dec(), sae.b_dec(), w.x_hat, batch, M, D);
}

namespace detail {

// From dz_sum = sum_b dL/dz_b: db_enc += dz_sum, and db_dec -= W_enc dz_sum (through the
// centring xc = x - b_dec).
template <class SaeT>
void add_bias_gradients(const SaeT& sae, const typename SaeT::Scalar* dz_sum, SaeT& grad) {
  using T = typename SaeT::Scalar;
  add(dz_sum, grad.b_enc(), SaeT::kFeatures);
  T dxc_sum[SaeT::kIn];
  matvec(sae.w_enc(), dz_sum, dxc_sum, SaeT::kIn, SaeT::kFeatures);
  axpy(T(-1), dxc_sum, grad.b_dec(), SaeT::kIn);
}

// The decoder's backward for codes f (batch, M) and dL/dx_hat: dW_dec += f^T dx_hat,
// db_dec += sum_b dx_hat_b (when decoder_bias), and w.df = dL/df = dx_hat W_dec^T.
template <class SaeT, int B>
void decoder_backward(const SaeT& sae, SaeWorkspace<SaeT, B>& w, const typename SaeT::Scalar* f,
                      const typename SaeT::Scalar* d_x_hat, SaeT& grad, bool decoder_bias) {
  using T = typename SaeT::Scalar;
  dense_backward(f, sae.w_dec(), d_x_hat, w.df, grad.w_dec(), decoder_bias ? grad.b_dec() : static_cast<T*>(nullptr),
                 w.batch, SaeT::kFeatures, SaeT::kIn);
}

// The encoder's backward from w.df = dL/df, through the features kept in f (dz = df where
// f != 0, else 0): dW_enc += xc^T dz, db_enc += sum_b dz_b, and through xc = x - b_dec,
// db_dec -= sum_b dz_b W_enc^T = W_enc (sum_b dz_b): one matrix-vector product instead of
// dL/dxc for every input.
template <class SaeT, int B>
void encoder_backward(const SaeT& sae, SaeWorkspace<SaeT, B>& w, const typename SaeT::Scalar* f, SaeT& grad) {
  using T = typename SaeT::Scalar;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  const int batch = w.batch;
  for (int i = 0; i < batch * M; ++i) w.df[i] = f[i] != T(0) ? w.df[i] : T(0);
  dense_backward(w.xc, sae.w_enc(), w.df, static_cast<T*>(nullptr), grad.w_enc(), static_cast<T*>(nullptr), batch, D,
                 M);
  fill(w.dz_sum, M, T(0));
  for (int b = 0; b < batch; ++b) add(w.df + b * M, w.dz_sum, M);
  add_bias_gradients(sae, w.dz_sum, grad);
}

}  // namespace detail

// The sparsity penalty's part of the gradient, for sae_backward.
template <class T>
struct SparsityGradient {
  const T* d_f = nullptr;  // dL/df: one row of M, the same for every input (the L1 penalty's), or null
  T jump_bandwidth = 0;    // JumpReLU: eps of the threshold's pseudo-gradient (0: the threshold is not trained)
  T l0_coeff = 0;          // JumpReLU: the L0 penalty is l0_coeff * mean_b sum_j [z_bj > theta_j]
};

// Backward from dL/dx_hat (batch, D) and the sparsity penalty, adding into grad's
// parameter block.
template <class SaeT, int B>
void sae_backward(const SaeT& sae, SaeWorkspace<SaeT, B>& w, const typename SaeT::Scalar* d_x_hat, SaeT& grad,
                  const SparsityGradient<typename SaeT::Scalar>& penalty = {}) {
  using T = typename SaeT::Scalar;
  constexpr int M = SaeT::kFeatures;
  const int batch = w.batch;
  detail::decoder_backward(sae, w, w.f, d_x_hat, grad, /*decoder_bias=*/true);
  if (penalty.d_f)
    for (int b = 0; b < batch; ++b) add(penalty.d_f, w.df + b * M, M);
  if (sae.variant == SaeVariant::jumprelu && penalty.jump_bandwidth > T(0)) {
    // threshold pseudo-gradients (see the header), accumulated per feature, then the chain
    // rule to log(theta): d/dlog(theta) = theta d/dtheta
    const T eps = penalty.jump_bandwidth;
    for (int j = 0; j < M; ++j) {
      const T theta = std::exp(sae.log_threshold()[j]);
      T g = 0;
      for (int b = 0; b < batch; ++b) {
        const T u = (w.z[b * M + j] - theta) / eps;
        if (u > T(-0.5) && u < T(0.5)) g += -(theta / eps) * w.df[b * M + j] - penalty.l0_coeff / (eps * T(batch));
      }
      grad.log_threshold()[j] += theta * g;
    }
  }
  detail::encoder_backward(sae, w, w.f, grad);
}

// sae_backward for listed codes (w.listed): the same gradients, touching only the listed
// (kept) features. d_f_penalty is one row (M) for every input, or null. With decoder_bias
// false, db_dec gets only the encoder's part (AuxK's reconstruction has no bias).
//   decoder   db_dec += sum_b dx_hat_b,  dW_dec row j += sum_b f_bj dx_hat_b,
//             dz_bj = dx_hat_b . W_dec row j (+ penalty_j)         for listed (b, j) only
//   encoder   dW_enc column j += sum_b dz_bj xc_b, built as row j of enc_grad_t (M x D,
//             scratch), then added transposed; db_enc += sum_b dz_b; db_dec -= W_enc sum_b dz_b
// The rows of dW_dec and enc_grad_t are built feature by feature from the lists by feature,
// each sum over b in order.
template <class SaeT, int B>
void sae_backward_sparse(const SaeT& sae, SaeWorkspace<SaeT, B>& w, const typename SaeT::Scalar* d_x_hat,
                         const typename SaeT::Scalar* d_f_penalty, SaeT& grad, typename SaeT::Scalar* enc_grad_t,
                         bool decoder_bias = true) {
  using T = typename SaeT::Scalar;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  const int batch = w.batch, count = w.code_start[batch];
  const int *start = w.code_start, *index = w.code_index;
  transpose_lists(start, index, batch, M, w.by_feature_start, w.by_feature_input, w.by_feature_from);
  const auto by_feature = [&](const T* values) {  // values of the lists, gathered by feature
    for (int e = 0; e < count; ++e) w.by_feature_value[e] = values[w.by_feature_from[e]];
    return w.by_feature_value;
  };
  if (decoder_bias)
    for (int b = 0; b < batch; ++b) add(d_x_hat + b * D, grad.b_dec(), D);
  sparse_matmul_nn(w.by_feature_start, w.by_feature_input, by_feature(w.code_value), d_x_hat, grad.w_dec(), M, D,
                   /*accumulate=*/true);
  sampled_matmul_nt(start, index, d_x_hat, sae.w_dec(), w.code_grad, batch, D);
  if (d_f_penalty)
    for (int e = 0; e < count; ++e) w.code_grad[e] += d_f_penalty[index[e]];
  // encoder
  const T* dz = by_feature(w.code_grad);
  for (int j = 0; j < M; ++j) {
    T s = 0;
    for (int e = w.by_feature_start[j]; e < w.by_feature_start[j + 1]; ++e) s += dz[e];
    w.dz_sum[j] = s;
  }
  sparse_matmul_nn(w.by_feature_start, w.by_feature_input, dz, w.xc, enc_grad_t, M, D, /*accumulate=*/false);
  constexpr int kTile = 32;  // columns of dW_enc per pass: their rows of enc_grad_t stay in L1
  parallel_for((M + kTile - 1) / kTile, [&](int t0, int t1) {
    for (int j0 = t0 * kTile; j0 < t1 * kTile && j0 < M; j0 += kTile) {
      const int j1 = j0 + kTile < M ? j0 + kTile : M;
      for (int d = 0; d < D; ++d)
        for (int j = j0; j < j1; ++j) grad.w_enc()[d * M + j] += enc_grad_t[j * D + d];
    }
  });
  detail::add_bias_gradients(sae, w.dz_sum, grad);
}

}  // namespace saerl
