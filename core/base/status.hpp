// saerl/core/base/status.hpp — errors as values.
//
// Every call that can fail (file I/O, loading, validation, parsing) returns a Status.
// Nothing in saerl throws, so the library builds with -fno-exceptions -fno-rtti.
//
//   saerl::Status s = saerl::load_mlp(net, "out/dqn.bin");
//   if (!s.ok()) { std::fprintf(stderr, "error: %s\n", s.message); return 2; }
//
// The message is a fixed-size buffer inside the Status: no heap, safe to copy.
#pragma once
#include <cstdarg>
#include <cstdio>

namespace saerl {

enum class StatusCode {
  ok = 0,
  io_error,        // cannot open, read, write or rename a file
  bad_magic,       // not a saerl file, or a file of another kind
  bad_version,     // a format version this build does not read
  bad_scalar,      // float file loaded as double, or the reverse
  bad_shape,       // shapes in the file differ from the destination's
  bad_checksum,    // the body does not match its checksum (corrupted)
  truncated,       // the file ends before its header says it should
  invalid_argument, // a value out of range, an unknown option, a malformed input
  diverged,        // training produced a NaN or an infinity (core/nn/divergence.hpp)
  stopped          // a long computation ended early because its caller asked it to
};

struct Status {
  StatusCode code = StatusCode::ok;
  char message[192] = {0};

  bool ok() const { return code == StatusCode::ok; }

  static Status success() { return Status{}; }

  // printf-style constructor: Status::error(StatusCode::bad_shape, "layer %d is %d wide", l, n)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  static Status error(StatusCode code, const char* format, ...) {
    Status s;
    s.code = code;
    va_list args;
    va_start(args, format);
    std::vsnprintf(s.message, sizeof s.message, format, args);
    va_end(args);
    return s;
  }
};

inline const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::io_error: return "io_error";
    case StatusCode::bad_magic: return "bad_magic";
    case StatusCode::bad_version: return "bad_version";
    case StatusCode::bad_scalar: return "bad_scalar";
    case StatusCode::bad_shape: return "bad_shape";
    case StatusCode::bad_checksum: return "bad_checksum";
    case StatusCode::truncated: return "truncated";
    case StatusCode::invalid_argument: return "invalid_argument";
    case StatusCode::diverged: return "diverged";
    case StatusCode::stopped: return "stopped";
  }
  return "unknown";
}

}  // namespace saerl
