// Tests of dqn/replay_buffer.hpp (filling, the ring's overwrite order, uniform sampling) and of
// dqn/sum_tree.hpp (the draws of prioritized replay).
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "dqn/replay_buffer.hpp"
#include "dqn/sum_tree.hpp"

namespace {

// The values a buffer holds in its first `size` slots, as a presence table over 0..99.
template <class Buffer>
void stored_values(const Buffer& buffer, bool present[100]) {
  for (int v = 0; v < 100; ++v) present[v] = false;
  for (int i = 0; i < buffer.size; ++i) {
    REQUIRE(buffer.items[i] >= 0);
    REQUIRE(buffer.items[i] < 100);
    present[buffer.items[i]] = true;
  }
}

}  // namespace

TEST_CASE("a new replay buffer is empty and reports its capacity") {
  auto buffer = std::make_unique<saerl::ReplayBuffer<int, 7>>();
  CHECK(buffer->size == 0);
  CHECK(buffer->next == 0);
  CHECK(saerl::ReplayBuffer<int, 7>::kCapacity == 7);
}

TEST_CASE("the replay size grows by one a push up to the capacity, then stays there") {
  auto buffer = std::make_unique<saerl::ReplayBuffer<int, 5>>();
  for (int i = 1; i <= 12; ++i) {
    buffer->push(i);
    CHECK(buffer->size == (i < 5 ? i : 5));
    CHECK(buffer->next == i % 5);
  }
}

TEST_CASE("the replay ring overwrites the oldest transition when full") {
  auto buffer = std::make_unique<saerl::ReplayBuffer<int, 5>>();
  for (int v = 0; v < 5; ++v) buffer->push(v);
  for (int i = 0; i < 5; ++i) CHECK(buffer->items[i] == i);  // in push order before wrapping

  buffer->push(5);  // replaces 0, the oldest
  buffer->push(6);  // replaces 1
  const int expected[5] = {5, 6, 2, 3, 4};
  for (int i = 0; i < 5; ++i) CHECK(buffer->items[i] == expected[i]);

  bool present[100];
  stored_values(*buffer, present);
  CHECK_FALSE(present[0]);
  CHECK_FALSE(present[1]);
  for (int v = 2; v <= 6; ++v) CHECK(present[v]);

  // Five more pushes go round the ring once: only the last five, 7..11, remain.
  for (int v = 7; v <= 11; ++v) buffer->push(v);
  stored_values(*buffer, present);
  for (int v = 0; v < 100; ++v) CHECK(present[v] == (v >= 7 && v <= 11));
}

TEST_CASE("clearing the replay buffer empties it and restarts the ring at slot 0") {
  auto buffer = std::make_unique<saerl::ReplayBuffer<int, 4>>();
  for (int v = 0; v < 6; ++v) buffer->push(v);
  buffer->clear();
  CHECK(buffer->size == 0);
  CHECK(buffer->next == 0);
  buffer->push(42);
  CHECK(buffer->size == 1);
  CHECK(buffer->items[0] == 42);
}

TEST_CASE("a partly filled replay buffer samples only what was pushed, each about equally often") {
  auto buffer = std::make_unique<saerl::ReplayBuffer<int, 10>>();
  for (int i = 0; i < 10; ++i) buffer->items[i] = -1;  // slots never pushed to hold -1
  buffer->push(30);
  buffer->push(31);
  buffer->push(32);
  saerl::Rng rng(7);
  int counts[3] = {0, 0, 0};
  const int draws = 3000;
  for (int i = 0; i < draws; ++i) {
    const int& v = buffer->sample(rng);
    REQUIRE(&v >= buffer->items);
    REQUIRE(&v < buffer->items + 3);  // a reference into the stored slots
    REQUIRE(v >= 30);
    REQUIRE(v <= 32);
    ++counts[v - 30];
  }
  // Binomial(3000, 1/3): mean 1000, sd 26; +-150 is more than 5 sd.
  for (int c : counts) {
    CHECK(c > 850);
    CHECK(c < 1150);
  }
}

TEST_CASE("a wrapped replay buffer samples every stored transition and no overwritten one") {
  auto buffer = std::make_unique<saerl::ReplayBuffer<int, 8>>();
  for (int v = 0; v < 20; ++v) buffer->push(v);  // holds 12..19
  saerl::Rng rng(11);
  int counts[20] = {0};
  const int draws = 16000;
  for (int i = 0; i < draws; ++i) {
    int v = buffer->sample(rng);
    REQUIRE(v >= 0);
    REQUIRE(v < 20);
    ++counts[v];
  }
  for (int v = 0; v < 12; ++v) CHECK(counts[v] == 0);
  // Binomial(16000, 1/8): mean 2000, sd 42; +-250 is about 6 sd.
  for (int v = 12; v < 20; ++v) {
    CAPTURE(v);
    CHECK(counts[v] > 1750);
    CHECK(counts[v] < 2250);
  }
}

TEST_CASE("replay sampling is deterministic for a given seed") {
  auto buffer = std::make_unique<saerl::ReplayBuffer<int, 64>>();
  for (int v = 0; v < 64; ++v) buffer->push(v);
  saerl::Rng a(5), b(5), c(6);
  int same = 0, differs = 0;
  for (int i = 0; i < 200; ++i) {
    int va = buffer->sample(a), vb = buffer->sample(b), vc = buffer->sample(c);
    same += va == vb;
    differs += va != vc;
  }
  CHECK(same == 200);
  CHECK(differs > 100);  // another seed gives another sequence (matches 1 in 64 by chance)
}

TEST_CASE("a replay buffer stores a struct transition by value") {
  struct Tr {
    unsigned char s, s2, action, done;
    float reward;
  };
  auto buffer = std::make_unique<saerl::ReplayBuffer<Tr, 3>>();
  Tr t{4, 9, 2, 1, -0.5f};
  buffer->push(t);
  t.reward = 7.0f;  // changing the caller's copy does not change the stored one
  saerl::Rng rng(1);
  const Tr& u = buffer->sample(rng);
  CHECK(u.s == 4);
  CHECK(u.s2 == 9);
  CHECK(u.action == 2);
  CHECK(u.done == 1);
  CHECK(u.reward == -0.5f);
}

TEST_CASE("a sum tree's total is the sum of its weights, and set() replaces a weight") {
  auto tree = std::make_unique<saerl::SumTree<5>>();
  CHECK(saerl::SumTree<5>::kLeaves == 8);
  CHECK(tree->total() == 0.0f);
  tree->set(0, 1.0f);
  tree->set(3, 2.5f);
  tree->set(4, 0.5f);
  CHECK(tree->total() == 4.0f);
  tree->set(3, 1.0f);  // replaced, not added
  CHECK(tree->total() == 2.5f);
  CHECK(tree->weight(3) == 1.0f);
  tree->clear();
  CHECK(tree->total() == 0.0f);
}

TEST_CASE("find() returns the slot whose cumulative range holds the mass, never a slot of weight 0") {
  auto tree = std::make_unique<saerl::SumTree<6>>();
  tree->set(1, 1.0f);  // range [0, 1)
  tree->set(2, 3.0f);  // [1, 4)
  tree->set(5, 2.0f);  // [4, 6)
  CHECK(tree->find(0.0f) == 1);
  CHECK(tree->find(0.999f) == 1);
  CHECK(tree->find(1.0f) == 2);
  CHECK(tree->find(3.999f) == 2);
  CHECK(tree->find(4.0f) == 5);
  CHECK(tree->find(5.999f) == 5);
  CHECK(tree->find(6.0f) == 5);  // a mass rounded up to the total still lands on a weighted slot
  for (float m = 0; m < 6.0f; m += 0.01f) {
    const int i = tree->find(m);
    CHECK(tree->weight(i) > 0.0f);
  }
}

TEST_CASE("draws through a sum tree follow the weights") {
  auto tree = std::make_unique<saerl::SumTree<4>>();
  for (int i = 0; i < 4; ++i) tree->set(i, float(i + 1));  // P = 0.1, 0.2, 0.3, 0.4
  saerl::Rng rng(7);
  constexpr int kDraws = 40000;
  int count[4] = {0, 0, 0, 0};
  for (int d = 0; d < kDraws; ++d) ++count[tree->find(rng.uniform() * tree->total())];
  for (int i = 0; i < 4; ++i) {
    const double p = 0.1 * (i + 1), sd = std::sqrt(p * (1 - p) / kDraws);
    CHECK(std::fabs(double(count[i]) / kDraws - p) < 4 * sd);
  }
}
