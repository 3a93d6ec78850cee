// Tests of gridworld/pellets.hpp, pellets_expectimax.hpp, pellets_predicates.hpp and
// pellets_play.hpp: the rules on hand-drawn positions of the 7x7 maze, the ghost rule's
// distribution, observations, determinism, the search player's obvious moves, the predicates.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "core/nn/mlp.hpp"
#include "dqn/dqn_agent.hpp"
#include "dqn/train.hpp"
#include "gridworld/pellets.hpp"
#include "gridworld/pellets_expectimax.hpp"
#include "gridworld/pellets_play.hpp"
#include "gridworld/pellets_predicates.hpp"

namespace {

using Game = saerl::Pellets<saerl::PelletsMaze7, 2>;
using State = Game::State;
using Outcome = Game::Outcome;
using P = saerl::PelletsPredicates<Game>;
constexpr int kE = Game::kEast, kN = Game::kNorth, kW = Game::kWest, kS = Game::kSouth;

// "c3" -> square number (file a = col 0, rank 1 = row 0).
int sq(const char* name) { return (name[1] - '1') * 7 + (name[0] - 'a'); }

// A state drawn as the maze, top row first: '#' wall, '.' empty, 'o' pellet, 'A' the agent,
// 'G' a ghost on an empty square, 'g' a ghost on a pellet (ghost 0 is the first in reading
// order, from the top row).
State draw(const char* const rows[7], int steps = 0) {
  State s{};
  int ghosts = 0;
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 7; ++c) {
      const char ch = rows[r][c];
      const int square = (6 - r) * 7 + c;
      REQUIRE((ch == '#') == Game::is_wall(square));
      if (ch == 'A') s.agent = uint8_t(square);
      if (ch == 'G' || ch == 'g') {
        REQUIRE(ghosts < 2);
        s.ghost[ghosts++] = uint8_t(square);
      }
      Game::set_pellet(&s, square, ch == 'o' || ch == 'g');
    }
  REQUIRE(ghosts == 2);
  s.steps = uint8_t(steps);
  return s;
}

bool same(const State& a, const State& b) { return std::memcmp(&a, &b, sizeof(State)) == 0; }

Game at(const State& s, float chase = Game::kDefaultChase) {
  Game env;
  env.reset_to(s);
  env.chase = chase;
  return env;
}

// One step from a drawn state, ghosts of the given chase, draws from Rng(seed); *env after it.
Game::StepResult step_from(const char* const rows[7], int action, float chase, Game* env, uint64_t seed = 1) {
  *env = at(draw(rows), chase);
  saerl::Rng rng(seed);
  return env->step(action, rng);
}

// The step ended the game with this outcome, reward and score.
void check_end(const Game::StepResult& r, const Game& env, Outcome outcome, float reward, int score) {
  CHECK(r.done);
  CHECK(r.outcome == outcome);
  CHECK(r.reward == reward);
  CHECK(env.score == score);
}

// Agent at c1 next to a pellet on d1, a ghost on e1 behind it (its exits: d1 and f1); the
// other ghost and the other pellet far away.
const char* const kGhostBehindPellet[7] = {
    "G.....o",
    ".##.##.",
    ".#...#.",
    "...#...",
    ".#...#.",
    ".##.##.",
    "..AoG..",
};

}  // namespace

TEST_CASE("the 7x7 maze: 36 free squares, walls, distances, a 9-byte state") {
  CHECK(Game::kFree == 36);
  CHECK(Game::kObs == 3 * 36 + 1);
  CHECK(Game::kPelletBytes == 5);
  CHECK(sizeof(State) == 9);
  CHECK(Game::is_wall(sq("b2")));
  CHECK(Game::is_wall(sq("d4")));
  CHECK_FALSE(Game::is_wall(sq("d1")));
  CHECK(Game::free_index(sq("a1")) == 0);
  CHECK(Game::free_index(sq("b2")) == -1);
  CHECK(Game::free_square(35) == sq("g7"));
  CHECK(Game::distance(sq("a1"), sq("g7")) == 12);
  CHECK(Game::distance(sq("a1"), sq("a4")) == 3);
  CHECK(Game::distance(sq("d5"), sq("d1")) == 6);  // around the centre wall d4
  uint8_t to[4];
  CHECK(Game::exits(sq("a1"), to) == 2);
  CHECK(Game::exits(sq("d1"), to) == 3);
  CHECK(to[0] == sq("e1"));  // direction order E, N, W
  CHECK(to[1] == sq("d2"));
  CHECK(to[2] == sq("c1"));
}

TEST_CASE("a move into a wall or off the board stays put and spends the step") {
  const char* rows[7] = {"......G", ".##.##.", ".#...#.", "...#...", ".#...#.", ".##.##.", "Ao....G"};
  saerl::Rng rng(1);
  Game env = at(draw(rows));
  auto r = env.step(kS, rng);  // the bottom edge
  CHECK(env.state().agent == sq("a1"));
  CHECK(env.state().steps == 1);
  CHECK(r.reward == 0.0f);
  CHECK_FALSE(r.done);
  r = env.step(kN, rng);  // a2 is free
  CHECK(env.state().agent == sq("a2"));
  r = env.step(kE, rng);  // b2 is a wall
  CHECK(env.state().agent == sq("a2"));
  CHECK(env.state().steps == 3);
}

TEST_CASE("a pellet is worth 1 and is eaten once") {
  const char* rows[7] = {"......G", ".##.##.", ".#...#.", "...#...", ".#...#.", ".##.##.", "Aoo...G"};
  saerl::Rng rng(2);
  Game env = at(draw(rows), 0.0f);  // random ghosts, far away
  auto r = env.step(kE, rng);
  CHECK(r.reward == 1.0f);
  CHECK(env.score == 1);
  CHECK(Game::pellets_left(env.state()) == 1);
  CHECK_FALSE(Game::has_pellet(env.state(), sq("b1")));
  env.step(kW, rng);
  r = env.step(kE, rng);  // b1 again: empty now
  CHECK(r.reward == 0.0f);
  CHECK(env.score == 1);
}

TEST_CASE("stepping onto a ghost is a capture before the ghosts move (the swap of squares)") {
  // A ghost on b1 would step onto a1 as the agent steps onto b1: the agent moves first and
  // is caught on b1, whatever the ghosts' draws; the pellet under the ghost is not eaten.
  const char* rows[7] = {"......G", ".##.##.", ".#...#.", "...#...", ".#...#.", ".##.##.", "Ag.oooo"};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Game env;
    check_end(step_from(rows, kE, 1.0f, &env, seed), env, Outcome::captured, Game::kCaptureReward, 0);
    CHECK(env.state().ghost[1] == sq("b1"));  // no ghost moved (ghost 0 is g7's)
  }
}

TEST_CASE("a ghost stepping onto the agent is a capture; a pellet eaten in that step counts") {
  // Agent a1 eats a2; the ghost on a3 always chases (chase 1) onto a2.
  const char* rows[7] = {"......G", ".##.##.", ".#...#.", "...#...", "G#...#.", "o##.##.", "A.....o"};
  Game env;
  check_end(step_from(rows, kN, 1.0f, &env), env, Outcome::captured, 1.0f + Game::kCaptureReward, 1);
  CHECK(env.state().ghost[1] == sq("a2"));
  // With chase 0 the same ghost moves to a2 or a4 with probability 1/2 each.
  int caught = 0;
  for (uint64_t seed = 0; seed < 400; ++seed) caught += step_from(rows, kN, 0.0f, &env, seed).outcome == Outcome::captured;
  CHECK(caught > 200 - 50);  // 400 fair coins: sd 10, so +-50 is 5 sd
  CHECK(caught < 200 + 50);
}

TEST_CASE("eating the last pellet clears the maze: +1 + the bonus, done before the ghosts move") {
  // The ghost on e1 would reach d1 next, but clearing ends the game first.
  const char* rows[7] = {"......G", ".##.##.", ".#...#.", "...#...", ".#...#.", ".##.##.", "..AoG.."};
  Game env;
  check_end(step_from(rows, kE, 1.0f, &env), env, Outcome::cleared, 1.0f + float(Game::kClearBonus),
            1 + Game::kClearBonus);
  CHECK(Game::pellets_left(env.state()) == 0);
}

TEST_CASE("the episode ends with a timeout at the step cap") {
  // Both ghosts 6 or more steps away: no capture in two steps.
  const char* rows[7] = {"G.....G", ".##.##.", ".#...#.", "...#...", ".#...#.", ".##.##.", "A.....o"};
  saerl::Rng rng(5);
  Game env = at(draw(rows, Game::kMaxSteps - 2), 0.0f);
  auto r = env.step(kS, rng);
  CHECK_FALSE(r.done);
  r = env.step(kS, rng);
  CHECK(r.done);
  CHECK(r.outcome == Outcome::timeout);
  CHECK(r.reward == 0.0f);
  CHECK(env.state().steps == Game::kMaxSteps);
}

TEST_CASE("the observation: agent, ghost-count and pellet planes over the free squares, then time") {
  State s = draw(kGhostBehindPellet, 25);
  s.ghost[0] = s.ghost[1];  // both ghosts on e1
  float obs[Game::kObs];
  Game::observe(s, obs);
  const int F = Game::kFree;
  int ones = 0;
  for (int i = 0; i < 3 * F; ++i) ones += obs[i] != 0.0f;
  CHECK(ones == 4);  // agent, the ghosts' square, two pellets
  CHECK(obs[2 * F + Game::free_index(sq("g7"))] == 1.0f);
  CHECK(obs[Game::free_index(sq("c1"))] == 1.0f);
  CHECK(obs[F + Game::free_index(sq("e1"))] == 2.0f);
  CHECK(obs[2 * F + Game::free_index(sq("d1"))] == 1.0f);
  CHECK(obs[3 * F] == doctest::Approx(0.25));
  Game env = at(s);
  double obs2[Game::kObs];
  env.observe(obs2);
  for (int i = 0; i < Game::kObs; ++i) CHECK(obs2[i] == double(obs[i]));
}

TEST_CASE("the ghost rule: the move distribution by hand, and the draws' frequencies match it") {
  // Ghost on d1 chasing an agent on a1: of its exits e1, d2, c1 only c1 shortens the
  // distance (3 -> 2), so P(c1) = 0.8 + 0.2 / 3 and P(e1) = P(d2) = 0.2 / 3.
  uint8_t to[4];
  float p[4];
  REQUIRE(Game::ghost_moves(sq("d1"), sq("a1"), 0.8f, to, p) == 3);
  CHECK(to[2] == sq("c1"));
  CHECK(p[2] == doctest::Approx(0.8 + 0.2 / 3));
  CHECK(p[0] == doctest::Approx(0.2 / 3));
  CHECK(p[1] == doctest::Approx(0.2 / 3));
  // Ghost on d5, agent on d1: c5 and e5 both shorten (6 -> 5), d6 does not.
  REQUIRE(Game::ghost_moves(sq("d5"), sq("d1"), 0.8f, to, p) == 3);
  CHECK(to[0] == sq("e5"));
  CHECK(to[1] == sq("d6"));
  CHECK(p[0] == doctest::Approx(0.4 + 0.2 / 3));
  CHECK(p[1] == doctest::Approx(0.2 / 3));
  CHECK(p[2] == doctest::Approx(0.4 + 0.2 / 3));
  // 20,000 draws per case: a frequency's sd is at most sqrt(0.25 / 20000) = 0.0035, so a
  // tolerance of 0.015 is over 4 sd (and the seed is fixed: the outcome is too).
  const int pairs[3][2] = {{sq("d1"), sq("a1")}, {sq("d5"), sq("d1")}, {sq("a4"), sq("g7")}};
  saerl::Rng rng(6);
  for (const auto& gp : pairs) {
    const int m = Game::ghost_moves(gp[0], gp[1], 0.8f, to, p);
    int count[4] = {0, 0, 0, 0};
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
      const int t = Game::ghost_move(gp[0], gp[1], 0.8f, rng);
      for (int j = 0; j < m; ++j) count[j] += t == to[j];
    }
    float total = 0.0f;
    for (int j = 0; j < m; ++j) {
      CHECK(std::fabs(double(count[j]) / n - double(p[j])) < 0.015);
      total += p[j];
    }
    CHECK(total == doctest::Approx(1.0));
    CHECK(count[0] + count[1] + count[2] + count[3] == n);  // never a move outside the exits
  }
}

TEST_CASE("resets: ghosts at distance >= 4 on distinct squares, pellets everywhere but the agent") {
  saerl::Rng rng(7);
  Game env;
  for (int i = 0; i < 500; ++i) {
    env.reset(rng);
    const State& s = env.state();
    CHECK_FALSE(Game::is_wall(s.agent));
    CHECK(Game::distance(s.agent, s.ghost[0]) >= Game::kGhostStartDistance);
    CHECK(Game::distance(s.agent, s.ghost[1]) >= Game::kGhostStartDistance);
    CHECK(s.ghost[0] != s.ghost[1]);
    CHECK(Game::pellets_left(s) == Game::kFree - 1);
    CHECK_FALSE(Game::has_pellet(s, s.agent));
    CHECK(s.steps == 0);
    CHECK(env.score == 0);
  }
}

TEST_CASE("uniform states: play goes on in each, and squares, steps and pellets are drawn evenly") {
  saerl::Rng rng(11);
  constexpr int kDraws = 36000;
  int agent_at[Game::kSquares] = {}, ghost_at[Game::kSquares] = {};
  long pellets = 0, steps = 0;
  for (int i = 0; i < kDraws; ++i) {
    const State s = Game::uniform_state(rng);
    REQUIRE_FALSE(Game::is_wall(s.agent));
    REQUIRE(s.ghost[0] != s.agent);
    REQUIRE(s.ghost[1] != s.agent);
    REQUIRE_FALSE(Game::has_pellet(s, s.agent));
    REQUIRE(Game::pellets_left(s) >= 1);
    REQUIRE(s.steps < Game::kMaxSteps);
    ++agent_at[s.agent];
    ++ghost_at[s.ghost[0]];
    pellets += Game::pellets_left(s);
    steps += s.steps;
  }
  // each free square holds the agent 1/36 of the time (1,000 of 36,000 draws; sd about 31)
  for (int i = 0; i < Game::kFree; ++i) {
    CHECK(std::abs(agent_at[Game::free_square(i)] - kDraws / Game::kFree) < 160);
    CHECK(ghost_at[Game::free_square(i)] > 0);
  }
  // 35 other squares at probability 1/2: 17.5 pellets a state; steps uniform over 0..99: 49.5
  CHECK(double(pellets) / kDraws == doctest::Approx(17.5).epsilon(0.01));
  CHECK(double(steps) / kDraws == doctest::Approx(49.5).epsilon(0.02));
}

TEST_CASE("same seed, same game; a stored state and generator replay the same continuation") {
  saerl::Rng r1(8), r2(8), policy(9);
  Game a, b;
  for (int game = 0; game < 20; ++game) {
    a.reset(r1);
    b.reset(r2);
    for (bool done = false; !done;) {
      const int act = int(policy.below(4));
      auto ra = a.step(act, r1), rb = b.step(act, r2);
      CHECK(ra.reward == rb.reward);
      CHECK(ra.outcome == rb.outcome);
      CHECK(same(a.state(), b.state()));
      done = ra.done;
    }
  }
  // Save a state and the generator after two steps; the same moves from there give the same game.
  Game c;
  c.reset(r1);
  c.step(kN, r1);
  c.step(kE, r1);
  const State saved = c.state();
  saerl::Rng saved_rng = r1;
  Game d = at(saved);
  for (int i = 0; i < 10; ++i) {
    auto rc = c.step(i % 4, r1), rd = d.step(i % 4, saved_rng);
    CHECK(same(c.state(), d.state()));
    CHECK(rc.done == rd.done);
    if (rc.done) break;
  }
}

TEST_CASE("expectimax: the value of a move by hand at depth 1") {
  // Agent c1 steps onto the pellet d1; the ghost on e1 lands there with P = 0.8 + 0.2 / 2
  // (two exits, one shortening). With leaf weights 0: Q(E) = 1 + P * capture_value, Q(W) = 0.
  saerl::PelletsExpectimax<Game> x;
  x.distance_weight = 0.0f;
  x.room_weight = 0.0f;
  const State s = draw(kGhostBehindPellet);
  CHECK(x.action_value(s, kE, 1) == doctest::Approx(1.0 + 0.9 * -20.0));
  CHECK(x.action_value(s, kW, 1) == doctest::Approx(0.0));
}

TEST_CASE("expectimax avoids the pellet a ghost is about to take, and eats one when safe") {
  saerl::PelletsExpectimax<Game> x;
  const State behind = draw(kGhostBehindPellet);
  CHECK(x.greedy(behind) != kE);
  for (int a : {kN, kW, kS}) CHECK(x.action_value(behind, a, 2) > x.action_value(behind, kE, 2) + 10.0f);
  const char* safe[7] = {"G.....G", ".##.##.", ".#...#.", "...#...", ".#...#.", ".##.##.", "...Ao.."};
  CHECK(x.greedy(draw(safe)) == kE);
  const char* north[7] = {"G.....o", ".##.##.", ".#...#.", "...#...", ".#...#.", ".##o##.", "...A..G"};
  CHECK(x.greedy(draw(north)) == kN);
  const char* ghost_east[7] = {"......G", ".##.##.", ".#...#.", "...#...", ".#...#.", "o##.##.", "o.AG..."};
  CHECK(x.greedy(draw(ghost_east)) == kW);  // never onto the ghost, away from it
}

TEST_CASE("play_pellets: every policy meets the same starts; expectimax beats random by far") {
  // Two random players with their own generators: other moves, the same starts.
  State first[2][40];
  for (int k = 0; k < 2; ++k) {
    saerl::PelletsRandomPlayer player(20 + k);
    int games = 0, visits = 0;
    const auto sc = saerl::play_pellets<Game>(player, 40, 5, Game::kDefaultChase, [&](const State& s) {
      ++visits;
      if (s.steps == 0) first[k][games++] = s;
    });
    REQUIRE(games == 40);
    CHECK(double(visits) == doctest::Approx(40 * sc.mean_steps));  // one visit per move
  }
  for (int g = 0; g < 40; ++g) CHECK(same(first[0][g], first[1][g]));

  saerl::PelletsRandomPlayer random(3);
  saerl::PelletsExpectimax<Game> x;
  const auto r = saerl::play_pellets<Game>(random, 40, 5);
  const auto e = saerl::play_pellets<Game>(x, 40, 5);
  CHECK(r.games == 40);
  CHECK(r.mean_score < 10.0);
  CHECK(e.mean_score > 25.0);  // measured on 1,000 games: random 2.1, expectimax 41.5
  CHECK(r.capture_rate + r.clear_rate + r.timeout_rate == doctest::Approx(1.0));
  CHECK(e.capture_rate + e.clear_rate + e.timeout_rate == doctest::Approx(1.0));
  // the same seed gives the same scores
  saerl::PelletsExpectimax<Game> x2;
  CHECK(saerl::play_pellets<Game>(x2, 40, 5).mean_score == e.mean_score);
}

TEST_CASE("predicates: a trapped agent in a corner, by hand") {
  // Agent a1, ghosts a3 and c1: a2 and b1 are next to a ghost, so staying (a bump) is the one
  // safe destination; only a1 is nearer the agent than both ghosts.
  const char* rows[7] = {"ooooooo", "o##o##o", "o#ooo#o", "ooo#ooo", "G#ooo#o", "o##o##o", "AoG.ooo"};
  const State s = draw(rows, 80);
  bool t[P::kCount];
  P::evaluate(s, t);
  int v[P::kNumbers];
  P::measure(s, v);
  CHECK(v[P::room] == 1);
  CHECK(v[P::safe_moves] == 1);
  CHECK(v[P::exits] == 2);
  CHECK(v[P::nearest_ghost] == 2);
  CHECK(v[P::nearest_pellet] == 1);
  CHECK(v[P::pellets_left] == 32);  // 36 free squares - agent, d1, the ghost on a3, the one on c1
  CHECK(v[P::steps] == 80);
  CHECK(v[P::left_sw] == 12 - 4);   // a1, c1, d1 and a3 are empty; the SW quadrant has 12 squares
  CHECK(v[P::left_ne] == 12);
  CHECK(t[P::safe_moves_1]);
  CHECK_FALSE(t[P::safe_moves_0]);
  CHECK(t[P::room_le2]);
  CHECK(t[P::ghost_le2]);
  CHECK_FALSE(t[P::ghost_d1]);
  CHECK(t[P::ghosts_both_le4]);
  CHECK(t[P::ghost_dir_e]);
  CHECK(t[P::ghost_dir_n]);
  CHECK_FALSE(t[P::ghost_dir_w]);
  CHECK(t[P::pellet_d1]);
  CHECK(t[P::pellet_dir_e]);
  CHECK(t[P::pellet_dir_n]);
  CHECK(t[P::agent_corner]);
  CHECK(t[P::agent_ring]);
  CHECK_FALSE(t[P::junction]);
  CHECK(t[P::left_ge30]);
  CHECK(t[P::pellets_sw]);
  CHECK(t[P::pellets_sw_half]);
  CHECK(t[P::time_half]);
  CHECK(t[P::time_quarter]);
  CHECK(t[P::on_square(0, sq("a1"))]);
  CHECK(t[P::on_square(1, sq("a3"))]);
  CHECK(t[P::on_square(1, sq("c1"))]);
  CHECK(t[P::on_square(2, sq("b1"))]);
  CHECK_FALSE(t[P::on_square(2, sq("d1"))]);
}

TEST_CASE("predicates: names, phrases and find agree; every named one varies in play") {
  for (int i = 0; i < P::kCount; ++i) {
    CHECK(P::find(P::name(i)) == i);
    for (int j = 0; j < i; ++j) CHECK(std::strcmp(P::name(i), P::name(j)) != 0);
  }
  CHECK(P::find("no_such") == -1);
  CHECK(std::strcmp(P::name(P::on_square(1, sq("d5"))), "G_d5") == 0);
  char phrase[64];
  CHECK(std::strcmp(P::describe(P::on_square(2, sq("g7")), phrase, sizeof phrase), "a pellet is on g7") == 0);
  CHECK(std::strcmp(P::describe(P::room_le4, phrase, 12), "the agent r") == 0);  // truncated
  CHECK(std::strcmp(P::number_name(P::room), "room") == 0);

  // Over the states of expectimax and random games (a step cap of states each), every named
  // predicate is true somewhere and false somewhere; safe_moves agrees with the ghost rule.
  int truths[P::kNamed] = {};
  int states = 0;
  saerl::PelletsExpectimax<Game> x;
  x.depth = 1;
  saerl::Rng rng(13), moves(14);
  Game env;
  for (int game = 0; game < 60; ++game) {
    env.reset(rng);
    for (bool done = false; !done; ++states) {
      const State& s = env.state();
      bool t[P::kCount];
      P::evaluate(s, t);
      for (int i = 0; i < P::kNamed; ++i) truths[i] += t[i];
      int v[P::kNumbers];
      P::measure(s, v);
      // a destination is safe when no ghost move of positive probability lands on it
      uint8_t dest[5];
      const int m = Game::exits(s.agent, dest);
      int n = m, safe = 0;
      if (m < 4) dest[n++] = s.agent;
      for (int i = 0; i < n; ++i) {
        bool ok = !Game::ghost_on(s, dest[i]);
        for (int g = 0; g < Game::kGhosts; ++g) {
          uint8_t to[4];
          float p[4];
          const int k = Game::ghost_moves(s.ghost[g], dest[i], 0.8f, to, p);
          for (int j = 0; j < k; ++j) ok = ok && !(to[j] == dest[i] && p[j] > 0);
        }
        safe += ok;
      }
      CHECK(v[P::safe_moves] == safe);
      done = env.step(game % 3 == 0 ? int(moves.below(4)) : x.greedy(s), rng).done;
    }
  }
  for (int i = 0; i < P::kNamed; ++i) {
    INFO(std::string(P::name(i)));
    CHECK(truths[i] > 0);
    CHECK(truths[i] < states);
  }
}

TEST_CASE("DqnAgent and DqnRunner train on the pellet maze unchanged") {
  using Net = saerl::Mlp<float, Game::kObs, 16, 16, Game::kActions>;
  using Agent = saerl::DqnAgent<Game, Net, 8, 512>;
  static Agent agent;
  saerl::Rng rng(15);
  saerl::DqnConfig c;
  c.learn_start = 64;
  c.n_step = 3;
  c.reward_scale = 0.04f;
  agent.init(c, rng);
  saerl::DqnRunner<Agent, Game> runner;
  runner.epsilon = {0.3f, 0.01f, 500};
  Game env;
  env.reset(rng);
  for (int t = 0; t < 1000; ++t) runner.step(agent, env, rng);
  CHECK(runner.health.ok());
  CHECK(agent.updates > 0);
  CHECK(runner.episodes > 0);
  CHECK(agent.replay.size > 0);
  const int a = agent.greedy(env.state());
  CHECK(a >= 0);
  CHECK(a < Game::kActions);
}

namespace {
// A 5x5 layout of the caller's: four pillars.
struct Pillars5 {
  static constexpr int kSize = 5;
  static constexpr const char* kRows[kSize] = {".....", ".#.#.", ".....", ".#.#.", "....."};
  static constexpr int kMaxSteps = 40;
  static constexpr int kClearBonus = 5;
};
}  // namespace

TEST_CASE("another layout and one ghost: sizes follow, and whole games keep the score's books") {
  using Small = saerl::Pellets<Pillars5, 1>;
  CHECK(Small::kFree == 21);
  CHECK(Small::kObs == 64);
  CHECK(sizeof(Small::State) == 6);  // agent, ghost, steps, 3 pellet bytes
  CHECK(Small::distance(0, 24) == 8);
  saerl::Rng rng(16), moves(17);
  Small env;
  int outcomes[4] = {0, 0, 0, 0};
  for (int game = 0; game < 200; ++game) {
    env.reset(rng);
    float total = 0.0f;
    Small::StepResult r{0.0f, false, Small::Outcome::ongoing};
    while (!r.done) {
      const int left = Small::pellets_left(env.state());
      r = env.step(int(moves.below(4)), rng);
      total += r.reward;
      CHECK(left - Small::pellets_left(env.state()) == int(r.reward) - (r.outcome == Small::Outcome::cleared ? 5 : 0));
    }
    ++outcomes[int(r.outcome)];
    CHECK(total == float(env.score));
    CHECK(env.score == Small::kFree - 1 - Small::pellets_left(env.state()) +
                           (r.outcome == Small::Outcome::cleared ? Small::kClearBonus : 0));
    CHECK(env.state().steps <= Small::kMaxSteps);
  }
  CHECK(outcomes[int(Small::Outcome::captured)] > 0);
  CHECK(outcomes[int(Small::Outcome::ongoing)] == 0);
  // the search player outscores the random one on the same games
  saerl::PelletsExpectimax<Small> x;
  saerl::PelletsRandomPlayer random(4);
  const auto e = saerl::play_pellets<Small>(x, 50, 3), rnd = saerl::play_pellets<Small>(random, 50, 3);
  CHECK(e.mean_score > 2.0 * rnd.mean_score);
}
