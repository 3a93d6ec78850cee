// Tests of sae/train.hpp: the whole SAE training run and its callbacks.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "sae/train.hpp"
#include "tests/gradcheck.hpp"

namespace {

constexpr int kD = 8, kM = 16, kB = 8;
using SmallSae = saerl::Sae<float, kD, kM>;
using SmallTrainer = saerl::SaeTrainer<SmallSae, kB>;

struct Fixture {
  std::vector<float> rows = std::vector<float>(size_t(64) * kD);
  std::unique_ptr<SmallSae> sae = std::make_unique<SmallSae>();
  std::unique_ptr<SmallTrainer> trainer = std::make_unique<SmallTrainer>();
  float batch[kB * kD];
  saerl::Rng rng{5};
  explicit Fixture(saerl::SaeVariant v) {
    saerl::Rng data(1);
    saerl_test::random_fill(rows.data(), int(rows.size()), data);
    sae->init(v, 3, nullptr, rng);
    saerl::SaeConfig c;
    c.variant = v;
    c.k = 3;
    c.dead_after = 64;
    trainer->init(c);
  }
};

// Counts what train_sae calls, and can stop the run or poison a batch at a chosen step.
struct Recorder : saerl::SaeCallbacks {
  long stop_at = -1, nan_at = -1, steps_seen = 0;
  std::vector<long> evaluations, checkpoints;
  bool stop(long t) { return t == stop_at; }
  void before_step(long t, float* batch) {
    if (t == nan_at) batch[0] = std::nanf("");
  }
  void progress(long) { ++steps_seen; }
  void evaluate(long t) { evaluations.push_back(t); }
  saerl::Status checkpoint(long t) {
    checkpoints.push_back(t);
    return saerl::Status::success();
  }
};

}  // namespace

TEST_CASE("train_sae evaluates every eval_every steps and at the end, and checkpoints before the end") {
  Fixture f(saerl::SaeVariant::topk);
  saerl::SaeRun run;
  run.steps = 50;
  run.eval_every = 20;
  run.checkpoint_every = 25;
  Recorder r;
  CHECK(saerl::train_sae(run, *f.sae, *f.trainer, f.rows.data(), 64, f.rng, f.batch, saerl::no_extra_loss, r).ok());
  CHECK(r.steps_seen == 50);
  CHECK(f.trainer->steps == 50);
  CHECK(r.evaluations == std::vector<long>{20, 40, 50});
  CHECK(r.checkpoints == std::vector<long>{25});
}

TEST_CASE("train_sae goes on from the trainer's step: two halves end bit-identical to one run") {
  Fixture whole(saerl::SaeVariant::relu), halves(saerl::SaeVariant::relu);
  saerl::SaeRun run;
  run.steps = 40;
  run.resample_every = 10;  // resampling draws from the same rng: it must stay in step too
  saerl::SaeCallbacks none;
  CHECK(saerl::train_sae(run, *whole.sae, *whole.trainer, whole.rows.data(), 64, whole.rng, whole.batch,
                         saerl::no_extra_loss, none).ok());
  saerl::SaeRun first = run;
  first.steps = 17;
  CHECK(saerl::train_sae(first, *halves.sae, *halves.trainer, halves.rows.data(), 64, halves.rng, halves.batch,
                         saerl::no_extra_loss, none).ok());
  CHECK(halves.trainer->steps == 17);
  CHECK(saerl::train_sae(run, *halves.sae, *halves.trainer, halves.rows.data(), 64, halves.rng, halves.batch,
                         saerl::no_extra_loss, none).ok());
  CHECK(std::memcmp(whole.sae->params, halves.sae->params, sizeof whole.sae->params) == 0);
}

TEST_CASE("train_sae stops when asked, and stops with the divergence guard's message on a NaN input") {
  Fixture f(saerl::SaeVariant::topk);
  saerl::SaeRun run;
  run.steps = 30;
  run.checkpoint_every = 5;
  Recorder r;
  r.stop_at = 8;
  saerl::Status s = saerl::train_sae(run, *f.sae, *f.trainer, f.rows.data(), 64, f.rng, f.batch, saerl::no_extra_loss, r);
  CHECK(s.code == saerl::StatusCode::stopped);
  CHECK(f.trainer->steps == 7);
  r.stop_at = -1;
  r.nan_at = 12;
  r.checkpoints.clear();
  s = saerl::train_sae(run, *f.sae, *f.trainer, f.rows.data(), 64, f.rng, f.batch, saerl::no_extra_loss, r);
  CHECK(s.code == saerl::StatusCode::diverged);
  CHECK(std::strstr(s.message, "step 12") != nullptr);
  CHECK(r.checkpoints == std::vector<long>{10});  // nothing is checkpointed after the NaN
  CHECK(saerl::train_sae(run, *f.sae, *f.trainer, f.rows.data(), 0, f.rng, f.batch, saerl::no_extra_loss, r).code ==
        saerl::StatusCode::invalid_argument);
}
