// saerl/sae/metrics.hpp — how well a sparse autoencoder reconstructs a set of activations,
// and how its features fire on them (the SAE metrics of docs/METRICS.md).
//
//   auto work = std::make_unique<saerl::SaeWorkspace<SaeT, 256>>();
//   saerl::SaeMetrics m = saerl::evaluate_sae(*sae, *acts, acts->train_size, acts->size, *work);
//   std::printf("FVU %.4f  L0 %.1f  dead %d  dense %d\n", m.fvu, m.l0, m.dead, m.dense);
//
// Over n inputs x_i (D values each) with reconstructions x_hat_i and codes f_i (M features):
//   mse   = (1 / (n D)) sum_i ||x_hat_i - x_i||^2
//   fvu   = sum_i ||x_i - x_hat_i||^2 / sum_i ||x_i - mean||^2,  mean over the same n inputs
//           (0 when both are 0; +inf when only the denominator is)
//   l0    = (1 / n) sum_i #{j : f_ij != 0}
//   density_j = #{i : f_ij > 0} / n;  dead: density 0;  dense: density > 0.1;  live = M - dead
// The histogram counts features by log10(density):
//   bin 0: dead (log10 density = -inf)
//   bin 1: [-6, -5)  (also takes the live features below 1e-6)
//   bin 2: [-5, -4)   bin 3: [-4, -3)   bin 4: [-3, -2)   bin 5: [-2, -1)   bin 6: [-1, 0]
// Bins are decided by exact comparisons (fired * 10^k >= n), not by a rounded log10.
//
// Inputs run through sae_forward() in inference mode (training = false), B rows at a time.
#pragma once
#include <limits>

#include "sae.hpp"

namespace saerl {

constexpr int kDensityBins = 7;

inline const char* density_bin_label(int bin) {
  static const char* const kLabels[kDensityBins] = {"dead",          "[1e-6, 1e-5)", "[1e-5, 1e-4)",
                                                    "[1e-4, 1e-3)",  "[1e-3, 1e-2)", "[1e-2, 1e-1)",
                                                    "[1e-1, 1]"};
  return bin >= 0 && bin < kDensityBins ? kLabels[bin] : "?";
}

// Per feature, the number of inputs on which it fired (f_j > 0), out of `inputs`.
template <int M>
struct SaeFeatureStats {
  long fired[M];
  long inputs = 0;

  void clear() {
    for (int j = 0; j < M; ++j) fired[j] = 0;
    inputs = 0;
  }
  double density(int j) const { return inputs > 0 ? static_cast<double>(fired[j]) / inputs : 0.0; }
};

struct SaeMetrics {
  double mse = 0, fvu = 0, l0 = 0;
  int dead = 0, dense = 0, live = 0;
  int histogram[kDensityBins] = {0};
  long inputs = 0;
};

namespace detail {

// sum over rows and columns of (y_rc - mean_c)^2 with y = x (or x - minus when given), mean_c
// y's column mean; column by column so that it needs no buffer.
template <class T>
double sum_squared_deviation(const T* x, int rows, int d, const T* minus = nullptr) {
  auto y = [&](int r, int c) {
    return static_cast<double>(x[r * d + c]) - (minus ? static_cast<double>(minus[r * d + c]) : 0.0);
  };
  double total = 0;
  for (int c = 0; c < d; ++c) {
    double mean = 0;
    for (int r = 0; r < rows; ++r) mean += y(r, c);
    mean /= rows;
    for (int r = 0; r < rows; ++r) {
      const double e = y(r, c) - mean;
      total += e * e;
    }
  }
  return total;
}

template <class T>
double sum_squared_error(const T* x, const T* x_hat, int n) {
  double total = 0;
  for (int i = 0; i < n; ++i) {
    const double e = static_cast<double>(x_hat[i]) - static_cast<double>(x[i]);
    total += e * e;
  }
  return total;
}

inline double fvu_ratio(double sse, double ssd) {
  if (ssd > 0) return sse / ssd;
  return sse > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

// The histogram bin of a feature fired on `fired` of `inputs` inputs (see the header).
inline int density_bin(long fired, long inputs) {
  if (fired <= 0) return 0;
  double power = 10;  // density >= 10^-k  <=>  fired * 10^k >= inputs
  for (int k = 1; k <= 5; ++k, power *= 10)
    if (static_cast<double>(fired) * power >= static_cast<double>(inputs)) return kDensityBins - k;
  return 1;
}

}  // namespace detail

// FVU of reconstructions x_hat of x, both (rows, d): sum ||x - x_hat||^2 / sum ||x - mean||^2.
template <class T>
double fvu(const T* x, const T* x_hat, int rows, int d) {
  if (rows <= 0) return 0.0;
  return detail::fvu_ratio(detail::sum_squared_error(x, x_hat, rows * d),
                           detail::sum_squared_deviation(x, rows, d));
}

// Evaluates sae on x (rows, D), contiguous. If stats is given, it is cleared and filled.
// With rows = 0 every number is 0 and every feature counts as dead.
template <class SaeT, int B>
SaeMetrics evaluate_sae_rows(SaeT& sae, const typename SaeT::Scalar* x, int rows, SaeWorkspace<SaeT, B>& work,
                             SaeFeatureStats<SaeT::kFeatures>* stats = nullptr) {
  using T = typename SaeT::Scalar;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  SaeFeatureStats<M> local;  // M longs on the stack when the caller keeps no stats
  SaeFeatureStats<M>& st = stats ? *stats : local;
  st.clear();
  SaeMetrics m;
  double sse = 0, nonzero = 0;
  for (int b0 = 0; b0 < rows; b0 += B) {
    const int n = rows - b0 < B ? rows - b0 : B;
    sae_forward(sae, x + static_cast<long>(b0) * D, n, work, /*training=*/false);
    sse += detail::sum_squared_error(x + static_cast<long>(b0) * D, work.x_hat, n * D);
    for (int r = 0; r < n; ++r)
      for (int j = 0; j < M; ++j) {
        const T f = work.f[r * M + j];
        nonzero += f != T(0);
        st.fired[j] += f > T(0);
      }
  }
  st.inputs = rows > 0 ? rows : 0;
  m.inputs = st.inputs;
  if (rows > 0) {
    m.mse = sse / (static_cast<double>(rows) * D);
    m.fvu = detail::fvu_ratio(sse, detail::sum_squared_deviation(x, rows, D));
    m.l0 = nonzero / rows;
  }
  for (int j = 0; j < M; ++j) {
    m.dead += st.fired[j] == 0;
    m.dense += st.fired[j] * 10 > st.inputs;
    ++m.histogram[detail::density_bin(st.fired[j], st.inputs)];
  }
  m.live = M - m.dead;
  return m;
}

// Evaluates sae on rows [begin, end) of data, whose rows must be contiguous
// (data.row(i + 1) == data.row(i) + D, as in ActivationDataset).
template <class SaeT, int B, class Dataset>
SaeMetrics evaluate_sae(SaeT& sae, const Dataset& data, int begin, int end, SaeWorkspace<SaeT, B>& work,
                        SaeFeatureStats<SaeT::kFeatures>* stats = nullptr) {
  const int rows = end > begin ? end - begin : 0;
  return evaluate_sae_rows(sae, rows > 0 ? data.row(begin) : nullptr, rows, work, stats);
}

}  // namespace saerl
