// saerl/sae/activation_dataset.hpp — a fixed-capacity set of activation vectors to train and
// evaluate a sparse autoencoder on, each row tagged with where it came from.
//
// Rows are stored contiguously (row i at data + i * D), so a batch of rows can be handed to
// sae_forward() without copying. After shuffle_split(), rows [0, train_size) are the training
// set and rows [train_size, size) the held-out set.
//
//   using Acts = saerl::ActivationDataset<float, 128, 100000>;
//   auto acts = std::make_unique<Acts>();                  // large: place it once
//   acts->push(hidden, position_index);                     // false when full
//   acts->shuffle_split(rng, 0.1);                          // 90% training, 10% held out
//   float mean[128];
//   acts->mean(0, acts->train_size, mean);                  // e.g. to initialise b_dec
//   double var = acts->variance(acts->train_size, acts->size);   // FVU's denominator
//   saerl::Status s = acts->save_npy("out/acts.npy");      // numpy.load -> (size, 128)
#pragma once
#include <climits>
#include <cmath>
#include <cstdint>

#include "../core/io/npy.hpp"
#include "../core/base/rng.hpp"
#include "../core/base/status.hpp"

namespace saerl {

template <class T, int D, int Capacity>
struct ActivationDataset {
  static_assert(D > 0 && Capacity > 0, "ActivationDataset: D and Capacity must be positive");
  static_assert(static_cast<long long>(D) * Capacity <= INT_MAX,
                "ActivationDataset: Capacity * D must fit in an int");
  using Scalar = T;
  static constexpr int kDim = D, kCapacity = Capacity;

  T data[Capacity * D];
  int32_t source[Capacity];  // where each row came from (e.g. a position index); -1 if unknown
  int size = 0;
  int train_size = 0;

  // Appends one row x (D values); returns false, storing nothing, when full.
  bool push(const T* x, int32_t source_id) {
    if (size >= Capacity) return false;
    for (int d = 0; d < D; ++d) data[size * D + d] = x[d];
    source[size++] = source_id;
    return true;
  }

  void clear() { size = train_size = 0; }

  const T* row(int i) const { return data + i * D; }

  // Fisher-Yates: for i = size-1 .. 1, swap row i with row j = below(i + 1), keeping each row
  // with its source id. Then train_size = size - round(size * holdout_fraction), the
  // fraction clamped to [0, 1].
  void shuffle_split(Rng& rng, double holdout_fraction) {
    for (int i = size - 1; i > 0; --i) {
      const int j = static_cast<int>(rng.below(static_cast<uint32_t>(i + 1)));
      if (j == i) continue;
      for (int d = 0; d < D; ++d) {
        const T t = data[i * D + d];
        data[i * D + d] = data[j * D + d];
        data[j * D + d] = t;
      }
      const int32_t s = source[i];
      source[i] = source[j];
      source[j] = s;
    }
    const double h = holdout_fraction > 0 ? (holdout_fraction < 1 ? holdout_fraction : 1) : 0;
    train_size = size - static_cast<int>(std::lround(size * h));
  }

  // out[d] = (1 / n) sum_{i in [begin, end)} x_id, n = end - begin (zeros when n = 0).
  void mean(int begin, int end, T* out) const {
    double m[D];
    mean_double(begin, end, m);
    for (int d = 0; d < D; ++d) out[d] = static_cast<T>(m[d]);
  }

  // Total variance (1 / n) sum_i ||x_i - mean||^2 over [begin, end): the denominator of the
  // fraction of variance unexplained. 0 when n = 0.
  T variance(int begin, int end) const {
    if (end <= begin) return T(0);
    double m[D];
    mean_double(begin, end, m);
    double s = 0;
    for (int i = begin; i < end; ++i)
      for (int d = 0; d < D; ++d) {
        const double e = static_cast<double>(data[i * D + d]) - m[d];
        s += e * e;
      }
    return static_cast<T>(s / (end - begin));
  }

  // The rows as a (size, D) array, and the source ids as a (size,) int32 array.
  Status save_npy(const char* path) const {
    const uint64_t shape[2] = {static_cast<uint64_t>(size), static_cast<uint64_t>(D)};
    return saerl::save_npy(path, data, shape, 2);
  }
  Status save_sources_npy(const char* path) const {
    const uint64_t shape[1] = {static_cast<uint64_t>(size)};
    return saerl::save_npy(path, source, shape, 1);
  }

 private:
  void mean_double(int begin, int end, double* m) const {
    for (int d = 0; d < D; ++d) m[d] = 0;
    for (int i = begin; i < end; ++i)
      for (int d = 0; d < D; ++d) m[d] += static_cast<double>(data[i * D + d]);
    if (end > begin)
      for (int d = 0; d < D; ++d) m[d] /= (end - begin);
  }
};

}  // namespace saerl
