// saerl/examples/directory.hpp — creating output directories (POSIX mkdir) for the program.
//
//   saerl::Status s = saerl::make_dir("out");   // fine when it already exists as a directory
#pragma once
#include <sys/stat.h>

#include "../core/base/status.hpp"

namespace saerl {

inline Status make_dir(const char* dir) {
  if (mkdir(dir, 0755) == 0) return Status::success();
  struct stat st;
  if (stat(dir, &st) != 0) return Status::error(StatusCode::io_error, "%s: cannot create directory", dir);
  if (!S_ISDIR(st.st_mode)) return Status::error(StatusCode::io_error, "%s: is a file, not a directory", dir);
  return Status::success();
}

}  // namespace saerl
