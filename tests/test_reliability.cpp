// Runs build/saerl (SAERL_BIN): bad command lines and bad files end with one line and exit
// status 2 and leave existing models alone; the same seed gives the same files; a run killed by
// SIGKILL (mid-training, or between writing a checkpoint and renaming it) and resumed ends
// bit-identical to a straight run; a diverging run stops with exit status 1 and keeps its last
// checkpoint; SIGTERM or SIGINT leaves no temporary file. Small step counts: each run takes a
// fraction of a second.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "examples/cli/cleanup.hpp"
#include "tests/run_program.hpp"
#include "tests/temp_files.hpp"

using saerl_test::Ended;
using saerl_test::TempDir;
using saerl_test::read_file;
using saerl_test::write_file;
using Args = std::vector<std::string>;
using Bytes = std::vector<unsigned char>;

namespace {

Args dqn_args(const std::string& out, const char* steps = "4000") {
  return {"train-dqn", "--steps", steps, "--eval-every", "1000", "--games", "100", "--checkpoint-every", "1000",
          "--out", out};
}
Args sae_args(const std::string& out) {
  return {"train-sae", "--variant", "topk", "--sae-steps", "60", "--pursuit", "0",
          "--checkpoint-every", "20", "--out", out};
}
Args with(Args a, const Args& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// results.json without the lines that hold timings
std::string results_without_timings(const std::string& dir) {
  const Bytes b = read_file(dir + "/results.json");
  std::string text(b.begin(), b.end()), kept;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string line = text.substr(start, end - start);
    if (line.find("seconds") == std::string::npos) kept += line;
    start = end;
  }
  return kept;
}

// A straight run (train-dqn, then train-sae) made once and shared by the tests below.
struct Straight {
  TempDir tmp;
  std::string dir = tmp.path("straight");
  bool ok = false;
  Straight() {
    const Ended a = saerl_test::run_saerl(dqn_args(dir), tmp.path("err"));
    const Ended b = saerl_test::run_saerl(sae_args(dir), tmp.path("err"));
    ok = a.exit_code == 0 && b.exit_code == 0;
  }
};
const Straight& straight() {
  static Straight s;
  return s;
}

bool same_file(const std::string& a, const std::string& b) {
  const Bytes x = read_file(a);
  return !x.empty() && x == read_file(b);
}

bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

bool one_error_line(const std::string& err) {
  return err.rfind("error: ", 0) == 0 && err.find('\n') == err.size() - 1;
}

}  // namespace

TEST_CASE("the same seed and build give bit-identical dqn.bin, sae-topk.bin and results.json, timings aside") {
  REQUIRE(std::getenv("SAERL_BIN") != nullptr);
  const Straight& s = straight();
  REQUIRE(s.ok);
  if (!s.ok) return;  // (REQUIRE does not stop a test when exceptions are off)
  TempDir tmp;
  const std::string again = tmp.path("again");
  Args dqn = dqn_args(again), sae = sae_args(again);
  dqn.resize(dqn.size() - 4), sae.resize(sae.size() - 4);  // no checkpoints this time: they change nothing
  dqn.insert(dqn.end(), {"--out", again});
  sae.insert(sae.end(), {"--out", again});
  REQUIRE(saerl_test::run_saerl(dqn, tmp.path("err")).exit_code == 0);
  REQUIRE(saerl_test::run_saerl(sae, tmp.path("err")).exit_code == 0);
  CHECK(same_file(s.dir + "/dqn.bin", again + "/dqn.bin"));
  CHECK(same_file(s.dir + "/sae-topk.bin", again + "/sae-topk.bin"));
  CHECK(results_without_timings(s.dir) == results_without_timings(again));
  CHECK(results_without_timings(s.dir).find("\"checkmate_rate\"") != std::string::npos);
  CHECK(!exists(s.dir + "/dqn.ckpt"));  // a finished run removes its checkpoint
}

TEST_CASE("train-dqn and train-sae killed by SIGKILL mid-training and resumed end bit-identical to the straight run") {
  const Straight& s = straight();
  REQUIRE(s.ok);
  if (!s.ok) return;  // (REQUIRE does not stop a test when exceptions are off)
  TempDir tmp;
  const std::string dir = tmp.path("killed"), err = tmp.path("err");
  Ended e = saerl_test::run_saerl(dqn_args(dir), err, {"SAERL_TEST_KILL_AT_STEP=3500"});
  CHECK(e.signal == SIGKILL);
  CHECK(exists(dir + "/dqn.ckpt"));
  CHECK(!exists(dir + "/dqn.bin"));
  e = saerl_test::run_saerl(with(dqn_args(dir), {"--resume"}), err);
  CHECK(e.exit_code == 0);
  CHECK(e.err.find("resuming from " + dir + "/dqn.ckpt at step 3000") != std::string::npos);
  CHECK(same_file(s.dir + "/dqn.bin", dir + "/dqn.bin"));

  e = saerl_test::run_saerl(sae_args(dir), err, {"SAERL_TEST_KILL_AT_STEP=50"});
  CHECK(e.signal == SIGKILL);
  e = saerl_test::run_saerl(with(sae_args(dir), {"--resume"}), err);
  CHECK(e.exit_code == 0);
  CHECK(e.err.find("at step 40") != std::string::npos);
  CHECK(same_file(s.dir + "/sae-topk.bin", dir + "/sae-topk.bin"));
  CHECK(results_without_timings(s.dir) == results_without_timings(dir));
}

TEST_CASE("a run killed between writing a checkpoint and renaming it resumes from the previous checkpoint") {
  const Straight& s = straight();
  REQUIRE(s.ok);
  if (!s.ok) return;  // (REQUIRE does not stop a test when exceptions are off)
  TempDir tmp;
  const std::string dir = tmp.path("mid"), err = tmp.path("err");
  Ended e = saerl_test::run_saerl(dqn_args(dir), err, {"SAERL_TEST_KILL_BEFORE_RENAME=2"});
  CHECK(e.signal == SIGKILL);
  CHECK(exists(dir + "/dqn.ckpt.tmp"));  // the second checkpoint, complete but never renamed
  e = saerl_test::run_saerl(with(dqn_args(dir), {"--resume"}), err);
  CHECK(e.exit_code == 0);
  CHECK(e.err.find("at step 1000") != std::string::npos);  // the first checkpoint loaded
  CHECK(same_file(s.dir + "/dqn.bin", dir + "/dqn.bin"));
  CHECK(!exists(dir + "/dqn.ckpt.tmp"));
}

TEST_CASE("a diverging run stops with exit 1 naming the step and tensor, keeps its checkpoint and the old model") {
  const Straight& s = straight();
  REQUIRE(s.ok);
  if (!s.ok) return;  // (REQUIRE does not stop a test when exceptions are off)
  TempDir tmp;
  const std::string dir = tmp.path("nan"), err = tmp.path("err");
  REQUIRE(mkdir(dir.c_str(), 0755) == 0);
  write_file(dir + "/dqn.bin", read_file(s.dir + "/dqn.bin"));  // a model from before
  Ended e = saerl_test::run_saerl(dqn_args(dir), err, {"SAERL_TEST_KILL_AT_STEP=3500"});
  REQUIRE(e.signal == SIGKILL);
  const Bytes checkpoint = read_file(dir + "/dqn.ckpt");
  e = saerl_test::run_saerl(with(dqn_args(dir), {"--resume"}), err, {"SAERL_TEST_NAN_AT_STEP=3600"});
  CHECK(e.exit_code == 1);
  CHECK_MESSAGE(e.err.find("error: step 3600: online network W0 holds NaN") != std::string::npos, e.err);
  CHECK(e.err.find("dqn.ckpt is the last good checkpoint") != std::string::npos);
  CHECK(read_file(dir + "/dqn.ckpt") == checkpoint);  // the step-4000 checkpoint was never written
  CHECK(same_file(s.dir + "/dqn.bin", dir + "/dqn.bin"));

  write_file(dir + "/sae-topk.bin", read_file(s.dir + "/sae-topk.bin"));
  e = saerl_test::run_saerl(sae_args(dir), err, {"SAERL_TEST_NAN_AT_STEP=30"});
  CHECK(e.exit_code == 1);
  CHECK_MESSAGE(e.err.find("error: step 30: the SAE loss is NaN") != std::string::npos, e.err);
  CHECK(same_file(s.dir + "/sae-topk.bin", dir + "/sae-topk.bin"));
}

TEST_CASE("bad command lines and bad files end with one line and exit status 2, and leave the models alone") {
  const Straight& s = straight();
  REQUIRE(s.ok);
  if (!s.ok) return;  // (REQUIRE does not stop a test when exceptions are off)
  TempDir tmp;
  const std::string good = s.dir, w = tmp.path("w"), err = tmp.path("err");
  const Bytes dqn = read_file(good + "/dqn.bin"), sae = read_file(good + "/sae-topk.bin");
  // a fresh work directory holding a copy of the good model, then `setup` on it
  auto fresh = [&](const std::function<void()>& setup) {
    TempDir::remove_tree(w);
    mkdir(w.c_str(), 0755);
    write_file(w + "/dqn.bin", dqn);
    write_file(w + "/sae-topk.bin", sae);
    if (setup) setup();
  };
  auto put = [&](const char* name, const Bytes& b) { return [&, name, b] { write_file(w + "/" + name, b); }; };
  auto cut = [](Bytes b, size_t n) { return b.resize(n), b; };
  Bytes flipped = dqn;
  flipped[flipped.size() / 2] ^= 1;
  // a checkpoint of seed 1 at step 1000, for the --resume cases
  TempDir ck;
  saerl_test::run_saerl(dqn_args(ck.dir, "1500"), err, {"SAERL_TEST_KILL_AT_STEP=1200"});
  const Bytes checkpoint = read_file(ck.dir + "/dqn.ckpt");
  REQUIRE(!checkpoint.empty());
  Bytes bad_checkpoint = checkpoint;
  bad_checkpoint[4000] ^= 1;
  const Args resume = with(dqn_args(w, "1500"), {"--resume"});

  struct Case {
    const char* what;
    Args args;
    std::function<void()> setup;
    const char* says;
  };
  const Case cases[] = {
      {"unknown option", {"eval", "--out", w, "--sed", "7"}, nullptr, "unknown option '--sed'"},
      {"missing value", {"eval", "--out", w, "--seed"}, nullptr, "--seed needs a value"},
      {"number out of range", {"eval", "--out", w, "--games", "0"}, nullptr, "out of range"},
      {"not a number", {"eval", "--out", w, "--games", "12x"}, nullptr, "not a whole number"},
      {"NaN learning rate", {"train-dqn", "--out", w, "--lr", "nan"}, nullptr, "is not a number"},
      {"zero checkpoint interval", {"train-dqn", "--out", w, "--checkpoint-every", "0"}, nullptr, "out of range"},
      {"unknown command", {"frobnicate"}, nullptr, "unknown command"},
      {"no command", {}, nullptr, "no command given"},
      {"unknown preset", {"eval", "--out", w, "--preset", "huge"}, nullptr, "unknown preset"},
      {"unknown variant", {"train-sae", "--out", w, "--variant", "cosine"}, nullptr, "unknown variant"},
      {"k above the dictionary", {"train-sae", "--out", w, "--k", "600"}, nullptr, "more than"},
      {"empty --out", {"eval", "--out", ""}, nullptr, "empty directory name"},
      {"missing model", {"eval", "--out", w}, [&] { std::remove((w + "/dqn.bin").c_str()); }, "cannot open"},
      {"model is a directory", {"eval", "--out", w},
       [&] { std::remove((w + "/dqn.bin").c_str()), mkdir((w + "/dqn.bin").c_str(), 0755); }, "a directory"},
      {"empty model", {"eval", "--out", w}, put("dqn.bin", {}), "empty"},
      {"truncated model", {"eval", "--out", w}, put("dqn.bin", cut(dqn, dqn.size() / 2)), "truncated"},
      {"an SAE given as the DQN", {"eval", "--out", w}, put("dqn.bin", sae), "kind mismatch"},
      {"the other preset's shapes", {"eval", "--out", w, "--preset", "paper"}, nullptr, "shape mismatch"},
      {"a text file as the model", {"play", "--out", w}, put("dqn.bin", {'h', 'e', 'l', 'l', 'o', '\n'}), "bad magic"},
      {"one flipped byte", {"eval", "--out", w}, put("dqn.bin", flipped), "checksum mismatch"},
      {"a foreign results.json", dqn_args(w), put("results.json", {'[', '1', ']'}), "not a results file"},
      {"--out is a file", {"train-dqn", "--out", w + "/dqn.bin"}, nullptr, "is a file, not a directory"},
      {"an option the command does not take", {"solve", "--variant", "topk"}, nullptr, "solve does not take --variant"},
      {"a repeated option", {"eval", "--out", w, "--games", "5", "--games", "6"}, nullptr, "--games is given twice"},
      {"--resume without a checkpoint", {"train-dqn", "--out", w, "--resume"}, nullptr, "no checkpoint"},
      {"a board the preset does not play", {"train-dqn", "--out", w, "--preset", "tiny", "--board", "6"}, nullptr,
       "plays 5x5 only"},
      {"train-sae on the other preset's DQN", {"train-sae", "--out", w, "--preset", "paper"}, nullptr,
       "shape mismatch"},
      {"report on a truncated SAE", {"report", "--out", w}, put("sae-topk.bin", cut(sae, 100)), "truncated"},
      {"resume another run's checkpoint", with(resume, {"--seed", "2"}), put("dqn.ckpt", checkpoint),
       "made by another run"},
      {"resume a corrupted checkpoint", resume, put("dqn.ckpt", bad_checkpoint), "checksum mismatch"},
      {"resume an SAE's checkpoint as the DQN's", resume, put("dqn.ckpt", sae), "not a saerl checkpoint"},
      {"steer without a feature", {"steer", "--out", w, "--variant", "topk"}, nullptr, "--feature is required"},
      {"steer a feature beyond the dictionary", {"steer", "--out", w, "--variant", "topk", "--feature", "9999"}, nullptr,
       "is not in [0, 512)"},
      {"sweep run beyond the runs", {"sweep", "--run", "5", "--runs", "2", "--out", w}, nullptr, "is not below"},
  };
  int n = 0;
  for (const Case& c : cases) {
    fresh(c.setup);
    const Bytes model_before = read_file(w + "/dqn.bin"), sae_before = read_file(w + "/sae-topk.bin");
    const Ended e = saerl_test::run_saerl(c.args, err);
    CAPTURE(c.what);
    CAPTURE(e.err);
    CHECK(e.exit_code == 2);
    CHECK(one_error_line(e.err));
    CHECK(e.err.find(c.says) != std::string::npos);
    CHECK(read_file(w + "/dqn.bin") == model_before);  // never overwritten by a failed run
    CHECK(read_file(w + "/sae-topk.bin") == sae_before);
    ++n;
  }
  CHECK(n >= 15);
}

TEST_CASE("each command has its own help, and eval reads the preset of a tiny model from its file") {
  TempDir tmp;
  const std::string err = tmp.path("err"), a = tmp.path("a.txt"), b = tmp.path("b.txt");
  CHECK(saerl_test::run_saerl({"train-dqn", "--help"}, err, {}, a).exit_code == 0);
  CHECK(saerl_test::run_saerl({"solve", "--help"}, err, {}, b).exit_code == 0);
  const Bytes help_a = read_file(a), help_b = read_file(b);
  CHECK(std::string(help_a.begin(), help_a.end()).find("usage: saerl train-dqn") != std::string::npos);
  CHECK(std::string(help_b.begin(), help_b.end()).find("usage: saerl solve") != std::string::npos);
  CHECK(help_a != help_b);

  const std::string dir = tmp.path("tiny");
  REQUIRE(saerl_test::run_saerl({"train-dqn", "--preset", "tiny", "--steps", "3000", "--eval-every", "1000", "--games",
                                 "20", "--out", dir}, err).exit_code == 0);
  const Ended e = saerl_test::run_saerl({"eval", "--out", dir, "--games", "100"}, err, {}, a);
  CHECK_MESSAGE(e.exit_code == 0, e.err);
  const Bytes said = read_file(a);
  CHECK(std::string(said.begin(), said.end()).find("tiny preset") != std::string::npos);
}

TEST_CASE("SIGTERM or SIGINT while temp files are open removes them and still ends the program by that signal") {
  TempDir tmp;
  const std::string done = tmp.path("done.bin"), open = tmp.path("open.bin"), second = tmp.path("second.bin");
  for (int sig : {SIGTERM, SIGINT}) {
    const pid_t pid = fork();
    if (pid == 0) {  // the child: one file committed, two half-written, then the signal
      saerl::remove_temp_files_on_signals();
      saerl::TempFile a, b, c;
      bool ok = a.open(done.c_str()).ok();
      a.write("whole", 5);
      ok = ok && a.finish().ok() && a.commit().ok();
      ok = ok && b.open(open.c_str()).ok() && c.open(second.c_str()).ok();
      b.write("half", 4);
      c.write("half", 4);
      std::fflush(nullptr);
      if (ok) std::raise(sig);
      _exit(3);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK(read_file(done) == Bytes{'w', 'h', 'o', 'l', 'e'});
    CHECK(!exists(open + ".tmp"));
    CHECK(!exists(second + ".tmp"));
    CHECK(!exists(open));
  }
}

TEST_CASE("saerl report stopped by SIGTERM while writing report.html leaves no report.html.tmp") {
  TempDir tmp;
  const std::string dir = tmp.path("run"), err = tmp.path("err");
  REQUIRE(mkdir(dir.c_str(), 0755) == 0);
  const Ended e = saerl_test::run_saerl({"report", "--out", dir}, err, {"SAERL_TEST_TERM_WRITING=1"});
  CHECK(e.signal == SIGTERM);
  CHECK(!exists(dir + "/report.html.tmp"));
  CHECK(!exists(dir + "/report.html"));
}
