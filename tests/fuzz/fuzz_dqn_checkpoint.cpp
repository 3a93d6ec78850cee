// libFuzzer target: train-dqn's checkpoint loader (core/io/checkpoint.hpp, dqn/dqn_checkpoint.hpp,
// examples/cli/run_checkpoint.hpp) on arbitrary bytes (make fuzz). What loads and passes the checks
// must train on: a few steps run on it. (Every saved field is overwritten by a load that
// succeeds, so a run depends on its input alone.)
#include <cstdint>

#include "tests/fuzz/fuzz_fixtures.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::DqnRun* run = new fuzz::DqnRun;  // large: made once
  const char* path = fuzz::checkpoint_file(data, size, saerl::kDqnRunKind, *run);
  saerl::Status s = saerl::load_checkpoint(path, saerl::kDqnRunKind, [&](auto& ar) { run->fields(ar); });
  if (s.ok()) s = saerl::check_dqn_run(path, run->p, run->expected, fuzz::kSteps, *run->agent, run->runner, run->env);
  if (s.ok()) {
    run->runner.health = saerl::Status::success();
    for (int t = 0; t < 8; ++t) run->runner.step(*run->agent, run->env, run->rng);
  }
  return 0;
}
