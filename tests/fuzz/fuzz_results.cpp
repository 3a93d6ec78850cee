// libFuzzer target: examples/json.hpp's reader on arbitrary text, directly and through
// examples/results.hpp's load (make fuzz). Whatever parses passes check_json and writes text
// that parses again and writes the same text; whatever loads must save and load again.
#include <cstdint>
#include <string>

#include "examples/results.hpp"
#include "tests/fuzz/fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  saerl::Json v, again;
  if (saerl::parse_json(reinterpret_cast<const char*>(data), size, v).ok()) {
    if (!saerl::check_json(v, saerl::kJsonMaxDepth).ok()) __builtin_trap();
    const std::string text = saerl::write_json(v);
    if (!saerl::parse_json(text.data(), text.size(), again).ok() || saerl::write_json(again) != text) __builtin_trap();
  }
  const char* path = fuzz_file(data, size);
  saerl::Results r;
  if (!r.load(path).ok()) return 0;
  if (!r.save(path).ok() || !r.load(path).ok()) __builtin_trap();
  return 0;
}
