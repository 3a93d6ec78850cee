// Tests of core/io/safetensors.hpp: what it writes parses with the independent reader of
// tests/tensor_files.hpp (header length, JSON, dtype, shape, byte ranges, data), and bad
// arguments are refused without leaving a file behind.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/io/safetensors.hpp"
#include "tests/temp_files.hpp"
#include "tests/tensor_files.hpp"

TEST_CASE("save_safetensors writes tensors that an independent reader finds with their dtype, shape and values") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("t.safetensors");
  const float w[6] = {1.5f, -2, 3, 4, 5, 6.25f};
  const int32_t idx[3] = {7, -8, 9};
  const double one = 0.125;
  const float none[1] = {0};
  const uint64_t s23[2] = {2, 3}, s3[1] = {3}, s03[2] = {0, 3};
  const saerl::SafeTensor t[4] = {saerl::SafeTensor::of("layer.weight", w, s23, 2),
                                  saerl::SafeTensor::of("positions", idx, s3, 1),
                                  saerl::SafeTensor::of("scalar", &one, s3, 0),
                                  saerl::SafeTensor::of("empty", none, s03, 2)};
  const char* meta[4] = {"format", "pt", "note", "made by a test"};
  const saerl::Status s = saerl::save_safetensors(path.c_str(), t, 4, meta, 2);
  REQUIRE_MESSAGE(s.ok(), s.message);

  std::vector<saerl_test::Tensor> got;
  saerl_test::Json metadata;
  std::string why;
  REQUIRE_MESSAGE(saerl_test::read_safetensors(path, &got, &metadata, &why), why);
  REQUIRE(got.size() == 4);
  const saerl_test::Tensor* a = saerl_test::find(got, "layer.weight");
  REQUIRE(a != nullptr);
  CHECK(a->dtype == "F32");
  CHECK(a->shape == std::vector<uint64_t>{2, 3});
  for (int i = 0; i < 6; ++i) CHECK(a->f32(size_t(i)) == w[i]);
  const saerl_test::Tensor* p = saerl_test::find(got, "positions");
  REQUIRE(p != nullptr);
  CHECK(p->dtype == "I32");
  CHECK(p->shape == std::vector<uint64_t>{3});
  CHECK(p->i32(1) == -8);
  const saerl_test::Tensor* sc = saerl_test::find(got, "scalar");
  REQUIRE(sc != nullptr);
  CHECK(sc->dtype == "F64");
  CHECK(sc->shape.empty());
  CHECK(sc->bytes.size() == 8);
  const saerl_test::Tensor* e = saerl_test::find(got, "empty");
  REQUIRE(e != nullptr);
  CHECK(e->bytes.empty());
  REQUIRE(metadata.get("format") != nullptr);
  CHECK(metadata.get("format")->str == "pt");
  CHECK(metadata.get("note")->str == "made by a test");
  // the header is padded to a multiple of 8, then exactly the data: 24 + 12 + 8 + 0 bytes
  const std::vector<unsigned char> bytes = saerl_test::read_file(path);
  REQUIRE(bytes.size() > 8);
  const size_t header = size_t(bytes[0]) | size_t(bytes[1]) << 8;
  CHECK(header % 8 == 0);
  CHECK(bytes.size() == 8 + header + 24 + 12 + 8);
  CHECK(dir.entries() == 1);  // no temporary file left
}

TEST_CASE("save_safetensors with no tensors writes an empty JSON object") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("none.safetensors");
  REQUIRE(saerl::save_safetensors(path.c_str(), nullptr, 0).ok());
  const std::vector<unsigned char> bytes = saerl_test::read_file(path);
  REQUIRE(bytes.size() == 16);
  CHECK(bytes[0] == 8);
  CHECK(std::string(bytes.begin() + 8, bytes.end()) == "{}      ");
  std::vector<saerl_test::Tensor> got;
  std::string why;
  CHECK_MESSAGE(saerl_test::read_safetensors(path, &got, nullptr, &why), why);
  CHECK(got.empty());
}

TEST_CASE("save_safetensors refuses unusable names, shapes and data, and writes nothing") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("bad.safetensors");
  const float w[4] = {1, 2, 3, 4};
  const uint64_t s4[1] = {4}, s5[5] = {1, 1, 1, 1, 4};
  auto refused = [&](const saerl::SafeTensor* t, int n, const char* const* meta = nullptr, int pairs = 0) {
    const saerl::Status s = saerl::save_safetensors(path.c_str(), t, n, meta, pairs);
    return s.code == saerl::StatusCode::invalid_argument;
  };
  const saerl::SafeTensor twice[2] = {saerl::SafeTensor::of("w", w, s4, 1), saerl::SafeTensor::of("w", w, s4, 1)};
  CHECK(refused(twice, 2));
  const saerl::SafeTensor quote[1] = {saerl::SafeTensor::of("a\"b", w, s4, 1)};
  CHECK(refused(quote, 1));
  const saerl::SafeTensor reserved[1] = {saerl::SafeTensor::of("__metadata__", w, s4, 1)};
  CHECK(refused(reserved, 1));
  const saerl::SafeTensor five[1] = {saerl::SafeTensor::of("w", w, s5, 5)};
  CHECK(refused(five, 1));
  const saerl::SafeTensor null_data[1] = {saerl::SafeTensor::of("w", static_cast<const float*>(nullptr), s4, 1)};
  CHECK(refused(null_data, 1));
  std::vector<std::string> short_names;
  for (int i = 0; i <= saerl::kSafetensorsMaxTensors; ++i) short_names.push_back("w" + std::to_string(i));
  std::vector<saerl::SafeTensor> many;  // one more than the limit, all distinct
  for (const std::string& n : short_names) many.push_back(saerl::SafeTensor::of(n.c_str(), w, s4, 1));
  CHECK(refused(many.data(), int(many.size())));
  // names long enough that the header does not fit its buffer
  std::vector<std::string> names;
  for (int i = 0; i < saerl::kSafetensorsMaxTensors; ++i) names.push_back(std::string(300, 'a') + std::to_string(i));
  std::vector<saerl::SafeTensor> long_names;
  for (const std::string& n : names) long_names.push_back(saerl::SafeTensor::of(n.c_str(), w, s4, 1));
  CHECK(refused(long_names.data(), int(long_names.size())));
  const char* bad_meta[2] = {"key", "new\nline"};
  const saerl::SafeTensor ok[1] = {saerl::SafeTensor::of("w", w, s4, 1)};
  CHECK(refused(ok, 1, bad_meta, 1));
  CHECK(dir.entries() == 0);
}

TEST_CASE("save_safetensors into a missing directory is an io_error and leaves nothing") {
  saerl_test::TempDir dir;
  const float w[2] = {1, 2};
  const uint64_t s2[1] = {2};
  const saerl::SafeTensor t[1] = {saerl::SafeTensor::of("w", w, s2, 1)};
  const saerl::Status s = saerl::save_safetensors(dir.path("no/such/dir/x.safetensors").c_str(), t, 1);
  CHECK(s.code == saerl::StatusCode::io_error);
  CHECK(dir.entries() == 0);
}
