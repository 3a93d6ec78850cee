// Fuzz-target helper: the loaders read paths, so each input is written to a file of this process
// first (in /dev/shm when there is one, so the disk is not worn).
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>

inline const char* fuzz_file(const uint8_t* data, size_t size) {
  static char path[64];
  if (!path[0]) {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::snprintf(path, sizeof path, "%s/saerl_fuzz_%d", dir, int(getpid()));
  }
  std::FILE* f = std::fopen(path, "wb");
  if (!f) return path;
  if (size > 0) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}
