// libFuzzer target: core/io/serialize.hpp and core/io/mlp_io.hpp on arbitrary bytes (make fuzz).
// A small network: the loader's code paths do not depend on its size.
#include <cstdint>
#include <cstring>

#include "core/io/mlp_io.hpp"
#include "tests/fuzz/fuzz_file.hpp"

using Net = saerl::Mlp<float, 6, 5, 3>;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* path = fuzz_file(data, size);
  saerl::Header h;
  (void)saerl::read_header(path, &h);
  static Net net, before;
  std::memset(net.params, 0x5a, sizeof net.params);
  before = net;
  const saerl::Status s = saerl::load_mlp(net, path);
  // on any error the network is untouched; loaded, it runs
  if (!s.ok() && std::memcmp(net.params, before.params, sizeof net.params) != 0) __builtin_trap();
  if (s.ok()) {
    static saerl::MlpActivations<Net, 1> acts;
    const float x[6] = {1, 0, 0, 1, 0, 0};
    (void)saerl::mlp_forward(net, x, 1, acts);
  }
  return 0;
}
