// saerl/examples/cli/options.hpp — the command-line options of build/saerl: one table of every
// option (name, value, meaning, default), and a parser that accepts only the options the
// command takes, each at most once.
//
//   saerl::Options o;
//   saerl::Status s = saerl::parse_options(argc, argv, 2, "seed out games", &o);
//   // "--seed 3" or "--seed=3"; flags (--resume, --collect, --quick) take no value
//
// Unknown options, options the command does not take, repeated options, missing values and
// numbers out of range are errors: the Status names the option and the problem, and the
// program prints it as one line and exits with status 2.
#pragma once
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../../core/base/status.hpp"

namespace saerl {

struct Options {
  const char* game = "rook";     // run: rook | pellets
  const char* preset = nullptr;  // nullptr: "default", or read from the model file where one exists
  int board = 0;                 // 0: 5, or read from the model file
  const char* out = "out";
  unsigned long long seed = 1;
  long steps = 0;  // 0: the recipe's own
  long games = 10000;
  long eval_every = 0;  // 0: the recipe's own
  const char* recipe = nullptr;  // train-dqn: "study" for the study's hyperparameters
  long threads = 0;              // 0: every core of the machine
  // Overrides of the recipe's DQN hyperparameters (negative: keep the recipe's).
  double lr = -1, lr_end = -1, hidden_noise = -1, gamma = -1;
  long n_step = -1, double_dqn = -1, target_every = -1, train_every = -1;
  // train-sae
  const char* variant = nullptr;  // nullptr: topk (train-sae), every variant (report, export)
  long k = -1, sae_steps = -1;
  long feature = -1;  // steer: the feature to write
  double l1 = -1, l0 = -1, q_fidelity = -1, policy_fidelity = -1, policy_temperature = -1;
  long pursuit = 1;
  // sweep
  long run = -1, runs = 16, jobs = 2;
  int collect = 0;
  const char* protocol = nullptr;  // nullptr: "default" (training lengths); "study": equal budgets, seeds
  // checkpoints
  long checkpoint_every = 0;
  int resume = 0;
  int quick = 0;                       // run: the whole pipeline in about a minute
  const char* format = "safetensors";  // export
  int help = 0;
};

// The options, in the order of option_table().
enum OptionId {
  kGame, kPreset, kBoard, kSeed, kOut, kSteps, kGames, kEvalEvery, kRecipe, kThreads, kLr, kLrEnd, kGamma, kNStep, kDoubleDqn, kTargetEvery, kTrainEvery, kHiddenNoise, kVariant, kFeature, kK, kL1, kL0, kQFidelity, kPolicyFidelity, kPolicyTemperature, kSaeSteps, kPursuit, kRuns, kJobs, kRun, kCollect, kProtocol, kCheckpointEvery, kResume, kQuick, kFormat,
  kOptionCount
};

// One option: its name, the value it takes (nullptr: a flag), what it does and its default.
struct OptionSpec {
  const char* name;
  const char* value;
  const char* meaning;
};

inline const OptionSpec* option_table(int* count) {
  static const OptionSpec table[] = {
      {"game", "NAME", "rook | pellets: the rook checkmate, or the 7x7 pellet maze with two ghosts (default: rook)"},
      {"preset", "NAME", "default | paper | tiny (default: default, or the one dqn.bin was trained with)"},
      {"board", "N", "board size, 5 to 8 (default: 5, or dqn.bin's)"},
      {"seed", "N", "one seed fixes every random draw (default: 1)"},
      {"out", "DIR", "where models and results go (default: out)"},
      {"steps", "N", "environment steps to train (default: the recipe's)"},
      {"games", "N", "sampled evaluation games (default: 10000)"},
      {"eval-every", "N", "steps between exact evaluations of the greedy policy (default: the recipe's)"},
      {"recipe", "NAME", "default | study: the study's DQN hyperparameters (default: default)"},
      {"threads", "N", "threads for training, 1 to 64 (default: every core)"},
      {"lr", "X", "Adam's learning rate (default: the recipe's)"},
      {"lr-end", "X", "the learning rate at the end of the linear anneal (default: the recipe's)"},
      {"gamma", "X", "discount factor (default: the recipe's)"},
      {"n-step", "N", "n-step returns, 1 to 16 (default: the recipe's)"},
      {"double-dqn", "0|1", "Double DQN (default: the recipe's)"},
      {"target-every", "N", "updates between target-network copies (default: the recipe's)"},
      {"train-every", "N", "environment steps per update (default: the recipe's)"},
      {"hidden-noise", "X", "std of the noise injected into the SAEs' layer in training, 0: off"},
      {"variant", "V", "relu | topk | batchtopk | jumprelu (train-sae default: topk)"},
      {"feature", "J", "steer: the feature to write into the DQN's hidden layer"},
      {"k", "N", "features per input of topk and batchtopk (default: the recipe's)"},
      {"l1", "X", "L1 coefficient of relu (default: the recipe's)"},
      {"l0", "X", "L0 coefficient of jumprelu (default: the recipe's)"},
      {"q-fidelity", "X", "weight of the Q-value fidelity term, 0: off (default: the recipe's)"},
      {"policy-fidelity", "X", "weight of the policy KL term, 0: off (default: the recipe's)"},
      {"policy-temperature", "T", "temperature of the policy KL term (default: the recipe's)"},
      {"sae-steps", "N", "SAE training steps (default: the recipe's)"},
      {"pursuit", "0|1", "also measure matching pursuit over the dictionary (default: 1)"},
      {"runs", "N", "sweep: runs in all (default: 16)"},
      {"jobs", "J", "sweep: runs at a time (default: 2)"},
      {"run", "I", "sweep: run I alone (a job of a cluster array)"},
      {"collect", nullptr, "sweep: only merge the finished runs"},
      {"protocol", "P", "sweep: default (training lengths) | study (equal budgets, seeds; docs/SWEEP.md)"},
      {"checkpoint-every", "N", "save the whole training state every N steps (written, then renamed)"},
      {"resume", nullptr, "go on from that checkpoint (same options); ends bit-identical"},
      {"quick", nullptr, "the whole pipeline at a small scale, in about a minute"},
      {"format", "F", "safetensors | npy (default: safetensors)"},
  };
  static_assert(sizeof table / sizeof table[0] == kOptionCount, "option_table: one entry per OptionId, in order");
  *count = int(sizeof table / sizeof table[0]);
  return table;
}

inline Status parse_double(const char* name, const char* text, double lo, double hi, double* out) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || v != v)
    return Status::error(StatusCode::invalid_argument, "--%s: '%s' is not a number", name, text);
  if (!(v >= lo && v <= hi))
    return Status::error(StatusCode::invalid_argument, "--%s: %s is out of range [%g, %g]", name, text, lo, hi);
  *out = v;
  return Status::success();
}

inline Status parse_long(const char* name, const char* text, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0')
    return Status::error(StatusCode::invalid_argument, "--%s: '%s' is not a whole number", name, text);
  if (errno != 0 || v < lo || v > hi)
    return Status::error(StatusCode::invalid_argument, "--%s: %s is out of range [%ld, %ld]", name, text, lo, hi);
  *out = long(v);
  return Status::success();
}

namespace detail {

// Is `name` one of the space-separated words of `list`?
inline bool listed(const char* list, const char* name) {
  const size_t n = std::strlen(name);
  for (const char* p = list; *p;) {
    while (*p == ' ') ++p;
    const char* end = p;
    while (*end && *end != ' ') ++end;
    if (size_t(end - p) == n && std::strncmp(p, name, n) == 0) return true;
    p = end;
  }
  return false;
}

// Stores one option's value in *o.
inline Status set_option(OptionId id, const char* name, const char* v, Options* o) {
  long l = 0;
  Status s;
  switch (id) {
    case kGame:
      if (std::strcmp(v, "rook") != 0 && std::strcmp(v, "pellets") != 0)
        return Status::error(StatusCode::invalid_argument, "--game: unknown game '%.40s' (rook | pellets)", v);
      o->game = v;
      break;
    case kPreset: o->preset = v; break;
    case kBoard: s = parse_long(name, v, 5, 8, &l), o->board = int(l); break;
    case kSeed: s = parse_long(name, v, 0, 2147483647L, &l), o->seed = (unsigned long long)l; break;
    case kOut:
      if (!*v) return Status::error(StatusCode::invalid_argument, "--out: empty directory name");
      o->out = v;
      break;
    case kSteps: s = parse_long(name, v, 1, 1000000000L, &o->steps); break;
    case kGames: s = parse_long(name, v, 1, 10000000L, &o->games); break;
    case kEvalEvery: s = parse_long(name, v, 1000, 1000000000L, &o->eval_every); break;
    case kRecipe: o->recipe = v; break;
    case kThreads: s = parse_long(name, v, 1, 64, &o->threads); break;
    case kLr: s = parse_double(name, v, 1e-9, 0.5, &o->lr); break;
    case kLrEnd: s = parse_double(name, v, 1e-9, 0.5, &o->lr_end); break;
    case kGamma: s = parse_double(name, v, 0.01, 1, &o->gamma); break;
    case kNStep: s = parse_long(name, v, 1, 16, &o->n_step); break;
    case kDoubleDqn: s = parse_long(name, v, 0, 1, &o->double_dqn); break;
    case kTargetEvery: s = parse_long(name, v, 1, 1000000L, &o->target_every); break;
    case kTrainEvery: s = parse_long(name, v, 1, 1000L, &o->train_every); break;
    case kHiddenNoise: s = parse_double(name, v, 0, 10, &o->hidden_noise); break;
    case kVariant: o->variant = v; break;
    case kFeature: s = parse_long(name, v, 0, 1 << 20, &o->feature); break;
    case kK: s = parse_long(name, v, 1, 4096, &o->k); break;
    case kL1: s = parse_double(name, v, 0, 100, &o->l1); break;
    case kL0: s = parse_double(name, v, 0, 100, &o->l0); break;
    case kQFidelity: s = parse_double(name, v, 0, 1e6, &o->q_fidelity); break;
    case kPolicyFidelity: s = parse_double(name, v, 0, 1e6, &o->policy_fidelity); break;
    case kPolicyTemperature: s = parse_double(name, v, 1e-4, 100, &o->policy_temperature); break;
    case kSaeSteps: s = parse_long(name, v, 1, 100000000L, &o->sae_steps); break;
    case kPursuit: s = parse_long(name, v, 0, 1, &o->pursuit); break;
    case kRuns: s = parse_long(name, v, 2, 10000, &o->runs); break;
    case kJobs: s = parse_long(name, v, 1, 256, &o->jobs); break;
    case kRun: s = parse_long(name, v, 0, 9999, &o->run); break;
    case kCollect: o->collect = 1; break;
    case kProtocol: o->protocol = v; break;
    case kCheckpointEvery: s = parse_long(name, v, 1, 1000000000L, &o->checkpoint_every); break;
    case kResume: o->resume = 1; break;
    case kQuick: o->quick = 1; break;
    case kFormat: o->format = v; break;
    case kOptionCount: break;
  }
  return s;
}

}  // namespace detail

// Parses argv[first..argc) into *o. `allowed` lists the command's options by name, separated
// by spaces (nullptr: every option); --help is always allowed.
inline Status parse_options(int argc, char** argv, int first, const char* allowed, Options* o,
                            const char* command = "saerl") {
  int count = 0;
  const OptionSpec* table = option_table(&count);
  bool seen[kOptionCount] = {false};
  for (int i = first; i < argc; ++i) {
    const char* arg = argv[i];
    if (std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0) {
      o->help = 1;
      continue;
    }
    if (std::strncmp(arg, "--", 2) != 0)
      return Status::error(StatusCode::invalid_argument, "unexpected argument '%.60s'", arg);
    const char* eq = std::strchr(arg, '=');
    const size_t len = eq ? size_t(eq - arg) - 2 : std::strlen(arg) - 2;
    int id = -1;
    for (int t = 0; t < count && id < 0; ++t)
      if (std::strlen(table[t].name) == len && std::strncmp(table[t].name, arg + 2, len) == 0) id = t;
    if (id < 0) return Status::error(StatusCode::invalid_argument, "unknown option '%.*s'", int(len < 40 ? len + 2 : 42), arg);
    const char* name = table[id].name;
    if (allowed && !detail::listed(allowed, name))
      return Status::error(StatusCode::invalid_argument, "%s does not take --%s", command, name);
    if (seen[id]) return Status::error(StatusCode::invalid_argument, "--%s is given twice", name);
    seen[id] = true;
    const char* value = nullptr;
    if (table[id].value) {
      value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : nullptr);
      if (!value) return Status::error(StatusCode::invalid_argument, "--%s needs a value", name);
    } else if (eq) {
      return Status::error(StatusCode::invalid_argument, "--%s takes no value", name);
    }
    const Status s = detail::set_option(OptionId(id), name, value, o);
    if (!s.ok()) return s;
  }
  return Status::success();
}

// The option lines of a command's help: "  --seed N   one seed fixes ... (default: 1)".
inline void print_option_help(std::FILE* f, const char* allowed) {
  int count = 0;
  const OptionSpec* table = option_table(&count);
  for (int t = 0; t < count; ++t) {
    if (allowed && !detail::listed(allowed, table[t].name)) continue;
    char left[40];
    std::snprintf(left, sizeof left, "--%s%s%s", table[t].name, table[t].value ? " " : "",
                  table[t].value ? table[t].value : "");
    std::fprintf(f, "  %-24s %s\n", left, table[t].meaning);
  }
}

}  // namespace saerl
