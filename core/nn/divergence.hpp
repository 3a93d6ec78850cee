// saerl/core/nn/divergence.hpp — the divergence guard: training checks that its loss and its
// parameters are finite, and the first NaN or infinity becomes a Status naming the step and
// the tensor, so the caller stops before saving anything (its last good checkpoint stays).
//
//   saerl::Status s = saerl::check_finite_mlp(net, "online network", step);
//   if (s.ok()) s = saerl::check_finite_loss(loss, "DQN loss", step);
//   if (!s.ok()) { std::fprintf(stderr, "error: %s\n", s.message); return 1; }
//   // e.g. "step 2012: online network W0 holds NaN at index 317 (training diverged)"
#pragma once
#include <cmath>
#include <cstdio>

#include "mlp.hpp"
#include "../base/status.hpp"

namespace saerl {

template <class T>
Status check_finite(const T* x, int n, const char* tensor, long step) {
  for (int i = 0; i < n; ++i)
    if (!std::isfinite(x[i]))
      return Status::error(StatusCode::diverged, "step %ld: %s holds %s at index %d (training diverged)", step,
                           tensor, std::isnan(x[i]) ? "NaN" : "an infinity", i);
  return Status::success();
}

inline Status check_finite_loss(double loss, const char* name, long step) {
  if (std::isfinite(loss)) return Status::success();
  return Status::error(StatusCode::diverged, "step %ld: the %s is %s (training diverged)", step, name,
                       std::isnan(loss) ? "NaN" : "infinite");
}

// Each layer's weights and biases, named "<what> W<l>" and "<what> b<l>".
template <class T, int... S>
Status check_finite_mlp(const Mlp<T, S...>& net, const char* what, long step) {
  using Net = Mlp<T, S...>;
  for (int l = 0; l < Net::kLayers; ++l) {
    const int in = Net::kSizes[l], out = Net::kSizes[l + 1];
    const T* w = net.params + Net::weight_offset(l);
    char name[96];
    std::snprintf(name, sizeof name, "%s W%d", what, l);
    Status s = check_finite(w, in * out, name, step);
    if (!s.ok()) return s;
    std::snprintf(name, sizeof name, "%s b%d", what, l);
    s = check_finite(w + in * out, out, name, step);
    if (!s.ok()) return s;
  }
  return Status::success();
}

}  // namespace saerl
