// saerl — the command-line program. (Placeholder until the pipeline lands: it exercises core/.)
#include <cstdio>
#include <cstring>

#include "core/mlp.hpp"

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  static saerl::Mlp<float, 75, 128, 128, 24> net;
  saerl::Rng rng(1);
  net.init(rng);
  std::printf("saerl: %d parameters\n", net.kParams);
  return 0;
}
