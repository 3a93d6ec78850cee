// saerl/examples/cli/sae_results.hpp — the sae.<variant>.* keys of results.json that every SAE
// the program trains writes, whatever the game: its recipe and loss in words, and how well it
// reconstructs the held-out rows. (train-sae and `run --game pellets` add their own measures.)
//
//   s = update_results(dir, [&](Results& r) {
//     SaeKeys put{&r, "topk"};
//     put("action_agreement", 0.93);                 // sae.topk.action_agreement
//     set_sae_recipe_keys(put, SaeVariant::topk, sae_recipe, train_seconds);
//     set_sae_metric_keys(put, heldout_metrics);     // fvu, mse, l0, dense, width, density
//   });
#pragma once
#include <cmath>
#include <cstdio>
#include <string>

#include "../../sae/metrics.hpp"
#include "../recipe.hpp"
#include "../results.hpp"

namespace saerl {

// Sets sae.<name>.<key>; a NaN or an infinity becomes -1 (no value).
struct SaeKeys {
  Results* r;
  const char* name;

  std::string path(const char* key) const {
    char p[96];
    std::snprintf(p, sizeof p, "sae.%s.%s", name, key);
    return p;
  }
  void operator()(const char* key, double v) const { r->set(path(key).c_str(), std::isfinite(v) ? v : -1.0); }
};

// The loss an SAE trained with, in words: "mse + l1 0.012", "mse + auxk 1/32 + policy kl 0.1 (t 0.01)".
inline std::string sae_loss_text(SaeVariant v, const SaeConfig& c, const SaeRecipe& r) {
  char text[160];
  int n = v == SaeVariant::relu       ? std::snprintf(text, sizeof text, "mse + l1 %g", double(c.l1))
          : v == SaeVariant::jumprelu ? std::snprintf(text, sizeof text, "mse + l0 %g", double(c.l0))
          : c.aux_coeff > 0           ? std::snprintf(text, sizeof text, "mse + auxk %g", double(c.aux_coeff))
                                      : std::snprintf(text, sizeof text, "mse");
  if (r.q_fidelity > 0) n += std::snprintf(text + n, sizeof text - size_t(n), " + q mse %g", double(r.q_fidelity));
  if (r.policy_fidelity > 0)
    std::snprintf(text + n, sizeof text - size_t(n), " + policy kl %g (t %g)", double(r.policy_fidelity),
                  double(r.policy_temperature));
  return text;
}

// The recipe an SAE trained with: k, the sparsity coefficients, the fidelity terms, the steps
// and the loss in words; and how long it trained.
inline void set_sae_recipe_keys(const SaeKeys& put, SaeVariant v, const SaeRecipe& sr, double train_seconds) {
  const SaeConfig& c = sr.config;
  put("k", c.k);
  put("l1_coefficient", c.l1);  // (not "l0": that key is the measured L0)
  put("l0_coefficient", c.l0);
  put("q_fidelity", sr.q_fidelity);
  put("policy_fidelity", sr.policy_fidelity);
  put("policy_temperature", sr.policy_temperature);
  put("steps", double(sr.steps));
  put("train_seconds", train_seconds);
  put.r->set_text(put.path("loss").c_str(), sae_loss_text(v, c, sr).c_str());
}

// Reconstruction on the held-out rows: fvu, mse, l0, dense features, the width, and the
// features per density bin (sae/metrics.hpp). Dead features are counted by the caller, on a
// set it names.
template <class SaeT>
void set_sae_metric_keys(const SaeKeys& put, const SaeMetrics& m) {
  put("fvu", m.fvu);
  put("mse", m.mse);
  put("l0", m.l0);
  put("dense", m.dense);
  put("width", SaeT::kFeatures);
  double histogram[kDensityBins];
  for (int b = 0; b < kDensityBins; ++b) histogram[b] = m.histogram[b];
  put.r->set_numbers(put.path("density").c_str(), histogram, kDensityBins);
}

}  // namespace saerl
