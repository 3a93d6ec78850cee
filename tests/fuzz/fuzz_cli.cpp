// libFuzzer target: examples/cli/options.hpp's parse_options on arbitrary command lines (make fuzz).
// The input is split at NUL bytes into at most 32 arguments.
#include <cstdint>
#include <cstring>

#include "examples/cli/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static char text[4096 + 1];
  if (size > 4096) size = 4096;
  std::memcpy(text, data, size);
  text[size] = '\0';
  char* argv[33];
  int argc = 0;
  for (size_t i = 0; i <= size && argc < 32;) {
    argv[argc++] = text + i;
    i += std::strlen(text + i) + 1;
  }
  argv[argc] = nullptr;
  saerl::Options o;
  const saerl::Status s = saerl::parse_options(argc, argv, 0, nullptr, &o);
  if (s.ok() && (o.games < 1 || (o.eval_every != 0 && o.eval_every < 1000) || !o.out || !o.out[0] || o.checkpoint_every < 0)) __builtin_trap();
  return 0;
}
