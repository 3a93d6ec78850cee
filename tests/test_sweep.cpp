// Runs the program: two sweep runs as separate commands, then --collect, and checks that the
// merged table holds exactly what each run wrote. The Makefile and Meson set SAERL_BIN.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "examples/results.hpp"
#include "tests/temp_files.hpp"

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
