// saerl/examples/cli/cleanup.hpp — a program stopped by Ctrl-C (SIGINT) or SIGTERM leaves no
// temporary file behind: the handler removes every temp file being written at that moment
// (core/io/serialize.hpp's TempFile keeps their table), then dies of the same signal, so the
// caller still sees how the program ended. The files a temp file would have replaced are
// untouched: they are whole, old or new. (SIGKILL cannot be caught: there, a rerun writes the
// same temp file again and renames it.)
//
//   saerl::remove_temp_files_on_signals();   // once, at the start of main
#pragma once
#include <csignal>

#include "../../core/io/serialize.hpp"

#if __has_include(<unistd.h>)
#include <unistd.h>
#define SAERL_HAVE_UNLINK 1
#endif

namespace saerl {
namespace detail {

inline void remove_temp_files_and_die(int sig) {
#if SAERL_HAVE_UNLINK
  for_each_temp_file([](const char* path) { unlink(path); });  // unlink: async-signal-safe
#else
  for_each_temp_file([](const char* path) { std::remove(path); });
#endif
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace detail

inline void remove_temp_files_on_signals() {
  std::signal(SIGINT, detail::remove_temp_files_and_die);
  std::signal(SIGTERM, detail::remove_temp_files_and_die);
}

}  // namespace saerl
