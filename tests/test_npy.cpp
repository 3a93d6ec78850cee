// Tests for core/io/npy.hpp: the bytes save_npy writes, checked by an independent reader written
// here, and read_npy_header on good and bad files.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/io/npy.hpp"
#include "core/base/rng.hpp"
#include "tests/temp_files.hpp"

using namespace saerl;
using saerl_test::TempDir;
using saerl_test::read_file;
using saerl_test::write_file;

namespace {

// What an independent reader finds in a version 1.0 .npy file.
struct Parsed {
  bool ok = false;
  std::string dict;  // the header text with its padding and '\n' stripped
  size_t header_total = 0;
  std::vector<unsigned char> body;
};

Parsed parse_v1(const std::vector<unsigned char>& b) {
  Parsed p;
  if (b.size() < 10) return p;
  CHECK(std::memcmp(b.data(), "\x93NUMPY", 6) == 0);
  CHECK(b[6] == 1);
  CHECK(b[7] == 0);
  const size_t hlen = b[8] | (static_cast<size_t>(b[9]) << 8);
  p.header_total = 10 + hlen;
  CHECK(p.header_total % 64 == 0);
  REQUIRE(b.size() >= p.header_total);
  CHECK(b[p.header_total - 1] == '\n');
  std::string text(b.begin() + 10, b.begin() + static_cast<long>(p.header_total) - 1);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  p.dict = text;
  p.body.assign(b.begin() + static_cast<long>(p.header_total), b.end());
  p.ok = true;
  return p;
}

// A version 1.0 file with the given dict text (padded as numpy does) and `body` bytes of zeros.
std::vector<unsigned char> npy_file(const std::string& dict, size_t body) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<unsigned char> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  b.push_back(static_cast<unsigned char>(header.size() & 0xff));
  b.push_back(static_cast<unsigned char>(header.size() >> 8));
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), body, 0);
  return b;
}

Status header_of(const TempDir& dir, const std::vector<unsigned char>& bytes, NpyHeader* h) {
  const std::string path = dir.path("x.npy");
  write_file(path, bytes);
  return read_npy_header(path.c_str(), h);
}

}  // namespace

TEST_CASE("save_npy writes a 2-D float array that an independent reader parses bit for bit") {
  TempDir dir;
  float a[3 * 5];
  for (int i = 0; i < 15; ++i) a[i] = 0.1f * static_cast<float>(i) - 0.7f;
  const uint64_t shape[2] = {3, 5};
  const std::string path = dir.path("a.npy");
  REQUIRE(save_npy(path.c_str(), a, shape, 2).ok());
  CHECK(dir.entries() == 1);  // no .tmp left behind

  Parsed p = parse_v1(read_file(path));
  REQUIRE(p.ok);
  CHECK(p.dict == "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }");
  CHECK(p.header_total == 128);  // 10 + 60 + 1 bytes, padded
  REQUIRE(p.body.size() == 15 * sizeof(float));
  CHECK(std::memcmp(p.body.data(), a, sizeof a) == 0);

  NpyHeader h;
  REQUIRE(read_npy_header(path.c_str(), &h).ok());
  CHECK(std::string(h.descr) == "<f4");
  CHECK(h.item_size == 4);
  CHECK(!h.fortran_order);
  CHECK(h.ndim == 2);
  CHECK(h.shape[0] == 3);
  CHECK(h.shape[1] == 5);
  CHECK(h.count == 15);
  CHECK(h.data_offset == 128);
}

TEST_CASE("save_npy writes a 1-D double array with the shape written (n,)") {
  TempDir dir;
  double a[7];
  Rng rng(3);
  for (double& v : a) v = rng.normal_double();
  const uint64_t shape[1] = {7};
  const std::string path = dir.path("b.npy");
  REQUIRE(save_npy(path.c_str(), a, shape, 1).ok());
  Parsed p = parse_v1(read_file(path));
  REQUIRE(p.ok);
  CHECK(p.dict == "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }");
  REQUIRE(p.body.size() == sizeof a);
  CHECK(std::memcmp(p.body.data(), a, sizeof a) == 0);

  NpyHeader h;
  REQUIRE(read_npy_header(path.c_str(), &h).ok());
  CHECK(std::string(h.descr) == "<f8");
  CHECK(h.ndim == 1);
  CHECK(h.shape[0] == 7);
}

TEST_CASE("save_npy pads every header to a multiple of 64 bytes, for any shape") {
  TempDir dir;
  const std::string path = dir.path("c.npy");
  int32_t v[1] = {-5};
  // shapes (big, ..., big, 0): no elements, and dict texts of every length modulo 64
  for (int ndim = 1; ndim <= 4; ++ndim)
    for (uint64_t big = 1; big < 100000000000000000ull; big *= 10) {
      uint64_t shape[4];
      for (int i = 0; i < ndim; ++i) shape[i] = i + 1 < ndim ? big : 0;
      CAPTURE(ndim);
      CAPTURE(big);
      REQUIRE(save_npy(path.c_str(), v, shape, ndim).ok());
      Parsed p = parse_v1(read_file(path));
      CHECK(p.header_total % 64 == 0);
      CHECK(p.body.empty());
      NpyHeader h;
      REQUIRE(read_npy_header(path.c_str(), &h).ok());
      CHECK(h.ndim == ndim);
      CHECK(h.shape[0] == (ndim > 1 ? big : 0));
    }
  const uint64_t wide[4] = {123456789012ull, 0, 987654321ull, 42};
  REQUIRE(save_npy(path.c_str(), v, wide, 4).ok());
  Parsed p = parse_v1(read_file(path));
  CHECK(p.dict == "{'descr': '<i4', 'fortran_order': False, 'shape': (123456789012, 0, 987654321, 42), }");
}

TEST_CASE("save_npy rejects bad arguments") {
  TempDir dir;
  const std::string path = dir.path("d.npy");
  float a[2] = {1, 2};
  const uint64_t shape[5] = {2, 1, 1, 1, 1};
  CHECK(save_npy(path.c_str(), a, shape, 0).code == StatusCode::invalid_argument);
  CHECK(save_npy(path.c_str(), a, shape, 5).code == StatusCode::invalid_argument);
  const float* null_data = nullptr;
  CHECK(save_npy(path.c_str(), null_data, shape, 1).code == StatusCode::invalid_argument);
  CHECK(save_npy(dir.path("no/such/dir.npy").c_str(), a, shape, 1).code == StatusCode::io_error);
  CHECK(dir.entries() == 0);
}

TEST_CASE("read_npy_header accepts the forms numpy and Python 2 numpy write") {
  TempDir dir;
  NpyHeader h;
  const char* py2 = "{\"descr\": \"<f8\", \"shape\": (2L, 3L), \"fortran_order\": True}";
  CHECK(header_of(dir, npy_file(py2, 48), &h).ok());
  CHECK(h.fortran_order);
  CHECK(h.shape[0] == 2);
  CHECK(h.shape[1] == 3);
  CHECK(header_of(dir, npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", 1), &h).ok());
  CHECK(h.ndim == 0);
  CHECK(h.count == 1);
  CHECK(header_of(dir, npy_file("{'descr':'>i2','fortran_order':False,'shape':(4,)}", 8), &h).ok());
  CHECK(h.item_size == 2);
  // version 2.0: a u32 header length at offset 8
  std::vector<unsigned char> v1 = npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
  std::vector<unsigned char> v2(v1.begin(), v1.begin() + 8);
  v2[6] = 2;
  const size_t hlen = v1[8] | (static_cast<size_t>(v1[9]) << 8);
  for (int i = 0; i < 4; ++i) v2.push_back(static_cast<unsigned char>(hlen >> (8 * i)));
  v2.insert(v2.end(), v1.begin() + 10, v1.end());
  CHECK(header_of(dir, v2, &h).ok());
  CHECK(h.data_offset == 12 + hlen);
}

TEST_CASE("read_npy_header rejects a missing file, a bad magic, a bad version and a truncated file") {
  TempDir dir;
  NpyHeader h;
  CHECK(read_npy_header(dir.path("missing.npy").c_str(), &h).code == StatusCode::io_error);
  const std::vector<unsigned char> good =
      npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 16);
  REQUIRE(header_of(dir, good, &h).ok());

  std::vector<unsigned char> bad = good;
  bad[1] = 'n';
  CHECK(header_of(dir, bad, &h).code == StatusCode::bad_magic);
  bad = good;
  bad[6] = 4;
  CHECK(header_of(dir, bad, &h).code == StatusCode::bad_version);

  // every proper prefix fails, as truncated (inside the header or the data)
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    const std::vector<unsigned char> prefix(good.begin(), good.begin() + static_cast<long>(n));
    Status s = header_of(dir, prefix, &h);
    CHECK(s.code == StatusCode::truncated);
    CHECK(std::strlen(s.message) > 0);
  }
  bad = good;
  bad.push_back(0);
  CHECK(header_of(dir, bad, &h).code == StatusCode::bad_shape);  // extra bytes
}

TEST_CASE("read_npy_header rejects garbled dicts") {
  TempDir dir;
  NpyHeader h;
  const char* garbled[] = {
      "",                                                               // empty
      "'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",         // no '{'
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",         // no '}'
      "{'descr': '<f4', 'fortran_order': False}",                       // no shape
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",  // unknown key
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",  // repeated
      "{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}",        // not Python's False
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",         // (2) is not a tuple
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}",       // empty entry
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",       // negative
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",       // no comma
      "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",      // a list
      "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}",         // unbalanced quote
      "{'descr': '<f4', 'fortran_order': False 'shape': (2,)}",         // missing comma
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x",      // text after '}'
      "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}",  // structured dtype
      "{'descr': 'f4', 'fortran_order': False, 'shape': (2,)}",         // no byte order
      "{'descr': '<f', 'fortran_order': False, 'shape': (2,)}",         // no size
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",  // > 64 bits
      "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",  // bytes > 64 bits
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1)}",  // too many dims
  };
  for (const char* dict : garbled) {
    CAPTURE(dict);
    Status s = header_of(dir, npy_file(dict, 8), &h);
    CHECK(!s.ok());
    CHECK(s.code != StatusCode::truncated);
    CHECK(std::strlen(s.message) > 0);
  }
  // no '\n' at the end of the header
  std::vector<unsigned char> b = npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
  b[63] = ' ';
  CHECK(header_of(dir, b, &h).code == StatusCode::invalid_argument);
}

TEST_CASE("parse_npy_header survives random corruption of a valid header") {
  const std::vector<unsigned char> good =
      npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 0);
  Rng rng(11);
  int accepted = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    // an exact-size heap copy, so that AddressSanitizer sees any read past the end
    const size_t n = rng.below(static_cast<uint32_t>(good.size() + 1));
    std::vector<unsigned char> b(good.begin(), good.begin() + static_cast<long>(n));
    const int flips = 1 + static_cast<int>(rng.below(3));
    for (int f = 0; f < flips && n > 0; ++f)
      b[rng.below(static_cast<uint32_t>(n))] = static_cast<unsigned char>(rng.below(256));
    NpyHeader h;
    Status s = parse_npy_header(b.data(), b.size(), &h);
    if (s.ok()) {
      ++accepted;
      CHECK(h.data_offset <= b.size());
      CHECK(h.ndim <= kNpyMaxDims);
    } else {
      CHECK(std::strlen(s.message) > 0);
    }
  }
  CHECK(accepted < 3000);
}
