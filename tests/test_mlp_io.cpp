#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/io/mlp_io.hpp"
#include "tests/temp_files.hpp"

namespace {

using Net = saerl::Mlp<float, 75, 32, 24>;

long file_size(const char* path) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return -1;
  std::fseek(f, 0, SEEK_END);
  long n = std::ftell(f);
  std::fclose(f);
  return n;
}

}  // namespace

TEST_CASE("a saved MLP loads back bit-identical") {
  saerl_test::TempDir dir;
  const std::string path_s = dir.path("net.bin");
  const char* path = path_s.c_str();
  auto a = std::make_unique<Net>(), b = std::make_unique<Net>();
  saerl::Rng rng(3);
  a->init(rng);
  b->zero();
  REQUIRE(saerl::save_mlp(*a, path).ok());
  saerl::Status s = saerl::load_mlp(*b, path);
  CHECK(s.ok());
  CHECK(std::memcmp(a->params, b->params, sizeof a->params) == 0);
}

TEST_CASE("a flipped byte, a truncated file and another shape each fail with their own error, leaving the net unchanged") {
  saerl_test::TempDir dir;
  const std::string good_s = dir.path("net.bin"), other_s = dir.path("other.bin");
  const char *good = good_s.c_str(), *other = other_s.c_str();
  auto net = std::make_unique<Net>(), dest = std::make_unique<Net>(), before = std::make_unique<Net>();
  saerl::Rng rng(4);
  net->init(rng);
  dest->init(rng);
  before->copy_from(*dest);
  saerl::Status saved = saerl::save_mlp(*net, good);
  INFO(saved.message);
  REQUIRE(saved.ok());
  const long size = file_size(good);

  SUBCASE("one flipped byte in the weights") {
    std::FILE* f = std::fopen(good, "r+b");
    std::fseek(f, size / 2, SEEK_SET);
    int c = std::fgetc(f);
    std::fseek(f, size / 2, SEEK_SET);
    std::fputc(c ^ 0x10, f);
    std::fclose(f);
    CHECK(saerl::load_mlp(*dest, good).code == saerl::StatusCode::bad_checksum);
  }
  SUBCASE("truncated") {
    std::vector<unsigned char> bytes = saerl_test::read_file(good);
    bytes.resize(size_t(size - 100));
    saerl_test::write_file(good, bytes);
    CHECK(saerl::load_mlp(*dest, good).code == saerl::StatusCode::truncated);
  }
  SUBCASE("another shape") {
    saerl::Mlp<float, 75, 33, 24> wider;
    wider.init(rng);
    REQUIRE(saerl::save_mlp(wider, other).ok());
    saerl::Status s = saerl::load_mlp(*dest, other);
    CHECK(s.code == saerl::StatusCode::bad_shape);
    CHECK(std::strstr(s.message, "33") != nullptr);  // the message names the file's shape
  }
  CHECK(std::memcmp(dest->params, before->params, sizeof before->params) == 0);
}
