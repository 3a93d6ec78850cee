// saerl/examples/superposition.hpp — the third teaching example: a toy model of
// superposition, and a sparse autoencoder taking the features back out of it.
//
// F known features, each a random unit direction u_i in D < F dimensions, so they cannot all
// be orthogonal. Each input turns on a few of them (each with probability p, at a strength
// c_i uniform in [0.5, 1.5]) and adds them up: x = sum_i c_i u_i. No single coordinate of x
// means one feature (every feature touches every coordinate). An SAE (sae/sae.hpp) with M
// latents, trained with the L1 penalty (sae/sae_trainer.hpp) on such inputs, should find
// each u_i again as one of its decoder rows w_j:
//   recovered_i = max_j cos(u_i, w_j)        (1 = found exactly)
//   neuron_i    = max_d |u_i[d]|             the best single coordinate, for comparison
//
//   auto r = std::make_unique<saerl::SuperpositionResult>();
//   saerl::recover_features(/*seed=*/1, /*steps=*/4000, *r);
//   r->recovered[i];   // > 0.9 for every feature when the SAE has found them all
//
// examples/superposition.cpp prints it; tests/test_examples.cpp checks it.
#pragma once
#include <cmath>
#include <memory>

#include "../sae/sae_trainer.hpp"

namespace saerl {

struct ToyModel {
  static constexpr int F = 16, D = 8;  // 16 features squeezed into 8 dimensions
  static constexpr float kP = 0.04f;   // each feature is on in 4% of inputs: 0.64 at a time
  float u[F][D];                       // unit directions

  void init(Rng& rng) {
    for (int i = 0; i < F; ++i) {
      for (int d = 0; d < D; ++d) u[i][d] = rng.normal();
      scale(u[i], D, 1.0f / std::sqrt(sum_squares(u[i], D)));
    }
  }
  // One input x (D), and which features it holds (c, F; 0 when off).
  void sample(Rng& rng, float* x, float* c) const {
    fill(x, D, 0.0f);
    for (int i = 0; i < F; ++i) {
      c[i] = rng.uniform() < kP ? rng.uniform(0.5f, 1.5f) : 0.0f;
      axpy(c[i], u[i], x, D);
    }
  }
};

using ToySae = Sae<float, ToyModel::D, 2 * ToyModel::F>;

struct SuperpositionResult {
  static constexpr int F = ToyModel::F;
  ToyModel model;
  ToySae sae;
  double recovered[F];  // max_j cos(u_i, w_j)
  int latent[F];        // the j that attains it
  double neuron[F];     // max_d |u_i[d]|
  double interference = 0;  // max_{i != k} |cos(u_i, u_k)|
  double final_mse = 0;
  double min_recovered = 0;
};

inline void recover_features(uint64_t seed, long steps, SuperpositionResult& r) {
  constexpr int B = 64, F = ToyModel::F, D = ToyModel::D, M = ToySae::kFeatures;
  Rng rng(seed);
  r.model.init(rng);
  r.sae.init(SaeVariant::relu, 0, nullptr, rng);
  SaeConfig c;
  c.variant = SaeVariant::relu;
  c.l1 = 8e-2f;  // strong enough that one latent per feature beats a blend of several
  c.lr = 3e-3f;
  c.total_steps = steps;  // the learning rate decays to 0 over the last 20%
  c.lr_warmup = 100;
  c.penalty_warmup = 500;
  auto trainer = std::make_unique<SaeTrainer<ToySae, B>>();
  trainer->init(c);
  float x[B * D], on[F];
  for (long t = 0; t < steps; ++t) {
    for (int b = 0; b < B; ++b) r.model.sample(rng, x + b * D, on);
    trainer->step(r.sae, x, B);
  }
  r.final_mse = trainer->last_mse;

  r.min_recovered = 1;
  r.interference = 0;
  for (int i = 0; i < F; ++i) {
    // decoder rows are unit vectors, so cos(u_i, w_j) = u_i . w_j
    r.recovered[i] = -1;
    for (int j = 0; j < M; ++j) {
      const double cs = dot(r.model.u[i], r.sae.w_dec() + j * D, D);
      if (cs > r.recovered[i]) r.recovered[i] = cs, r.latent[i] = j;
    }
    if (r.recovered[i] < r.min_recovered) r.min_recovered = r.recovered[i];
    r.neuron[i] = 0;
    for (int d = 0; d < D; ++d) r.neuron[i] = std::fmax(r.neuron[i], std::fabs(r.model.u[i][d]));
    for (int k = 0; k < F; ++k)
      if (k != i) r.interference = std::fmax(r.interference, std::fabs(dot(r.model.u[i], r.model.u[k], D)));
  }
}

}  // namespace saerl
