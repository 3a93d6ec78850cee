#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>

#include "examples/cli/options.hpp"

namespace {

saerl::Status parse(std::initializer_list<const char*> args, saerl::Options* o) {
  static char storage[32][64];
  static char* argv[32];
  int argc = 0;
  for (const char* a : args) {
    std::strncpy(storage[argc], a, 63);
    argv[argc] = storage[argc];
    ++argc;
  }
  return saerl::parse_options(argc, argv, 0, nullptr, o);
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

TEST_CASE("every option of the table lands in its own field") {
  saerl::Options o;
  REQUIRE(parse({"--preset", "tiny", "--board", "6", "--seed", "3", "--out", "d", "--steps", "10", "--games", "11",
                 "--eval-every", "2000", "--recipe", "study", "--threads", "2", "--lr", "0.01"}, &o).ok());
  CHECK(std::strcmp(o.preset, "tiny") == 0);
  CHECK(o.board == 6);
  CHECK(o.seed == 3u);
  CHECK(std::strcmp(o.out, "d") == 0);
  CHECK(o.steps == 10);
  CHECK(o.games == 11);
  CHECK(o.eval_every == 2000);
  CHECK(std::strcmp(o.recipe, "study") == 0);
  CHECK(o.threads == 2);
  CHECK(o.lr == 0.01);
  saerl::Options p;
  REQUIRE(parse({"--lr-end", "0.002", "--gamma", "0.5", "--n-step", "4", "--double-dqn", "0", "--target-every", "7",
                 "--train-every", "9", "--hidden-noise", "0.25", "--variant", "relu", "--k", "5", "--l1", "0.5"}, &p).ok());
  CHECK(p.lr_end == 0.002);
  CHECK(p.gamma == 0.5);
  CHECK(p.n_step == 4);
  CHECK(p.double_dqn == 0);
  CHECK(p.target_every == 7);
  CHECK(p.train_every == 9);
  CHECK(p.hidden_noise == 0.25);
  CHECK(std::strcmp(p.variant, "relu") == 0);
  CHECK(p.k == 5);
  CHECK(p.l1 == 0.5);
  saerl::Options q;
  REQUIRE(parse({"--l0", "0.25", "--q-fidelity", "3", "--policy-fidelity", "0.5", "--policy-temperature", "0.125",
                 "--sae-steps", "12", "--pursuit", "0", "--runs", "4", "--jobs", "3", "--run", "1", "--collect"}, &q).ok());
  CHECK(q.l0 == 0.25);
  CHECK(q.q_fidelity == 3);
  CHECK(q.policy_fidelity == 0.5);
  CHECK(q.policy_temperature == 0.125);
  CHECK(q.sae_steps == 12);
  CHECK(q.pursuit == 0);
  CHECK(q.runs == 4);
  CHECK(q.jobs == 3);
  CHECK(q.run == 1);
  CHECK(q.collect == 1);
  saerl::Options r;
  REQUIRE(parse({"--checkpoint-every", "5", "--resume", "--quick", "--format", "npy", "--feature", "12"}, &r).ok());
  CHECK(r.checkpoint_every == 5);
  CHECK(r.resume == 1);
  CHECK(r.quick == 1);
  CHECK(std::strcmp(r.format, "npy") == 0);
  CHECK(r.feature == 12);
}

TEST_CASE("a command refuses the options it does not take, and any option given twice") {
  static char a0[] = "--variant", a1[] = "topk", a2[] = "--seed", a3[] = "1", a4[] = "--seed", a5[] = "2";
  char* argv[] = {a0, a1, a2, a3, a4, a5};
  saerl::Options o;
  saerl::Status s = saerl::parse_options(2, argv, 0, "board", &o, "solve");
  CHECK(std::strcmp(s.message, "solve does not take --variant") == 0);
  s = saerl::parse_options(6, argv, 2, "seed", &o, "eval");
  CHECK(std::strcmp(s.message, "--seed is given twice") == 0);
  CHECK(saerl::parse_options(4, argv, 2, "seed", &o, "eval").ok());
  s = saerl::parse_options(4, argv, 2, "board seed-x", &o, "eval");  // names match whole words only
  CHECK_FALSE(s.ok());
}
