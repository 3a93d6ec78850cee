// saerl/examples/mcu/games.hpp — the microcontroller demo's work, shared by the firmware and
// its host build so that both print the same transcript: a few games of the rook checkmate
// against the random black, from fixed seeds, played by the exported DQN; after each
// position, the move it chose and the SAE features active in its hidden layer, with labels.
//
//   #include "saerl_model.hpp"        // written by `saerl export-c`
//   #include "games.hpp"
//   int mates = play_games<false>(print);   // false: float model; true: int8 model
//
// `print(const char*)` receives one line at a time, newline included. No heap, no printf:
// lines are built in a fixed buffer by the Line helper below.
#pragma once
#include "../../gridworld/rook_checkmate.hpp"

namespace mcu {

using Game = saerl::RookCheckmate<5>;
constexpr int kGames = 3;  // seeds 1, 2, 3

// A line of text of at most kCap - 1 characters; what does not fit is dropped.
struct Line {
  static constexpr int kCap = 160;
  char text[kCap];
  int n = 0;

  Line& operator<<(const char* s) {
    while (*s && n + 1 < kCap) text[n++] = *s++;
    text[n] = '\0';
    return *this;
  }
  Line& operator<<(int v) {
    char digits[12];
    int d = 0;
    unsigned u = v < 0 ? 0u - unsigned(v) : unsigned(v);
    do digits[d++] = char('0' + u % 10); while (u /= 10);
    if (v < 0) *this << "-";
    char one[2] = {0, 0};
    while (d > 0) one[0] = digits[--d], *this << one;
    return *this;
  }
};

// "c3": file letter, rank digit.
inline const char* square_name(int sq, char* buf) {
  buf[0] = char('a' + Game::col(sq));
  buf[1] = char('1' + Game::row(sq));
  buf[2] = '\0';
  return buf;
}

// The Q-values and hidden layer of one position: float or int8 model.
template <bool Int8>
const float* evaluate(Game::Position p, saerl::MlpActivations<saerl_model::Net, 1>& acts, float* features) {
  static float obs[Game::kObs], work[saerl_model::Encoder::kWork];
  Game::observe(p, obs);
  const float* q;
  if constexpr (Int8) {
    q = saerl::qmlp_forward(saerl_model::kNetInt8, obs, acts);
    saerl::sae_encode(saerl_model::kEncoderInt8, acts.pre(saerl_model::kHiddenLayer), features, work);
  } else {
    q = saerl::mlp_forward(saerl_model::kNet, obs, 1, acts);
    saerl::sae_encode(saerl_model::kEncoder, acts.pre(saerl_model::kHiddenLayer), features, work);
  }
  return q;
}

// Plays the games, printing each move and the active features; returns the checkmates.
template <bool Int8, class Print>
int play_games(Print print) {
  constexpr int M = saerl_model::Encoder::kFeatures;
  static saerl::MlpActivations<saerl_model::Net, 1> acts;
  static float features[M];
  char a[4], b[4], c[4], move[8];
  int mates = 0;
  {
    Line l;
    print((l << "saerl on a microcontroller: preset " << saerl_model::kPreset << ", SAE " << saerl_model::kVariant
             << ", " << (Int8 ? "int8" : "float") << " weights\n").text);
  }
  for (int g = 1; g <= kGames; ++g) {
    saerl::Rng rng(static_cast<uint64_t>(g));
    Game env;
    env.reset(rng);
    Line start;
    print((start << "game " << g << ": white king " << square_name(env.pos.wk, a) << ", rook "
                 << square_name(env.pos.wr, b) << ", black king " << square_name(env.pos.bk, c) << "\n").text);
    for (;;) {
      const int action = saerl::argmax(evaluate<Int8>(env.pos, acts, features), Game::kActions);
      int active = 0;
      for (int j = 0; j < M; ++j) active += features[j] > 0.0f;
      Line l;
      print((l << "  move " << env.moves + 1 << ": " << Game::action_name(action, move, sizeof move) << "; "
               << active << " features active\n").text);
      for (int j = 0; j < M; ++j) {
        if (features[j] <= 0.0f) continue;
        Line f;
        print((f << "    " << j << " " << saerl_model::kLabels[j] << "\n").text);
      }
      const auto r = env.step(action, rng);
      if (!r.done) continue;
      mates += r.outcome == Game::Outcome::checkmate;
      Line end;
      print((end << "game " << g << ": " << Game::outcome_name(r.outcome) << " after " << env.moves << " moves\n").text);
      break;
    }
  }
  Line l;
  print((l << "checkmates: " << mates << " of " << kGames << "\n").text);
  return mates;
}

}  // namespace mcu
