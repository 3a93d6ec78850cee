// Tests of dqn/dqn_agent.hpp: n-step recording, the TD target (plain and Double DQN), target
// network syncing, action selection and determinism.
//
// Expected values are computed by hand or by an independent forward pass written here
// (hand_q), never read back from the agent.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

#include "dqn/dqn_agent.hpp"
#include "dqn/linear_schedule.hpp"
#include "gridworld/maze.hpp"
#include "gridworld/rook_checkmate.hpp"

namespace {

using Game = saerl::Maze<5>;
using SmallNet = saerl::Mlp<float, Game::kObs, 16, Game::kActions>;
using SmallAgent = saerl::DqnAgent<Game, SmallNet, 8, 64>;
using Transition = SmallAgent::Transition;

constexpr int kEast = Game::kEast, kNorth = Game::kNorth, kSouth = Game::kSouth;

saerl::DqnConfig make_config(int n_step, float gamma, float reward_scale) {
  saerl::DqnConfig c;
  c.n_step = n_step;
  c.gamma = gamma;
  c.reward_scale = reward_scale;
  c.learn_start = 0;
  c.target_every = 1000000;  // the target network stays frozen unless a test says otherwise
  return c;
}

Transition make_transition(int s, int action, float reward, int s2, bool done, int steps) {
  Transition t;
  t.s = uint8_t(s);
  t.s2 = uint8_t(s2);
  t.action = uint8_t(action);
  t.steps = uint8_t(steps);
  t.done = uint8_t(done);
  t.reward = reward;
  return t;
}

// Checks every field of a stored transition against hand-computed values.
void check_transition(const Transition& t, int s, int action, double reward, int s2, bool done, int steps) {
  CHECK(int(t.s) == s);
  CHECK(int(t.action) == action);
  CHECK(t.reward == doctest::Approx(reward).epsilon(1e-6));
  CHECK(int(t.s2) == s2);
  CHECK(int(t.done) == int(done));
  CHECK(int(t.steps) == steps);
}

// Q-values of maze square s, by a forward pass written out here from the documented parameter
// layout (W0 (in, H), b0, W1 (H, A), b1): the one-hot input selects row s of W0.
template <class Net>
void hand_q(const Net& net, int s, double* q) {
  static_assert(Net::kLayers == 2, "hand_q: one hidden layer");
  constexpr int In = Net::kSizes[0], H = Net::kSizes[1], A = Net::kSizes[2];
  const float* W0 = net.params;
  const float* b0 = W0 + In * H;
  const float* W1 = b0 + H;
  const float* b1 = W1 + H * A;
  double h[H];
  for (int j = 0; j < H; ++j) {
    double z = double(W0[s * H + j]) + double(b0[j]);
    h[j] = z > 0 ? z : 0;
  }
  for (int a = 0; a < A; ++a) {
    double sum = b1[a];
    for (int j = 0; j < H; ++j) sum += h[j] * double(W1[j * A + a]);
    q[a] = sum;
  }
}

int argmax_of(const double* q, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (q[i] > q[best]) best = i;
  return best;
}

template <class Net>
bool same_params(const Net& a, const Net& b) {
  return std::memcmp(a.params, b.params, sizeof(a.params)) == 0;
}

// Fills the replay buffer with one transition only, so that every batch is B copies of it.
void fill_replay_with(SmallAgent& agent, const Transition& t) {
  agent.replay.clear();
  for (int i = 0; i < SmallAgent::kBatch; ++i) agent.replay.push(t);
}

// The usual loop: epsilon-greedy step, record, one update per step once ready.
template <class Agent>
void train_on_maze(Agent& agent, const saerl::LinearSchedule& eps, long env_steps, saerl::Rng& rng) {
  Game env;
  env.reset(rng);
  for (long step = 0; step < env_steps; ++step) {
    const typename Game::State s = env.state();
    const int a = agent.act(s, eps.at(step), rng);
    const auto r = env.step(a, rng);
    agent.record(s, a, r.reward, env.state(), r.done);
    if (agent.ready() && step % agent.config.train_every == 0) agent.update(rng);
    if (r.done) env.reset(rng);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// record(): n-step transitions

TEST_CASE("with n = 1 each step is stored at once as (s, a, r * scale, s2, done, 1)") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  agent->init(make_config(1, 0.9f, 0.1f), rng);
  agent->record(0, kNorth, -1.0f, 5, false);
  REQUIRE(agent->replay.size == 1);
  check_transition(agent->replay.items[0], 0, kNorth, -0.1, 5, false, 1);
  CHECK(agent->pending_count == 0);

  agent->record(19, kNorth, 10.0f, 24, true);
  REQUIRE(agent->replay.size == 2);
  check_transition(agent->replay.items[1], 19, kNorth, 1.0, 24, true, 1);
  CHECK(agent->pending_count == 0);
  CHECK(agent->steps == 2);
}

TEST_CASE("with n = 3 the stored return is r0 + g r1 + g^2 r2, scaled, with s2 three steps later") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  agent->init(make_config(3, 0.9f, 0.1f), rng);
  // A walk up the first column; the rewards are made up and distinct so that any mix-up of
  // order or discount shows. Scaled: -0.1, 0.2, 1.0, -0.1, 1.0.
  agent->record(0, kNorth, -1.0f, 5, false);
  agent->record(5, kNorth, 2.0f, 10, false);
  CHECK(agent->replay.size == 0);  // nothing is known three steps ahead yet
  CHECK(agent->pending_count == 2);

  agent->record(10, kNorth, 10.0f, 15, false);
  REQUIRE(agent->replay.size == 1);
  // -0.1 + 0.9 * 0.2 + 0.81 * 1.0 = 0.89
  check_transition(agent->replay.items[0], 0, kNorth, 0.89, 15, false, 3);
  CHECK(agent->pending_count == 2);  // the window slid by one

  agent->record(15, kNorth, -1.0f, 20, false);
  REQUIRE(agent->replay.size == 2);
  // 0.2 + 0.9 * 1.0 + 0.81 * (-0.1) = 1.019
  check_transition(agent->replay.items[1], 5, kNorth, 1.019, 20, false, 3);
}

TEST_CASE("with the cut at exploration a return stops before a random action and bootstraps where it was drawn") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  saerl::DqnConfig c = make_config(3, 0.9f, 0.1f);
  c.cut_at_exploration = true;
  agent->init(c, rng);
  agent->record(0, kNorth, -1.0f, 5, false);   // greedy (no act(): nothing was drawn)
  agent->act(5, 1.0f, rng);                    // epsilon 1: this action is random
  agent->record(5, kNorth, 2.0f, 10, false);
  agent->record(10, kNorth, 10.0f, 15, false);
  REQUIRE(agent->replay.size == 1);
  // from square 0 the return stops before the random action at square 5: -0.1, bootstrapped there
  check_transition(agent->replay.items[0], 0, kNorth, -0.1, 5, false, 1);
  agent->record(15, kNorth, -1.0f, 20, false);
  REQUIRE(agent->replay.size == 2);
  // a random first action is kept (its value is what is learnt): 0.2 + 0.9 * 1.0 + 0.81 * (-0.1)
  check_transition(agent->replay.items[1], 5, kNorth, 1.019, 20, false, 3);
  agent->act(20, 1.0f, rng);
  agent->record(20, kNorth, 1.0f, 21, true);   // random, and the episode ends
  REQUIRE(agent->replay.size == 5);
  // the flush: 10 and 15 stop before the random move at 20; 20's own return is terminal
  check_transition(agent->replay.items[2], 10, kNorth, 1.0 + 0.9 * -0.1, 20, false, 2);
  check_transition(agent->replay.items[3], 15, kNorth, -0.1, 20, false, 1);
  check_transition(agent->replay.items[4], 20, kNorth, 0.1, 21, true, 1);

  // without the cut the same steps store full 3-step returns
  auto plain = std::make_unique<SmallAgent>();
  plain->init(make_config(3, 0.9f, 0.1f), rng);
  plain->record(0, kNorth, -1.0f, 5, false);
  plain->act(5, 1.0f, rng);
  plain->record(5, kNorth, 2.0f, 10, false);
  plain->record(10, kNorth, 10.0f, 15, false);
  REQUIRE(plain->replay.size == 1);
  check_transition(plain->replay.items[0], 0, kNorth, 0.89, 15, false, 3);
}

TEST_CASE("at an episode's end every pending start is flushed with its shorter tail and done = 1") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  agent->init(make_config(3, 0.9f, 0.1f), rng);
  agent->record(0, kNorth, -1.0f, 5, false);
  agent->record(5, kNorth, 2.0f, 10, false);
  agent->record(10, kNorth, 10.0f, 15, false);
  agent->record(15, kNorth, -1.0f, 20, false);
  REQUIRE(agent->replay.size == 2);

  agent->record(20, kEast, 10.0f, 21, true);  // the episode ends
  REQUIRE(agent->replay.size == 5);
  // 1.0 + 0.9 * (-0.1) + 0.81 * 1.0 = 1.72, three rewards
  check_transition(agent->replay.items[2], 10, kNorth, 1.72, 21, true, 3);
  // -0.1 + 0.9 * 1.0 = 0.8, two rewards
  check_transition(agent->replay.items[3], 15, kNorth, 0.8, 21, true, 2);
  // 1.0, one reward
  check_transition(agent->replay.items[4], 20, kEast, 1.0, 21, true, 1);
  CHECK(agent->pending_count == 0);
}

TEST_CASE("a truncated episode flushes its window with returns that bootstrap from the last state") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  agent->init(make_config(3, 0.9f, 0.1f), rng);
  agent->record(0, kNorth, -1.0f, 5, false);
  agent->record(5, kNorth, 2.0f, 10, false, /*truncated=*/true);
  REQUIRE(agent->replay.size == 2);
  check_transition(agent->replay.items[0], 0, kNorth, -0.1 + 0.9 * 0.2, 10, false, 2);
  check_transition(agent->replay.items[1], 5, kNorth, 0.2, 10, false, 1);
  CHECK(agent->pending_count == 0);  // the next episode starts with an empty window
}

TEST_CASE("an episode shorter than n stores one transition per step, all terminal") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  agent->init(make_config(3, 0.9f, 0.1f), rng);
  agent->record(22, kSouth, -1.0f, 17, false);
  CHECK(agent->replay.size == 0);
  agent->record(17, kSouth, 10.0f, 12, true);
  REQUIRE(agent->replay.size == 2);
  check_transition(agent->replay.items[0], 22, kSouth, -0.1 + 0.9 * 1.0, 12, true, 2);
  check_transition(agent->replay.items[1], 17, kSouth, 1.0, 12, true, 1);
}

TEST_CASE("the n-step window is empty after done: the next episode does not mix with the last") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  agent->init(make_config(3, 0.9f, 0.1f), rng);
  agent->record(0, kNorth, -1.0f, 5, false);
  agent->record(5, kNorth, 2.0f, 10, true);  // ends after two steps
  REQUIRE(agent->replay.size == 2);
  CHECK(agent->pending_count == 0);

  // The next episode: its first two steps store nothing, the third its first 3-step return.
  agent->record(7, kSouth, 2.0f, 2, false);
  CHECK(agent->replay.size == 2);
  agent->record(2, kEast, 2.0f, 3, false);
  CHECK(agent->replay.size == 2);
  agent->record(3, kEast, 2.0f, 4, false);
  REQUIRE(agent->replay.size == 3);
  // 0.2 + 0.9 * 0.2 + 0.81 * 0.2 = 0.542: only this episode's rewards
  check_transition(agent->replay.items[2], 7, kSouth, 0.542, 4, false, 3);
  for (int i = 0; i < agent->replay.size; ++i) {
    const Transition& t = agent->replay.items[i];
    const bool first_episode = t.s == 0 || t.s == 5;
    CHECK((t.s2 == 10) == first_episode);  // no transition crosses the episode boundary
  }
}

TEST_CASE("n_step is clamped to 1..kMaxNStep by init") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  agent->init(make_config(0, 0.5f, 1.0f), rng);
  CHECK(agent->config.n_step == 1);
  agent->record(0, kNorth, 1.0f, 5, false);
  CHECK(agent->replay.size == 1);

  agent->init(make_config(100, 0.5f, 1.0f), rng);
  REQUIRE(SmallAgent::kMaxNStep == 16);
  CHECK(agent->config.n_step == 16);
  CHECK(agent->replay.size == 0);  // init clears the replay
  for (int i = 0; i < 15; ++i) agent->record(i, kEast, 1.0f, i + 1, false);
  CHECK(agent->replay.size == 0);
  agent->record(15, kEast, 1.0f, 16, false);
  REQUIRE(agent->replay.size == 1);
  // 1 + 1/2 + ... + 1/2^15 = 2 - 1/2^15
  check_transition(agent->replay.items[0], 0, kEast, 2.0 - 1.0 / 32768, 16, false, 16);
}

TEST_CASE("init raises a target_every or train_every below 1 to 1, so updates never divide by zero") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.target_every = 0;
  c.train_every = -3;
  agent->init(c, rng);
  CHECK(agent->config.target_every == 1);
  CHECK(agent->config.train_every == 1);
  fill_replay_with(*agent, make_transition(12, kEast, 0.5f, 14, false, 1));
  agent->update(rng);
  agent->update(rng);
  CHECK(agent->updates == 2);
  CHECK(same_params(agent->target, agent->online));  // copied after every update
}

TEST_CASE("the agent is ready to learn once the replay holds learn_start and a full batch") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(1);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.learn_start = 5;
  agent->init(c, rng);
  for (int i = 0; i < 10; ++i) {  // with n = 1, i transitions are stored before record i
    CHECK(agent->ready() == (i >= 8));  // Batch 8 > learn_start 5
    agent->record(0, kNorth, -1.0f, 5, false);
  }
  c.learn_start = 12;
  agent->init(c, rng);
  for (int i = 0; i < 14; ++i) {
    CHECK(agent->ready() == (i >= 12));
    agent->record(0, kNorth, -1.0f, 5, false);
  }
}

// ---------------------------------------------------------------------------------------------
// act()

TEST_CASE("with epsilon 0 the agent acts greedily on its online Q-values") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(3);
  agent->init(make_config(1, 0.9f, 0.1f), rng);
  Game env;
  for (int s = 0; s < Game::kSquares; ++s) {
    if (env.wall[s]) continue;
    double q[Game::kActions];
    hand_q(agent->online, s, q);
    CAPTURE(s);
    CHECK(agent->act(uint8_t(s), 0.0f, rng) == argmax_of(q, Game::kActions));
    CHECK(agent->greedy(uint8_t(s)) == argmax_of(q, Game::kActions));
    float qa[Game::kActions];
    agent->q_values(uint8_t(s), qa);
    for (int a = 0; a < Game::kActions; ++a) CHECK(qa[a] == doctest::Approx(q[a]).epsilon(1e-5));
  }
}

TEST_CASE("with epsilon 1 the agent's actions are uniformly random") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(3);
  agent->init(make_config(1, 0.9f, 0.1f), rng);
  int counts[Game::kActions] = {0, 0, 0, 0};
  for (int i = 0; i < 4000; ++i) {
    int a = agent->act(12, 1.0f, rng);
    REQUIRE(a >= 0);
    REQUIRE(a < Game::kActions);
    ++counts[a];
  }
  // Binomial(4000, 1/4): mean 1000, sd 27.
  for (int c : counts) {
    CHECK(c > 850);
    CHECK(c < 1150);
  }
}

// ---------------------------------------------------------------------------------------------
// update(): the TD target

TEST_CASE("a terminal transition's target is its scaled reward, and its Q moves there") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(5);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.lr = 1e-2f;
  agent->init(c, rng);
  // As record() would store a +10 goal step: reward 10 * 0.1 = 1.
  fill_replay_with(*agent, make_transition(19, kNorth, 1.0f, 24, true, 1));
  double q0[Game::kActions];
  hand_q(agent->online, 19, q0);
  REQUIRE(std::fabs(q0[kNorth] - 1.0) > 0.3);  // far from the target at the start

  const float loss = agent->update(rng);
  const double d = q0[kNorth] - 1.0;
  const double huber = std::fabs(d) < 1.0 ? 0.5 * d * d : std::fabs(d) - 0.5;
  CHECK(loss == doctest::Approx(huber).epsilon(1e-5));
  for (int b = 0; b < SmallAgent::kBatch; ++b) {
    CHECK(agent->y[b] == 1.0f);  // no bootstrap
    CHECK(agent->pred[b] == doctest::Approx(q0[kNorth]).epsilon(1e-5));  // Q_online(s, a) before the step
  }
  for (int i = 0; i < 300; ++i) agent->update(rng);
  double q1[Game::kActions];
  hand_q(agent->online, 19, q1);
  CHECK(std::fabs(q1[kNorth] - 1.0) < 0.02);
  CHECK(agent->updates == 301);
}

TEST_CASE("an update changes only the taken action's output weights") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(5);
  agent->init(make_config(1, 0.9f, 0.1f), rng);
  fill_replay_with(*agent, make_transition(12, kEast, 1.0f, 14, true, 1));
  static SmallNet before;
  before.copy_from(agent->online);
  for (int i = 0; i < 5; ++i) agent->update(rng);
  constexpr int H = SmallNet::kSizes[1], A = Game::kActions;
  const float* w_before = before.weight(1);
  const float* w_after = agent->online.weight(1);
  int changed_taken = 0, changed_other = 0;
  for (int j = 0; j < H; ++j)
    for (int a = 0; a < A; ++a) (a == kEast ? changed_taken : changed_other) += w_before[j * A + a] != w_after[j * A + a];
  for (int a = 0; a < A; ++a)
    (a == kEast ? changed_taken : changed_other) += before.bias(1)[a] != agent->online.bias(1)[a];
  CHECK(changed_other == 0);
  CHECK(changed_taken > 0);
  // The first layer: only row 12 (the one-hot input) and the biases can have a gradient.
  int changed_rows_elsewhere = 0;
  for (int s = 0; s < Game::kObs; ++s)
    for (int j = 0; j < H; ++j)
      if (s != 12) changed_rows_elsewhere += before.weight(0)[s * H + j] != agent->online.weight(0)[s * H + j];
  CHECK(changed_rows_elsewhere == 0);
}

TEST_CASE("a non-terminal target is R + gamma^k max_a Q_target(s2, a) from the frozen target network") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(9);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.lr = 1e-2f;
  agent->init(c, rng);
  static SmallNet frozen;
  frozen.copy_from(agent->target);
  REQUIRE(same_params(agent->target, agent->online));

  // Move the online network away from the target first, so that bootstrapping from the wrong
  // network would give another value.
  fill_replay_with(*agent, make_transition(12, kEast, 1.0f, 14, true, 1));
  for (int i = 0; i < 50; ++i) agent->update(rng);
  REQUIRE_FALSE(same_params(agent->online, frozen));

  struct Case { int s, a; float R; int s2, k; };
  const Case cases[] = {{2, kEast, 0.3f, 3, 1}, {10, kNorth, -0.2f, 20, 2}, {14, kNorth, 0.05f, 19, 3},
                        {0, kNorth, -0.271f, 15, 3}};
  for (const Case& cs : cases) {
    CAPTURE(cs.s2);
    CAPTURE(cs.k);
    double qt[Game::kActions], qo[Game::kActions];
    hand_q(frozen, cs.s2, qt);
    hand_q(agent->online, cs.s2, qo);
    const double g_k = std::pow(0.9, cs.k);
    const double expected = cs.R + g_k * qt[argmax_of(qt, Game::kActions)];
    const double from_online = cs.R + g_k * qo[argmax_of(qo, Game::kActions)];
    REQUIRE(std::fabs(expected - from_online) > 1e-3);  // the test tells the networks apart
    REQUIRE(std::fabs(expected - cs.R) > 1e-3);         // and sees the bootstrap term
    fill_replay_with(*agent, make_transition(cs.s, cs.a, cs.R, cs.s2, false, cs.k));
    agent->update(rng);
    for (int b = 0; b < SmallAgent::kBatch; ++b) CHECK(agent->y[b] == doctest::Approx(expected).epsilon(1e-5));
    // The next update has the same target: the target network did not move.
    agent->update(rng);
    CHECK(agent->y[0] == doctest::Approx(expected).epsilon(1e-5));
  }
  CHECK(same_params(agent->target, frozen));
}

namespace {

// The target y of one non-terminal transition after the online network's preference at s2 has
// been forced onto the action the target network ranks lowest. Returns y; writes the two
// candidates: Q_target at the target's own argmax and at the online argmax.
double y_with_disagreeing_networks(bool double_dqn, double* y_target_argmax, double* y_online_argmax) {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(13);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.double_dqn = double_dqn;
  agent->init(c, rng);
  const int s = 7, s2 = 2, k = 2;
  const float R = -0.1f;
  double qt[Game::kActions];
  hand_q(agent->target, s2, qt);
  const int a_target = argmax_of(qt, Game::kActions);
  int a_low = 0;
  for (int a = 1; a < Game::kActions; ++a)
    if (qt[a] < qt[a_low]) a_low = a;
  agent->online.bias(SmallNet::kLayers - 1)[a_low] += 10.0f;  // online now prefers a_low everywhere
  double qo[Game::kActions];
  hand_q(agent->online, s2, qo);
  REQUIRE(argmax_of(qo, Game::kActions) == a_low);
  REQUIRE(a_low != a_target);
  *y_target_argmax = R + 0.81 * qt[a_target];
  *y_online_argmax = R + 0.81 * qt[a_low];  // Q_target evaluated at the online choice
  REQUIRE(std::fabs(*y_target_argmax - *y_online_argmax) > 1e-3);
  fill_replay_with(*agent, make_transition(s, kSouth, R, s2, false, k));
  agent->update(rng);
  for (int b = 1; b < SmallAgent::kBatch; ++b) CHECK(agent->y[b] == agent->y[0]);
  return agent->y[0];
}

}  // namespace

TEST_CASE("Double DQN evaluates Q_target at the online network's argmax") {
  double y_target_argmax = 0, y_online_argmax = 0;
  const double y = y_with_disagreeing_networks(true, &y_target_argmax, &y_online_argmax);
  CHECK(y == doctest::Approx(y_online_argmax).epsilon(1e-5));
  CHECK(y != doctest::Approx(y_target_argmax).epsilon(1e-5));
}

TEST_CASE("plain DQN evaluates Q_target at the target network's own argmax") {
  double y_target_argmax = 0, y_online_argmax = 0;
  const double y = y_with_disagreeing_networks(false, &y_target_argmax, &y_online_argmax);
  CHECK(y == doctest::Approx(y_target_argmax).epsilon(1e-5));
  CHECK(y != doctest::Approx(y_online_argmax).epsilon(1e-5));
}

// ---------------------------------------------------------------------------------------------
// The target network

TEST_CASE("the target network is copied from the online one every target_every updates") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(17);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.target_every = 3;
  agent->init(c, rng);
  fill_replay_with(*agent, make_transition(12, kEast, 0.5f, 14, false, 1));
  static SmallNet initial, after3;
  initial.copy_from(agent->target);
  agent->update(rng);
  agent->update(rng);
  CHECK(same_params(agent->target, initial));
  CHECK_FALSE(same_params(agent->online, initial));
  agent->update(rng);
  CHECK(same_params(agent->target, agent->online));
  after3.copy_from(agent->online);
  agent->update(rng);
  agent->update(rng);
  CHECK(same_params(agent->target, after3));
  CHECK_FALSE(same_params(agent->online, after3));
  agent->update(rng);
  CHECK(same_params(agent->target, agent->online));
}

TEST_CASE("with tau > 0 the target network moves tau of the way to the online one each update") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(19);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.tau = 0.25f;
  c.lr = 1e-2f;
  agent->init(c, rng);
  fill_replay_with(*agent, make_transition(12, kEast, 0.5f, 14, false, 1));
  static SmallNet old_target;
  for (int u = 0; u < 3; ++u) {
    old_target.copy_from(agent->target);
    agent->update(rng);
    int wrong = 0, moved = 0;
    for (int i = 0; i < SmallNet::kParams; ++i) {
      const double expected = old_target.params[i] + 0.25 * (double(agent->online.params[i]) - old_target.params[i]);
      wrong += std::fabs(agent->target.params[i] - expected) > 1e-6;
      moved += agent->target.params[i] != old_target.params[i];
    }
    CHECK(wrong == 0);
    CHECK(moved > 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Determinism and learning

TEST_CASE("two agents trained with the same seed have bit-identical weights") {
  using Agent = saerl::DqnAgent<Game, SmallNet, 16, 1000>;
  saerl::DqnConfig c = make_config(2, 0.95f, 0.1f);
  c.lr = 1e-3f;
  c.learn_start = 100;
  c.train_every = 1;
  c.target_every = 50;
  c.double_dqn = true;
  const saerl::LinearSchedule eps{1.0f, 0.1f, 300};
  auto train = [&](uint64_t seed, std::unique_ptr<Agent>& agent) {
    agent = std::make_unique<Agent>();
    saerl::Rng rng(seed);
    agent->init(c, rng);
    train_on_maze(*agent, eps, 500, rng);
  };
  std::unique_ptr<Agent> a, b, other;
  train(21, a);
  train(21, b);
  train(22, other);
  REQUIRE(a->updates > 300);  // about one a step once 100 are stored
  CHECK(b->updates == a->updates);
  CHECK(std::memcmp(a->online.params, b->online.params, sizeof(a->online.params)) == 0);
  CHECK(std::memcmp(a->target.params, b->target.params, sizeof(a->target.params)) == 0);
  CHECK(a->last_loss == b->last_loss);
  CHECK(std::memcmp(a->online.params, other->online.params, sizeof(a->online.params)) != 0);
}

// ---------------------------------------------------------------------------------------------
// prioritized replay

TEST_CASE("with prioritized replay a new transition gets the largest priority seen so far") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(3);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.priority_alpha = 0.6f;
  agent->init(c, rng);
  CHECK(agent->max_priority == 1.0f);
  agent->max_priority = 2.5f;
  agent->record(3, kEast, 1.0f, 4, false);
  agent->record(4, kEast, 1.0f, 5, false);
  CHECK(agent->priority.weight(0) == 2.5f);
  CHECK(agent->priority.weight(1) == 2.5f);
  CHECK(agent->priority.total() == 5.0f);
  agent->init(c, rng);  // init clears the priorities with the replay
  CHECK(agent->priority.total() == 0.0f);
}

TEST_CASE("with equal priorities a prioritized update is the uniform one, and the drawn slots get (|delta| + 0.001)^alpha") {
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  auto uniform = std::make_unique<SmallAgent>(), prioritized = std::make_unique<SmallAgent>();
  saerl::Rng r1(5), r2(5);
  uniform->init(c, r1);
  c.priority_alpha = 0.6f;
  prioritized->init(c, r2);
  const Transition t = make_transition(19, kNorth, 1.0f, 24, true, 1);
  fill_replay_with(*uniform, t);
  fill_replay_with(*prioritized, t);
  for (int i = 0; i < SmallAgent::kBatch; ++i) prioritized->priority.set(i, 1.0f);
  double q0[Game::kActions];
  hand_q(prioritized->online, 19, q0);
  uniform->update(r1);
  prioritized->update(r2);
  // every weight (size P)^-beta / max is 1: the same gradient, whichever slots were drawn
  CHECK(std::memcmp(uniform->online.params, prioritized->online.params, sizeof(uniform->online.params)) == 0);
  const double expected = std::pow(std::fabs(q0[kNorth] - 1.0) + 1e-3, 0.6);
  int drawn = 0;
  for (int i = 0; i < SmallAgent::kBatch; ++i) {
    const float w = prioritized->priority.weight(i);
    if (w == 1.0f) continue;  // not drawn
    ++drawn;
    CHECK(w == doctest::Approx(expected).epsilon(1e-4));
  }
  CHECK(drawn > 0);
}

TEST_CASE("reprioritize scales each dL/dpred by (size P(i))^-beta / max and stores (|delta| + 0.001)^alpha") {
  auto agent = std::make_unique<SmallAgent>();
  saerl::Rng rng(3);
  saerl::DqnConfig c = make_config(1, 0.9f, 0.1f);
  c.priority_alpha = 0.5f;
  c.priority_beta = 0.5f;
  agent->init(c, rng);
  constexpr int B = SmallAgent::kBatch;
  fill_replay_with(*agent, make_transition(3, kEast, 0.0f, 4, true, 1));
  int slot[B];
  for (int b = 0; b < B; ++b) {
    agent->priority.set(b, float(b + 1));  // P(b) = (b + 1) / 36 for B = 8
    slot[b] = b;
    agent->dpred[b] = 1.0f;
    agent->pred[b] = 0.1f * float(b);
    agent->y[b] = 0.0f;
  }
  REQUIRE(B == 8);
  agent->reprioritize(slot);
  for (int b = 0; b < B; ++b) {
    // w_b = (8 (b + 1) / 36)^-1/2, largest at b = 0: w_b / w_0 = (b + 1)^-1/2
    CHECK(agent->dpred[b] == doctest::Approx(1.0 / std::sqrt(b + 1.0)).epsilon(1e-5));
    CHECK(agent->priority.weight(b) == doctest::Approx(std::sqrt(0.1 * b + 1e-3)).epsilon(1e-4));
  }
}

// Learning the maze itself is checked with the teaching example (examples/maze_dqn.hpp) in
// tests/test_examples.cpp.

TEST_CASE("noise injection adds N(0, sigma^2) to z_l in the training forward pass, and only there") {
  using Net2 = saerl::Mlp<float, Game::kObs, 16, 12, Game::kActions>;
  using Agent = saerl::DqnAgent<Game, Net2, 8, 64>;
  constexpr int B = Agent::kBatch, A = Game::kActions;
  saerl::DqnConfig c = make_config(1, 0.9f, 1.0f);
  c.hidden_noise = 0.5f;
  c.noise_layer = 1;
  auto agent = std::make_unique<Agent>();
  saerl::Rng rng(5);
  agent->init(c, rng);
  Agent::Transition t;  // terminal: y = 1
  t.s = 3;
  t.s2 = 4;
  t.action = uint8_t(kEast);
  t.steps = 1;
  t.done = 1;
  t.reward = 1.0f;
  agent->replay.clear();
  for (int i = 0; i < B; ++i) agent->replay.push(t);

  // What the update should compute, replaying its random draws: B samples, then the noise.
  saerl::Rng copy = rng;
  for (int b = 0; b < B; ++b) agent->replay.sample(copy);
  float x[B * Game::kObs], pred[B], clean[B], y[B], d[B];
  for (int b = 0; b < B; ++b) Game::observe(t.s, x + b * Game::kObs);
  auto acts = std::make_unique<saerl::MlpActivations<Net2, B>>();
  const float* q = saerl::mlp_forward(agent->online, x, B, *acts);
  for (int b = 0; b < B; ++b) clean[b] = q[b * A + kEast], y[b] = 1.0f;
  float* z = acts->pre(1);
  float noise[B * 12];
  copy.fill_normal(noise, B * 12);
  for (int i = 0; i < B * 12; ++i) z[i] += 0.5f * noise[i];
  q = saerl::mlp_forward_from(agent->online, 2, z, B, *acts);
  for (int b = 0; b < B; ++b) pred[b] = q[b * A + kEast];
  const float expected = saerl::huber_loss(pred, y, B, d, c.huber_delta);
  const float without_noise = saerl::huber_loss(clean, y, B, d, c.huber_delta);

  float before[A], after[A];
  agent->q_values(t.s, before);
  const float loss = agent->update(rng);
  CHECK(loss == doctest::Approx(expected).epsilon(1e-6));
  CHECK(std::fabs(loss - without_noise) > 1e-4);  // the noise did reach the loss
  // acting reads the network without noise: q_values equals a plain forward pass
  agent->q_values(t.s, after);
  q = saerl::mlp_forward(agent->online, x, 1, *acts);
  for (int a = 0; a < A; ++a) CHECK(after[a] == q[a]);
  CHECK(std::memcmp(before, after, sizeof before) != 0);  // (the update did change the network)
}

TEST_CASE("with symmetry augmentation one transition teaches all eight images of itself") {
  using Game = saerl::RookCheckmate<5>;
  using Net = saerl::Mlp<float, Game::kObs, 32, Game::kActions>;
  using RookAgent = saerl::DqnAgent<Game, Net, 16, 32>;
  auto trained_q = [](bool symmetries, int g) {
    auto agent = std::make_unique<RookAgent>();
    saerl::Rng rng(3);
    saerl::DqnConfig c = make_config(1, 0.9f, 1.0f);
    c.symmetries = symmetries;
    c.grad_clip = 0;
    agent->init(c, rng);
    const Game::Position p = Game::make(6, 0, 18);  // K b2, R a1, k d4: no symmetry maps it to itself
    const int a = 8 + 1;                            // R E 2
    for (int i = 0; i < 16; ++i) agent->record(p, a, 1.0f, p, true);
    for (int u = 0; u < 400; ++u) agent->update(rng);
    float q[Game::kActions];
    agent->q_values(Game::transform(p, g), q);
    return q[Game::transform_action(a, g)];
  };
  for (int g = 0; g < Game::kSymmetries; ++g) CHECK(trained_q(true, g) == doctest::Approx(1.0).epsilon(0.05));
  CHECK(trained_q(false, 0) == doctest::Approx(1.0).epsilon(0.05));
  CHECK(std::fabs(trained_q(false, 5) - 1.0f) > 0.2f);  // without it, an image is not learnt
}
