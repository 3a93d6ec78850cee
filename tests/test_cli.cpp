#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>

#include "examples/cli.hpp"

namespace {

saerl::Status parse(std::initializer_list<const char*> args, saerl::Options* o) {
  static char storage[16][64];
  static char* argv[16];
  int argc = 0;
  for (const char* a : args) {
    std::strncpy(storage[argc], a, 63);
    argv[argc] = storage[argc];
    ++argc;
  }
  return saerl::parse_options(argc, argv, 0, o);
}

}  // namespace

TEST_CASE("options take their value after a space or an equals sign") {
  saerl::Options o;
  CHECK(parse({"--seed", "7", "--out=dir", "--steps=1000", "--preset", "paper"}, &o).ok());
  CHECK(o.seed == 7u);
  CHECK(std::strcmp(o.out, "dir") == 0);
  CHECK(o.steps == 1000);
  CHECK(std::strcmp(o.preset, "paper") == 0);
}

TEST_CASE("bad command lines are rejected with a message naming the problem") {
  saerl::Options o;
  saerl::Status s = parse({"--sed", "7"}, &o);
  CHECK(s.code == saerl::StatusCode::invalid_argument);
  CHECK(std::strstr(s.message, "--sed") != nullptr);
  s = parse({"--seed"}, &o);
  CHECK(std::strstr(s.message, "needs a value") != nullptr);
  s = parse({"--seed", "seven"}, &o);
  CHECK(std::strstr(s.message, "not a whole number") != nullptr);
  s = parse({"--games", "0"}, &o);
  CHECK(std::strstr(s.message, "out of range") != nullptr);
  s = parse({"--steps", "99999999999999999999"}, &o);
  CHECK_FALSE(s.ok());
  s = parse({"--lr", "2"}, &o);
  CHECK_FALSE(s.ok());
  s = parse({"stray"}, &o);
  CHECK(std::strstr(s.message, "unexpected argument") != nullptr);
  s = parse({"--out="}, &o);
  CHECK_FALSE(s.ok());
}
