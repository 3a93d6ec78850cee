// Tests for core/io/serialize.hpp: round trips, the byte layout, and every way a file can be bad.
// Uses CHECK only (no REQUIRE), so the suite also builds with -fno-exceptions as it is.
#include <dirent.h>
#include <stdlib.h>  // mkdtemp
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/io/serialize.hpp"
#include "tests/temp_files.hpp"

using namespace saerl;
using saerl_test::TempDir;
using saerl_test::read_file;
using saerl_test::write_file;

namespace {

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

const uint32_t kMlp = fourcc("MLP ");
const uint32_t kShape[2] = {3, 4};  // 12 elements

template <class T>
std::vector<T> sample(size_t n, T offset = 0) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = offset + static_cast<T>(i) * static_cast<T>(0.37) - 1;
  return v;
}

// Saves a good 3x4 float file at path.
void save_good(const std::string& path) {
  std::vector<float> w = sample<float>(12);
  CHECK(save_params(path.c_str(), kMlp, kShape, 2, w.data(), 12).ok());
}

// Loads path into a 3x4 destination of T filled with a sentinel; checks the code and that the
// destination was not touched. Returns the message.
template <class T = float>
std::string expect_load_fails(const std::string& path, StatusCode code, uint32_t kind = kMlp,
                              const uint32_t* shape = kShape, int shape_count = 2) {
  std::vector<T> dest(12, static_cast<T>(-7.5));
  std::vector<T> copy = dest;
  Status s = load_params(path.c_str(), kind, shape, shape_count, dest.data(), 12);
  CHECK(std::string(status_code_name(s.code)) == status_code_name(code));
  CHECK(std::memcmp(dest.data(), copy.data(), sizeof(T) * 12) == 0);
  return s.message;
}

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("fnv1a64 and fourcc match their published definitions") {
  CHECK(fnv1a64("", 0) == 0xcbf29ce484222325ULL);
  CHECK(fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a64("bar", 3, fnv1a64("foo", 3)) == fnv1a64("foobar", 6));
  static_assert(fourcc("MLP ") == 0x20504c4du, "first character in the low byte");
}

TEST_CASE("float and double parameters round-trip bit-identical") {
  TempDir tmp;
  SUBCASE("float") {
    std::vector<float> w = sample<float>(12);
    w[0] = -0.0f;
    w[1] = 1e-45f;  // a denormal
    std::vector<float> back(12, 0.0f);
    CHECK(save_params(tmp.path("f.bin").c_str(), kMlp, kShape, 2, w.data(), 12).ok());
    CHECK(load_params(tmp.path("f.bin").c_str(), kMlp, kShape, 2, back.data(), 12).ok());
    CHECK(std::memcmp(w.data(), back.data(), sizeof(float) * 12) == 0);
  }
  SUBCASE("double") {
    std::vector<double> w = sample<double>(12);
    w[5] = 1.0 / 3.0;
    std::vector<double> back(12, 0.0);
    CHECK(save_params(tmp.path("d.bin").c_str(), kMlp, kShape, 2, w.data(), 12).ok());
    CHECK(load_params(tmp.path("d.bin").c_str(), kMlp, kShape, 2, back.data(), 12).ok());
    CHECK(std::memcmp(w.data(), back.data(), sizeof(double) * 12) == 0);
  }
  CHECK(!exists(tmp.path("f.bin.tmp")));
  CHECK(!exists(tmp.path("d.bin.tmp")));
}

TEST_CASE("the file bytes follow the documented layout") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  std::vector<unsigned char> b = read_file(p);
  CHECK(b.size() == 24 + 4 * 2 + 8 + 4 * 12 + 8);
  CHECK(std::memcmp(b.data(), "SAERLBIN", 8) == 0);
  CHECK(detail::get_u32(&b[8]) == 1);
  CHECK(detail::get_u32(&b[12]) == 1);
  CHECK(std::memcmp(&b[16], "MLP ", 4) == 0);
  CHECK(detail::get_u32(&b[20]) == 2);
  CHECK(detail::get_u32(&b[24]) == 3);
  CHECK(detail::get_u32(&b[28]) == 4);
  CHECK(detail::get_le(&b[32], 8) == 12);
  float first;
  std::memcpy(&first, &b[40], 4);
  CHECK(first == sample<float>(1)[0]);
  CHECK(detail::get_le(&b[b.size() - 8], 8) == fnv1a64(b.data(), b.size() - 8));
}

TEST_CASE("read_header reports kind, scalar, shape and count") {
  TempDir tmp;
  std::vector<double> w = sample<double>(6);
  const uint32_t shape[3] = {1, 2, 3};
  CHECK(save_params(tmp.path("h.bin").c_str(), fourcc("SAE "), shape, 3, w.data(), 6).ok());
  Header h;
  CHECK(read_header(tmp.path("h.bin").c_str(), &h).ok());
  CHECK(h.version == 1);
  CHECK(h.scalar == 2);
  CHECK(h.kind == fourcc("SAE "));
  CHECK(h.shape_count == 3);
  CHECK(h.shape[2] == 3);
  CHECK(h.count == 6);
}

TEST_CASE("a file with one flipped byte fails with bad_checksum and leaves the destination unchanged") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  std::vector<unsigned char> good = read_file(p);
  for (size_t at : {size_t{40}, size_t{60}, good.size() - 9, good.size() - 1}) {  // body, checksum
    CAPTURE(at);
    std::vector<unsigned char> bad = good;
    bad[at] ^= 0x10;
    write_file(p, bad);
    expect_load_fails(p, StatusCode::bad_checksum);
  }
}

TEST_CASE("a file cut short at any byte fails with truncated and leaves the destination unchanged") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  std::vector<unsigned char> good = read_file(p);
  for (size_t len = 0; len < good.size(); ++len) {  // inside the magic, header, data, checksum
    CAPTURE(len);
    write_file(p, std::vector<unsigned char>(good.begin(), good.begin() + static_cast<long>(len)));
    CHECK(contains(expect_load_fails(p, StatusCode::truncated), "truncated"));
  }
}

TEST_CASE("bytes after the checksum fail with bad_checksum") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  std::vector<unsigned char> b = read_file(p);
  b.push_back(0);
  write_file(p, b);
  CHECK(contains(expect_load_fails(p, StatusCode::bad_checksum), "after the checksum"));
}

TEST_CASE("a file of another shape fails with bad_shape and a message giving both shapes") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  const uint32_t swapped[2] = {4, 3}, flat[1] = {12};  // same count, other shape
  std::string m = expect_load_fails(p, StatusCode::bad_shape, kMlp, swapped, 2);
  CHECK(m == p + ": shape mismatch: file has 3x4, expected 4x3");
  expect_load_fails(p, StatusCode::bad_shape, kMlp, flat, 1);
}

TEST_CASE("a float file loaded as double fails with bad_scalar, and the reverse") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  CHECK(contains(expect_load_fails<double>(p, StatusCode::bad_scalar), "file holds float32"));
  std::vector<double> w = sample<double>(12);
  CHECK(save_params(p.c_str(), kMlp, kShape, 2, w.data(), 12).ok());
  expect_load_fails<float>(p, StatusCode::bad_scalar);
}

TEST_CASE("a wrong kind or a wrong magic fails with bad_magic and says which") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  CHECK(contains(expect_load_fails(p, StatusCode::bad_magic, fourcc("SAE ")),
                 "kind mismatch: file holds 'MLP ', expected 'SAE '"));
  std::vector<unsigned char> b = read_file(p);
  b[3] = 'X';
  write_file(p, b);
  CHECK(contains(expect_load_fails(p, StatusCode::bad_magic), "bad magic"));
  write_file(p, std::vector<unsigned char>{'S', 'A', 'X'});  // short and wrong: not ours at all
  expect_load_fails(p, StatusCode::bad_magic);
}

TEST_CASE("a file of another format version fails with bad_version") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  std::vector<unsigned char> b = read_file(p);
  b[8] = 2;
  write_file(p, b);
  CHECK(contains(expect_load_fails(p, StatusCode::bad_version), "format version 2"));
}

TEST_CASE("a header with absurd counts is rejected without reading out of bounds") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  std::vector<unsigned char> good = read_file(p);
  Header h;
  SUBCASE("too many shape entries") {
    std::vector<unsigned char> b = good;
    detail::put_le(&b[20], 0xffffffffu, 4);
    write_file(p, b);
    CHECK(read_header(p.c_str(), &h).code == StatusCode::bad_shape);
    expect_load_fails(p, StatusCode::bad_shape);
  }
  SUBCASE("a header count that differs from the expected count") {
    std::vector<unsigned char> b = good;
    detail::put_le(&b[32], 1ULL << 62, 8);
    write_file(p, b);
    expect_load_fails(p, StatusCode::bad_shape);
  }
  SUBCASE("an unknown scalar code") {
    std::vector<unsigned char> b = good;
    b[12] = 9;
    write_file(p, b);
    expect_load_fails(p, StatusCode::bad_scalar);
  }
}

TEST_CASE("a missing file fails with io_error naming the path") {
  TempDir tmp;
  std::string p = tmp.path("missing.bin");
  CHECK(contains(expect_load_fails(p, StatusCode::io_error), p.c_str()));
  Header h;
  CHECK(read_header(p.c_str(), &h).code == StatusCode::io_error);
}

TEST_CASE("saving into a directory that does not exist fails with io_error and creates nothing") {
  TempDir tmp;
  std::string p = tmp.path("no_such_dir/w.bin");
  std::vector<float> w = sample<float>(12);
  Status s = save_params(p.c_str(), kMlp, kShape, 2, w.data(), 12);
  CHECK(s.code == StatusCode::io_error);
  CHECK(contains(s.message, p.c_str()));
  CHECK(tmp.entries() == 0);
}

TEST_CASE("a failed save leaves the good file already at the path intact") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  save_good(p);
  std::vector<unsigned char> before = read_file(p);
  std::vector<float> other = sample<float>(12, 5.0f);
  SUBCASE("the temporary file cannot be created") {
    CHECK(mkdir((p + ".tmp").c_str(), 0700) == 0);
    CHECK(save_params(p.c_str(), kMlp, kShape, 2, other.data(), 12).code == StatusCode::io_error);
  }
  SUBCASE("the rename cannot replace the target") {
    std::string d = tmp.path("dir.bin");  // a directory is in the way
    CHECK(mkdir(d.c_str(), 0700) == 0);
    CHECK(save_params(d.c_str(), kMlp, kShape, 2, other.data(), 12).code == StatusCode::io_error);
    CHECK(!exists(d + ".tmp"));
  }
  CHECK(read_file(p) == before);
  std::vector<float> back(12);
  CHECK(load_params(p.c_str(), kMlp, kShape, 2, back.data(), 12).ok());
}

TEST_CASE("arguments that contradict each other fail with invalid_argument, a wrong count with bad_shape") {
  TempDir tmp;
  std::string p = tmp.path("w.bin");
  std::vector<float> w = sample<float>(12);
  uint32_t many[17] = {0};
  CHECK(save_params(p.c_str(), kMlp, many, 17, w.data(), 0).code == StatusCode::invalid_argument);
  CHECK(save_params<float>(p.c_str(), kMlp, kShape, 2, nullptr, 12).code ==
        StatusCode::invalid_argument);
  CHECK(tmp.entries() == 0);
  save_good(p);
  // the file's count differs from the one asked for
  CHECK(load_params(p.c_str(), kMlp, kShape, 2, w.data(), 11).code == StatusCode::bad_shape);
}

TEST_CASE("an empty parameter set and a scalar round-trip") {
  TempDir tmp;
  const uint32_t empty[1] = {0};
  CHECK(save_params<float>(tmp.path("e.bin").c_str(), kMlp, empty, 1, nullptr, 0).ok());
  CHECK(load_params<float>(tmp.path("e.bin").c_str(), kMlp, empty, 1, nullptr, 0).ok());
  double x = 2.5, y = 0;
  CHECK(save_params(tmp.path("s.bin").c_str(), kMlp, nullptr, 0, &x, 1).ok());
  CHECK(load_params(tmp.path("s.bin").c_str(), kMlp, nullptr, 0, &y, 1).ok());
  CHECK(y == 2.5);
}
