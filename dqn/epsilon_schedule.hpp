// saerl/dqn/epsilon_schedule.hpp — epsilon for epsilon-greedy exploration, annealed linearly.
//
//   saerl::EpsilonSchedule eps{0.3f, 0.01f, 500000};   // start, end, steps to get there
//   float e = eps.at(step);                             // start -> end, then stays at end
#pragma once

namespace saerl {

struct EpsilonSchedule {
  float start = 0.3f;
  float end = 0.01f;
  long steps = 100000;  // steps over which epsilon moves from start to end

  // eps(t) = start + (end - start) * min(t / steps, 1)
  float at(long t) const {
    if (steps <= 0 || t >= steps) return end;
    return start + (end - start) * float(double(t) / double(steps));
  }
};

}  // namespace saerl
