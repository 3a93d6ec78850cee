#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "examples/results.hpp"
#include "tests/temp_files.hpp"

namespace {

std::string read_text(const std::string& path) {
  const std::vector<unsigned char> bytes = saerl_test::read_file(path);
  return std::string(bytes.begin(), bytes.end());
}
void write_text(const std::string& path, const std::string& text) {
  saerl_test::write_file(path, std::vector<unsigned char>(text.begin(), text.end()));
}
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("every kind of value saved in results.json loads back the same") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  saerl::Results r, back;
  const double curve[3] = {0.1, 0.5, 0.97};
  saerl::Json features = saerl::json_array();
  for (int j = 0; j < 2; ++j) {
    saerl::Json f = saerl::json_object();
    f.set("index", saerl::json_number(j));
    f.set("label", saerl::json_string(j ? "black king on an edge" : "rook attacked"));
    features.push(std::move(f));
  }
  CHECK(r.set("dqn.checkmate_rate", 0.9976).ok());
  CHECK(r.set_text("dqn.preset", "default").ok());
  CHECK(r.set_null("dqn.seconds_to_0_95").ok());
  CHECK(r.set_bool("dqn.resumed", true).ok());
  CHECK(r.set_numbers("dqn.curve_rates", curve, 3).ok());
  CHECK(r.set("sae.topk.features", features).ok());
  CHECK(r.set("sae.topk.empty", saerl::json_array()).ok());
  REQUIRE(r.save(path.c_str()).ok());
  REQUIRE(back.load(path.c_str()).ok());
  CHECK(back.number("dqn.checkmate_rate", -1) == 0.9976);
  CHECK(back.text("dqn.preset", "?") == "default");
  REQUIRE(back.find("dqn.seconds_to_0_95"));
  CHECK(back.find("dqn.seconds_to_0_95")->kind == saerl::Json::Kind::null);
  REQUIRE(back.find("dqn.resumed"));
  CHECK(back.find("dqn.resumed")->flag);
  const saerl::Json* rates = back.find("dqn.curve_rates");
  REQUIRE(rates);
  REQUIRE(rates->items.size() == 3);
  CHECK(rates->items[2].number == 0.97);
  const saerl::Json* list = back.find("sae.topk.features");
  REQUIRE(list);
  REQUIRE(list->items.size() == 2);
  REQUIRE(list->items[1].get("label"));
  CHECK(list->items[1].get("label")->text == "black king on an edge");
  CHECK(back.find("sae.topk.empty")->items.empty());
  // absent, or of another kind: the fallback
  CHECK(back.number("dqn.preset", -1) == -1);
  CHECK(back.number("dqn.nothing", -1) == -1);
  CHECK(back.text("dqn.checkmate_rate", "?") == "?");
  // saving what was loaded gives the same bytes
  const std::string first = read_text(path);
  REQUIRE(back.save(path.c_str()).ok());
  CHECK(read_text(path) == first);
}

TEST_CASE("results.json is written with sorted keys, two-space indentation and number arrays on one line") {
  saerl::Results r;
  saerl::Json e = saerl::json_array();
  saerl::Json f = saerl::json_object();
  f.set("f", saerl::json_bool(true));
  e.push(f);
  e.push(saerl::json_array());
  const double a[3] = {1, 2.5, -3};
  r.set("g", saerl::json_object());
  r.set("e", e);
  r.set_null("b.d");
  r.set_text("b.c", "x\ny");
  r.set_numbers("a", a, 3);
  CHECK(saerl::write_json(r.root) ==
        "{\n"
        "  \"a\": [1, 2.5, -3],\n"
        "  \"b\": {\n"
        "    \"c\": \"x\\ny\",\n"
        "    \"d\": null\n"
        "  },\n"
        "  \"e\": [\n"
        "    {\n"
        "      \"f\": true\n"
        "    },\n"
        "    []\n"
        "  ],\n"
        "  \"g\": {}\n"
        "}\n");
  CHECK(saerl::write_json(r.root, /*one_line=*/true) ==
        "{\"a\": [1, 2.5, -3], \"b\": {\"c\": \"x\\ny\", \"d\": null}, \"e\": [{\"f\": true}, []], \"g\": {}}");
}

TEST_CASE("10,000 keys are all kept, and listed as leaf paths in order") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  saerl::Results r, back;
  for (int i = 0; i < 10000; ++i) {  // in an order that is not the sorted one
    const int j = (i * 7919) % 10000;
    char key[64];
    std::snprintf(key, sizeof key, "features.f%02d.k%03d", j / 1000, j % 1000);
    REQUIRE(r.set(key, j).ok());
  }
  REQUIRE(r.save(path.c_str()).ok());
  REQUIRE(back.load(path.c_str()).ok());
  const std::vector<saerl::Results::Leaf> leaves = back.leaves();
  REQUIRE(leaves.size() == 10000);
  CHECK(leaves[0].path == "features.f00.k000");
  CHECK(leaves[4321].path == "features.f04.k321");
  CHECK(leaves[4321].value->number == 4321);
  CHECK(leaves[9999].path == "features.f09.k999");
  CHECK(back.number("features.f07.k654", -1) == 7654);
}

TEST_CASE("a 200-character key and a 10,000-character string are kept whole") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  saerl::Results r, back;
  const std::string key = "long." + std::string(200, 'k');
  std::string text(10000, 'x');
  text[5000] = '"';
  text[6000] = '\\';
  text += "\xc3\xa9\x01";  // UTF-8 passes through, a control character is escaped
  REQUIRE(r.set(key.c_str(), 1.5).ok());
  REQUIRE(r.set_text("long.text", text.c_str()).ok());
  REQUIRE(r.save(path.c_str()).ok());
  REQUIRE(back.load(path.c_str()).ok());
  CHECK(back.number(key.c_str(), -1) == 1.5);
  CHECK(back.text("long.text", "") == text);
  CHECK(read_text(path).find("\\u0001") != std::string::npos);
}

TEST_CASE("numbers are written as the shortest of 15, 16, 17 digits that reads back to the same double") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  saerl::Results r, back;
  const double values[] = {0.1 + 0.2, 1.0 / 3, std::nextafter(1.0, 2.0), DBL_MAX, 4.9406564584124654e-324,
                           -2.2250738585072014e-308, 0.05, 16, 1300000, -0.0, 1e21};
  const char* texts[] = {"0.30000000000000004", "0.3333333333333333", "1.0000000000000002", "1.7976931348623157e+308",
                         "4.94065645841247e-324", "-2.2250738585072014e-308", "0.05", "16", "1300000", "-0", "1e+21"};
  const int n = int(sizeof values / sizeof values[0]);
  for (int i = 0; i < n; ++i) r.set(("n.v" + std::to_string(i)).c_str(), values[i]);
  REQUIRE(r.save(path.c_str()).ok());
  const std::string saved = read_text(path);
  REQUIRE(back.load(path.c_str()).ok());
  for (int i = 0; i < n; ++i) {
    const std::string key = "n.v" + std::to_string(i);
    CAPTURE(key);
    CHECK(same_bits(back.number(key.c_str(), 7), values[i]));
    const std::string line = "\"v" + std::to_string(i) + "\": " + texts[i];
    const size_t at = saved.find(line);
    CHECK((at != std::string::npos && std::strchr(",\n", saved[at + line.size()]) != nullptr));
  }
}

TEST_CASE("a value that cannot be kept is an error when set, and save then writes nothing") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  saerl::Results r;
  REQUIRE(r.set("a", 1).ok());
  REQUIRE(r.set("b.c", 2).ok());
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  saerl::Json deep = saerl::json_array();
  for (int i = 0; i < saerl::kJsonMaxDepth; ++i) {
    saerl::Json outer = saerl::json_array();
    outer.push(std::move(deep));
    deep = std::move(outer);
  }
  saerl::Json unsorted = saerl::json_object();
  unsorted.keys = {"b", "a"};
  unsorted.items = {saerl::json_null(), saerl::json_null()};
  saerl::Json nan_inside = saerl::json_array();
  nan_inside.push(saerl::json_object());
  nan_inside.items[0].set("x", saerl::json_number(nan));
  std::string deep_path = "p";
  for (int i = 0; i < saerl::kJsonMaxDepth; ++i) deep_path += ".p";
  struct Case {
    saerl::Status s;
    const char* message;
  } cases[] = {
      {r.set("x", nan), "not a finite number"},
      {r.set("x", -inf), "not a finite number"},
      {r.set("x", nan_inside), "x[0].x: not a finite number"},
      {r.set("a.b", 3), "a path through a, which holds a number"},
      {r.set("b", 3), "a value that is not an object over b, which holds an object"},
      {r.set("a", saerl::json_object()), "an object over a, which holds a number"},
      {r.set("x..y", 1), "empty part"},
      {r.set(".x", 1), "empty part"},
      {r.set("x.", 1), "empty part"},
      {r.set("", 1), "empty part"},
      {r.set_text("x", "\xff"), "not UTF-8"},
      {r.set("x\xc0", 1), "not UTF-8"},
      {r.set("x", deep), "nested deeper"},
      {r.set(deep_path.c_str(), 1), "more than 64 parts"},
      {r.set("x", unsorted), "sorted and unique"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    CHECK(c.s.code == saerl::StatusCode::invalid_argument);
    CHECK(std::strstr(c.s.message, c.message) != nullptr);
  }
  CHECK(r.number("a", -1) == 1);  // nothing was changed by the refused sets
  CHECK(r.number("b.c", -1) == 2);
  CHECK(r.find("x") == nullptr);
  // the first error sticks: save refuses with it and leaves no file, not even a temp file
  const saerl::Status s = r.save(path.c_str());
  CHECK(s.code == saerl::StatusCode::invalid_argument);
  CHECK(std::strstr(s.message, "not written") != nullptr);
  CHECK(std::strstr(s.message, "not a finite number") != nullptr);
  CHECK(dir.entries() == 0);
  // a NaN says "no value" only when the caller says so
  CHECK(r.set_null("x").ok());
  CHECK(r.find("x")->kind == saerl::Json::Kind::null);
  // 64 parts fit (the reader's limit is 64 objects open at once)
  saerl::Results deep_ok;
  REQUIRE(deep_ok.set(deep_path.substr(2).c_str(), 1).ok());
  REQUIRE(deep_ok.save(path.c_str()).ok());
  CHECK(deep_ok.load(path.c_str()).ok());
  CHECK(deep_ok.number(deep_path.substr(2).c_str(), -1) == 1);
}

TEST_CASE("a malformed results file is refused with the line and column of the fault") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("bad.json");
  std::string too_deep = "{\"a\":";
  for (int i = 0; i < saerl::kJsonMaxDepth; ++i) too_deep += "[";
  struct Case {
    std::string text;
    const char* where;
  } cases[] = {
      {"", "1:1: expected a value, found the end of the text"},
      {"{\n  \"a\": 1,\n}", "3:1: expected a key string, found '}'"},
      {"{\n  \"a\" 1\n}", "2:7: expected ':' after the key, found '1'"},
      {"{\"a\": [1 2]}", "1:10: expected ',' or ']' after an array element, found '2'"},
      {"{\"a\": 1} x", "1:10: expected the end of the text after the value, found 'x'"},
      {"{\"a\": \"abc", "1:7: a string that never ends"},
      {"{\"a\": \"\\q\"}", "1:8: an unknown escape"},
      {"{\"a\": \"\\u12g4\"}", "1:12: expected four hex digits"},
      {"{\"a\": \"\\ud83d\"}", "1:8: a high surrogate without its low half"},
      {"{\"a\": \"\\ude00\"}", "1:8: a \\u escape of a lone low surrogate"},
      {"{\"a\": \"x\ty\"}", "1:9: a control character (byte 0x09)"},
      {"{\"a\": \"\xc3\x28\"}", "1:8: a string that is not UTF-8 (byte 0xc3)"},
      {"{\"a\": \"\xed\xa0\x80\"}", "1:8: a string that is not UTF-8"},  // a surrogate written as UTF-8
      {"{\"a\": 012}", "1:7: a number with a leading zero"},
      {"{\"a\": 1.}", "1:9: expected a digit after the decimal point, found '}'"},
      {"{\"a\": 1e}", "1:9: expected a digit in the exponent"},
      {"{\"a\": -}", "1:8: expected a digit"},
      {"{\"a\": 1e400}", "1:7: a number beyond the range of a double"},
      {"{\"a\": NaN}", "1:7: expected a value, found 'N'"},
      {"{\"a\": tru}", "1:7: expected a value, found 't'"},
      {"{\"a\": 1,\n \"b\": 2,\n \"a\": 3}", "3:2: the key \"a\" a second time"},
      {too_deep, "1:69: more than 64 arrays and objects nested"},
      {"[1, 2, 3]", "not a results file written by saerl (its top is an array, not an object)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    write_text(path, c.text);
    saerl::Results r;
    const saerl::Status s = r.load(path.c_str());
    CHECK(s.code == saerl::StatusCode::invalid_argument);
    CHECK(std::strstr(s.message, c.where) != nullptr);
    CHECK(std::strncmp(s.message, path.c_str(), path.size()) == 0);  // the message starts with the file
    CHECK(r.leaves().empty());
  }
}

TEST_CASE("the reader takes the whole of JSON: escapes, surrogate pairs, exponents, whitespace") {
  const std::string text = " \t\r\n{\"s\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\\u0000\", "
                           "\"n\": [-0.5e-3, 1E+2, 0, -0, 12.25e1], \"t\": true, \"f\": false, \"z\": null,"
                           "\"o\": {\"\": {\"x\": []}}} \n";
  saerl::Json v;
  const saerl::Status s = saerl::parse_json(text.data(), text.size(), v);
  REQUIRE_MESSAGE(s.ok(), s.message);
  REQUIRE(v.get("s"));
  CHECK(v.get("s")->text == std::string("\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0", 18));
  const saerl::Json* n = v.get("n");
  REQUIRE(n);
  REQUIRE(n->items.size() == 5);
  CHECK(n->items[0].number == -0.0005);
  CHECK(n->items[1].number == 100);
  CHECK(std::signbit(n->items[3].number));
  CHECK(n->items[4].number == 122.5);
  CHECK((v.get("t")->flag && !v.get("f")->flag && v.get("z")->kind == saerl::Json::Kind::null));
  REQUIRE(v.get("o"));
  REQUIRE(v.get("o")->get(""));
  CHECK(v.get("o")->get("")->get("x")->kind == saerl::Json::Kind::array);
  // written and read again: the same value, the same text
  const std::string once = saerl::write_json(v);
  saerl::Json again;
  REQUIRE(saerl::parse_json(once.data(), once.size(), again).ok());
  CHECK(saerl::write_json(again) == once);
  CHECK(again.get("s")->text == v.get("s")->text);
}

TEST_CASE("a later command's keys are merged with what the earlier ones wrote") {
  saerl_test::TempDir dir;
  const std::string path = dir.path("results.json");
  saerl::Results first, second, back;
  first.set("dqn.checkmate_rate", 0.99);
  saerl::Json list = saerl::json_array();
  list.push(saerl::json_object());
  list.items[0].set("density", saerl::json_number(0.25));
  first.set("features.relu.list", list);
  REQUIRE(first.save(path.c_str()).ok());
  // another program's key, written by hand, is kept too
  std::string text = read_text(path);
  text.insert(1, "\n  \"zzz\": {\"written\": [\"by hand\", {\"k\": 1e-7}]},");
  write_text(path, text);

  REQUIRE(second.load(path.c_str()).ok());
  second.set("sae.topk.fvu", 0.04);
  second.set("dqn.checkmate_rate", 0.995);  // a rerun replaces its own key
  REQUIRE(second.save(path.c_str()).ok());
  REQUIRE(back.load(path.c_str()).ok());
  CHECK(back.leaves().size() == 4);
  CHECK(back.number("dqn.checkmate_rate", -1) == 0.995);
  CHECK(back.number("sae.topk.fvu", -1) == 0.04);
  REQUIRE(back.find("features.relu.list"));
  CHECK(back.find("features.relu.list")->items[0].get("density")->number == 0.25);
  REQUIRE(back.find("zzz.written"));
  CHECK(back.find("zzz.written")->items[1].get("k")->number == 1e-7);
}

TEST_CASE("a missing results file is an empty set, an unreadable one an error") {
  saerl_test::TempDir dir;
  saerl::Results r;
  r.set("stale", 1);
  CHECK(r.load(dir.path("none.json").c_str()).ok());
  CHECK(r.leaves().empty());
  CHECK(r.load(dir.dir.c_str()).code == saerl::StatusCode::io_error);  // a directory
  CHECK(r.save(dir.path("no/such/dir.json").c_str()).code == saerl::StatusCode::io_error);
}
