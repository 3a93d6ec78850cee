// Tests for core/io/checkpoint.hpp and the TempFile of core/io/serialize.hpp: round trips, every way a
// checkpoint file can be bad, and a process killed between writing and renaming.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/io/checkpoint.hpp"
#include "tests/temp_files.hpp"

using namespace saerl;
using saerl_test::TempDir;
using saerl_test::read_file;
using saerl_test::write_file;

namespace {

const uint32_t kKind = fourcc("TEST");

struct Cell {
  uint8_t a, b, c;
};

struct State {
  float w[10];
  double loss;
  long step;
  Cell cells[4];
  Rng rng{7};
};

template <class Ar>
void state_fields(Ar& ar, State& s) {
  ar.array(s.w, 10);
  ar.value(s.loss);
  ar.value(s.step);
  for (Cell& c : s.cells) ar.value(c);
  ar.rng(s.rng);
}

State sample(float offset) {
  State s;
  for (int i = 0; i < 10; ++i) s.w[i] = offset + 0.25f * float(i);
  s.loss = 0.125 + offset;
  s.step = 1000 + long(offset);
  for (int i = 0; i < 4; ++i) s.cells[i] = Cell{uint8_t(i), uint8_t(offset), 9};
  s.rng.seed_with(uint64_t(offset) + 3);
  s.rng.next_u32();
  return s;
}

bool same(const State& x, const State& y) {
  return std::memcmp(x.w, y.w, sizeof x.w) == 0 && x.loss == y.loss && x.step == y.step &&
         std::memcmp(x.cells, y.cells, sizeof x.cells) == 0 && x.rng.state() == y.rng.state() &&
         x.rng.increment() == y.rng.increment();
}

Status save(const std::string& path, State& s) {
  CheckpointWriter w;
  Status r = w.write(path.c_str(), kKind, [&](auto& ar) { state_fields(ar, s); });
  return r.ok() ? w.commit() : r;
}

Status load(const std::string& path, State& s, uint32_t kind = kKind) {
  return load_checkpoint(path.c_str(), kind, [&](auto& ar) { state_fields(ar, s); });
}

bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

}  // namespace

TEST_CASE("a checkpoint round-trips every field bit for bit, the RNG's stream included") {
  TempDir tmp;
  State a = sample(5), b = sample(0);
  CHECK(save(tmp.path("a.ckpt"), a).ok());
  CHECK(!exists(tmp.path("a.ckpt.tmp")));
  CHECK(load(tmp.path("a.ckpt"), b).ok());
  CHECK(same(a, b));
  CHECK(a.rng.next_u32() == b.rng.next_u32());
  // 32 header bytes, 10 floats, a double, a long, 4 cells of 3 bytes, two u64, an 8-byte checksum
  CHECK(read_file(tmp.path("a.ckpt")).size() == 32 + 40 + 8 + 8 + 12 + 16 + 8);
  const std::vector<unsigned char> bytes = read_file(tmp.path("a.ckpt"));
  CHECK(std::memcmp(bytes.data(), "SAERLCKP", 8) == 0);
}

TEST_CASE("a damaged checkpoint is refused with the reason, and the destination is left as it was") {
  TempDir tmp;
  State a = sample(5);
  REQUIRE(save(tmp.path("a.ckpt"), a).ok());
  const std::vector<unsigned char> good = read_file(tmp.path("a.ckpt"));
  const std::string bad = tmp.path("bad.ckpt");
  auto expect = [&](StatusCode code, const char* words) {
    State d = sample(1);
    const State before = d;
    const Status s = load(bad, d);
    CHECK(std::string(status_code_name(s.code)) == status_code_name(code));
    CHECK_MESSAGE(std::strstr(s.message, words) != nullptr, s.message);
    CHECK(same(d, before));
  };
  SUBCASE("one flipped byte anywhere") {
    for (size_t i = 32; i < good.size(); i += 7) {
      std::vector<unsigned char> b = good;
      b[i] ^= 0x10;
      write_file(bad, b);
      expect(StatusCode::bad_checksum, "checksum");
    }
  }
  SUBCASE("cut short at any byte") {
    for (size_t n = 1; n < good.size(); ++n) {
      write_file(bad, std::vector<unsigned char>(good.begin(), good.begin() + long(n)));
      expect(StatusCode::truncated, "truncated");
    }
  }
  SUBCASE("an empty file, a directory, a missing file") {
    write_file(bad, {});
    expect(StatusCode::truncated, "empty");
    CHECK(mkdir(tmp.path("dir.ckpt").c_str(), 0755) == 0);
    State d = sample(1);
    CHECK(load(tmp.path("dir.ckpt"), d).code == StatusCode::io_error);
    CHECK(load(tmp.path("missing.ckpt"), d).code == StatusCode::io_error);
  }
  SUBCASE("extra bytes, another kind, another format, another version") {
    std::vector<unsigned char> b = good;
    b.push_back(0);
    write_file(bad, b);
    expect(StatusCode::bad_checksum, "extra bytes");
    write_file(bad, good);
    State d = sample(1);
    CHECK(load(bad, d, fourcc("OTHR")).code == StatusCode::bad_magic);
    b = good;
    std::memcpy(b.data(), "SAERLBIN", 8);
    write_file(bad, b);
    expect(StatusCode::bad_magic, "not a saerl checkpoint");
    b = good;
    b[8] = 2;
    write_file(bad, b);
    expect(StatusCode::bad_version, "version 2");
  }
  SUBCASE("a checkpoint of another field list") {
    CheckpointWriter w;
    float other[11] = {0};
    REQUIRE(w.write(bad.c_str(), kKind, [&](auto& ar) { ar.array(other, 11); }).ok());
    REQUIRE(w.commit().ok());
    expect(StatusCode::bad_shape, "another network or build");
  }
}

TEST_CASE("a process killed between writing a checkpoint and renaming it leaves the previous one loadable") {
  TempDir tmp;
  const std::string path = tmp.path("run.ckpt");
  State first = sample(1);
  REQUIRE(save(path, first).ok());
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // the child writes the next checkpoint's temp file and dies before the rename
    State second = sample(2);
    CheckpointWriter w;
    const bool written = w.write(path.c_str(), kKind, [&](auto& ar) { state_fields(ar, second); }).ok();
    if (written) std::raise(SIGKILL);
    _exit(3);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  State back = sample(9);
  CHECK(load(path, back).ok());
  CHECK(same(back, first));
  // the temp file is complete: it would have loaded, had it been renamed
  State tmp_state = sample(9);
  CHECK(load(path + ".tmp", tmp_state).ok());
  CHECK(same(tmp_state, sample(2)));
  // the next save replaces both
  State third = sample(3);
  CHECK(save(path, third).ok());
  CHECK(load(path, back).ok());
  CHECK(same(back, third));
  CHECK(!exists(path + ".tmp"));
}

TEST_CASE("a TempFile dropped before commit removes its temp file and leaves the path alone") {
  TempDir tmp;
  const std::string path = tmp.path("x.bin");
  write_file(path, {1, 2, 3});
  {
    TempFile f;
    REQUIRE(f.open(path.c_str()).ok());
    f.write("abc", 3);
    CHECK(f.finish().ok());
    CHECK(exists(path + ".tmp"));
  }
  CHECK(!exists(path + ".tmp"));
  CHECK(read_file(path) == std::vector<unsigned char>{1, 2, 3});
  TempFile g;
  CHECK(g.commit().code == StatusCode::io_error);  // nothing finished
  CHECK(g.open(tmp.path("no/such/dir.bin").c_str()).code == StatusCode::io_error);
}
