// saerl/sae/train.hpp — a whole SAE training run: batches drawn from an activation dataset,
// SaeTrainer steps, dead-feature resampling for the L1 variant, and callbacks for progress,
// evaluation, checkpoints and stopping (the same shape as dqn/train.hpp's train_dqn).
//
//   saerl::SaeRun run;                                 // steps, resampling, evaluation, checkpoints
//   run.steps = 6000;
//   struct : saerl::SaeCallbacks {                     // override what you need
//     void evaluate(long step) { /* FVU on held-out rows */ }
//   } callbacks;
//   saerl::Status s = saerl::train_sae(run, *sae, *trainer, rows, train_count, rng, batch_buffer,
//                                      saerl::no_extra_loss, callbacks);
//
// Each step draws B rows uniformly with replacement from rows[0 .. count) (D values each),
// calls callbacks.before_step(step, batch) (which may read or change the batch), and takes one
// trainer step with `extra` as the additional loss on the reconstruction (e.g. the DQN's
// Q-fidelity term; see SaeTrainer::step). The loop runs from trainer.steps + 1 to run.steps,
// so a trainer loaded from a checkpoint goes on where it stopped.
#pragma once
#include "../core/base/status.hpp"
#include "../core/math/tensor.hpp"
#include "sae_trainer.hpp"

namespace saerl {

struct SaeRun {
  long steps = 6000;            // trainer steps of B inputs
  long resample_every = 1500;   // relu: dead features resampled this often in the first half (0: never)
  long eval_every = 0;          // steps between evaluate() calls (0: only at the end)
  long checkpoint_every = 0;    // steps between checkpoint() calls (0: never)
};

// What train_sae calls; derive from this and hide the members you need (calls are static).
struct SaeCallbacks {
  bool stop(long /*step*/) { return false; }                 // true ends the run (Status stopped)
  void before_step(long /*step*/, float* /*batch*/) {}       // the batch about to be trained on
  void progress(long /*step*/) {}                            // after each step
  void evaluate(long /*step*/) {}                            // every eval_every steps and after the last
  Status checkpoint(long /*step*/) { return Status::success(); }  // after the divergence guard passed
};

// The extra loss that adds nothing.
struct NoExtraLoss {
  template <class T>
  T operator()(const T*, int, T*) const { return T(0); }
};
constexpr NoExtraLoss no_extra_loss{};

template <class SaeT, int B, class Extra, class Callbacks>
Status train_sae(const SaeRun& run, SaeT& sae, SaeTrainer<SaeT, B>& trainer, const typename SaeT::Scalar* rows,
                 int count, Rng& rng, typename SaeT::Scalar* batch, Extra&& extra, Callbacks& callbacks) {
  constexpr int D = SaeT::kIn;
  if (count < 1) return Status::error(StatusCode::invalid_argument, "train_sae: no rows to train on");
  for (long t = trainer.steps + 1; t <= run.steps; ++t) {
    if (callbacks.stop(t)) return Status::error(StatusCode::stopped, "training stopped at step %ld", t);
    for (int b = 0; b < B; ++b) copy(rows + size_t(rng.below(uint32_t(count))) * D, batch + b * D, D);
    callbacks.before_step(t, batch);
    trainer.step(sae, batch, B, extra);
    if (!trainer.health.ok()) return trainer.health;
    if (sae.variant == SaeVariant::relu && run.resample_every > 0 && t % run.resample_every == 0 && t <= run.steps / 2)
      trainer.resample_dead(sae, rows, count, rng);
    callbacks.progress(t);
    if ((run.eval_every > 0 && t % run.eval_every == 0) || t == run.steps) callbacks.evaluate(t);
    if (run.checkpoint_every > 0 && t % run.checkpoint_every == 0 && t < run.steps) {
      Status s = trainer.check_finite(sae);
      if (s.ok()) s = callbacks.checkpoint(t);
      if (!s.ok()) return s;
    }
  }
  return trainer.check_finite(sae);
}

}  // namespace saerl
