// saerl/gridworld/pellets.hpp — a tiny pellet maze with chasing ghosts: a game with a graded
// score (after the Ms. Pac-Man of the dead-feature follow-up), as an RL environment.
//
// The agent walks a small fixed maze eating pellets while one or two ghosts chase it. Score =
// pellets eaten + a bonus for clearing the maze; the episode ends on capture, on clearing, or
// at the step cap. The rules are below, exactly; each is a static function, so the search
// player (pellets_expectimax.hpp), the predicates (pellets_predicates.hpp) and the tests use
// them without an environment object.
//
//   saerl::Rng rng(1);
//   using Game = saerl::Pellets<saerl::PelletsMaze7, 2>;  // the 7x7 maze, two ghosts
//   Game env;
//   env.reset(rng);                        // agent and ghosts on random squares, pellets everywhere else
//   float obs[Game::kObs];
//   env.observe(obs);                      // planes agent, ghosts, pellets over the free squares + time
//   auto r = env.step(Game::kNorth, rng);  // r.reward: pellets eaten (+ the clear bonus)
//   // r.done ends the episode; r.outcome says why; env.score is the game's score so far.
//
// The rules, exactly (squares are row * N + col, row 0 at the bottom, north is row + 1; the
// defaults in brackets are PelletsMaze7's and this file's constants):
// - The maze is the layout's N x N grid of '#' walls and '.' free squares, the free squares
//   connected (both checked at compile time). Distances are shortest-path lengths over free
//   squares, moving E, N, W or S.
// - Start: the agent on a uniformly random free square; each ghost on a uniformly random free
//   square at distance >= kGhostStartDistance [4] from the agent, ghost 1 not on ghost 0's
//   square (each redrawn until so). A pellet on every free square but the agent's [35].
// - A step: (1) the agent moves E, N, W or S; into a wall or off the board it stays in place
//   (not illegal: the step is spent). (2) If a ghost stands on its square: captured. (3) Else
//   it eats the pellet there (+1); when that was the last one: cleared (+kClearBonus [10]).
//   (4) Else every ghost moves, ghost 0 first, each by the ghost rule; if one lands on the
//   agent's square: captured (the pellet of (3) still counts). (5) Else after the
//   kMaxSteps-th [100] step: timeout. The agent moves first, so a swap of squares is (2).
// - The ghost rule, toward the agent's square after (1): with probability `chase` [0.8] a
//   uniformly random move among the k free neighbours that shorten its distance to the agent;
//   otherwise a uniformly random move among all its m free neighbours (a chasing one
//   included). So neighbour t has probability chase * [t shortens] / k + (1 - chase) / m. A
//   ghost never stays; ghosts may share a square; they do not eat. (k = 0 only when it stands
//   on the agent, which ends the game first; the rule then makes a random move.)
// - Draws, for determinism: reset() draws below(kFree) for the agent, then for each ghost
//   until accepted; a ghost's move draws uniform() (chase or not), then below(k or m).
// - Reward = the score's change: +1 a pellet, +kClearBonus on clearing, 0 on capture
//   (kCaptureReward: the pellets left uneaten are the capture's price; a DQN learns to run
//   without a penalty, measured).
//
// A layout is a struct like PelletsMaze7: kSize (3..11), kRows (top row first), kMaxSteps
// (<= 255), kClearBonus.
#pragma once
#include <cstdint>

#include "../core/base/rng.hpp"

namespace saerl {

// The default maze, 7 x 7, 36 free squares: an outer ring, an inner ring around the centre
// wall and four cross-links, so that the agent can run in circles away from a ghost.
struct PelletsMaze7 {
  static constexpr int kSize = 7;
  static constexpr const char* kRows[kSize] = {  // the top row (row 6) first
      ".......",
      ".##.##.",
      ".#...#.",
      "...#...",
      ".#...#.",
      ".##.##.",
      ".......",
  };
  static constexpr int kMaxSteps = 100;  // the episode ends after this many steps
  static constexpr int kClearBonus = 10;
};

namespace detail {

// The maze's tables, built at compile time from a layout: walls, the numbering of the free
// squares, the neighbours in each direction and all shortest distances (one BFS per square).
template <class Layout>
struct PelletsTables {
  static constexpr int N = Layout::kSize;
  static_assert(N >= 3 && N <= 11, "Pellets: the maze is 3x3 to 11x11 (free squares are numbered in a signed byte)");
  static constexpr int kSquares = N * N;
  static constexpr int kUnreachable = 255;

  static constexpr int count_free() {
    int n = 0;
    for (int r = 0; r < N; ++r)
      for (int c = 0; c < N; ++c) n += Layout::kRows[N - 1 - r][c] == '.';
    return n;
  }
  static constexpr int kFree = count_free();

  bool wall[kSquares];
  int8_t free_index[kSquares];    // -1 on walls
  uint8_t free_square[kFree];     // the squares of the free squares, in square order
  uint8_t next[kSquares][4];      // the square one move E, N, W, S; itself when blocked
  uint8_t dist[kSquares][kSquares];  // shortest distance between free squares
  bool connected;                 // every free square reaches every other
  bool valid;                     // only '#' and '.' in the layout

  constexpr PelletsTables() : wall{}, free_index{}, free_square{}, next{}, dist{}, connected(true), valid(true) {
    const int dr[4] = {0, 1, 0, -1}, dc[4] = {1, 0, -1, 0};
    int n = 0;
    for (int s = 0; s < kSquares; ++s) {
      const char ch = Layout::kRows[N - 1 - s / N][s % N];
      valid = valid && (ch == '.' || ch == '#');
      wall[s] = ch != '.';
      free_index[s] = static_cast<int8_t>(wall[s] ? -1 : n);
      if (!wall[s]) free_square[n++] = static_cast<uint8_t>(s);
    }
    for (int s = 0; s < kSquares; ++s)
      for (int a = 0; a < 4; ++a) {
        const int r = s / N + dr[a], c = s % N + dc[a];
        const bool open = r >= 0 && r < N && c >= 0 && c < N && !wall[r * N + c];
        next[s][a] = static_cast<uint8_t>(open ? r * N + c : s);
      }
    for (int from = 0; from < kSquares; ++from) {
      for (int s = 0; s < kSquares; ++s) dist[from][s] = kUnreachable;
      if (wall[from]) continue;
      int queue[kSquares] = {}, head = 0, tail = 0;
      dist[from][from] = 0;
      queue[tail++] = from;
      while (head < tail) {
        const int s = queue[head++];
        for (int a = 0; a < 4; ++a) {
          const int t = next[s][a];
          if (dist[from][t] != kUnreachable) continue;
          dist[from][t] = static_cast<uint8_t>(dist[from][s] + 1);
          queue[tail++] = t;
        }
      }
      if (tail != kFree) connected = false;
    }
  }
};

}  // namespace detail

template <class Layout = PelletsMaze7, int Ghosts = 2>
struct Pellets {
  using Tables = detail::PelletsTables<Layout>;
  static constexpr Tables kTables{};

  static constexpr int kSize = Layout::kSize;
  static constexpr int kSquares = kSize * kSize;
  static constexpr int kFree = Tables::kFree;
  static constexpr int kGhosts = Ghosts;
  static constexpr int kActions = 4;  // E, N, W, S
  static constexpr int kEast = 0, kNorth = 1, kWest = 2, kSouth = 3;
  static constexpr int kMaxSteps = Layout::kMaxSteps;
  static constexpr int kClearBonus = Layout::kClearBonus;
  static constexpr float kPelletReward = 1.0f;
  static constexpr float kCaptureReward = 0.0f;
  static constexpr int kGhostStartDistance = 4;
  static constexpr float kDefaultChase = 0.8f;
  // One-hot planes over the free squares (walls are fixed, so they have no plane): the agent;
  // the ghosts (the number of ghosts on the square); the pellets; then one input, the time
  // used, steps / kMaxSteps (the step cap makes the time part of the state).
  static constexpr int kObs = 3 * kFree + 1;
  static constexpr int kPelletBytes = (kFree + 7) / 8;

  static_assert(Ghosts >= 1 && Ghosts <= 2, "Pellets: one or two ghosts");
  static_assert(kFree >= 2 + Ghosts, "Pellets: the maze needs room for the agent, the ghosts and a pellet");
  static_assert(kTables.valid, "Pellets: a layout row holds only '#' (wall) and '.' (free)");
  static_assert(kTables.connected, "Pellets: every free square of the layout must reach every other");
  static_assert(kMaxSteps >= 1 && kMaxSteps <= 255, "Pellets: the step cap is 1..255 (it is stored in a byte)");

  enum class Outcome : uint8_t { ongoing, captured, cleared, timeout };

  struct StepResult {
    float reward;  // pellets eaten this step + kClearBonus on clearing
    bool done;
    Outcome outcome;
  };

  // The whole state: 9 bytes with two ghosts on the 7x7 maze (a replay entry holds two).
  struct State {
    uint8_t agent;                  // square
    uint8_t ghost[Ghosts];          // squares
    uint8_t steps;                  // steps taken in this episode
    uint8_t pellets[kPelletBytes];  // bit i of byte i / 8: a pellet on free square i
  };

  // ---- the maze --------------------------------------------------------------------------

  static int row(int sq) { return sq / kSize; }
  static int col(int sq) { return sq % kSize; }
  static bool is_wall(int sq) { return kTables.wall[sq]; }
  static int free_index(int sq) { return kTables.free_index[sq]; }
  static int free_square(int i) { return kTables.free_square[i]; }
  // The square one move away in direction `action`; `sq` itself when a wall or the edge blocks.
  static int neighbour(int sq, int action) { return kTables.next[sq][action]; }
  static int distance(int a, int b) { return kTables.dist[a][b]; }

  // The free neighbours of a free square, in direction order; returns how many (1..4).
  static int exits(int sq, uint8_t out[4]) {
    int n = 0;
    for (int a = 0; a < 4; ++a)
      if (neighbour(sq, a) != sq) out[n++] = static_cast<uint8_t>(neighbour(sq, a));
    return n;
  }

  // ---- pellets ---------------------------------------------------------------------------

  static bool has_pellet(const State& s, int sq) {
    const int i = free_index(sq);
    return i >= 0 && (s.pellets[i / 8] >> (i % 8) & 1u) != 0;
  }
  static void set_pellet(State* s, int sq, bool on) {
    const int i = free_index(sq);
    if (i < 0) return;
    const uint8_t bit = static_cast<uint8_t>(1u << (i % 8));
    s->pellets[i / 8] = static_cast<uint8_t>(on ? s->pellets[i / 8] | bit : s->pellets[i / 8] & ~bit);
  }
  static int pellets_left(const State& s) {
    int n = 0;
    for (int b = 0; b < kPelletBytes; ++b)
      for (unsigned x = s.pellets[b]; x != 0; x &= x - 1) ++n;
    return n;
  }

  // ---- the rules -------------------------------------------------------------------------

  static bool ghost_on(const State& s, int sq) {
    for (int g = 0; g < Ghosts; ++g)
      if (s.ghost[g] == sq) return true;
    return false;
  }

  // Steps (1)-(3): the agent moves, is captured or eats. Increments s->steps; *gain is the
  // reward of the step so far. Returns captured, cleared or ongoing (the ghosts still move).
  static Outcome agent_phase(State* s, int action, float* gain) {
    *gain = 0.0f;
    ++s->steps;
    if (action >= 0 && action < kActions) s->agent = static_cast<uint8_t>(neighbour(s->agent, action));
    if (ghost_on(*s, s->agent)) return Outcome::captured;
    if (has_pellet(*s, s->agent)) {
      set_pellet(s, s->agent, false);
      *gain = kPelletReward;
      if (pellets_left(*s) == 0) {
        *gain += float(kClearBonus);
        return Outcome::cleared;
      }
    }
    return Outcome::ongoing;
  }

  // Steps (4)-(5) after the ghosts have moved: captured, timeout or ongoing.
  static Outcome after_ghosts(const State& s) {
    if (ghost_on(s, s.agent)) return Outcome::captured;
    return s.steps >= kMaxSteps ? Outcome::timeout : Outcome::ongoing;
  }

  // The ghost rule's distribution for a ghost on `ghost` chasing the agent on `agent`: the
  // m free neighbours to[0..m) (direction order) with their probabilities p[0..m); returns m.
  static int ghost_moves(int ghost, int agent, float chase, uint8_t to[4], float p[4]) {
    const int m = exits(ghost, to);
    int k = 0;
    for (int i = 0; i < m; ++i) k += distance(to[i], agent) < distance(ghost, agent);
    const float c = k > 0 ? chase : 0.0f;  // as ghost_move: no shortening move, a random one
    for (int i = 0; i < m; ++i) {
      const bool shortens = distance(to[i], agent) < distance(ghost, agent);
      p[i] = (1.0f - c) / float(m) + (shortens ? c / float(k) : 0.0f);
    }
    return m;
  }

  // One draw of the ghost rule: uniform() < chase picks among the shortening moves, otherwise
  // among all; then below() picks the move. (On the agent's square, k = 0: a random move.)
  static int ghost_move(int ghost, int agent, float chase, Rng& rng) {
    uint8_t to[4], shorter[4];
    const int m = exits(ghost, to);
    int k = 0;
    for (int i = 0; i < m; ++i)
      if (distance(to[i], agent) < distance(ghost, agent)) shorter[k++] = to[i];
    if (rng.uniform() < chase && k > 0) return shorter[rng.below(uint32_t(k))];
    return to[rng.below(uint32_t(m))];
  }

  static float reward_of(Outcome o, float gain) { return o == Outcome::captured ? gain + kCaptureReward : gain; }

  // ---- measures (for the search player and the predicates) -------------------------------

  // Distance from the agent to the nearest pellet (0 when it stands on one); -1 when none is left.
  static int nearest_pellet(const State& s) {
    int best = -1;
    for (int i = 0; i < kFree; ++i) {
      const int d = distance(s.agent, free_square(i));
      if ((s.pellets[i / 8] >> (i % 8) & 1u) != 0 && (best < 0 || d < best)) best = d;
    }
    return best;
  }

  // Distance from the agent to the nearest ghost (0: one stands on it).
  static int nearest_ghost(const State& s) {
    int best = distance(s.agent, s.ghost[0]);
    for (int g = 1; g < Ghosts; ++g)
      if (distance(s.agent, s.ghost[g]) < best) best = distance(s.agent, s.ghost[g]);
    return best;
  }

  // The agent's room: free squares strictly nearer to the agent than to every ghost, the
  // squares it can reach before any ghost can (its own included, unless a ghost is on it).
  static int room(const State& s) {
    int n = 0;
    for (int i = 0; i < kFree; ++i) {
      const int sq = free_square(i), d = distance(s.agent, sq);
      bool first = true;
      for (int g = 0; g < Ghosts; ++g) first = first && d < distance(s.ghost[g], sq);
      n += first;
    }
    return n;
  }

  // ---- observations ----------------------------------------------------------------------

  // kObs values: agent plane, ghost plane (ghost counts), pellet plane over the free
  // squares in free-square order, then steps / kMaxSteps.
  template <typename T>
  static void observe(const State& s, T* out) {
    for (int i = 0; i < kObs; ++i) out[i] = T(0);
    out[free_index(s.agent)] = T(1);
    for (int g = 0; g < Ghosts; ++g) out[kFree + free_index(s.ghost[g])] += T(1);
    for (int i = 0; i < kFree; ++i) out[2 * kFree + i] = T((s.pellets[i / 8] >> (i % 8)) & 1u);
    out[3 * kFree] = T(s.steps) / T(kMaxSteps);
  }

  static const char* outcome_name(Outcome o) {
    switch (o) {
      case Outcome::ongoing: return "ongoing";
      case Outcome::captured: return "captured";
      case Outcome::cleared: return "cleared";
      case Outcome::timeout: return "timeout";
    }
    return "unknown";
  }

  // ---- the environment -------------------------------------------------------------------

  State st{};
  int score = 0;  // pellets eaten + the clear bonus, this episode
  float chase = kDefaultChase;  // the ghost rule's probability of a chasing move

  // The start of the rules: the agent uniform over the free squares, then each ghost uniform
  // over the free squares at distance >= kGhostStartDistance, distinct (redrawn until so).
  void reset(Rng& rng) {
    State s{};
    s.agent = static_cast<uint8_t>(free_square(int(rng.below(kFree))));
    for (int g = 0; g < Ghosts; ++g) {
      int sq;
      do {
        sq = free_square(int(rng.below(kFree)));
      } while (distance(sq, s.agent) < kGhostStartDistance || (g > 0 && sq == s.ghost[0]));
      s.ghost[g] = static_cast<uint8_t>(sq);
    }
    for (int i = 0; i < kFree; ++i) set_pellet(&s, free_square(i), free_square(i) != s.agent);
    reset_to(s);
  }

  void reset_to(const State& s) {
    st = s;
    score = 0;
  }

  // A state drawn uniformly from those where play goes on, whether or not any game reaches
  // them (the sweep's visitation control): the agent and each ghost uniform over the free
  // squares (a ghost not on the agent's, redrawn until so), steps uniform in [0, kMaxSteps),
  // each other free square holding a pellet with probability 1/2 and at least one left.
  static State uniform_state(Rng& rng) {
    State s{};
    s.agent = static_cast<uint8_t>(free_square(int(rng.below(kFree))));
    for (int g = 0; g < Ghosts; ++g) {
      do s.ghost[g] = static_cast<uint8_t>(free_square(int(rng.below(kFree))));
      while (s.ghost[g] == s.agent);
    }
    s.steps = static_cast<uint8_t>(rng.below(kMaxSteps));
    do {
      for (int i = 0; i < kFree; ++i) set_pellet(&s, free_square(i), free_square(i) != s.agent && rng.below(2) == 1);
    } while (pellets_left(s) == 0);
    return s;
  }

  StepResult step(int action, Rng& rng) {
    float gain;
    Outcome o = agent_phase(&st, action, &gain);
    if (o == Outcome::ongoing) {
      for (int g = 0; g < Ghosts; ++g) st.ghost[g] = static_cast<uint8_t>(ghost_move(st.ghost[g], st.agent, chase, rng));
      o = after_ghosts(st);
    }
    score += int(gain);
    return StepResult{reward_of(o, gain), o != Outcome::ongoing, o};
  }

  const State& state() const { return st; }

  template <typename T>
  void observe(T* out) const { observe(st, out); }
};

}  // namespace saerl
