// saerl/examples/run_checkpoint.hpp — the checkpoints of `saerl train-dqn` and `saerl train-sae`:
// what they hold beyond the library's agent and trainer fields (the program's loop counters,
// learning curve, RNGs and a description of the run's options), and the test hooks that stop
// a run at a chosen moment.
//
//   DIR/dqn.ckpt           train-dqn, every --checkpoint-every environment steps
//   DIR/sae-VARIANT.ckpt   train-sae, every --checkpoint-every SAE steps
//
// Each is written as DIR/X.ckpt.tmp and renamed over DIR/X.ckpt (core/io/checkpoint.hpp), only
// after the divergence guard passed, so the file at DIR/X.ckpt is always the last good state.
// `--resume` loads it when the run's description (the options that shape the run, and for
// train-sae the DQN's weights) matches, and the loop goes on from the step after it; the
// result is bit-identical to an uninterrupted run. A finished run removes its checkpoint.
//
// Test hooks, read from the environment (for tests/test_reliability.cpp):
//   SAERL_TEST_KILL_AT_STEP=N         SIGKILL just before training step N
//   SAERL_TEST_KILL_BEFORE_RENAME=N   SIGKILL once the N-th checkpoint's temp file is complete,
//                                     before it is renamed over the previous checkpoint
//   SAERL_TEST_NAN_AT_STEP=N          a NaN in a weight (train-dqn) or an input (train-sae) at
//                                     step N, to trip the divergence guard
#pragma once
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "../../core/io/checkpoint.hpp"
#include "../../dqn/dqn_checkpoint.hpp"
#include "../../gridworld/rook_checkmate.hpp"
#include "../../sae/sae_checkpoint.hpp"
#include "setup.hpp"

namespace saerl {

constexpr uint32_t kDqnRunKind = fourcc("DQNR");
constexpr uint32_t kSaeRunKind = fourcc("SAER");

struct TestHooks {
  long kill_at_step = -1, kill_before_rename = -1, nan_at_step = -1;
  int checkpoints_written = 0;

  static TestHooks from_environment() {
    TestHooks h;
    auto read = [](const char* name) {
      const char* v = std::getenv(name);
      return v ? std::atol(v) : -1L;
    };
    h.kill_at_step = read("SAERL_TEST_KILL_AT_STEP");
    h.kill_before_rename = read("SAERL_TEST_KILL_BEFORE_RENAME");
    h.nan_at_step = read("SAERL_TEST_NAN_AT_STEP");
    return h;
  }
  void before_step(long t) const {
    if (t == kill_at_step) std::raise(SIGKILL);
  }
};

// Writes a checkpoint through its temp file and renames it (the hook may kill in between).
template <class Fields>
Status save_run_checkpoint(const char* path, uint32_t kind, TestHooks& hooks, Fields&& fields) {
  CheckpointWriter w;
  Status s = w.write(path, kind, fields);
  if (!s.ok()) return s;
  if (++hooks.checkpoints_written == hooks.kill_before_rename) std::raise(SIGKILL);
  return w.commit();
}

// The options that shape a run, as text: a checkpoint resumes only a run of the same text.
struct RunText {
  char s[256];
};

// The DQN run's description: preset, board, seed and every training constant of its recipe.
inline RunText dqn_run_text(const char* preset, int board, unsigned long long seed, const DqnTrainConfig& d) {
  RunText t{};
  const DqnConfig& a = d.agent;
  std::snprintf(t.s, sizeof t.s, "train-dqn %s %dx%d seed %llu steps %ld eval %ld lr %g->%g eps %g->%g/%ld gamma %g "
                "n %d cut %d double %d target %d every %d noise %g floor %g limit %d sym %d", preset, board, board, seed, d.steps,
                d.eval_every,
                double(a.lr), double(d.learning_rate.end), double(d.epsilon.start), double(d.epsilon.end),
                d.epsilon.steps, double(a.gamma), a.n_step, int(a.cut_at_exploration), int(a.double_dqn),
                a.target_every, a.train_every, double(a.hidden_noise), double(a.explore_floor), d.episode_limit,
                int(a.symmetries));
  return t;
}

// The SAE run's description: preset, board, seed, variant, its recipe and the DQN's weights.
inline RunText sae_run_text(const char* preset, int board, unsigned long long seed, const char* variant,
                            const SaeRecipe& r, uint64_t dqn_hash) {
  RunText t{};
  const SaeConfig& c = r.config;
  std::snprintf(t.s, sizeof t.s, "train-sae %s %dx%d seed %llu variant %s steps %ld k %d l1 %g l0 %g q-fidelity %g "
                "policy-fidelity %g policy-temperature %g dqn %016llx", preset, board, board, seed, variant, r.steps,
                c.k, double(c.l1), double(c.l0), double(r.q_fidelity), double(r.policy_fidelity),
                double(r.policy_temperature), static_cast<unsigned long long>(dqn_hash));
  return t;
}

// train-dqn's loop state besides the agent, runner, environment and RNGs: the learning curve,
// one point per exact evaluation.
struct DqnProgress {
  static constexpr int kCurveMax = 200;
  RunText run{};
  double seconds = 0, eval_seconds = 0;  // before this process started (resumed runs)
  int curve_points = 0;
  long curve_steps[kCurveMax] = {0};
  double curve_ratio[kCurveMax] = {0}, curve_mate[kCurveMax] = {0};
};

template <class Ar, class Agent, class Runner, int N>
void dqn_run_fields(Ar& ar, DqnProgress& p, Agent& agent, Runner& runner, RookCheckmate<N>& env, Rng& rng,
                    Rng& eval_rng) {
  ar.array(p.run.s, sizeof p.run.s);
  ar.value(p.seconds);
  ar.value(p.eval_seconds);
  ar.value(p.curve_points);
  ar.array(p.curve_steps, DqnProgress::kCurveMax);
  ar.array(p.curve_ratio, DqnProgress::kCurveMax);
  ar.array(p.curve_mate, DqnProgress::kCurveMax);
  dqn_agent_fields(ar, agent);
  dqn_runner_fields(ar, runner);
  ar.value(env.pos);
  ar.value(env.moves);
  ar.rng(rng);
  ar.rng(eval_rng);
}

// Checks a loaded train-dqn checkpoint against the run it should continue.
template <class Agent, class Runner, int N>
Status check_dqn_run(const char* path, const DqnProgress& p, const RunText& expected, long total, const Agent& agent,
                     const Runner& runner, const RookCheckmate<N>& env) {
  using Game = RookCheckmate<N>;
  if (std::strncmp(p.run.s, expected.s, sizeof p.run.s) != 0)
    return Status::error(StatusCode::invalid_argument, "%s: made by another run (other options); remove it to start over",
                         path);
  // the counters agree with the step (so none can overflow before the run ends)
  if (runner.steps < 0 || runner.steps > total || agent.steps != runner.steps || runner.episodes < 0 ||
      runner.episodes > runner.steps || agent.updates > runner.steps || p.curve_points < 0 ||
      p.curve_points > DqnProgress::kCurveMax || !Game::is_legal(env.pos) || env.moves < 0 ||
      env.moves >= Game::kMaxMoves)
    return Status::error(StatusCode::invalid_argument, "%s: loop state out of range", path);
  Status s = check_dqn_agent(agent, [](const typename Game::Position& q) {
    return q.wk < Game::kSquares && q.wr < Game::kSquares && q.bk < Game::kSquares;
  });
  return s.ok() ? s : Status::error(s.code, "%s: %s", path, s.message);
}

// train-sae's loop state besides the SAE, trainer and RNG.
struct SaeProgress {
  RunText run{};
  long t = 0;  // steps done
  double seconds = 0;
};

template <class Ar, class SaeT, int B>
void sae_run_fields(Ar& ar, SaeProgress& p, SaeT& sae, SaeTrainer<SaeT, B>& trainer, Rng& rng) {
  ar.array(p.run.s, sizeof p.run.s);
  ar.value(p.t);
  ar.value(p.seconds);
  sae_training_fields(ar, sae, trainer);
  ar.rng(rng);
}

template <class SaeT, int B>
Status check_sae_run(const char* path, const SaeProgress& p, const RunText& expected, long steps, const SaeT& sae,
                     const SaeTrainer<SaeT, B>& trainer) {
  if (std::strncmp(p.run.s, expected.s, sizeof p.run.s) != 0)
    return Status::error(StatusCode::invalid_argument,
                         "%s: made by another run (other options or another dqn.bin); remove it to start over", path);
  if (p.t < 0 || p.t > steps || trainer.steps != p.t || trainer.inputs_seen > p.t * B)
    return Status::error(StatusCode::invalid_argument, "%s: loop state out of range", path);
  Status s = check_sae_training(sae, trainer);
  return s.ok() ? s : Status::error(s.code, "%s: %s", path, s.message);
}

}  // namespace saerl
