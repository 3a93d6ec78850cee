// saerl/examples/cli/common.hpp — what every command of build/saerl shares: failing with one
// line, paths inside the output directory, and adding keys to DIR/results.json.
//
//   if (!s.ok()) return fail(s);                       // "error: <message>", exit status 2 (1: diverged)
//   const std::string model = in_dir(o.out, "dqn.bin");
//   s = update_results(o.out, [&](Results& r) { r.set("dqn.seed", 1); });
#pragma once
#include <sys/stat.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "../../core/base/status.hpp"
#include "../directory.hpp"
#include "../results.hpp"

namespace saerl {

// Prints "error: <message>" and returns the exit status: 1 when training diverged, else 2.
inline int fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message);
  return s.code == StatusCode::diverged ? 1 : 2;
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
inline int fail(const char* format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof message, format, args);
  va_end(args);
  std::fprintf(stderr, "error: %s\n", message);
  return 2;
}

// "DIR/name" for a file in the output directory; printf-style for names with parts.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
inline std::string in_dir(const char* dir, const char* format, ...) {
  char name[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(name, sizeof name, format, args);
  va_end(args);
  return std::string(dir) + "/" + name;
}

inline bool file_exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Loads DIR/results.json (missing: empty), lets `fill` set keys, saves it atomically.
template <class Fill>
Status update_results(const char* dir, Fill&& fill) {
  const std::string path = in_dir(dir, "results.json");
  Results r;
  Status s = r.load(path.c_str());
  if (!s.ok()) return s;
  fill(r);
  return r.save(path.c_str());
}

// Fails early when DIR/results.json cannot be merged into, so that a run never fails after it
// has written its model.
inline Status check_results(const char* dir) {
  Results r;
  return r.load(in_dir(dir, "results.json").c_str());
}

}  // namespace saerl
