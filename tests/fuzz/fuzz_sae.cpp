// libFuzzer target: sae/sae_io.hpp on arbitrary bytes (make fuzz). The variant and k come from
// the file, so a loaded SAE is run once to show they are usable.
#include <cstdint>
#include <cstring>

#include "sae/sae_io.hpp"
#include "tests/fuzz/fuzz_file.hpp"

using SaeT = saerl::Sae<float, 4, 8>;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* path = fuzz_file(data, size);
  static SaeT sae;
  std::memset(sae.params, 0, sizeof sae.params);
  sae.variant = saerl::SaeVariant::relu;
  sae.k = 1;
  const saerl::Status s = saerl::load_sae(sae, path);
  if (!s.ok() && (sae.variant != saerl::SaeVariant::relu || sae.k != 1)) __builtin_trap();
  if (s.ok()) {
    static saerl::SaeWorkspace<SaeT, 2> work;
    const float x[8] = {1, 2, 3, 4, -1, 0, 0.5f, 2};
    saerl::sae_forward(sae, x, 2, work, /*training=*/false);
  }
  return 0;
}
