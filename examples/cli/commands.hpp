// saerl/examples/cli/commands.hpp — the commands of build/saerl, one file each
// (examples/cli/<command>.cpp), and the table main.cpp dispatches through: name, what it does,
// the options it takes, an example.
#pragma once
#include <chrono>

#include "common.hpp"
#include "options.hpp"
#include "setup.hpp"

namespace saerl {

int cmd_run(const Options& o);
int cmd_train_dqn(const Options& o);
int cmd_train_sae(const Options& o);
int cmd_report(const Options& o);
int cmd_sweep(const Options& o);
int cmd_eval(const Options& o);
int cmd_play(const Options& o);
int cmd_solve(const Options& o);
int cmd_export(const Options& o);
int cmd_export_c(const Options& o);
int cmd_steer(const Options& o);

// run --game pellets (run_pellets.cpp): the same study on the pellet maze. `started` is the
// run's start as text, `t0` its start on the steady clock (for run.* in results.json).
int cmd_run_pellets(const Options& o, const char* started, std::chrono::steady_clock::time_point t0);
// run.*: what was run, when, by which build, and how long it took so far (run.cpp).
Status note_run(const char* dir, const char* started, double seconds);

// The options every training command shares.
#define SAERL_DQN_OPTIONS                                                                                       \
  "preset board seed out steps games eval-every recipe threads lr lr-end gamma n-step double-dqn target-every " \
  "train-every hidden-noise"
#define SAERL_SAE_OPTIONS "k l1 l0 q-fidelity policy-fidelity policy-temperature sae-steps pursuit"

struct Command {
  const char* name;
  int (*run)(const Options&);
  const char* summary;  // one line for `saerl --help`
  const char* options;  // the options it takes, by name
  const char* details;  // what it does, for `saerl <command> --help`
  const char* example;
};

inline const Command* command_table(int* count) {
  static const Command table[] = {
      {"run", cmd_run, "the whole study: train-dqn, train-sae for every variant, report",
       "game " SAERL_DQN_OPTIONS " " SAERL_SAE_OPTIONS " quick",
       "Trains the DQN, one SAE of each variant on its hidden layer, labels their features\n"
       "and writes DIR/dqn.bin, DIR/sae-<variant>.bin, DIR/results.json and DIR/report.html.\n"
       "--quick runs the whole pipeline at a small scale, for a first look.\n"
       "--game pellets plays the pellet maze instead (7x7, two ghosts): the DQN's mean score\n"
       "beside a random and an expectimax player's on the same games, the SAEs on the hidden\n"
       "layer of its greedy play; it takes no --preset, --board or --recipe.",
       "saerl run --out out"},
      {"train-dqn", cmd_train_dqn, "train a DQN on the rook checkmate; writes DIR/dqn.bin",
       SAERL_DQN_OPTIONS " checkpoint-every resume",
       "Trains from rewards alone and evaluates the greedy policy exactly (every legal start,\n"
       "against the random black, with the 50-move cap) every --eval-every steps. Writes\n"
       "DIR/dqn.bin and the dqn.* keys of DIR/results.json.",
       "saerl train-dqn --board 8 --seed 1 --out out8"},
      {"train-sae", cmd_train_sae, "train a sparse autoencoder on DIR/dqn.bin's hidden layer",
       "preset board seed out variant threads checkpoint-every resume " SAERL_SAE_OPTIONS,
       "Collects the hidden layer of every legal position, trains one SAE and measures it\n"
       "(FVU, L0, dead features, and the DQN with the SAE spliced in, judged exactly). Writes\n"
       "DIR/sae-<variant>.bin and the sae.<variant>.* keys of DIR/results.json.",
       "saerl train-sae --variant topk --out out"},
      {"report", cmd_report, "label every SAE's features against ground truth; writes DIR/report.html",
       "preset board seed out games variant threads",
       "Reads DIR/dqn.bin and every DIR/sae-<variant>.bin, labels the features, runs the causal\n"
       "tests (ablation, steering) and the probes; writes DIR/features-<variant>.json and the\n"
       "features.* keys of DIR/results.json, then DIR/report.html drawn from those files.",
       "saerl report --out out"},
      {"sweep", cmd_sweep, "many DQNs, an SAE on each: live features against the DQN's quality",
       "game preset board out steps games sae-steps k runs jobs run collect threads protocol",
       "Runs --runs training runs, --jobs at a time, each in DIR/run-I; --run I runs one alone;\n"
       "--collect merges the finished ones into DIR/sweep.json, sweep.csv and sweep.svg.\n"
       "--protocol default: run I trains longer as I grows (seed 1000 + I), ReLU and TopK SAEs\n"
       "on every legal position. --protocol study (the follow-up study's, docs/SWEEP.md): every\n"
       "run trains for the same --steps with seed I + 1; a TopK SAE (no L1, no AuxK) on 8,192\n"
       "positions of greedy play and one on every legal position; live features against the\n"
       "score, with fits, in DIR/sweep.json. --game pellets runs the study protocol on the\n"
       "pellet maze: the score is the mean score, the control SAE reads uniformly drawn states.",
       "saerl sweep --runs 8 --jobs 2 --out sweep"},
      {"steer", cmd_steer, "one counterfactual steering case: a feature written into the DQN",
       "preset board seed out variant feature",
       "Writes feature --feature of DIR/sae-<variant>.bin into the hidden layer of a position x\n"
       "where its label is false (drawn by --seed), and shows x, the nearest board x' where the\n"
       "label holds, and the DQN's moves on x, steered and on x' (examples/steering.hpp).",
       "saerl steer --variant relu --feature 12 --out out"},
      {"eval", cmd_eval, "evaluate DIR/dqn.bin exactly and over sampled games",
       "preset board seed out games", "Prints the exact and the sampled evaluation of the greedy policy.",
       "saerl eval --out out --games 1000"},
      {"play", cmd_play, "play one game with DIR/dqn.bin, showing the board and Q-values", "preset board seed out",
       "Plays one game from a random start (--seed) against the random black.", "saerl play --out out --seed 7"},
      {"solve", cmd_solve, "solve the game exactly and print a summary", "board",
       "Retrograde analysis of every position: legal positions, forced mates, the longest mate,\n"
       "and the best possible expected return against the random black.",
       "saerl solve --board 8"},
      {"export", cmd_export, "write the DQN, the SAEs and the activations as .safetensors or .npy",
       "preset board out format", "Writes DIR/export/ for numpy, PyTorch and SAELens.",
       "saerl export --format npy --out out"},
      {"export-c", cmd_export_c, "the policy and an SAE encoder, float and int8, as a C++ header",
       "preset board seed out games variant",
       "Writes DIR/saerl_model.hpp for firmware (examples/mcu) and prints int8's agreement.",
       "saerl export-c --preset tiny --variant topk --out out"},
  };
  *count = int(sizeof table / sizeof table[0]);
  return table;
}

}  // namespace saerl
