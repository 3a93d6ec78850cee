// Test helper: runs build/saerl (named by SAERL_BIN, which the Makefile and Meson set) as a child
// process with extra environment variables, its stderr kept, and reports how it ended.
#pragma once
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/temp_files.hpp"

namespace saerl_test {

struct Ended {
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal killed it
  std::string err;     // what it wrote to stderr
};

// Runs `$SAERL_BIN args...` with env entries ("NAME=value") added; stdout goes to out_path,
// stderr to err_path and back into Ended::err.
inline Ended run_saerl(const std::vector<std::string>& args, const std::string& err_path,
                       const std::vector<std::string>& env = {}, const std::string& out_path = "/dev/null") {
  Ended e;
  const char* bin = std::getenv("SAERL_BIN");
  if (!bin) return e;
  const pid_t pid = fork();
  if (pid == 0) {
    for (const std::string& kv : env) putenv(const_cast<char*>(kv.c_str()));
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin, argv.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return e;
  if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  const std::vector<unsigned char> bytes = read_file(err_path);
  e.err.assign(bytes.begin(), bytes.end());
  return e;
}

}  // namespace saerl_test
