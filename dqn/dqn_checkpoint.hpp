// saerl/dqn/dqn_checkpoint.hpp — everything a DqnAgent and its DqnRunner carry from one step to
// the next, as checkpoint fields (core/io/checkpoint.hpp), and the checks a loaded checkpoint must
// pass before the agent may run on it.
//
//   template <class Ar> void run_fields(Ar& ar) {      // the caller adds env, RNGs, counters
//     saerl::dqn_agent_fields(ar, *agent);
//     saerl::dqn_runner_fields(ar, runner);
//   }
//   s = saerl::load_checkpoint(path, kind, [&](auto& ar) { run_fields(ar); });
//   if (s.ok()) s = saerl::check_dqn_agent(*agent, [](const Game::State& st) { return ...in range...; });
//
// The agent's fields: both networks, Adam's moments, step and learning rate, the counters, the
// whole replay ring (every slot, field by field, so padding never reaches the file) with its
// size and write position, the replay priorities when prioritized, and the n-step window. Its
// configuration is not saved: it comes from the same options on resume. Work buffers are not
// state.
#pragma once
#include <cmath>
#include <type_traits>

#include "../core/io/checkpoint.hpp"
#include "dqn_agent.hpp"
#include "train.hpp"

namespace saerl {

template <class Ar, class Agent>
void dqn_agent_fields(Ar& ar, Agent& a) {
  using Net = typename Agent::Network;
  ar.array(a.online.params, Net::kParams);
  ar.array(a.target.params, Net::kParams);
  adam_fields(ar, a.adam);
  ar.value(a.updates);
  ar.value(a.steps);
  ar.value(a.last_loss);
  ar.value(a.replay.size);
  ar.value(a.replay.next);
  for (auto& t : a.replay.items) {
    ar.value(t.s);
    ar.value(t.s2);
    ar.value(t.action);
    ar.value(t.steps);
    ar.value(t.done);
    ar.value(t.reward);
  }
  if (a.config.priority_alpha > 0) {  // (the configuration comes from the same options on resume)
    ar.array(a.priority.node, 2 * decltype(a.priority)::kLeaves);
    ar.value(a.max_priority);
  }
  ar.value(a.pending_count);
  for (auto& p : a.pending) {
    ar.value(p.s);
    ar.value(p.action);
    ar.value(p.explored);
    ar.value(p.reward);
  }
}

template <class Ar, class Runner>
void dqn_runner_fields(Ar& ar, Runner& r) {
  ar.value(r.steps);
  ar.value(r.episodes);
  ar.value(r.episode_steps);
  ar.value(r.episode_return);
  ar.value(r.last_return);
}

// A loaded agent's indices are in range (a checksum proves the file is as written, not that
// the writer was sound): replay size and position, the priorities, the n-step window, each
// stored action and step count, and every stored state by `state_ok`. Then the divergence guard.
template <class Agent, class StateOk>
Status check_dqn_agent(const Agent& a, StateOk&& state_ok) {
  const auto& r = a.replay;
  const int cap = std::decay_t<decltype(r)>::kCapacity;
  if (r.size < 0 || r.size > cap || r.next < 0 || r.next >= cap || (r.size < cap && r.next != r.size))
    return Status::error(StatusCode::invalid_argument, "checkpoint: replay size %d, position %d, capacity %d",
                         r.size, r.next, cap);
  if (a.pending_count < 0 || a.pending_count >= a.config.n_step)
    return Status::error(StatusCode::invalid_argument, "checkpoint: n-step window of %d for n = %d",
                         a.pending_count, a.config.n_step);
  if (a.updates < 0 || a.steps < 0 || a.adam.step != a.updates)
    return Status::error(StatusCode::invalid_argument, "checkpoint: counters out of range");
  for (int i = 0; i < r.size; ++i) {
    const auto& t = r.items[i];
    if (t.action >= Agent::kActions || t.steps < 1 || t.steps > Agent::kMaxNStep || t.done > 1 || !state_ok(t.s) ||
        !state_ok(t.s2))
      return Status::error(StatusCode::invalid_argument, "checkpoint: replay entry %d is out of range", i);
  }
  if (a.config.priority_alpha > 0) {  // every stored slot weighs more than 0, the rest 0; sums exact
    const auto& tree = a.priority;
    const int leaves = std::decay_t<decltype(tree)>::kLeaves;
    bool ok = std::isfinite(a.max_priority) && a.max_priority > 0;
    for (int i = 0; ok && i < leaves; ++i) {
      const float w = tree.weight(i);
      ok = i < r.size ? std::isfinite(w) && w > 0 : w == 0;
    }
    for (int k = 1; ok && k < leaves; ++k) ok = tree.node[k] == tree.node[2 * k] + tree.node[2 * k + 1];
    if (!ok) return Status::error(StatusCode::invalid_argument, "checkpoint: the replay priorities are out of range");
  }
  for (int i = 0; i < a.pending_count; ++i)
    if (a.pending[i].action >= Agent::kActions || a.pending[i].explored > 1 || !state_ok(a.pending[i].s))
      return Status::error(StatusCode::invalid_argument, "checkpoint: n-step entry %d is out of range", i);
  return a.check_finite(a.steps);
}

}  // namespace saerl
