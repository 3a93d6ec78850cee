// saerl/core/analysis/logistic_probe.hpp — a small L2-regularised logistic-regression probe: "can the
// yes/no predicate p be read out linearly from these F numbers?" (the SAE's codes, a DQN's
// Q-values, raw hidden neurons). Train it on some inputs, measure its accuracy on others, and
// compare with the majority-class baseline ("always say the common answer").
//
//   using Probe = saerl::LogisticProbe<512>;           // F = 512 inputs per row
//   auto probe = std::make_unique<Probe>();              // 7 F numbers: place large ones once
//   saerl::ProbeAccuracy acc;
//   // x: (count, 512) row-major; truth: (count, P) row-major, nonzero where a predicate holds.
//   // Train on rows [0, 6000), measure on rows [6000, count), predicate column p:
//   saerl::Status s = saerl::probe_accuracy(x, truth, P, p, 6000, count, *probe, acc);
//   std::printf("held-out %.3f vs baseline %.3f\n", acc.heldout_accuracy, acc.baseline_accuracy);
//
//   // Or by hand: labels are any integer column read with a stride (here column p of truth).
//   s = probe->train(x, truth + p, 6000, P);             // ProbeOptions{} and full batch
//   float prob = probe->predict(x + 7000 * 512);         // P(p holds | row 7000)
//
// The model, on inputs standardised with the training rows' per-feature mean and standard
// deviation (so the result does not depend on the units of a column):
//   x~_k   = (x_k - mean_k) / std_k           (std_k = 1 for a constant column)
//   z      = w . x~ + b                        logit
//   P(y=1) = sigmoid(z) = 1 / (1 + e^-z)
// The loss over n rows, with labels y_i in {0, 1} (any nonzero label counts as 1):
//   bce(z, y) = -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z))
//             = max(z, 0) - y z + log(1 + e^-|z|)          (the form that never overflows)
//   L(w, b)   = (1/n) sum_i bce(z_i, y_i) + (lambda/2) ||w||^2        (b is not penalised)
// and its gradient (d bce / dz = sigmoid(z) - y):
//   dL/dw = (1/n) sum_i (sigmoid(z_i) - y_i) x~_i + lambda w
//   dL/db = (1/n) sum_i (sigmoid(z_i) - y_i)
// L is convex (strictly so in w when lambda > 0). train() minimises it with Adam, full batch by
// default (deterministic, no RNG); with ProbeOptions::batch > 0 each step draws that many rows
// with replacement from a caller's saerl::Rng. A row is predicted positive when z > 0
// (probability above 1/2).
//
// Cost: one step is O(n F) for the full batch (O(batch F) otherwise). No heap.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "../base/rng.hpp"
#include "../base/status.hpp"

namespace saerl {

struct ProbeOptions {
  int steps = 300;       // Adam steps (with the full batch: passes over the training rows)
  double lr = 0.05;      // Adam step size, on standardised inputs
  double lambda = 1e-3;  // L2 penalty on w
  int batch = 0;         // rows per step; 0 or >= n: the full batch (then no Rng is needed)
};

template <int F, class T = float>
struct LogisticProbe {
  static_assert(F > 0, "LogisticProbe: the input width F must be positive");
  static_assert(std::is_floating_point<T>::value, "LogisticProbe: the scalar type must be float or double");
  static constexpr int kFeatures = F;
  using Scalar = T;

  // The model: weights on standardised inputs, bias, and the standardisation.
  T w[F];
  T b;
  T mean[F];
  T inv_std[F];  // 1 / std_k, or 1 for a column that was constant on the training rows

  // Training state: the gradient of the last loss() call, Adam's moments (w_0..w_{F-1}, b).
  T grad_w[F];
  T grad_b;
  T adam_m[F + 1];
  T adam_v[F + 1];
  long step = 0;
  double train_loss = 0;  // L on the training rows after train()

  LogisticProbe() { reset(); }

  // w = 0, b = 0, identity standardisation, Adam state cleared.
  void reset() {
    for (int k = 0; k < F; ++k) w[k] = T(0), mean[k] = T(0), inv_std[k] = T(1), grad_w[k] = T(0);
    b = grad_b = T(0);
    for (int k = 0; k <= F; ++k) adam_m[k] = adam_v[k] = T(0);
    step = 0;
    train_loss = 0;
  }

  // mean_k and inv_std_k from rows x (n, F), n >= 1: two passes in double,
  // std_k = sqrt((1/n) sum_i (x_ik - mean_k)^2).
  void fit_standardisation(const T* x, int n) {
    for (int k = 0; k < F; ++k) {
      double s = 0;
      for (int i = 0; i < n; ++i) s += static_cast<double>(x[static_cast<long>(i) * F + k]);
      const double mu = s / n;
      double ss = 0;
      for (int i = 0; i < n; ++i) {
        const double d = static_cast<double>(x[static_cast<long>(i) * F + k]) - mu;
        ss += d * d;
      }
      const double sd = std::sqrt(ss / n);
      mean[k] = static_cast<T>(mu);
      inv_std[k] = sd > 0 ? static_cast<T>(1.0 / sd) : T(1);
    }
  }

  // Forward: z = sum_k w_k (x_k - mean_k) inv_std_k + b, for one row x (F). Eight partial sums,
  // as core/math/tensor.hpp's dot, so that the compiler vectorises the loop.
  T logit(const T* x) const {
    T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int k = 0;
    for (; k + 8 <= F; k += 8)
      for (int u = 0; u < 8; ++u) acc[u] += w[k + u] * ((x[k + u] - mean[k + u]) * inv_std[k + u]);
    T s = 0;
    for (; k < F; ++k) s += w[k] * ((x[k] - mean[k]) * inv_std[k]);
    return s + ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + b;
  }

  // P(y = 1 | x) = sigmoid(logit(x)).
  T predict(const T* x) const { return sigmoid(logit(x)); }

  // Fraction of rows x (n, F) whose prediction (z > 0) equals its label y[i * y_stride] != 0.
  template <class Label>
  double accuracy(const T* x, const Label* y, int n, int y_stride) const {
    static_assert(std::is_integral<Label>::value, "LogisticProbe::accuracy: labels must be bool or an integer type");
    if (n <= 0) return 0.0;
    long right = 0;
    for (int i = 0; i < n; ++i)
      right += (logit(x + static_cast<long>(i) * F) > T(0)) == (y[static_cast<long>(i) * y_stride] != 0);
    return static_cast<double>(right) / n;
  }

  // Forward and backward over rows x (n, F) with labels y[i * y_stride]: returns L(w, b) and
  // sets grad_w = dL/dw, grad_b = dL/db (the formulas in the header).
  template <class Label>
  T loss(const T* x, const Label* y, int n, int y_stride, T lambda) {
    static_assert(std::is_integral<Label>::value, "LogisticProbe::loss: labels must be bool or an integer type");
    clear_gradient();
    T total = 0;
    for (int i = 0; i < n; ++i) total += accumulate(x + static_cast<long>(i) * F, y[static_cast<long>(i) * y_stride] != 0);
    return finish_gradient(total, n, lambda);
  }

  // Fits the probe to rows x (n, F), labels y[i * y_stride] (so a column of a row-major truth
  // matrix (n, P) is y = truth + p, y_stride = P): standardisation from these rows, then
  // opt.steps Adam steps from w = 0 and b = the logit of the smoothed positive rate
  // (n1 + 1/2) / (n + 1). rng is needed only for mini-batches (0 < opt.batch < n).
  template <class Label>
  Status train(const T* x, const Label* y, int n, int y_stride, const ProbeOptions& opt = ProbeOptions(),
               Rng* rng = nullptr) {
    static_assert(std::is_integral<Label>::value, "LogisticProbe::train: labels must be bool or an integer type");
    if (n < 1) return Status::error(StatusCode::invalid_argument, "logistic probe: %d training rows (need at least 1)", n);
    if (!x || !y) return Status::error(StatusCode::invalid_argument, "logistic probe: x or y is null");
    if (y_stride < 1) return Status::error(StatusCode::invalid_argument, "logistic probe: label stride %d < 1", y_stride);
    if (opt.steps < 0 || opt.batch < 0 || !(opt.lr > 0) || !(opt.lambda >= 0))
      return Status::error(StatusCode::invalid_argument,
                           "logistic probe: bad options (steps %d, batch %d, lr %g, lambda %g)", opt.steps, opt.batch,
                           opt.lr, opt.lambda);
    const bool full = opt.batch == 0 || opt.batch >= n;
    if (!full && !rng) return Status::error(StatusCode::invalid_argument, "logistic probe: mini-batches need an Rng");
    Rng unused(0);
    Rng& draw = rng ? *rng : unused;  // (never null below: lets the optimizer see it too)
    reset();
    fit_standardisation(x, n);
    long positives = 0;
    for (int i = 0; i < n; ++i) positives += y[static_cast<long>(i) * y_stride] != 0;
    const double rate = (static_cast<double>(positives) + 0.5) / (n + 1.0);
    b = static_cast<T>(std::log(rate / (1.0 - rate)));
    const T lambda = static_cast<T>(opt.lambda);
    for (int s = 0; s < opt.steps; ++s) {
      if (full) {
        loss(x, y, n, y_stride, lambda);
      } else {
        clear_gradient();
        T total = 0;
        for (int t = 0; t < opt.batch; ++t) {
          const long i = static_cast<long>(draw.below(static_cast<uint32_t>(n)));
          total += accumulate(x + i * F, y[i * y_stride] != 0);
        }
        finish_gradient(total, opt.batch, lambda);
      }
      adam_step(static_cast<T>(opt.lr));
    }
    train_loss = static_cast<double>(loss(x, y, n, y_stride, lambda));
    return Status::success();
  }

  // sigmoid(z) = 1 / (1 + e^-z), computed as e^z / (1 + e^z) for z < 0 so e^-z never overflows.
  static T sigmoid(T z) {
    if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
    const T e = std::exp(z);
    return e / (T(1) + e);
  }

 private:
  void clear_gradient() {
    for (int k = 0; k < F; ++k) grad_w[k] = T(0);
    grad_b = T(0);
  }

  // One row: forward z and bce(z, y), then backward: r = dbce/dz = sigmoid(z) - y,
  // grad_w += r x~, grad_b += r. Returns bce.
  T accumulate(const T* x, bool label) {
    const T z = logit(x);
    const T yv = label ? T(1) : T(0);
    const T bce = (z > T(0) ? z : T(0)) - yv * z + std::log1p(std::exp(-std::fabs(z)));
    const T r = sigmoid(z) - yv;
    for (int k = 0; k < F; ++k) grad_w[k] += r * ((x[k] - mean[k]) * inv_std[k]);
    grad_b += r;
    return bce;
  }

  // Means over n rows and the penalty: L = total/n + (lambda/2)||w||^2, dL/dw += lambda w.
  T finish_gradient(T total, int n, T lambda) {
    const T inv_n = T(1) / T(n);
    T w2 = 0;
    for (int k = 0; k < F; ++k) {
      grad_w[k] = grad_w[k] * inv_n + lambda * w[k];
      w2 += w[k] * w[k];
    }
    grad_b *= inv_n;
    return total * inv_n + lambda / T(2) * w2;
  }

  // Adam (Kingma & Ba 2015) with bias correction, as core/nn/optim.hpp, over (w, b):
  //   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
  void adam_step(T lr) {
    const T beta1 = T(0.9), beta2 = T(0.999), eps = T(1e-8);
    ++step;
    const T c1 = T(1) - T(std::pow(static_cast<double>(beta1), static_cast<double>(step)));
    const T c2 = T(1) - T(std::pow(static_cast<double>(beta2), static_cast<double>(step)));
    const T step_size = lr / c1, inv_sqrt_c2 = T(1) / std::sqrt(c2);
    for (int k = 0; k <= F; ++k) {
      const T g = k < F ? grad_w[k] : grad_b;
      T& p = k < F ? w[k] : b;
      adam_m[k] = beta1 * adam_m[k] + (T(1) - beta1) * g;
      adam_v[k] = beta2 * adam_v[k] + (T(1) - beta2) * g * g;
      p -= step_size * adam_m[k] / (std::sqrt(adam_v[k]) * inv_sqrt_c2 + eps);
    }
  }
};

// What probe_accuracy() measures for one predicate.
struct ProbeAccuracy {
  double train_accuracy = 0;     // on rows [0, n_train)
  double heldout_accuracy = 0;   // on rows [n_train, n_total)
  double baseline_accuracy = 0;  // the best constant answer on the held-out rows: max(q, 1 - q)
  double heldout_positive_rate = 0;  // q, the fraction of held-out rows where p holds
  int heldout = 0;               // n_total - n_train
  double train_loss = 0;         // the probe's final training loss L
};

// Trains probe on rows [0, n_train) of x (n_total, F) to predict column p of truth (n_total, P)
// (nonzero: the predicate holds), then measures it on rows [n_train, n_total). The baseline
// is the accuracy of always giving the answer that is more common on the held-out rows (an
// upper bound for any constant answer): a probe is informative only when it beats it.
template <int F, class T, class Label>
Status probe_accuracy(const T* x, const Label* truth, int P, int p, int n_train, int n_total,
                      LogisticProbe<F, T>& probe, ProbeAccuracy& out, const ProbeOptions& opt = ProbeOptions(),
                      Rng* rng = nullptr) {
  static_assert(std::is_integral<Label>::value, "probe_accuracy: truth must be bool or an integer type");
  out = ProbeAccuracy();
  if (P < 1 || p < 0 || p >= P)
    return Status::error(StatusCode::invalid_argument, "probe_accuracy: predicate %d outside [0, %d)", p, P);
  if (n_train < 1 || n_train >= n_total)
    return Status::error(StatusCode::invalid_argument,
                         "probe_accuracy: need 1 <= n_train < n_total (n_train %d, n_total %d)", n_train, n_total);
  if (!x || !truth) return Status::error(StatusCode::invalid_argument, "probe_accuracy: x or truth is null");
  Status s = probe.train(x, truth + p, n_train, P, opt, rng);
  if (!s.ok()) return s;
  const int held = n_total - n_train;
  const T* xh = x + static_cast<long>(n_train) * F;
  const Label* yh = truth + static_cast<long>(n_train) * P + p;
  long positives = 0;
  for (int i = 0; i < held; ++i) positives += yh[static_cast<long>(i) * P] != 0;
  out.heldout = held;
  out.heldout_positive_rate = static_cast<double>(positives) / held;
  out.baseline_accuracy = out.heldout_positive_rate > 0.5 ? out.heldout_positive_rate : 1.0 - out.heldout_positive_rate;
  out.train_accuracy = probe.accuracy(x, truth + p, n_train, P);
  out.heldout_accuracy = probe.accuracy(xh, yh, held, P);
  out.train_loss = probe.train_loss;
  return Status::success();
}

}  // namespace saerl
