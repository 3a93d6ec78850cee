// saerl/core/analysis/logistic_probes.hpp — P logistic probes on the same F inputs, trained together:
// "which of these P yes/no predicates can be read out linearly from these numbers?" Each
// predicate p is the model and loss of core/analysis/logistic_probe.hpp (its own weights, bias, Adam
// state and loss, on inputs standardised with the training rows), so the gradient for p is
// the one a LogisticProbe would compute for p alone, up to the order of the sums. What P
// probes share is the work: one pass over the rows serves every predicate, inputs that are
// zero cost nothing (an SAE's codes are mostly zero), and the predicates train in blocks of 8,
// one block per parallel_for chunk (core/base/parallel.hpp): a block's numbers never depend on the
// others, so the result is bit-identical at any thread count.
//
//   auto probes = std::make_unique<saerl::LogisticProbes<512, 41>>();  // large: place it once
//   // x: (n, 512) row-major; truth: (n, stride) row-major, column p < 41 labels predicate p
//   saerl::Status s = probes->train(x, truth, 6000, stride);   // ProbeOptions: full batch only
//   bool holds = probes->logit(x + 7000 * 512, p) > 0;         // predicted for row 7000
//   balanced_accuracy(probes->one(p), x, truth, stride, p, 6000, n);   // read_out.hpp's helper
//
// With x~_k = (x_k - mean_k) inv_std_k, the logit of predicate p and its sparse form:
//   z_p = sum_k w_kp x~_k + b_p = c_p + sum_{k: x_k != 0} v_kp x_k,
//   v_kp = w_kp inv_std_k,   c_p = b_p - sum_k v_kp mean_k
// and the gradient of L_p = (1/n) sum_i bce(z_ip, y_ip) + (lambda/2) ||w_p||^2, r_ip = sigmoid(z_ip) - y_ip:
//   dL_p/dw_kp = inv_std_k (sum_i r_ip x_ik - mean_k sum_i r_ip) / n + lambda w_kp
//   dL_p/db_p  = (1/n) sum_i r_ip
// Sums over rows are in double. train() and loss() keep the nonzero inputs of the rows in one
// heap buffer (indices and values, n x nonzeros per row); nothing else allocates.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

#include "logistic_probe.hpp"
#include "../base/parallel.hpp"

namespace saerl {

// The nonzero inputs of n rows of F numbers, row i's at [start[i], start[i + 1]).
template <class T>
struct SparseRows {
  std::unique_ptr<int[]> start, index;
  std::unique_ptr<T[]> value;
  int n = 0;

  Status build(const T* x, int rows, int F) {
    long nonzero = 0;
    for (long e = 0; e < long(rows) * F; ++e) nonzero += x[e] != T(0);
    start.reset(new (std::nothrow) int[size_t(rows) + 1]);
    index.reset(new (std::nothrow) int[size_t(nonzero) + 1]);
    value.reset(new (std::nothrow) T[size_t(nonzero) + 1]);
    if (!start || !index || !value)
      return Status::error(StatusCode::invalid_argument, "logistic probes: no memory for %ld inputs", nonzero);
    n = rows;
    int at = 0;
    for (int i = 0; i < rows; ++i) {
      start[i] = at;
      for (int k = 0; k < F; ++k)
        if (x[long(i) * F + k] != T(0)) index[at] = k, value[at++] = x[long(i) * F + k];
    }
    start[rows] = at;
    return Status::success();
  }
};

template <int F, int P, class T = float>
struct LogisticProbes {
  static_assert(F > 0 && P > 0, "LogisticProbes: the input width F and the predicate count P must be positive");
  static_assert(std::is_floating_point<T>::value, "LogisticProbes: the scalar type must be float or double");
  static constexpr int kFeatures = F, kPredicates = P, kLanes = 8;
  static constexpr int kBlocks = (P + kLanes - 1) / kLanes, kPadded = kBlocks * kLanes;
  using Scalar = T;

  // Predicate p's weight on input k is w[at(k, p)]: blocks of 8 predicates, each F x 8.
  static int at(int k, int p) { return ((p / kLanes) * F + k) * kLanes + p % kLanes; }

  alignas(64) T w[kPadded * F];
  T b[kPadded];
  T mean[F];
  T inv_std[F];  // 1 / std_k, or 1 for a column constant on the training rows
  // Training state: the last loss() call's gradient (laid out as w), Adam's moments, losses.
  alignas(64) double grad_w[kPadded * F];
  double grad_b[kPadded];
  T adam_m[kPadded * (F + 1)];
  T adam_v[kPadded * (F + 1)];
  double train_loss[P];  // L_p on the training rows after train()

  LogisticProbes() { reset(); }

  void reset() {
    for (int e = 0; e < kPadded * F; ++e) w[e] = T(0), grad_w[e] = 0;
    for (int p = 0; p < kPadded; ++p) b[p] = T(0), grad_b[p] = 0;
    for (int k = 0; k < F; ++k) mean[k] = T(0), inv_std[k] = T(1);
    for (int e = 0; e < kPadded * (F + 1); ++e) adam_m[e] = adam_v[e] = T(0);
    for (int p = 0; p < P; ++p) train_loss[p] = 0;
  }

  // As LogisticProbe::fit_standardisation (two passes in double).
  void fit_standardisation(const T* x, int n) {
    for (int k = 0; k < F; ++k) {
      double s = 0, ss = 0;
      for (int i = 0; i < n; ++i) s += double(x[long(i) * F + k]);
      const double mu = s / n;
      for (int i = 0; i < n; ++i) {
        const double d = double(x[long(i) * F + k]) - mu;
        ss += d * d;
      }
      const double sd = std::sqrt(ss / n);
      mean[k] = T(mu);
      inv_std[k] = sd > 0 ? T(1.0 / sd) : T(1);
    }
  }

  // z_p = sum_k w_kp (x_k - mean_k) inv_std_k + b_p for one row x (F).
  T logit(const T* x, int p) const {
    T s = 0;
    for (int k = 0; k < F; ++k) s += w[at(k, p)] * ((x[k] - mean[k]) * inv_std[k]);
    return s + b[p];
  }

  // Predicate p's probe seen alone (logit(x), Scalar, kFeatures), for helpers written for
  // LogisticProbe such as read_out.hpp's balanced_accuracy.
  struct One {
    using Scalar = T;
    static constexpr int kFeatures = F;
    const LogisticProbes* probes;
    int p;
    T logit(const T* x) const { return probes->logit(x, p); }
  };
  One one(int p) const { return One{this, p}; }

  // Fraction of rows x (n, F) where predicate p's prediction (z > 0) equals y[i * stride + p] != 0.
  template <class Label>
  double accuracy(const T* x, const Label* y, int n, int stride, int p) const {
    if (n <= 0) return 0.0;
    long right = 0;
    for (int i = 0; i < n; ++i) right += (logit(x + long(i) * F, p) > T(0)) == (y[long(i) * stride + p] != 0);
    return double(right) / n;
  }

  // Forward and backward over rows x (n, F), labels y[i * stride + p]: sets grad_w, grad_b to
  // dL_p/dw_p, dL_p/db_p for every p and writes L_p to losses[p] (P of them).
  template <class Label>
  Status loss(const T* x, const Label* y, int n, int stride, T lambda, double* losses) {
    SparseRows<T> rows;
    Status s = check(x, y, n, stride);
    if (s.ok()) s = rows.build(x, n, F);
    if (!s.ok()) return s;
    parallel_for(kBlocks, [&](int first, int end) {
      for (int blk = first; blk < end; ++blk) gradient(blk, rows, y, stride, lambda, losses);
    });
    return Status::success();
  }

  // Fits all P probes to rows x (n, F), labels y[i * stride + p], as LogisticProbe::train does
  // each: standardisation from these rows, then opt.steps full-batch Adam steps from w = 0 and
  // b_p = the logit of the smoothed positive rate (n1 + 1/2) / (n + 1). Mini-batches
  // (opt.batch > 0) are not offered.
  template <class Label>
  Status train(const T* x, const Label* y, int n, int stride, const ProbeOptions& opt = ProbeOptions()) {
    static_assert(std::is_integral<Label>::value, "LogisticProbes::train: labels must be bool or an integer type");
    Status s = check(x, y, n, stride);
    if (!s.ok()) return s;
    if (opt.steps < 0 || (opt.batch != 0 && opt.batch < n) || !(opt.lr > 0) || !(opt.lambda >= 0))
      return Status::error(StatusCode::invalid_argument,
                           "logistic probes: bad options (steps %d, batch %d: full batch only, lr %g, lambda %g)",
                           opt.steps, opt.batch, opt.lr, opt.lambda);
    reset();
    fit_standardisation(x, n);
    for (int p = 0; p < P; ++p) {
      long positives = 0;
      for (int i = 0; i < n; ++i) positives += y[long(i) * stride + p] != 0;
      const double rate = (double(positives) + 0.5) / (n + 1.0);
      b[p] = T(std::log(rate / (1.0 - rate)));
    }
    SparseRows<T> rows;
    s = rows.build(x, n, F);
    if (!s.ok()) return s;
    const T lambda = T(opt.lambda);
    parallel_for(kBlocks, [&](int first, int end) {
      for (int blk = first; blk < end; ++blk) {
        for (int step = 1; step <= opt.steps; ++step) {
          gradient(blk, rows, y, stride, lambda, nullptr);
          adam_step(blk, T(opt.lr), step);
        }
        gradient(blk, rows, y, stride, lambda, train_loss);
      }
    });
    return Status::success();
  }

  static double sigmoid(double z) {
    if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
  }

 private:
  template <class Label>
  static Status check(const T* x, const Label* y, int n, int stride) {
    if (n < 1) return Status::error(StatusCode::invalid_argument, "logistic probes: %d training rows (need at least 1)", n);
    if (!x || !y) return Status::error(StatusCode::invalid_argument, "logistic probes: x or y is null");
    if (stride < P)
      return Status::error(StatusCode::invalid_argument, "logistic probes: label stride %d < %d predicates", stride, P);
    return Status::success();
  }

  // Block blk's gradient (the header's sparse forms) into grad_w, grad_b; with losses, also
  // L_p for its predicates. Reads and writes only block blk's slice of every array.
  template <class Label>
  void gradient(int blk, const SparseRows<T>& rows, const Label* y, int stride, T lambda, double* losses) {
    constexpr int L = kLanes;
    const T* wb = w + long(blk) * F * L;
    double* g = grad_w + long(blk) * F * L;
    double c[L], gb[L], total[L];
    for (int l = 0; l < L; ++l) c[l] = double(b[blk * L + l]), gb[l] = 0, total[l] = 0;
    for (int k = 0; k < F; ++k)
      for (int l = 0; l < L; ++l) c[l] -= double(wb[k * L + l] * inv_std[k]) * double(mean[k]), g[k * L + l] = 0;
    const int lanes = P - blk * L < L ? P - blk * L : L;
    for (int i = 0; i < rows.n; ++i) {
      double z[L], r[L];
      for (int l = 0; l < L; ++l) z[l] = c[l];
      for (int e = rows.start[i]; e < rows.start[i + 1]; ++e) {
        const int k = rows.index[e];
        const double xv = double(rows.value[e]);
        for (int l = 0; l < L; ++l) z[l] += double(wb[k * L + l] * inv_std[k]) * xv;
      }
      for (int l = 0; l < L; ++l) {
        const double yv = l < lanes && y[long(i) * stride + blk * L + l] != 0 ? 1.0 : 0.0;
        r[l] = sigmoid(z[l]) - yv;  // dbce/dz
        gb[l] += r[l];
        if (losses) total[l] += (z[l] > 0 ? z[l] : 0.0) - yv * z[l] + std::log1p(std::exp(-std::fabs(z[l])));
      }
      for (int e = rows.start[i]; e < rows.start[i + 1]; ++e) {
        const int k = rows.index[e];
        const double xv = double(rows.value[e]);
        for (int l = 0; l < L; ++l) g[k * L + l] += r[l] * xv;
      }
    }
    const double inv_n = 1.0 / rows.n;
    double w2[L] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int k = 0; k < F; ++k)
      for (int l = 0; l < L; ++l) {
        const double wk = double(wb[k * L + l]);
        g[k * L + l] = double(inv_std[k]) * (g[k * L + l] - double(mean[k]) * gb[l]) * inv_n + double(lambda) * wk;
        w2[l] += wk * wk;
      }
    for (int l = 0; l < L; ++l) {
      grad_b[blk * L + l] = gb[l] * inv_n;
      if (losses && l < lanes) losses[blk * L + l] = total[l] * inv_n + double(lambda) / 2 * w2[l];
    }
  }

  // Adam as LogisticProbe::adam_step, on block blk's weights and biases, at step t (from 1).
  void adam_step(int blk, T lr, int t) {
    constexpr int L = kLanes;
    const T beta1 = T(0.9), beta2 = T(0.999), eps = T(1e-8);
    const T c1 = T(1) - T(std::pow(double(beta1), double(t)));
    const T c2 = T(1) - T(std::pow(double(beta2), double(t)));
    const T step_size = lr / c1, inv_sqrt_c2 = T(1) / std::sqrt(c2);
    T* m = adam_m + long(blk) * (F + 1) * L;
    T* v = adam_v + long(blk) * (F + 1) * L;
    for (int k = 0; k <= F; ++k)
      for (int l = 0; l < L; ++l) {
        const T g = T(k < F ? grad_w[(long(blk) * F + k) * L + l] : grad_b[blk * L + l]);
        T& p = k < F ? w[(long(blk) * F + k) * L + l] : b[blk * L + l];
        m[k * L + l] = beta1 * m[k * L + l] + (T(1) - beta1) * g;
        v[k * L + l] = beta2 * v[k * L + l] + (T(1) - beta2) * g * g;
        p -= step_size * m[k * L + l] / (std::sqrt(v[k * L + l]) * inv_sqrt_c2 + eps);
      }
  }
};

}  // namespace saerl
