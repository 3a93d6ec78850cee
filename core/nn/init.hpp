// saerl/core/nn/init.hpp — weight initialisation from the library's RNG.
//
//   saerl::kaiming_uniform(W, in * out, in, rng);          // He uniform, for ReLU layers
//   saerl::pytorch_linear_init(W, b, in, out, rng);         // torch.nn.Linear's default
#pragma once
#include <cmath>

#include "../base/rng.hpp"

namespace saerl {

template <class T>
void uniform_fill(T* x, int n, T bound, Rng& rng) {
  for (int i = 0; i < n; ++i) x[i] = T(rng.uniform(-float(bound), float(bound)));
}

// He/Kaiming uniform: U(-b, b) with b = sqrt(6 / fan_in), so Var = 2 / fan_in (ReLU gain).
template <class T>
void kaiming_uniform(T* w, int n, int fan_in, Rng& rng) {
  uniform_fill(w, n, T(std::sqrt(6.0 / fan_in)), rng);
}

// torch.nn.Linear: kaiming_uniform with a = sqrt(5), i.e. b = 1 / sqrt(fan_in), for both the
// weight and the bias. W is (in, out) here, b is (out).
template <class T>
void pytorch_linear_init(T* W, T* b, int in, int out, Rng& rng) {
  const T bound = T(1.0 / std::sqrt(double(in)));
  uniform_fill(W, in * out, bound, rng);
  uniform_fill(b, out, bound, rng);
}

}  // namespace saerl
