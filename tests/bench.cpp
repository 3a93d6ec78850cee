// saerl/tests/bench.cpp — how fast the hot paths run on this machine, against its own peak.
//
//   make bench       # builds with -O3 -march=native into build/bench-native and runs it
//
// Prints a table, then one JSON line starting with {"bench": for scripts. Every figure is the
// median of several repetitions after a warm-up, timed with std::chrono::steady_clock, on one
// thread; then the figures of "threads2" again with saerl::set_threads(2). FLOP counts (a
// multiply-add is 2 flops):
//   dense layer, per sample    forward 2 * in * out, backward (dx and dW) about 4 * in * out
//   DQN update, per sample     online forward on s + target forward on s' (+ online forward
//                              on s' with Double DQN) + online backward, whose first layer
//                              computes dW only (no dx: nothing needs dL/dinput)
//                              The first layer's input is one-hot: the kernels skip its zeros,
//                              but it counts as the dense layer it is (the model's flops).
//   SAE step, per sample       encode 2 D M + decode 2 M D, backward about twice that: 12 D M
//                              (the dense model's count, for TopK too, whose sparse kernels
//                              skip most of it; the relu step itself computes the decoder
//                              bias's gradient without dL/dx, 10 D M)
// The default DQN's update is also timed part by part (the agent's buffers, the same calls
// as DqnAgent::update): sampling and observations, targets, forward, noise, backward, Adam.
// The peak is an FMA loop over independent vector accumulators, so the fraction of peak says
// how far a kernel is from what one core can do.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "core/base/parallel.hpp"
#include "examples/cli/setup.hpp"
#include "gridworld/rook_solver.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Game = saerl::RookCheckmate<5>;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

volatile float g_sink = 0;  // results land here so the compiler keeps the work

// Seconds per call of f: warm up for about 0.1 s (which also sets how many calls one
// repetition makes, about rep_seconds' worth), then the median over `reps` repetitions.
template <class F>
double per_call(F&& f, int reps, double rep_seconds) {
  long warm = 0;
  const Clock::time_point t0 = Clock::now();
  do {
    f();
    ++warm;
  } while (seconds_since(t0) < 0.1);
  const double one = seconds_since(t0) / double(warm);
  const long n = std::max(1L, long(rep_seconds / one));
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const Clock::time_point s = Clock::now();
    for (long i = 0; i < n; ++i) f();
    t.push_back(seconds_since(s) / double(n));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// The same with counts fixed in advance: `warm` calls, then `reps` repetitions of `calls`.
// For work whose cost depends on how far it has gone (an SAE's step gets cheaper or dearer as
// its codes grow sparse), so that a faster build does not time a later, different stretch.
template <class F>
double per_call_counted(F&& f, long warm, int reps, long calls) {
  for (long i = 0; i < warm; ++i) f();
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const Clock::time_point s = Clock::now();
    for (long i = 0; i < calls; ++i) f();
    t.push_back(seconds_since(s) / double(calls));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Median latency of single calls of f, timed one by one, after `count` / 10 warm-up calls.
template <class F>
double latency(F&& f, int count) {
  for (int i = 0; i < count / 10; ++i) f();
  std::vector<double> t(count);
  for (int i = 0; i < count; ++i) {
    const Clock::time_point s = Clock::now();
    f();
    t[i] = seconds_since(s);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// ---- peak: acc = acc * m + a over independent accumulators, one FMA each ----
// Enough accumulators to cover the FMA latency on two pipes, few enough to stay in registers
// (32 zmm with AVX-512, 16 ymm otherwise).
#if defined(__AVX512F__)
typedef float vfloat __attribute__((vector_size(64)));
constexpr int kAcc = 24;
#else
typedef float vfloat __attribute__((vector_size(32)));
constexpr int kAcc = 12;
#endif
constexpr int kLanes = int(sizeof(vfloat) / sizeof(float));
volatile float g_mul = 0.9999999f, g_add = 1e-7f;
constexpr long kFmaIters = 20000000;

// GCC in ISO mode (-std=c++17) does not fuse a * b + c into one FMA unless told to here;
// noinline keeps the loop under these options.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")
#endif
__attribute__((noinline)) void fma_loop() {
  const vfloat zero = {};
  const vfloat m = zero + float(g_mul), a = zero + float(g_add);
  vfloat acc[kAcc];
  for (int k = 0; k < kAcc; ++k) acc[k] = zero + float(k);
  for (long i = 0; i < kFmaIters; ++i) {
#pragma GCC unroll 32
    for (int k = 0; k < kAcc; ++k) acc[k] = acc[k] * m + a;
  }
  float s = 0;
  for (int k = 0; k < kAcc; ++k)
    for (int l = 0; l < kLanes; ++l) s += acc[k][l];
  g_sink = s;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

constexpr double kFmaFlops = 2.0 * kLanes * kAcc * double(kFmaIters);

// ---- DQN ----
template <class Net>
constexpr double layer_products() {  // sum over layers of in * out
  double s = 0;
  for (int l = 0; l < Net::kLayers; ++l) s += double(Net::kSizes[l]) * Net::kSizes[l + 1];
  return s;
}

// Microseconds per update spent in each part of DqnAgent::update.
struct DqnParts {
  double sample, targets, forward, noise, backward, adam;
};

struct DqnResult {
  double updates_per_s, gflops;
  DqnParts parts;
};

// An agent whose replay holds random legal positions, actions and rewards: the update does
// not care what they mean.
template <class Agent>
std::unique_ptr<Agent> filled_agent(const saerl::DqnConfig& config, saerl::Rng& rng) {
  auto agent = std::make_unique<Agent>();
  agent->init(config, rng);
  Game env;
  const float rewards[3] = {-1.0f, 100.0f, -100.0f};
  while (!agent->ready() || agent->replay.size < 10000) {
    env.reset(rng);
    const Game::State s = env.state();
    env.reset(rng);
    const bool done = rng.below(10) == 0;
    agent->record(s, int(rng.below(Game::kActions)), rewards[rng.below(3)], env.state(), done);
  }
  return agent;
}

// The parts of one update, each timed alone on the agent's own buffers.
template <class Agent>
DqnParts dqn_parts(Agent& a, saerl::Rng& rng) {
  using Net = typename Agent::Network;
  using T = typename Agent::T;
  constexpr int B = Agent::kBatch;
  const saerl::DqnConfig& c = a.config;
  const auto us = [](double s) { return s * 1e6; };
  DqnParts p{};
  p.sample = us(per_call(
      [&] {
        for (int b = 0; b < B; ++b) {
          const auto& t = a.replay.sample(rng);
          Game::observe(t.s, a.x + b * Agent::kObs);
          Game::observe(t.s2, a.x2 + b * Agent::kObs);
        }
      },
      5, 0.05));
  p.targets = us(per_call(
      [&] {
        g_sink = saerl::mlp_forward(a.target, a.x2, B, a.next_acts)[0];
        if (c.double_dqn) g_sink = saerl::mlp_forward(a.online, a.x2, B, a.next_online_acts)[0];
      },
      5, 0.05));
  p.forward = us(per_call([&] { g_sink = saerl::mlp_forward(a.online, a.x, B, a.acts)[0]; }, 5, 0.05));
  if (c.hidden_noise > 0) {
    const int l = c.noise_layer, n = B * Net::kSizes[l + 1];
    p.noise = us(per_call(
        [&] {
          T* z = a.acts.pre(l);
          rng.fill_normal(a.noise, n);
          for (int i = 0; i < n; ++i) z[i] += T(c.hidden_noise * a.noise[i]);
          g_sink = saerl::mlp_forward_from(a.online, l + 1, z, B, a.acts)[0];
        },
        5, 0.05));
  }
  for (int i = 0; i < B * Agent::kActions; ++i) a.dq[i] = i % Agent::kActions == 0 ? T(0.01) : T(0);
  p.backward = us(per_call(
      [&] {
        a.grad.zero();
        saerl::mlp_backward(a.online, a.acts, a.dq, &a.grad, static_cast<T*>(nullptr));
      },
      5, 0.05));
  auto adam = std::make_unique<saerl::Adam<T, Net::kParams>>();  // (not the agent's: its step count)
  auto params = std::make_unique<Net>();
  params->copy_from(a.online);
  p.adam = us(per_call(
      [&] {
        saerl::clip_grad_norm(a.grad.params, Net::kParams, T(c.grad_clip));
        adam->update(params->params, a.grad.params);
      },
      5, 0.05));
  return p;
}

template <class Preset>
DqnResult bench_dqn(bool parts) {
  using Agent = typename Preset::Agent;
  saerl::Rng rng(1);
  const saerl::DqnConfig config = Preset::recipe().dqn.agent;
  auto agent = filled_agent<Agent>(config, rng);
  const double sec = per_call([&] { g_sink = agent->update(rng); }, 5, 0.4);
  using Net = typename Preset::Net;
  const double sum = layer_products<Net>();
  const double forwards = config.double_dqn ? 3 : 2;
  const double backward = 4 * sum - 2.0 * Net::kSizes[0] * Net::kSizes[1];  // layer 0: dW, no dx
  const double flops = Agent::kBatch * (forwards * 2 * sum + backward);
  return DqnResult{1 / sec, flops / sec * 1e-9, parts ? dqn_parts(*agent, rng) : DqnParts{}};
}

// ---- SAE training ----
struct SaeResult {
  double step_s, samples_per_s, gflops;
};

// Training steps of an SAE of `variant` (k features kept for TopK) on fixed random inputs.
template <int D, int M, int B>
SaeResult bench_sae(int reps, double rep_seconds, saerl::SaeVariant variant = saerl::SaeVariant::relu,
                    int k = 16) {
  using SaeT = saerl::Sae<float, D, M>;
  saerl::Rng rng(2);
  auto sae = std::make_unique<SaeT>();
  sae->init(variant, k, nullptr, rng);
  auto trainer = std::make_unique<saerl::SaeTrainer<SaeT, B>>();
  saerl::SaeConfig config = saerl::default_recipe().sae[int(variant)].config;
  config.k = k;
  trainer->init(config);
  std::vector<float> x(static_cast<size_t>(B) * D);
  for (float& v : x) v = 0.5f * rng.normal();
  const double flops = double(B) * 12.0 * D * M;
  // steps per repetition: about rep_seconds' worth at a nominal 150 GFLOP/s, the same for
  // every build (a step's cost changes as the codes grow sparse); warm-up about 0.1 s
  const auto steps = [&](double s) { return std::max(1L, long(s * 150e9 / flops)); };
  const double sec = per_call_counted([&] { g_sink = trainer->step(*sae, x.data(), B); }, steps(0.1), reps,
                                      steps(rep_seconds));
  return SaeResult{sec, B / sec, flops / sec * 1e-9};
}

// ---- single-position inference: policy forward, then the SAE on hidden z_1 ----
template <class Preset>
double bench_inference_us() {
  using Net = typename Preset::Net;
  using SaeT = typename Preset::SaeT;
  static_assert(Net::kSizes[2] == SaeT::kIn, "the SAE reads the second hidden layer");
  saerl::Rng rng(3);
  auto net = std::make_unique<Net>();
  net->init(rng);
  auto sae = std::make_unique<SaeT>();
  sae->init(saerl::SaeVariant::relu, 16, nullptr, rng);
  auto acts = std::make_unique<saerl::MlpActivations<Net, 1>>();
  auto work = std::make_unique<saerl::SaeWorkspace<SaeT, 1>>();
  constexpr int kInputs = 256;
  std::vector<float> obs(static_cast<size_t>(kInputs) * Game::kObs);
  Game env;
  for (int i = 0; i < kInputs; ++i) {
    env.reset(rng);
    env.observe(obs.data() + i * Game::kObs);
  }
  int next = 0;
  const double sec = latency(
      [&] {
        saerl::mlp_forward(*net, obs.data() + next * Game::kObs, 1, *acts);
        saerl::sae_forward(*sae, acts->pre(1), 1, *work, /*training=*/false);
        g_sink = work->f[0] + acts->output()[0];
        next = (next + 1) % kInputs;
      },
      5000);
  return sec * 1e6;
}

// The figures measured at one thread count: the paper DQN, and the two study-size SAE steps.
struct ThreadFigures {
  DqnResult dqn_paper;
  SaeResult sae, sae_topk;
};
constexpr int kTopK = 50;

ThreadFigures thread_figures() {
  ThreadFigures f;
  f.dqn_paper = bench_dqn<saerl::PaperSetup>(false);
  f.sae = bench_sae<512, 2048, 2048>(3, 0.0);
  f.sae_topk = bench_sae<512, 2048, 2048>(3, 0.0, saerl::SaeVariant::topk, kTopK);
  return f;
}

}  // namespace

int main() {
  std::printf("saerl bench: one thread unless said, median of repetitions after a warm-up\n\n");

  const double peak = kFmaFlops / per_call(fma_loop, 5, 0.0) * 1e-9;
  std::printf("%-46s %12.1f GFLOP/s  (%d x %d-float FMA accumulators)\n", "FP32 peak, FMA loop", peak,
              kAcc, kLanes);

  const DqnResult dqn_default = bench_dqn<saerl::DefaultSetup<5>>(true);
  const ThreadFigures one = thread_figures();
  const DqnResult& dqn_paper = one.dqn_paper;
  std::printf("%-46s %12.0f upd/s    %7.2f GFLOP/s  %5.1f%% of peak\n",
              "DQN update, default (75-128-128-24, B 64, DDQN)", dqn_default.updates_per_s,
              dqn_default.gflops, 100 * dqn_default.gflops / peak);
  const DqnParts& pd = dqn_default.parts;
  std::printf("  %-44s sample %.1f, targets %.1f, forward %.1f, noise %.1f, backward %.1f, Adam %.1f us\n",
              "its parts, timed alone", pd.sample, pd.targets, pd.forward, pd.noise, pd.backward, pd.adam);
  std::printf("%-46s %12.0f upd/s    %7.2f GFLOP/s  %5.1f%% of peak\n",
              "DQN update, paper (75-512-512-24, B 32)", dqn_paper.updates_per_s, dqn_paper.gflops,
              100 * dqn_paper.gflops / peak);

  const SaeResult& sae_study = one.sae;
  const SaeResult sae_default = bench_sae<saerl::DefaultSetup<5>::SaeT::kIn, saerl::DefaultSetup<5>::SaeT::kFeatures,
                                          saerl::DefaultSetup<5>::kSaeBatch>(5, 0.3);
  std::printf("%-46s %12.0f samp/s   %7.2f GFLOP/s  %5.1f%% of peak\n", "SAE step, relu 512->2048, B 2048",
              sae_study.samples_per_s, sae_study.gflops, 100 * sae_study.gflops / peak);
  std::printf("%-46s %12.0f samp/s   (%.1f ms/step)\n", "SAE step, topk k 50, 512->2048, B 2048",
              one.sae_topk.samples_per_s, one.sae_topk.step_s * 1e3);
  std::printf("%-46s %12.0f samp/s   %7.2f GFLOP/s  %5.1f%% of peak\n", "SAE step, relu 128->512, B 256 (default)",
              sae_default.samples_per_s, sae_default.gflops, 100 * sae_default.gflops / peak);
  const SaeResult width[4] = {bench_sae<512, 512, 256>(3, 0.2), bench_sae<512, 1024, 256>(3, 0.2),
                              bench_sae<512, 2048, 256>(3, 0.2), bench_sae<512, 4096, 256>(3, 0.2)};
  const int widths[4] = {512, 1024, 2048, 4096};
  for (int i = 0; i < 4; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "SAE step, relu 512->%d, B 256", widths[i]);
    std::printf("%-46s %12.2f ms/step  %7.2f GFLOP/s  (x%.2f of M 512)\n", name, width[i].step_s * 1e3,
                width[i].gflops, width[i].step_s / width[0].step_s);
  }

  const double infer_default = bench_inference_us<saerl::DefaultSetup<5>>();
  const double infer_paper = bench_inference_us<saerl::PaperSetup>();
  std::printf("%-46s %12.2f us\n", "inference, default (net + SAE, 1 position)", infer_default);
  std::printf("%-46s %12.2f us\n", "inference, paper (net + SAE, 1 position)", infer_paper);

  saerl::Rng rng(4);
  Game env;
  env.reset(rng);
  const double env_step = per_call(
      [&] {
        for (int i = 0; i < 1000; ++i) {
          const Game::StepResult r = env.step(int(rng.below(Game::kActions)), rng);
          if (r.done) env.reset(rng);
        }
      },
      5, 0.2) / 1000;
  auto solver = std::make_unique<saerl::RookSolver<5>>();
  bool solved = true;
  const double solve_s = per_call([&] { solved = solver->solve().ok() && solved; }, 3, 0.0);
  std::printf("%-46s %12.0f steps/s\n", "RookCheckmate<5> random policy", 1 / env_step);
  std::printf("%-46s %12.1f ms%s\n", "RookSolver<5>::solve()", solve_s * 1e3, solved ? "" : "  (FAILED)");

  const int threads = saerl::set_threads(2);
  const ThreadFigures two = thread_figures();
  saerl::set_threads(1);
  std::printf("\nwith %d threads\n", threads);
  std::printf("%-46s %12.0f upd/s    (x%.2f of one thread)\n", "DQN update, paper", two.dqn_paper.updates_per_s,
              two.dqn_paper.updates_per_s / dqn_paper.updates_per_s);
  std::printf("%-46s %12.0f samp/s   (x%.2f)\n", "SAE step, relu 512->2048, B 2048", two.sae.samples_per_s,
              two.sae.samples_per_s / sae_study.samples_per_s);
  std::printf("%-46s %12.0f samp/s   (x%.2f)\n", "SAE step, topk k 50, 512->2048, B 2048", two.sae_topk.samples_per_s,
              two.sae_topk.samples_per_s / one.sae_topk.samples_per_s);

  std::printf(
      "\n{\"bench\":\"saerl\",\"peak_gflops\":%.2f,"
      "\"dqn_default\":{\"updates_per_s\":%.1f,\"gflops\":%.3f,\"frac_peak\":%.4f,"
      "\"parts_us\":{\"sample\":%.2f,\"targets\":%.2f,\"forward\":%.2f,\"noise\":%.2f,\"backward\":%.2f,"
      "\"adam\":%.2f}},"
      "\"dqn_paper\":{\"updates_per_s\":%.1f,\"gflops\":%.3f,\"frac_peak\":%.4f},"
      "\"sae_512x2048_b2048\":{\"samples_per_s\":%.1f,\"gflops\":%.3f,\"frac_peak\":%.4f},"
      "\"sae_topk_512x2048_b2048\":{\"samples_per_s\":%.1f,\"k\":%d,\"step_ms\":%.2f},"
      "\"sae_default\":{\"samples_per_s\":%.1f,\"gflops\":%.3f,\"frac_peak\":%.4f},"
      "\"sae_step_ms_d512_b256\":{\"512\":%.3f,\"1024\":%.3f,\"2048\":%.3f,\"4096\":%.3f},"
      "\"inference_us\":{\"default\":%.3f,\"paper\":%.3f},"
      "\"env_steps_per_s\":%.0f,\"solve_ms\":%.2f,\"solve_ok\":%s,"
      "\"threads2\":{\"threads\":%d,\"dqn_paper\":{\"updates_per_s\":%.1f},\"sae_512x2048_b2048\":{\"samples_per_s\":%.1f},"
      "\"sae_topk_512x2048_b2048\":{\"samples_per_s\":%.1f,\"k\":%d}}}\n",
      peak, dqn_default.updates_per_s, dqn_default.gflops, dqn_default.gflops / peak, pd.sample, pd.targets,
      pd.forward, pd.noise, pd.backward, pd.adam, dqn_paper.updates_per_s, dqn_paper.gflops,
      dqn_paper.gflops / peak, sae_study.samples_per_s, sae_study.gflops, sae_study.gflops / peak,
      one.sae_topk.samples_per_s, kTopK, one.sae_topk.step_s * 1e3, sae_default.samples_per_s, sae_default.gflops, sae_default.gflops / peak, width[0].step_s * 1e3,
      width[1].step_s * 1e3, width[2].step_s * 1e3, width[3].step_s * 1e3, infer_default, infer_paper,
      1 / env_step, solve_s * 1e3, solved ? "true" : "false", threads, two.dqn_paper.updates_per_s,
      two.sae.samples_per_s, two.sae_topk.samples_per_s, kTopK);
  return solved ? 0 : 1;
}
