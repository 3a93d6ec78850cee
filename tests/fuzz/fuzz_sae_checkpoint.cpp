// libFuzzer target: train-sae's checkpoint loader (core/io/checkpoint.hpp, sae/sae_checkpoint.hpp,
// examples/cli/run_checkpoint.hpp) on arbitrary bytes (make fuzz). What loads and passes the checks
// must train on: a step runs on it.
#include <cstdint>

#include "tests/fuzz/fuzz_fixtures.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::SaeRun* run = new fuzz::SaeRun;
  const char* path = fuzz::checkpoint_file(data, size, saerl::kSaeRunKind, *run);
  saerl::Status s = saerl::load_checkpoint(path, saerl::kSaeRunKind, [&](auto& ar) { run->fields(ar); });
  if (s.ok()) s = saerl::check_sae_run(path, run->p, run->expected, fuzz::kSteps, *run->sae, *run->trainer);
  if (s.ok()) {
    const float x[8] = {1, 0, 2, 0.5f, -1, 3, 0, 1};
    run->trainer->health = saerl::Status::success();
    run->trainer->step(*run->sae, x, 2);
  }
  return 0;
}
