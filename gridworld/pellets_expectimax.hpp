// saerl/gridworld/pellets_expectimax.hpp — the pellet maze's reference player: expectimax with
// the true rules over the agent's moves and the ghosts' random replies, to a fixed depth.
//
//   using Game = saerl::Pellets<saerl::PelletsMaze7, 2>;
//   saerl::PelletsExpectimax<Game> player;                // depth 2, the game's default chase
//   int a = player.greedy(env.state());                    // the move of best expected value
//   auto s = saerl::play_pellets<Game>(player, 1000, 7);   // pellets_play.hpp: its mean score
//
// The value of a state with d agent moves left to search (d >= 1):
//   V(s, d)    = max_a Q(s, a, d)
//   Q(s, a, d) = gain                                 when the move is caught or clears
//              = gain + sum_g P(g) W(s'_g, d)          otherwise, over the ghosts' joint moves g
//   W(s', d)   = capture_value    when a ghost lands on the agent
//              = 0                at the step cap
//              = leaf(s')         when d = 1, else V(s', d - 1)
//   leaf(s)    = -distance_weight * (distance to the nearest pellet)
//                + room_weight * min(room(s), room_cap)
// gain is the step's reward (+1 per pellet, + the clear bonus), so a path's value adds up the
// score it gains; P is the product of the ghosts' move distributions (Pellets::ghost_moves).
// room(s) counts the free squares the agent reaches before every ghost: two ghosts closing a
// corridor from both ends leave it little room several moves before they catch it, which a
// depth-2 search cannot see. (Measured on 1,000 games, chase 0.8, two ghosts, depth 2: mean
// score 30.7 without the room term, 41.5 with it; weight 2 made the player hide until the cap.)
// Ties between actions go to the lowest action. Cost: (4 * 4^ghosts)^depth leaves a move.
#pragma once
#include "pellets.hpp"

namespace saerl {

template <class Game>
struct PelletsExpectimax {
  using State = typename Game::State;
  using Outcome = typename Game::Outcome;

  int depth = 2;                      // agent moves searched, >= 1
  float capture_value = -20.0f;       // a capture, in pellets
  float distance_weight = 0.1f;       // per step to the nearest pellet, at the leaves
  float room_weight = 1.0f;           // per square of room, at the leaves
  int room_cap = 8;                   // room beyond this many squares is worth no more
  float chase = Game::kDefaultChase;  // the ghost model: the game's chase probability

  int greedy(const State& s) const {
    const int d = depth < 1 ? 1 : depth;
    int best = 0;
    float best_q = action_value(s, 0, d);
    for (int a = 1; a < Game::kActions; ++a) {
      const float q = action_value(s, a, d);
      if (q > best_q) {
        best = a;
        best_q = q;
      }
    }
    return best;
  }

  float value(const State& s, int d) const {
    float best = action_value(s, 0, d);
    for (int a = 1; a < Game::kActions; ++a) {
      const float q = action_value(s, a, d);
      if (q > best) best = q;
    }
    return best;
  }

  float action_value(const State& s, int action, int d) const {
    State after = s;
    float gain;
    const Outcome o = Game::agent_phase(&after, action, &gain);
    if (o == Outcome::captured) return gain + capture_value;
    if (o == Outcome::cleared) return gain;
    return gain + ghosts_value(after, 0, d);
  }

  float leaf(const State& s) const {
    const int room = Game::room(s);
    return -distance_weight * float(Game::nearest_pellet(s)) + room_weight * float(room < room_cap ? room : room_cap);
  }

 private:
  // The expectation of W over the moves of ghosts g, g + 1, ... (the earlier ones have moved).
  float ghosts_value(const State& s, int g, int d) const {
    if (g == Game::kGhosts) {
      const Outcome o = Game::after_ghosts(s);
      if (o == Outcome::captured) return capture_value;
      if (o == Outcome::timeout) return 0.0f;
      return d == 1 ? leaf(s) : value(s, d - 1);
    }
    uint8_t to[4];
    float p[4];
    const int m = Game::ghost_moves(s.ghost[g], s.agent, chase, to, p);
    float sum = 0.0f;
    for (int i = 0; i < m; ++i) {
      if (to[i] == s.agent) {  // caught, whatever the later ghosts do
        sum += p[i] * capture_value;
        continue;
      }
      State next = s;
      next.ghost[g] = to[i];
      sum += p[i] * ghosts_value(next, g + 1, d);
    }
    return sum;
  }
};

}  // namespace saerl
