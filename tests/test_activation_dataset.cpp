// Tests for sae/activation_dataset.hpp: filling, the shuffle and split, mean and variance, export.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/io/npy.hpp"
#include "sae/activation_dataset.hpp"
#include "tests/temp_files.hpp"

using namespace saerl;

namespace {

using Small = ActivationDataset<float, 3, 10>;

// Row i is (id, 10 id + 1, 10 id + 2): its values name its source id.
void fill_tagged(Small& ds, int n) {
  for (int id = 0; id < n; ++id) {
    const float x[3] = {float(id), 10.0f * id + 1, 10.0f * id + 2};
    ds.push(x, id);
  }
}

}  // namespace

TEST_CASE("push stores rows until the capacity, then refuses") {
  auto ds = std::make_unique<Small>();
  const float x[3] = {1, 2, 3};
  for (int i = 0; i < 10; ++i) CHECK(ds->push(x, i));
  CHECK(!ds->push(x, 99));
  CHECK(ds->size == 10);
  CHECK(ds->source[9] == 9);
  CHECK(ds->row(9)[2] == 3.0f);
  CHECK(ds->row(1) == ds->row(0) + 3);  // rows are contiguous
  ds->clear();
  CHECK(ds->size == 0);
  CHECK(ds->train_size == 0);
  CHECK(ds->push(x, -1));
  CHECK(ds->source[0] == -1);
}

TEST_CASE("shuffle_split holds out round(size * fraction) rows") {
  auto ds = std::make_unique<Small>();
  fill_tagged(*ds, 10);
  Rng rng(1);
  ds->shuffle_split(rng, 0.25);  // round(2.5) = 3
  CHECK(ds->train_size == 7);
  ds->shuffle_split(rng, 0.1);
  CHECK(ds->train_size == 9);
  ds->shuffle_split(rng, 0.0);
  CHECK(ds->train_size == 10);
  ds->shuffle_split(rng, 1.0);
  CHECK(ds->train_size == 0);
  ds->shuffle_split(rng, 7.0);  // clamped
  CHECK(ds->train_size == 0);
  ds->shuffle_split(rng, -1.0);
  CHECK(ds->train_size == 10);
}

TEST_CASE("shuffle_split permutes the rows and keeps each with its source id") {
  auto ds = std::make_unique<Small>();
  fill_tagged(*ds, 10);
  Rng rng(7);
  ds->shuffle_split(rng, 0.2);
  std::vector<int> ids;
  bool moved = false;
  for (int i = 0; i < ds->size; ++i) {
    const int id = ds->source[i];
    CHECK(ds->row(i)[0] == float(id));
    CHECK(ds->row(i)[1] == 10.0f * id + 1);
    CHECK(ds->row(i)[2] == 10.0f * id + 2);
    ids.push_back(id);
    moved = moved || id != i;
  }
  std::sort(ids.begin(), ids.end());
  for (int i = 0; i < 10; ++i) CHECK(ids[static_cast<size_t>(i)] == i);
  CHECK(moved);
}

TEST_CASE("the same seed gives the same shuffle; another seed another") {
  auto a = std::make_unique<Small>(), b = std::make_unique<Small>(), c = std::make_unique<Small>();
  fill_tagged(*a, 10);
  fill_tagged(*b, 10);
  fill_tagged(*c, 10);
  Rng ra(42), rb(42), rc(43);
  a->shuffle_split(ra, 0.3);
  b->shuffle_split(rb, 0.3);
  c->shuffle_split(rc, 0.3);
  CHECK(std::memcmp(a->data, b->data, sizeof a->data) == 0);
  CHECK(std::memcmp(a->source, b->source, sizeof a->source) == 0);
  CHECK(std::memcmp(a->source, c->source, sizeof a->source) != 0);
}

TEST_CASE("mean and variance match hand-computed values") {
  ActivationDataset<double, 2, 4> ds;
  const double rows[3][2] = {{1, 2}, {3, 4}, {5, 9}};
  for (const auto& r : rows) ds.push(r, -1);
  double m[2];
  ds.mean(0, 3, m);
  CHECK(m[0] == doctest::Approx(3.0));
  CHECK(m[1] == doctest::Approx(5.0));
  // deviations (-2,-3), (0,-1), (2,4): squared norms 13, 1, 20
  CHECK(ds.variance(0, 3) == doctest::Approx(34.0 / 3.0));
  ds.mean(1, 3, m);
  CHECK(m[0] == doctest::Approx(4.0));
  CHECK(m[1] == doctest::Approx(6.5));
  CHECK(ds.variance(1, 3) == doctest::Approx(7.25));  // (1 + 6.25) for each row
  CHECK(ds.variance(2, 3) == 0.0);
  CHECK(ds.variance(2, 2) == 0.0);
  ds.mean(2, 2, m);
  CHECK(m[0] == 0.0);
}

TEST_CASE("save_npy writes the rows as (size, D) and the sources as (size,)") {
  saerl_test::TempDir dir;
  auto ds = std::make_unique<Small>();
  fill_tagged(*ds, 4);
  const std::string rows = dir.path("rows.npy"), sources = dir.path("sources.npy");
  REQUIRE(ds->save_npy(rows.c_str()).ok());
  REQUIRE(ds->save_sources_npy(sources.c_str()).ok());
  NpyHeader h;
  REQUIRE(read_npy_header(rows.c_str(), &h).ok());
  CHECK(std::string(h.descr) == "<f4");
  CHECK(h.ndim == 2);
  CHECK(h.shape[0] == 4);
  CHECK(h.shape[1] == 3);
  std::vector<unsigned char> bytes = saerl_test::read_file(rows);
  REQUIRE(bytes.size() == h.data_offset + 12 * sizeof(float));
  CHECK(std::memcmp(bytes.data() + h.data_offset, ds->data, 12 * sizeof(float)) == 0);
  REQUIRE(read_npy_header(sources.c_str(), &h).ok());
  CHECK(std::string(h.descr) == "<i4");
  CHECK(h.ndim == 1);
  CHECK(h.shape[0] == 4);
}
