// saerl/tests/vendor/app.cpp — a program of someone else's that vendors saerl, built by
// tests/vendor/check.sh in the two supported ways: saerl as a Meson subproject, and saerl's
// headers copied into the project. It trains nothing; it uses one header of each module and
// exits 0 only if they work together: a random network plays a game of the rook checkmate,
// and an SAE encoder (float and int8) reads its hidden layer.
#include <cstdio>
#include <memory>

#include "core/analysis/quantize.hpp"
#include "dqn/replay_buffer.hpp"
#include "gridworld/rook_checkmate.hpp"
#include "sae/sae_encoder.hpp"

int main() {
  using Game = saerl::RookCheckmate<5>;
  using Net = saerl::Mlp<float, Game::kObs, 32, 32, Game::kActions>;
  using SaeT = saerl::Sae<float, 32, 64>;
  auto net = std::make_unique<Net>();
  auto sae = std::make_unique<SaeT>();
  auto enc = std::make_unique<saerl::SaeEncoder<float, 32, 64>>();
  saerl::Rng rng(7);
  net->init(rng);
  sae->init(saerl::SaeVariant::topk, 4, nullptr, rng);
  saerl::encoder_of(*sae, *enc);
  saerl::MlpActivations<Net, 1> acts;
  Game env;
  env.reset(rng);
  float obs[Game::kObs], f[64], work[64];
  int moves = 0, active = 0;
  for (bool done = false; !done; ++moves) {
    Game::observe(env.pos, obs);
    const int action = saerl::argmax(saerl::mlp_forward(*net, obs, 1, acts), Game::kActions);
    saerl::sae_encode(*enc, acts.pre(1), f, work);
    for (float v : f) active += v > 0.0f;
    done = env.step(action, rng).done;
  }
  const bool ok = moves >= 1 && moves <= Game::kMaxMoves && active > 0 && active <= 4 * moves;
  std::printf("vendored saerl: %d moves, %d features active in all: %s\n", moves, active, ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
