// Test helpers for suites that write files: a temporary directory removed at the end, and
// whole-file reads and writes.
#pragma once
#include <dirent.h>
#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace saerl_test {

// A fresh directory under /tmp, removed with its contents (one level of subdirectories) at the end.
struct TempDir {
  std::string dir;
  TempDir() {
    char tmpl[] = "/tmp/saerl_test_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    dir = tmpl;
  }
  ~TempDir() { remove_tree(dir); }
  std::string path(const char* name) const { return dir + "/" + name; }
  static void remove_tree(const std::string& d) {
    if (DIR* h = opendir(d.c_str())) {
      while (dirent* e = readdir(h)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string full = d + "/" + name;
        if (std::remove(full.c_str()) != 0) remove_tree(full);  // a non-empty directory
      }
      closedir(h);
    }
    std::remove(d.c_str());
  }
  int entries() const {
    int n = 0;
    if (DIR* h = opendir(dir.c_str())) {
      while (dirent* e = readdir(h))
        n += std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0;
      closedir(h);
    }
    return n;
  }
};

inline std::vector<unsigned char> read_file(const std::string& path) {
  std::vector<unsigned char> bytes;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    int c;
    while ((c = std::fgetc(f)) != EOF) bytes.push_back(static_cast<unsigned char>(c));
    std::fclose(f);
  }
  return bytes;
}

inline void write_file(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  CHECK(f != nullptr);
  if (!f) return;
  CHECK((bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size()));
  std::fclose(f);
}

}  // namespace saerl_test
