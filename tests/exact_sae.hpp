// Test helper: an SAE of 2 W features on a W-wide layer that reconstructs every input exactly
// (ReLU, no bias: feature j is +e_j, feature W + j is -e_j, so x = relu(x) - relu(-x)), for
// tests of splicing: with it in place of the layer, a DQN must act exactly as without.
#pragma once
#include "core/base/rng.hpp"
#include "core/math/tensor.hpp"
#include "sae/sae.hpp"

namespace saerl_test {

template <class SaeT>
void make_exact(SaeT& sae) {
  constexpr int W = SaeT::kIn;
  static_assert(SaeT::kFeatures == 2 * W, "make_exact: the SAE needs two features per input");
  saerl::Rng rng(1);
  sae.init(saerl::SaeVariant::relu, 1, static_cast<const typename SaeT::Scalar*>(nullptr), rng);
  saerl::fill(sae.params, SaeT::kParams, typename SaeT::Scalar(0));
  for (int d = 0; d < W; ++d) {
    sae.w_enc()[d * 2 * W + d] = 1;
    sae.w_enc()[d * 2 * W + W + d] = -1;
    sae.w_dec()[d * W + d] = 1;
    sae.w_dec()[(W + d) * W + d] = -1;
  }
}

}  // namespace saerl_test
