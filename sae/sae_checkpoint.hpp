// saerl/sae/sae_checkpoint.hpp — everything an Sae and its SaeTrainer carry from one step to the
// next, as checkpoint fields (core/io/checkpoint.hpp), and the checks a loaded checkpoint must
// pass before training may go on from it.
//
//   s = saerl::load_checkpoint(path, kind, [&](auto& ar) {
//     saerl::sae_training_fields(ar, *sae, *trainer);
//     ar.rng(rng);                                   // the caller adds its RNG and counters
//   });
//   if (s.ok()) s = saerl::check_sae_training(*sae, *trainer);
//
// Saved: the SAE's parameters, variant and k; Adam's moments, step and learning rate; the
// trainer's counters, last losses and when each feature last fired. The trainer's
// configuration comes from the same options on resume; its work buffers are not state.
#pragma once
#include <cstdint>

#include "../core/io/checkpoint.hpp"
#include "sae_trainer.hpp"

namespace saerl {

template <class Ar, class SaeT, int B>
void sae_training_fields(Ar& ar, SaeT& sae, SaeTrainer<SaeT, B>& t) {
  ar.array(sae.params, SaeT::kParams);
  ar.value(sae.variant);
  ar.value(sae.k);
  adam_fields(ar, t.adam);
  ar.value(t.steps);
  ar.value(t.inputs_seen);
  ar.array(t.last_fired, SaeT::kFeatures);
  ar.value(t.last_mse);
  ar.value(t.last_loss);
}

// A loaded SAE and trainer are in range: a known variant, 0 <= k <= M, counters that agree.
// Then the divergence guard.
template <class SaeT, int B>
Status check_sae_training(const SaeT& sae, const SaeTrainer<SaeT, B>& t) {
  if (uint8_t(sae.variant) > uint8_t(SaeVariant::jumprelu) || sae.k < 0 || sae.k > SaeT::kFeatures)
    return Status::error(StatusCode::invalid_argument, "checkpoint: SAE variant %d with k = %d", int(sae.variant),
                         sae.k);
  if (t.steps < 0 || t.inputs_seen < 0 || t.adam.step < 0 || t.adam.step > t.steps)
    return Status::error(StatusCode::invalid_argument, "checkpoint: counters out of range");
  for (int j = 0; j < SaeT::kFeatures; ++j)
    if (t.last_fired[j] < 0 || t.last_fired[j] > t.inputs_seen)
      return Status::error(StatusCode::invalid_argument, "checkpoint: feature %d last fired after the last input", j);
  return t.check_finite(sae);
}

}  // namespace saerl
