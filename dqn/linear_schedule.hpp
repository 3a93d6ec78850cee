// saerl/dqn/linear_schedule.hpp — a value annealed linearly over training steps: epsilon for
// epsilon-greedy exploration, or the learning rate.
//
//   saerl::LinearSchedule eps{0.3f, 0.01f, 500000};   // start, end, steps to get there
//   float e = eps.at(step);                             // start -> end, then stays at end
#pragma once

namespace saerl {

struct LinearSchedule {
  float start = 0.3f;
  float end = 0.01f;
  long steps = 100000;  // steps over which the value moves from start to end

  // eps(t) = start + (end - start) * min(t / steps, 1)
  float at(long t) const {
    if (steps <= 0 || t >= steps) return end;
    return start + (end - start) * float(double(t) / double(steps));
  }
};

}  // namespace saerl
