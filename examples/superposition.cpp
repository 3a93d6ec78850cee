// A toy model of superposition: 16 sparse features mixed into 8 dimensions, and a sparse
// autoencoder that finds every one of them again. Build and run: make examples
#include <cstdio>
#include <memory>

#include "superposition.hpp"

int main() {
  auto r = std::make_unique<saerl::SuperpositionResult>();
  saerl::recover_features(/*seed=*/1, /*steps=*/4000, *r);
  std::printf("%d features as random unit directions in %d dimensions; each input holds about %.2f of them\n",
              saerl::ToyModel::F, saerl::ToyModel::D, saerl::ToyModel::F * saerl::ToyModel::kP);
  std::printf("they overlap: the largest |cos| between two features is %.2f\n\n", r->interference);
  std::printf("SAE 8 -> %d latents, ReLU + L1, 4,000 Adam steps of 64 inputs (final MSE %.4f)\n",
              saerl::ToySae::kFeatures, r->final_mse);
  std::printf("  %-8s %-7s %-28s %s\n", "feature", "latent", "cos(feature, decoder row)", "best single coordinate");
  for (int i = 0; i < saerl::SuperpositionResult::F; ++i)
    std::printf("  %-8d %-7d %-28.3f %.3f\n", i, r->latent[i], r->recovered[i], r->neuron[i]);
  const bool ok = r->min_recovered > 0.9;
  std::printf("%s: the worst-recovered feature has cosine %.3f\n",
              ok ? "every feature recovered" : "NOT every feature recovered", r->min_recovered);
  return ok ? 0 : 1;
}
