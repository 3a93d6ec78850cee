// libFuzzer target: core/io/npy.hpp's header reader, from memory and from a file (make fuzz): the
// reader of activation datasets saved as .npy.
#include <cstdint>

#include "core/io/npy.hpp"
#include "tests/fuzz/fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  saerl::NpyHeader h;
  const saerl::Status s = saerl::parse_npy_header(data, size, &h);
  if (s.ok() && (h.ndim < 0 || h.ndim > saerl::kNpyMaxDims || h.data_offset > size)) __builtin_trap();
  saerl::NpyHeader g;
  (void)saerl::read_npy_header(fuzz_file(data, size), &g);
  return 0;
}
