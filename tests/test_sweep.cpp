// Runs the program: sweep runs as separate commands, then --collect, and checks that the merged
// table holds exactly what each run wrote (both protocols); and the study protocol's fits on data
// whose answers are known. The Makefile and Meson set SAERL_BIN.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "examples/results.hpp"
#include "examples/study_pellets.hpp"
#include "examples/sweep.hpp"
#include "tests/temp_files.hpp"

namespace {

// The number under `key` in the object o, or `missing` when it is absent or not a number.
double number_or(const saerl::Json& o, const char* key, double missing) {
  const saerl::Json* v = o.get(key);
  return v && v->kind == saerl::Json::Kind::number ? v->number : missing;
}

}  // namespace

TEST_CASE("two separate sweep runs merged by --collect give one CSV row each, with each run's figures") {
  const char* bin = std::getenv("SAERL_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "SAERL_BIN must name build/saerl (make test and meson test set it)");
  saerl_test::TempDir dir;
  const std::string out = dir.path("sweep");
  for (int run = 0; run < 2; ++run) {
    const std::string cmd = std::string(bin) + " sweep --run " + std::to_string(run) + " --runs 2 --steps 3000" +
                            " --sae-steps 20 --games 20 --out " + out + " > /dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    REQUIRE(rc == 0);
    if (rc != 0) return;  // (REQUIRE does not stop a test when exceptions are off)
  }
  const int rc = std::system((std::string(bin) + " sweep --collect --runs 2 --out " + out + " > /dev/null").c_str());
  REQUIRE(rc == 0);
  if (rc != 0) return;

  const std::vector<unsigned char> bytes = saerl_test::read_file(out + "/sweep.csv");
  const std::string csv(bytes.begin(), bytes.end());
  REQUIRE(csv.rfind("run,seed,steps,checkmate_rate", 0) == 0);
  int rows = 0;
  size_t line = csv.find('\n') + 1;
  for (int run = 0; run < 2; ++run, ++rows) {
    // the row, from the CSV
    int r = -1;
    double seed = 0, steps = 0, rate = 0;
    const int fields = std::sscanf(csv.c_str() + line, "%d,%lf,%lf,%lf", &r, &seed, &steps, &rate);
    REQUIRE(fields == 4);
    if (fields != 4) return;
    line = csv.find('\n', line) + 1;
    // the same run's own results.json
    static saerl::Results results;
    REQUIRE(results.load((out + "/run-" + std::to_string(run) + "/results.json").c_str()).ok());
    const bool complete = results.find("dqn.seed") && results.find("dqn.steps") && results.find("dqn.checkmate_rate");
    REQUIRE(complete);
    if (!complete) return;
    CHECK(r == run);
    CHECK(seed == results.number("dqn.seed", -1));
    CHECK(steps == results.number("dqn.steps", -1));
    CHECK(rate == doctest::Approx(results.number("dqn.checkmate_rate", -1)).epsilon(1e-3));
  }
  CHECK(rows == 2);
  CHECK(csv.find('\n', line) == std::string::npos);  // no third row
  const std::vector<unsigned char> json = saerl_test::read_file(out + "/sweep.json");
  CHECK(std::string(json.begin(), json.end()).find("\"relu_live_vs_checkmate_rate\"") != std::string::npos);
}

TEST_CASE("the study protocol: equal budgets, seeds I + 1, one object per run in sweep.json with its figures") {
  const char* bin = std::getenv("SAERL_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "SAERL_BIN must name build/saerl (make test and meson test set it)");
  saerl_test::TempDir dir;
  const std::string out = dir.path("study");
  for (int run = 0; run < 2; ++run) {
    const std::string cmd = std::string(bin) + " sweep --protocol study --run " + std::to_string(run) +
                            " --runs 2 --steps 3000 --sae-steps 20 --games 20 --out " + out + " > /dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    REQUIRE(rc == 0);
    if (rc != 0) return;
  }
  const int rc =
      std::system((std::string(bin) + " sweep --protocol study --collect --runs 2 --out " + out + " > /dev/null").c_str());
  REQUIRE(rc == 0);
  if (rc != 0) return;
  static saerl::Results sweep, results;
  REQUIRE(sweep.load((out + "/sweep.json").c_str()).ok());
  CHECK(sweep.text("protocol", "") == "study");
  CHECK(sweep.number("k", -1) == 12);          // 50 of 512, scaled to the 128-wide layer
  CHECK(sweep.number("features", -1) == 512);  // 4x the layer, as the study's 2048 of 512
  const saerl::Json* runs = sweep.find("runs");
  REQUIRE(runs != nullptr);
  if (!runs) return;
  REQUIRE(runs->kind == saerl::Json::Kind::array);
  REQUIRE(runs->items.size() == 2);
  if (runs->items.size() != 2) return;
  for (int run = 0; run < 2; ++run) {
    const saerl::Json& o = runs->items[size_t(run)];
    REQUIRE(results.load((out + "/run-" + std::to_string(run) + "/results.json").c_str()).ok());
    auto num = [&](const char* key) { return number_or(o, key, -1e300); };
    CHECK(num("seed") == run + 1);
    CHECK(num("steps") == 3000);
    CHECK(num("score") == results.number("dqn.return_ratio", 1e300));
    CHECK(num("exact_mate_prob") == results.number("dqn.exact_mate_prob", 1e300));
    CHECK(num("live_on_policy") == results.number("study.live_on_policy", 1e300));
    CHECK(num("live_all") == results.number("study.live_all", 1e300));
    CHECK(num("live_on_policy") >= 1);
    CHECK(num("live_on_policy") <= 512);
    CHECK(num("distinct_states") >= 1);
    CHECK(num("distinct_states") <= 8192);  // at most one per greedy-play position collected
    CHECK(results.number("study.positions", -1) == 8192);
  }
  const saerl::Json* fits = sweep.find("fits");
  REQUIRE(fits != nullptr);
  if (!fits) return;
  CHECK(fits->get("spearman") != nullptr);
  CHECK(fits->get("partial") != nullptr);
  CHECK(fits->get("quadratic") != nullptr);  // null: two runs cannot fix three coefficients
  CHECK(fits->get("quadratic")->kind == saerl::Json::Kind::null);
}

TEST_CASE("the study protocol on the pellet maze: the mean score as the score, uniform states as the control") {
  const char* bin = std::getenv("SAERL_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "SAERL_BIN must name build/saerl (make test and meson test set it)");
  saerl_test::TempDir dir;
  const std::string out = dir.path("pellets");
  const std::string common = " sweep --protocol study --game pellets --runs 2 --steps 3000 --sae-steps 20 --games 20 "
                             "--out " + out;
  for (int run = 0; run < 2; ++run) {
    const int rc = std::system((bin + common + " --run " + std::to_string(run) + " > /dev/null 2>&1").c_str());
    REQUIRE(rc == 0);
    if (rc != 0) return;
  }
  REQUIRE(std::system((bin + common + " --collect > /dev/null").c_str()) == 0);
  static saerl::Results sweep, results;
  REQUIRE(sweep.load((out + "/sweep.json").c_str()).ok());
  const saerl::Json* runs = sweep.find("runs");
  REQUIRE(runs != nullptr);
  if (!runs) return;
  REQUIRE(runs->items.size() == 2);
  for (int run = 0; run < 2 && run < int(runs->items.size()); ++run) {
    const saerl::Json& o = runs->items[size_t(run)];
    REQUIRE(results.load((out + "/run-" + std::to_string(run) + "/results.json").c_str()).ok());
    auto num = [&](const char* key) { return number_or(o, key, -1e300); };
    CHECK(num("seed") == run + 1);
    CHECK(num("score") == results.number("dqn.mean_score", 1e300));
    CHECK(num("clear_rate") == results.number("dqn.clear_rate", 1e300));
    CHECK(o.get("exact_mate_prob")->kind == saerl::Json::Kind::null);  // a rook key: absent here
    CHECK(num("live_all") == results.number("study.live_all", 1e300));
    CHECK(num("live_all") >= 1);
    CHECK(num("live_all") <= 512);
    CHECK(num("distinct_positions") >= 1);
    CHECK(num("distinct_positions") <= num("distinct_states"));  // placements ignore pellets and time
    CHECK(num("distinct_states") <= 8192);
    CHECK(results.number("study.all_positions", -1) == 8192);
    CHECK(results.find("dqn.reference_score") == nullptr);  // the sweep skips the expectimax reference
  }
  CHECK(sweep.find("fits")->get("partial")->get("controlling")->text == "distinct_positions");
  // the rook's options are refused on the pellet maze, and so is the default protocol
  CHECK(std::system((bin + common + " --board 6 --run 0 > /dev/null 2>&1").c_str()) != 0);
  CHECK(std::system((std::string(bin) + " sweep --game pellets --runs 2 --out " + out + " > /dev/null 2>&1").c_str()) != 0);
}

TEST_CASE("distinct states count byte-equal states once, whatever their order") {
  using State = saerl::Pellets<saerl::PelletsMaze7, 2>::State;
  State s[5] = {};
  s[1].agent = 3;
  s[2].pellets[2] = 1;  // differs from s[0] in one pellet only
  s[3] = s[1];
  s[4] = s[0];
  CHECK(saerl::count_distinct_states(s, 5) == 3);
  CHECK(saerl::count_distinct_states(s, 1) == 1);
  CHECK(saerl::count_distinct_states(s, 0) == 0);
}

TEST_CASE("study fits: a perfect quadratic has r2 = 1, a monotone relation rho = 1, in sweep.json's shape") {
  // score = 1 - (live - 300)^2 / 1e4 over live = 100..290: increasing, not a line
  double live[20], score[20], distinct[20];
  for (int i = 0; i < 20; ++i) {
    live[i] = 100 + 10 * i;
    score[i] = 1 - (live[i] - 300) * (live[i] - 300) / 1e4;
    distinct[i] = (i * 7) % 20;  // unrelated to either
  }
  const saerl::StudyFits f = saerl::study_fits(live, score, distinct, 20, 3);
  const saerl::Json j = saerl::study_fits_json(f, "live_on_policy", "score", "distinct_states");
  const saerl::Json* q = j.get("quadratic");
  REQUIRE(q != nullptr);
  if (!q) return;
  CHECK(q->get("r2")->number == doctest::Approx(1).epsilon(1e-12));
  const saerl::Json* c = q->get("coefficients");
  REQUIRE(c->items.size() == 3);
  CHECK(c->items[0].number == doctest::Approx(1 - 9.0).epsilon(1e-9));  // 1 - 300^2 / 1e4
  CHECK(c->items[1].number == doctest::Approx(0.06).epsilon(1e-9));     // 600 / 1e4
  CHECK(c->items[2].number == doctest::Approx(-1e-4).epsilon(1e-9));
  CHECK(j.get("linear")->get("r2")->number < 1);
  CHECK(j.get("spearman")->get("rho")->number == doctest::Approx(1).epsilon(1e-12));
  const saerl::Json* ci = j.get("spearman")->get("ci");
  REQUIRE(ci->items.size() == 2);
  CHECK(ci->items[0].number <= ci->items[1].number);
  CHECK(ci->items[1].number == doctest::Approx(1).epsilon(1e-12));
  CHECK(j.get("partial")->get("controlling")->text == "distinct_states");
  CHECK(j.get("partial")->get("r")->number > 0.9);  // the relation does not run through distinct
}
