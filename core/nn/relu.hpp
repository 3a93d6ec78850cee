// saerl/core/nn/relu.hpp — the rectifier, forward and backward.
//
//   relu_forward(z, a, n);        // a = max(z, 0)
//   relu_backward(z, da, dz, n);  // dz = da * [z > 0]
//
// z and a may be the same array in the forward pass; dz and da may be the same in the backward.
#pragma once

namespace saerl {

// a = max(z, 0)
template <class T>
void relu_forward(const T* z, T* a, int n) {
  for (int i = 0; i < n; ++i) a[i] = z[i] > T(0) ? z[i] : T(0);
}

// da/dz = 1 where z > 0, else 0 (the subgradient at 0 is taken as 0)
template <class T>
void relu_backward(const T* z, const T* da, T* dz, int n) {
  for (int i = 0; i < n; ++i) dz[i] = z[i] > T(0) ? da[i] : T(0);
}

}  // namespace saerl
