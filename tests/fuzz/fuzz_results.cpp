// libFuzzer target: examples/results.hpp's results.json reader on arbitrary text (make fuzz);
// whatever loads must save and load again.
#include <cstdint>

#include "examples/results.hpp"
#include "tests/fuzz/fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* path = fuzz_file(data, size);
  static saerl::Results r;
  if (!r.load(path).ok()) return 0;
  if (!r.save(path).ok() || !r.load(path).ok()) __builtin_trap();
  return 0;
}
