// saerl/dqn/replay_buffer.hpp — a fixed-capacity ring of transitions for experience replay.
//
//   saerl::ReplayBuffer<MyTransition, 50000> replay;   // large: static or one unique_ptr
//   replay.push(t);                                   // overwrites the oldest when full
//   const MyTransition& u = replay.sample(rng);       // uniform over what is stored
//
// The transition type is the caller's: keep it compact (the rook checkmate stores two
// positions of three squares, not two 75-float observations).
#pragma once
#include "../core/base/rng.hpp"

namespace saerl {

template <class Transition, int Capacity>
struct ReplayBuffer {
  static_assert(Capacity > 0, "ReplayBuffer: the capacity must be positive");
  static constexpr int kCapacity = Capacity;

  Transition items[Capacity];
  int size = 0;  // how many are stored, up to Capacity
  int next = 0;  // where the next push goes

  void clear() { size = next = 0; }
  // Stores t in the oldest slot once full; returns the slot it went to.
  int push(const Transition& t) {
    const int slot = next;
    items[slot] = t;
    next = next + 1 == Capacity ? 0 : next + 1;
    if (size < Capacity) ++size;
    return slot;
  }
  // Uniform over the stored transitions (a slot, or the transition in it); the buffer must
  // not be empty.
  int sample_slot(Rng& rng) const { return int(rng.below(uint32_t(size))); }
  const Transition& sample(Rng& rng) const { return items[sample_slot(rng)]; }
};

}  // namespace saerl
