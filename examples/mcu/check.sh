#!/usr/bin/env bash
# saerl/examples/mcu/check.sh — what `make mcu` runs: train the tiny preset's DQN and TopK SAE
# (once), export them as a C++ header, build the firmware for the Cortex-M4 in float and in
# int8, check that no heap function is linked in, print flash and RAM use, run each image
# under qemu's MPS2 AN386 board, and compare its transcript with the host build's.
#
#   bash examples/mcu/check.sh BUILD_DIR     (BUILD_DIR/saerl must exist)
# MCU_DQN_STEPS=N and MCU_SAE_STEPS=M train shorter models (CI: the board's play against the
# host's shows with any model; by default the tiny preset's recipe).
set -euo pipefail
build=${1:-build}
saerl="$build/saerl"
model="$build/mcu/model"  # the tiny preset's trained networks and the exported header
out="$build/mcu"
mkdir -p "$model"

for tool in arm-none-eabi-g++ arm-none-eabi-size arm-none-eabi-nm qemu-system-arm; do
  command -v "$tool" >/dev/null || {
    echo "error: $tool not found; install with: sudo apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm" >&2
    exit 1
  }
done

if [ ! -f "$model/sae-topk.bin" ]; then
  echo "== training the tiny preset's DQN and TopK SAE into $model"
  "$saerl" train-dqn --preset tiny --out "$model" --games 2000 ${MCU_DQN_STEPS:+--steps "$MCU_DQN_STEPS"} | tail -3
  "$saerl" train-sae --preset tiny --variant topk --pursuit 0 --out "$model" ${MCU_SAE_STEPS:+--sae-steps "$MCU_SAE_STEPS"} | tail -3
fi
echo "== exporting $model/saerl_model.hpp"
"$saerl" export-c --preset tiny --variant topk --out "$model"

flags=(-std=c++17 -Os -fno-exceptions -fno-rtti -fno-threadsafe-statics -ffp-contract=off
       -Wall -Wextra -Wpedantic -Werror -I. -I"$model")
arm=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections
     -nostartfiles -T examples/mcu/mps2_an386.ld -Wl,--gc-sections --specs=nano.specs)
status=0
for kind in float int8; do
  int8=$([ $kind = int8 ] && echo 1 || echo 0)
  elf="$out/firmware-$kind.elf"
  arm-none-eabi-g++ "${flags[@]}" "${arm[@]}" -DSAERL_MCU_INT8=$int8 examples/mcu/firmware.cpp -o "$elf"
  g++ "${flags[@]}" -DSAERL_MCU_INT8=$int8 examples/mcu/host.cpp -o "$out/host-$kind"
  if arm-none-eabi-nm -C "$elf" | grep -E ' (malloc|free|calloc|realloc|_sbrk|_malloc_r|_free_r|operator new|operator delete)'; then
    echo "FAIL $kind: the firmware links a heap function (above)"; status=1
  fi
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -1)
  timeout 120 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$elf" > "$out/firmware-$kind.txt" 2>&1
  "$out/host-$kind" > "$out/host-$kind.txt"
  stack=$(grep -o 'stack high-water mark: [0-9]*' "$out/firmware-$kind.txt" | grep -o '[0-9]*$')
  echo "$kind: flash $((text + data)) bytes of 262144, RAM $((data + bss)) static + $stack stack bytes of 65536"
  if diff <(grep -v '^stack high-water' "$out/firmware-$kind.txt") "$out/host-$kind.txt" > "$out/diff-$kind.txt"; then
    echo "$kind: the emulated board played $(grep -c '  move' "$out/host-$kind.txt") moves exactly as the host did ($(tail -1 "$out/host-$kind.txt"))"
  else
    echo "FAIL $kind: the board's transcript differs from the host's (see $out/diff-$kind.txt)"; status=1
  fi
done
exit $status
