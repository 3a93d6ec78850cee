// saerl/examples/cli.hpp — the command-line options of build/saerl, parsed into one struct.
//
// Every option takes a value ("--seed 3" or "--seed=3"), except the flags --collect and
// --resume. Unknown options, missing values and
// out-of-range numbers are errors: parse_options() returns a Status naming the problem, and
// the program prints it as one line and exits with status 2.
#pragma once
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "../core/status.hpp"

namespace saerl {

struct Options {
  const char* preset = "default";
  const char* out = "out";
  unsigned long long seed = 1;
  long steps = 0;        // 0: the preset's own
  long games = 10000;    // evaluation games
  long eval_every = 50000;
  // Overrides of the preset's DQN hyperparameters (negative: keep the preset's).
  double lr = -1, lr_end = -1;
  long n_step = -1, double_dqn = -1, target_every = -1, train_every = -1;
  double hidden_noise = -1;
  // train-sae
  const char* variant = "topk";
  long k = -1, sae_steps = -1;
  double l1 = -1, l0 = -1, q_fidelity = -1, policy_fidelity = -1, policy_temperature = -1;
  long pursuit = 1;  // train-sae: also measure matching pursuit (0: skip, faster)
  // sweep
  long run = -1, runs = 16, jobs = 2;
  int collect = 0;
  // train-dqn, train-sae: a checkpoint every N steps (0: none); --resume goes on from it
  long checkpoint_every = 0;
  int resume = 0;
  const char* format = "safetensors";  // export: safetensors | npy
  int help = 0;
};

inline Status parse_double(const char* name, const char* text, double lo, double hi, double* out) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= lo && v <= hi))
    return Status::error(StatusCode::invalid_argument, "%s: '%s' is not a number in [%g, %g]", name, text, lo, hi);
  *out = v;
  return Status::success();
}

inline Status parse_long(const char* name, const char* text, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0')
    return Status::error(StatusCode::invalid_argument, "%s: '%s' is not a whole number", name, text);
  if (v < lo || v > hi)
    return Status::error(StatusCode::invalid_argument, "%s: %lld is out of range [%ld, %ld]", name, v, lo, hi);
  *out = long(v);
  return Status::success();
}

// Parses argv[first..argc) into *o.
inline Status parse_options(int argc, char** argv, int first, Options* o) {
  for (int i = first; i < argc; ++i) {
    const char* arg = argv[i];
    if (std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0) {
      o->help = 1;
      continue;
    }
    if (std::strcmp(arg, "--collect") == 0 || std::strcmp(arg, "--resume") == 0) {  // the flags
      (arg[2] == 'c' ? o->collect : o->resume) = 1;
      continue;
    }
    if (std::strncmp(arg, "--", 2) != 0)
      return Status::error(StatusCode::invalid_argument, "unexpected argument '%s'", arg);
    char name[32];
    const char* eq = std::strchr(arg, '=');
    size_t len = eq ? size_t(eq - arg) : std::strlen(arg);
    if (len >= sizeof name) return Status::error(StatusCode::invalid_argument, "unknown option '%.40s'", arg);
    std::memcpy(name, arg, len);
    name[len] = '\0';
    const char* value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : nullptr);
    if (!value) return Status::error(StatusCode::invalid_argument, "%s needs a value", name);
    long v = 0;
    Status s;
    if (std::strcmp(name, "--preset") == 0) {
      o->preset = value;
    } else if (std::strcmp(name, "--out") == 0) {
      if (!*value) return Status::error(StatusCode::invalid_argument, "--out: empty directory name");
      o->out = value;
    } else if (std::strcmp(name, "--seed") == 0) {
      s = parse_long(name, value, 0, 2147483647L, &v);
      o->seed = (unsigned long long)v;
    } else if (std::strcmp(name, "--steps") == 0) {
      s = parse_long(name, value, 1, 1000000000L, &o->steps);
    } else if (std::strcmp(name, "--games") == 0) {
      s = parse_long(name, value, 1, 10000000L, &o->games);
    } else if (std::strcmp(name, "--eval-every") == 0) {
      s = parse_long(name, value, 1000, 1000000000L, &o->eval_every);
    } else if (std::strcmp(name, "--lr") == 0) {
      s = parse_double(name, value, 1e-9, 0.5, &o->lr);
    } else if (std::strcmp(name, "--lr-end") == 0) {
      s = parse_double(name, value, 1e-9, 0.5, &o->lr_end);
    } else if (std::strcmp(name, "--variant") == 0) {
      o->variant = value;
    } else if (std::strcmp(name, "--format") == 0) {
      o->format = value;
    } else if (std::strcmp(name, "--k") == 0) {
      s = parse_long(name, value, 1, 4096, &o->k);
    } else if (std::strcmp(name, "--sae-steps") == 0) {
      s = parse_long(name, value, 1, 100000000L, &o->sae_steps);
    } else if (std::strcmp(name, "--l1") == 0) {
      s = parse_double(name, value, 0, 100, &o->l1);
    } else if (std::strcmp(name, "--l0") == 0) {
      s = parse_double(name, value, 0, 100, &o->l0);
    } else if (std::strcmp(name, "--pursuit") == 0) {
      s = parse_long(name, value, 0, 1, &o->pursuit);
    } else if (std::strcmp(name, "--run") == 0) {
      s = parse_long(name, value, 0, 9999, &o->run);
    } else if (std::strcmp(name, "--runs") == 0) {
      s = parse_long(name, value, 2, 10000, &o->runs);
    } else if (std::strcmp(name, "--jobs") == 0) {
      s = parse_long(name, value, 1, 256, &o->jobs);
    } else if (std::strcmp(name, "--checkpoint-every") == 0) {
      s = parse_long(name, value, 1, 1000000000L, &o->checkpoint_every);
    } else if (std::strcmp(name, "--q-fidelity") == 0) {
      s = parse_double(name, value, 0, 1e6, &o->q_fidelity);
    } else if (std::strcmp(name, "--policy-fidelity") == 0) {
      s = parse_double(name, value, 0, 1e6, &o->policy_fidelity);
    } else if (std::strcmp(name, "--policy-temperature") == 0) {
      s = parse_double(name, value, 1e-4, 100, &o->policy_temperature);
    } else if (std::strcmp(name, "--n-step") == 0) {
      s = parse_long(name, value, 1, 8, &o->n_step);
    } else if (std::strcmp(name, "--double-dqn") == 0) {
      s = parse_long(name, value, 0, 1, &o->double_dqn);
    } else if (std::strcmp(name, "--target-every") == 0) {
      s = parse_long(name, value, 1, 1000000L, &o->target_every);
    } else if (std::strcmp(name, "--train-every") == 0) {
      s = parse_long(name, value, 1, 1000L, &o->train_every);
    } else if (std::strcmp(name, "--hidden-noise") == 0) {
      s = parse_double(name, value, 0, 10, &o->hidden_noise);
    } else {
      return Status::error(StatusCode::invalid_argument, "unknown option '%s' (see --help)", name);
    }
    if (!s.ok()) return s;
  }
  return Status::success();
}

}  // namespace saerl
