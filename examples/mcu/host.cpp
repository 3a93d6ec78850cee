// saerl/examples/mcu/host.cpp — the microcontroller demo built for the host: the same games and
// transcript as the firmware (games.hpp), printed to stdout, for `make mcu` to compare.
// Build with -DSAERL_MCU_INT8=1 for the int8 model, and the exported header's directory on
// the include path.
#include <cstdio>

#include "saerl_model.hpp"
#include "games.hpp"

#ifndef SAERL_MCU_INT8
#define SAERL_MCU_INT8 0
#endif

int main() {
  mcu::play_games<SAERL_MCU_INT8 != 0>([](const char* line) { std::fputs(line, stdout); });
  return 0;
}
