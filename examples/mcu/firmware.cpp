// saerl/examples/mcu/firmware.cpp — the bare-metal program for a Cortex-M4 (the MPS2 AN386 board
// that `qemu-system-arm -M mps2-an386` emulates): startup code, output through semihosting,
// and a main that plays the games of games.hpp with the exported model.
//
// Everything a C runtime would do is here, in order: the vector table, then at reset enable
// the FPU, copy .data from flash, zero .bss, fill the free stack with a pattern (to measure
// its high-water mark at the end), run static constructors, call run(), and exit through
// semihosting with its status. No heap: nothing here or in the library allocates, and
// `make mcu` checks that the image has no malloc, free or operator new.
#include <cstdint>

#include "saerl_model.hpp"
#include "games.hpp"

#ifndef SAERL_MCU_INT8
#define SAERL_MCU_INT8 0
#endif

// Symbols of the linker script (mps2_an386.ld).
extern "C" uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace {

constexpr uint32_t kStackPattern = 0xA5A5A5A5u;

// ARM semihosting: the debugger (here qemu) carries out operation `op` with argument `arg`.
int semihost(int op, const void* arg) {
  register int r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
constexpr int kSysWrite0 = 0x04;  // write a NUL-terminated string to the console
constexpr int kSysExit = 0x18;    // stop; the argument says why
constexpr uintptr_t kApplicationExit = 0x20026, kRunTimeError = 0x20023;

void print(const char* line) { semihost(kSysWrite0, line); }

[[noreturn]] void exit_with(int status) {
  for (;;) semihost(kSysExit, reinterpret_cast<const void*>(status == 0 ? kApplicationExit : kRunTimeError));
}

// Bytes of stack ever used: from the top down to the lowest word no longer holding the pattern.
uint32_t stack_high_water() {
  const uint32_t* p = _ebss;
  while (p < _estack && *p == kStackPattern) ++p;
  return uint32_t(reinterpret_cast<uintptr_t>(_estack) - reinterpret_cast<uintptr_t>(p));
}

}  // namespace

// The program (not called main: C++ forbids calling main, and no C runtime calls it here).
int run() {
  const int mates = mcu::play_games<SAERL_MCU_INT8 != 0>(print);
  mcu::Line l;
  print((l << "stack high-water mark: " << int(stack_high_water()) << " bytes\n").text);
  return mates >= 0 ? 0 : 1;
}

extern "C" [[noreturn]] void Reset_Handler() {
  // CPACR: full access to the coprocessors CP10 and CP11, the FPU, before any float is used
  *reinterpret_cast<volatile uint32_t*>(0xE000ED88u) |= 0xFu << 20;
  asm volatile("dsb\n\tisb" ::: "memory");
  for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) *dst++ = *src++;
  for (uint32_t* dst = _sbss; dst < _ebss;) *dst++ = 0;
  uint32_t* sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t* p = _ebss; p < sp - 16;) *p++ = kStackPattern;  // below this frame, with a margin
  for (void (**f)() = __init_array_start; f < __init_array_end; ++f) (*f)();
  exit_with(run());
}

extern "C" [[noreturn]] void Fault_Handler() {
  print("fault: the program stopped on a processor exception\n");
  exit_with(1);
}

// The Cortex-M vector table: the initial stack pointer, then the reset handler and the
// exceptions (every one of them ends the program with a message).
extern "C" __attribute__((section(".vectors"), used)) void* const g_vectors[16] = {
    _estack,
    reinterpret_cast<void*>(Reset_Handler),
    reinterpret_cast<void*>(Fault_Handler),  // NMI
    reinterpret_cast<void*>(Fault_Handler),  // HardFault
    reinterpret_cast<void*>(Fault_Handler),  // MemManage
    reinterpret_cast<void*>(Fault_Handler),  // BusFault
    reinterpret_cast<void*>(Fault_Handler),  // UsageFault
    nullptr, nullptr, nullptr, nullptr,
    reinterpret_cast<void*>(Fault_Handler),  // SVCall
    reinterpret_cast<void*>(Fault_Handler),  // DebugMonitor
    nullptr,
    reinterpret_cast<void*>(Fault_Handler),  // PendSV
    reinterpret_cast<void*>(Fault_Handler),  // SysTick
};
