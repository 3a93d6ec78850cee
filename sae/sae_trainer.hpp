// saerl/sae/sae_trainer.hpp — one training step of a sparse autoencoder, top to bottom, and
// the two remedies for dead features: resampling (the L1 variant) and the AuxK loss (TopK).
//
//   saerl::SaeConfig c;  c.variant = saerl::SaeVariant::topk;  c.k = 16;
//   auto trainer = std::make_unique<saerl::SaeTrainer<SaeT, 256>>();
//   trainer->init(c);
//   for (...) trainer->step(*sae, batch_x, 256);            // returns the loss
//   // optional extra loss on the reconstruction (e.g. the Q-fidelity term):
//   trainer->step(*sae, batch_x, 256, [&](const float* x_hat, int n, float* d_x_hat) {
//     return extra_loss_adding_its_gradient_to(d_x_hat); });
//
// Loss, with x (B, D), reconstruction x_hat, codes f (B, M), decoder rows w_j:
//   L = (1/(B D)) sum ||x - x_hat||^2                                 reconstruction (MSE)
//     + lambda_t (1/B) sum_bj f_bj ||w_j||        (relu)              L1 sparsity (||w_j|| = 1 here)
//     + l0_t (1/B) sum_bj [z_bj > theta_j]        (jumprelu)          L0 sparsity (STE)
//     + aux_coeff s ||e - e_hat||^2 / ||e - mean(e)||^2  (topk, batchtopk)  AuxK (Gao et al. 2024):
//         e = x - x_hat (held fixed), e_hat = the top aux_k dead features' reconstruction,
//         s = ||x - mean(x)||^2 / (B D): normalised as theirs, in our MSE's units
//     + extra(x_hat)                                                  e.g. Q-fidelity
// lambda_t and l0_t rise linearly from 0 over penalty_warmup steps; the learning rate rises
// linearly over lr_warmup steps and, when total_steps is set, falls linearly to 0 over the
// last decay_fraction of the run. After the gradient: the component of each decoder row's
// gradient parallel to the row is removed, Adam steps, and the rows are renormalised.
//
// The divergence guard: a step whose loss is NaN or infinite makes no optimizer step and sets
// `health` to a Status naming the step and the first SAE tensor holding a NaN or infinity (or
// the loss itself); the caller stops and keeps its last good checkpoint.
#pragma once
#include <cmath>

#include "../core/nn/divergence.hpp"
#include "../core/nn/optim.hpp"
#include "metrics.hpp"
#include "sae.hpp"

namespace saerl {

struct SaeConfig {
  SaeVariant variant = SaeVariant::relu;
  int k = 16;                    // topk, batchtopk: features per input
  float lr = 1e-3f;
  int lr_warmup = 500;           // steps of linear learning-rate warm-up
  long total_steps = 0;          // with decay_fraction: the run's length (0: no decay)
  float decay_fraction = 0.2f;   // the learning rate falls linearly to 0 over this last part
  float l1 = 1e-3f;              // relu: lambda
  float l0 = 1e-3f;              // jumprelu: L0 coefficient
  float jump_bandwidth = 1e-3f;  // jumprelu: eps of the rectangle kernel
  int penalty_warmup = 2000;     // steps of linear warm-up of lambda and l0
  float aux_coeff = 1.0f / 32;   // topk, batchtopk: weight of the AuxK loss
  int aux_k = 64;                // features the AuxK loss may use
  long dead_after = 20000;       // inputs without firing before a feature counts as dead
  bool sparse_kernels = true;    // topk, batchtopk: backward through the listed codes only
                                 // (sae_backward_sparse) when at most 1 in 8 is nonzero
};

template <class SaeT, int B>
struct SaeTrainer {
  using T = typename SaeT::Scalar;
  static constexpr int D = SaeT::kIn, M = SaeT::kFeatures;

  SaeConfig config;
  SaeT grad;
  Adam<T, SaeT::kParams> adam;
  SaeWorkspace<SaeT, B> work;
  long steps = 0;
  long inputs_seen = 0;
  long last_fired[M];  // inputs_seen when each feature was last active
  T d_x_hat[B * D];
  T d_f[M];  // dL/df of the L1 penalty: one row, the same for every input
  T residual[B * D];   // AuxK: e = x - x_hat, then d e_hat
  T enc_grad_t[M * D]; // sae_backward_sparse's scratch: dW_enc transposed
  T last_mse = 0, last_loss = 0;
  Status health;  // ok until a step's loss is NaN or infinite

  void init(const SaeConfig& c) {
    config = c;
    adam.reset();
    steps = inputs_seen = 0;
    for (int j = 0; j < M; ++j) last_fired[j] = 0;
  }

  bool is_dead(int j) const { return inputs_seen - last_fired[j] >= config.dead_after; }
  int dead_count() const {
    int n = 0;
    for (int j = 0; j < M; ++j) n += is_dead(j);
    return n;
  }

  static T warm(long step, int warmup) { return warmup <= 0 || step >= warmup ? T(1) : T(step) / T(warmup); }
  // 1 until the last decay_fraction of total_steps, then linearly down to 0 at the end
  T decay(long step) const {
    const double span = double(config.decay_fraction) * double(config.total_steps);
    if (config.total_steps <= 0 || span <= 0) return T(1);
    const double left = double(config.total_steps - step);
    return left >= span ? T(1) : T(left > 0 ? left / span : 0);
  }

  template <class Extra>
  T step(SaeT& sae, const T* x, int batch, Extra&& extra) {
    if (batch > B) batch = B;  // as sae_forward does; the buffers below hold B inputs
    ++steps;
    adam.lr = T(config.lr) * warm(steps, config.lr_warmup) * decay(steps);
    const T penalty_scale = warm(steps, config.penalty_warmup);

    // forward
    sae_forward(sae, x, batch, work, /*training=*/true);

    // loss and dL/dx_hat: MSE, then the extra term adds its own gradient
    T sq = 0;
    for (int i = 0; i < batch * D; ++i) {
      const T e = work.x_hat[i] - x[i];
      sq += e * e;
      d_x_hat[i] = T(2) * e / T(batch * D);
    }
    last_mse = sq / T(batch * D);
    T loss = last_mse + extra(work.x_hat, batch, d_x_hat);

    // dL/df of the L1 penalty: lambda_t / B, the same for every row of the batch (one row,
    // d_f[0 .. M)). ||w_j|| = 1: the decoder rows stay unit norm.
    T* penalty = nullptr;
    if (sae.variant == SaeVariant::relu && config.l1 > 0) {
      fill(d_f, M, T(config.l1) * penalty_scale / T(batch));
      penalty = d_f;
    }

    // zero grads, backward
    fill(grad.params, SaeT::kParams, T(0));
    const bool jump = sae.variant == SaeVariant::jumprelu;
    if (work.listed && config.sparse_kernels)
      sae_backward_sparse(sae, work, d_x_hat, penalty, grad, enc_grad_t);
    else
      sae_backward(sae, work, d_x_hat, grad,
                   {penalty, jump ? T(config.jump_bandwidth) : T(0), jump ? T(config.l0) * penalty_scale : T(0)});

    // one pass over the codes: the L1 penalty itself, sum_bj f_bj dL/df_j, and which
    // features fired, for dead-feature tracking
    inputs_seen += batch;
    const long now = inputs_seen;  // (a local: a store to last_fired[j] cannot change it, so this vectorizes)
    if (work.listed) {  // (the lists say which fired without reading every code)
      for (int e = 0; e < work.code_start[batch]; ++e) last_fired[work.code_index[e]] = now;
    } else {
      for (int b = 0; b < batch; ++b) {
        const T* f = work.f + b * M;
        if (penalty) loss += dot(f, penalty, M);
        for (int j = 0; j < M; ++j) last_fired[j] = f[j] != T(0) ? now : last_fired[j];
      }
    }

    if ((sae.variant == SaeVariant::topk || sae.variant == SaeVariant::batchtopk) && config.aux_coeff > 0)
      loss += aux_k_step(sae, x, batch);

    last_loss = loss;
    if (!std::isfinite(double(loss))) {  // diverged: leave the parameters as they were
      health = check_finite(sae);
      return loss;
    }
    // update: keep decoder rows on the unit sphere
    sae.remove_parallel_gradient(grad.w_dec());
    grad.batch_threshold() = T(0);  // a running mean, not trained by gradient
    adam.update(sae.params, grad.params);
    sae.normalize_decoder();
    return loss;
  }

  // The divergence guard: every SAE tensor and the last loss are finite.
  Status check_finite(const SaeT& sae) const {
    const struct { const char* name; const T* x; int n; } tensors[] = {
        {"SAE W_enc", sae.w_enc(), D * M}, {"SAE b_enc", sae.b_enc(), M},
        {"SAE W_dec", sae.w_dec(), M * D}, {"SAE b_dec", sae.b_dec(), D},
        {"SAE log_threshold", sae.log_threshold(), M}, {"SAE batch_threshold", sae.params + SaeT::kParams - 1, 1}};
    for (const auto& t : tensors) {
      Status s = saerl::check_finite(t.x, t.n, t.name, steps);
      if (!s.ok()) return s;
    }
    return check_finite_loss(double(last_loss), "SAE loss", steps);
  }

  T step(SaeT& sae, const T* x, int batch) {
    return step(sae, x, batch, [](const T*, int, T*) { return T(0); });
  }

 private:
  // AuxK: the dead features' top aux_k pre-activations per input reconstruct the residual
  // e = x - x_hat (no bias, e held fixed). Adds the loss's gradient; returns the loss.
  T aux_k_step(SaeT& sae, const T* x, int batch) {
    int dead = dead_count();
    if (dead == 0) return T(0);
    const int keep = config.aux_k < dead ? config.aux_k : dead;
    T* f_aux = work.scratch;  // (batch, M), free after the forward pass
    parallel_for(batch, [&](int b0, int b1) {
      T sorted[M];
      for (int b = b0; b < b1; ++b) {
        // the dead features' pre-activations, others pushed below any positive value
        T* row = f_aux + b * M;
        for (int j = 0; j < M; ++j) row[j] = is_dead(j) ? work.z[b * M + j] : T(-1e30);
        detail::keep_top(row, row, M, keep, sorted);
      }
    });
    // e_hat = f_aux W_dec (from the listed rows when at most 1 in 8 is nonzero)
    work.listed = config.sparse_kernels && detail::list_codes(f_aux, batch, M, work.code_start, work.code_index,
                                                              work.code_value, SaeWorkspace<SaeT, B>::kListCapacity);
    if (work.listed)
      sparse_matmul_nn(work.code_start, work.code_index, work.code_value, sae.w_dec(), residual, batch, D, false);
    else
      matmul_nn(f_aux, sae.w_dec(), residual, batch, D, M);
    // Normalised as in Gao et al. (2024): ||e - e_hat||^2 / ||e - mean_b(e)||^2, times
    // s = ||x - mean_b(x)||^2 / (B D) so that its weight against our plain-MSE reconstruction
    // term is theirs against their normalised one. d e_hat = 2 coeff s (e_hat - e) / ||e - mean(e)||^2
    const double spread = detail::sum_squared_deviation(x, batch, D, work.x_hat);
    const double scale = detail::sum_squared_deviation(x, batch, D) / (double(batch) * D) / (spread > 0 ? spread : 1.0);
    T sq = 0;
    const T c = T(config.aux_coeff) * T(scale);
    for (int i = 0; i < batch * D; ++i) {
      const T diff = residual[i] - (x[i] - work.x_hat[i]);
      sq += diff * diff;
      residual[i] = T(2) * c * diff;
    }
    // back through the decoder (rows of dead features only, no bias) and the encoder
    if (work.listed) {
      sae_backward_sparse(sae, work, residual, static_cast<const T*>(nullptr), grad, enc_grad_t,
                          /*decoder_bias=*/false);
    } else {
      detail::decoder_backward(sae, work, f_aux, residual, grad, /*decoder_bias=*/false);
      detail::encoder_backward(sae, work, f_aux, grad);
    }
    return c * sq;
  }

 public:
  // Resampling dead features ("Towards Monosemanticity", Bricken et al. 2023): draw inputs
  // with probability proportional to their squared reconstruction loss; a dead feature's
  // decoder row becomes the drawn input (centred, unit norm), its encoder column the same
  // direction scaled to 0.2 x the mean encoder norm of live features, its bias 0, and its
  // Adam moments are reset. `rows` (count, D) are candidate inputs; at most kResampleRows of
  // them are used. Returns how many features were reset.
  static constexpr int kResampleRows = 8192;
  double cumulative_loss[kResampleRows];

  int resample_dead(SaeT& sae, const T* rows, int count, Rng& rng) {
    if (count > kResampleRows) count = kResampleRows;
    int dead = dead_count();
    if (dead == 0 || count <= 0) return 0;
    // running sums of loss^2 over the candidates, to sample from
    double total = 0;
    for (int start = 0; start < count; start += B) {
      const int nb = count - start < B ? count - start : B;
      sae_forward(sae, rows + start * D, nb, work, false);
      for (int b = 0; b < nb; ++b) {
        T l = 0;
        for (int d = 0; d < D; ++d) {
          const T e = work.x_hat[b * D + d] - rows[(start + b) * D + d];
          l += e * e;
        }
        total += double(l) * double(l);
        cumulative_loss[start + b] = total;
      }
    }
    // mean encoder norm of live features (column j of W_enc)
    T live_norm = 0;
    int live = 0;
    for (int j = 0; j < M; ++j) {
      if (is_dead(j)) continue;
      T s = 0;
      for (int d = 0; d < D; ++d) s += sae.w_enc()[d * M + j] * sae.w_enc()[d * M + j];
      live_norm += std::sqrt(s);
      ++live;
    }
    live_norm = live ? live_norm / T(live) : T(1);
    for (int j = 0; j < M; ++j) {
      if (!is_dead(j)) continue;
      const int r = sample_row(count, total, rng);
      T dir[D];
      for (int d = 0; d < D; ++d) dir[d] = rows[r * D + d] - sae.b_dec()[d];
      const T norm = std::sqrt(sum_squares(dir, D));
      if (norm > T(0)) scale(dir, D, T(1) / norm);
      for (int d = 0; d < D; ++d) {
        sae.w_dec()[j * D + d] = dir[d];
        sae.w_enc()[d * M + j] = T(0.2) * live_norm * dir[d];
      }
      sae.b_enc()[j] = T(0);
      reset_moments(sae, j);
      last_fired[j] = inputs_seen;  // a fresh window before it can count as dead again
    }
    return dead;
  }

 private:
  // A row index drawn with probability loss_r^2 / total (binary search in the running sums).
  int sample_row(int count, double total, Rng& rng) {
    if (!(total > 0)) return int(rng.below(uint32_t(count)));
    const double target = rng.uniform_double() * total;
    int lo = 0, hi = count - 1;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (cumulative_loss[mid] > target) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  // Zero Adam's moments for feature j's encoder column, encoder bias and decoder row.
  void reset_moments(SaeT& sae, int j) {
    const long enc = sae.w_enc() - sae.params, benc = sae.b_enc() - sae.params, dec = sae.w_dec() - sae.params;
    for (int d = 0; d < D; ++d) adam.m[enc + d * M + j] = adam.v[enc + d * M + j] = T(0);
    adam.m[benc + j] = adam.v[benc + j] = T(0);
    for (int d = 0; d < D; ++d) adam.m[dec + j * D + d] = adam.v[dec + j * D + d] = T(0);
  }
};

}  // namespace saerl
