#include <doctest/doctest.h>

#include <cstring>

#include "examples/results.hpp"
#include "tests/temp_files.hpp"

TEST_CASE("results saved as nested JSON load back with the same keys and values") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  static saerl::Results r, back;
  r.set("dqn.checkmate_rate", 0.9976);
  r.set_text("dqn.preset", "default");
  r.set_null("dqn.seconds_to_0_95");
  r.set("sae.topk.fvu", 0.05);
  r.set("sae.relu.l0", 16);
  REQUIRE(r.save(path.c_str()).ok());
  REQUIRE(back.load(path.c_str()).ok());
  CHECK(back.count == 5);
  REQUIRE(back.find("sae.topk.fvu") != nullptr);
  CHECK(std::strcmp(back.find("sae.topk.fvu")->value, "0.05") == 0);
  CHECK(std::strcmp(back.find("dqn.preset")->value, "\"default\"") == 0);
  CHECK(std::strcmp(back.find("dqn.seconds_to_0_95")->value, "null") == 0);
  // the nesting is real JSON: "sae": { "relu": { "l0": 16 }, "topk": { ... } }
  const std::vector<unsigned char> bytes = saerl_test::read_file(path);
  const std::string text(bytes.begin(), bytes.end());
  CHECK(text.find("\"sae\": {") != std::string::npos);
  CHECK(text.find("\"relu\": {") != std::string::npos);
  CHECK(text.find("\"l0\": 16") != std::string::npos);
}

TEST_CASE("a later command's keys are merged with the earlier ones") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  static saerl::Results first, second, back;
  first.set("dqn.checkmate_rate", 0.99);
  REQUIRE(first.save(path.c_str()).ok());
  REQUIRE(second.load(path.c_str()).ok());
  second.set("sae.topk.fvu", 0.04);
  second.set("dqn.checkmate_rate", 0.995);  // a rerun replaces its own key
  REQUIRE(second.save(path.c_str()).ok());
  REQUIRE(back.load(path.c_str()).ok());
  CHECK(back.count == 2);
  CHECK(std::strcmp(back.find("dqn.checkmate_rate")->value, "0.995") == 0);
}

TEST_CASE("a missing results file is an empty set and a foreign one is refused") {
  saerl_test::TempDir dir;
  static saerl::Results r;
  CHECK(r.load(dir.path("none.json").c_str()).ok());
  CHECK(r.count == 0);
  const std::string bad = dir.path("bad.json");
  const char text[] = "[1, 2, 3]";
  saerl_test::write_file(bad, std::vector<unsigned char>(text, text + sizeof text - 1));
  CHECK(r.load(bad.c_str()).code == saerl::StatusCode::invalid_argument);
}

TEST_CASE("a value too long for its slot is refused, not cut into JSON that would not load again") {
  // found by tests/fuzz/fuzz_results.cpp: a 60-character string value was cut to 47 characters,
  // losing its closing quote, and the saved file no longer loaded
  saerl_test::TempDir dir;
  static saerl::Results r;
  const std::string path = dir.path("long.json");
  const std::string text = "{\"a\": \"" + std::string(60, 'x') + "\"}";
  saerl_test::write_file(path, std::vector<unsigned char>(text.begin(), text.end()));
  CHECK(r.load(path.c_str()).code == saerl::StatusCode::invalid_argument);
  const std::string fits = "{\"a\": \"" + std::string(40, 'x') + "\"}";
  saerl_test::write_file(path, std::vector<unsigned char>(fits.begin(), fits.end()));
  CHECK(r.load(path.c_str()).ok());
}

TEST_CASE("keys with more dotted parts than the nesting limit save and load back unchanged") {
  saerl_test::TempDir dir;
  static saerl::Results r, back;
  const std::string path = dir.path("deep.json");
  r.count = 0;
  r.set("a.b.c.d.e.f.g.h.i.j.k", 1.5);
  r.set("a.b.x", 2);
  REQUIRE(r.save(path.c_str()).ok());
  REQUIRE(back.load(path.c_str()).ok());
  CHECK(back.count == 2);
  CHECK((back.find("a.b.c.d.e.f.g.h.i.j.k") && std::strcmp(back.find("a.b.c.d.e.f.g.h.i.j.k")->value, "1.5") == 0));
  REQUIRE(back.save(path.c_str()).ok());
  CHECK(r.load(path.c_str()).ok());
}
