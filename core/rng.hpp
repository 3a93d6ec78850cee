// saerl/core/rng.hpp — the library's own deterministic random number generator.
//
// PCG32 (O'Neill 2014, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
// Algorithms for Random Number Generation"): 64-bit LCG state, XSH-RR output permutation.
// The integer and uniform streams are identical on every platform and compiler; we never use
// <random>'s distributions, whose output differs between standard libraries.
//
//   saerl::Rng rng(42);              // one seed fixes everything
//   float u = rng.uniform();         // [0, 1)
//   int   a = rng.below(24);         // 0..23, no modulo bias
//   float z = rng.normal();          // mean 0, variance 1
//   saerl::Rng child = rng.split();  // an independent stream for a sub-task
#pragma once
#include <cmath>
#include <cstdint>

namespace saerl {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0x853c49e6748fea9bULL, uint64_t stream = 0xda3e39cb94b95bdbULL) {
    seed_with(seed, stream);
  }

  void seed_with(uint64_t seed, uint64_t stream = 0xda3e39cb94b95bdbULL) {
    state_ = 0;
    inc_ = (stream << 1u) | 1u;
    next_u32();
    state_ += seed;
    next_u32();
  }

  uint32_t next_u32() {
    uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  // Uniform in [0, 1) with 24 random bits: every value is exactly representable in float.
  float uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

  // Uniform in [0, 1) with 53 random bits.
  double uniform_double() {
    uint64_t hi = next_u32() >> 5, lo = next_u32() >> 6;  // 27 + 26 bits
    return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
  }

  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), n >= 1, without modulo bias: Lemire's multiply-and-reject
  // ("Fast Random Integer Generation in an Interval", 2019).
  uint32_t below(uint32_t n) {
    uint64_t m = static_cast<uint64_t>(next_u32()) * n;
    uint32_t low = static_cast<uint32_t>(m);
    if (low < n) {
      uint32_t threshold = static_cast<uint32_t>(-n) % n;  // 2^32 mod n
      while (low < threshold) {
        m = static_cast<uint64_t>(next_u32()) * n;
        low = static_cast<uint32_t>(m);
      }
    }
    return static_cast<uint32_t>(m >> 32);
  }

  // Standard normal by Box-Muller: z = sqrt(-2 ln u1) cos(2 pi u2), u1 in (0, 1].
  // (Uses libm's log/cos/sqrt, which are correctly rounded on the platforms we test.)
  double normal_double() {
    double u1 = 1.0 - uniform_double();
    double u2 = uniform_double();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  float normal() { return static_cast<float>(normal_double()); }

  // A new generator whose stream is drawn from this one: for independent sub-tasks.
  Rng split() {
    uint64_t seed = (static_cast<uint64_t>(next_u32()) << 32) | next_u32();
    uint64_t stream = (static_cast<uint64_t>(next_u32()) << 32) | next_u32();
    return Rng(seed, stream);
  }

  // The whole state, for checkpoints.
  uint64_t state() const { return state_; }
  uint64_t increment() const { return inc_; }
  void restore(uint64_t state, uint64_t increment) { state_ = state; inc_ = increment | 1u; }

 private:
  uint64_t state_ = 0;
  uint64_t inc_ = 1;
};

}  // namespace saerl
