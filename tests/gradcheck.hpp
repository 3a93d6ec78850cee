// Test helpers shared by the suites: finite-difference gradient checks (core/nn/gradcheck.hpp)
// and random fills.
#pragma once
#include <initializer_list>

#include "core/nn/gradcheck.hpp"
#include "core/base/rng.hpp"

namespace saerl_test {

using saerl::numeric_gradient;
using saerl::relative_error;

inline void random_fill(double* x, int n, saerl::Rng& rng, double scale = 1.0) {
  for (int i = 0; i < n; ++i) x[i] = scale * rng.normal_double();
}
inline void random_fill(float* x, int n, saerl::Rng& rng, float scale = 1.0f) {
  for (int i = 0; i < n; ++i) x[i] = scale * rng.normal();
}

}  // namespace saerl_test
