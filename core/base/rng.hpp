// saerl/core/base/rng.hpp — the library's own deterministic random number generator.
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
//   rng.fill_normal(z_array, n);     // n of them at once, in float: for noise in bulk
//   saerl::Rng child = rng.split();  // an independent stream for a sub-task
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

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
    state_ = old * kMultiplier + inc_;
    return output(old);
  }

  // out[0 .. n) = the next n values of next_u32(), the same stream, four at a time: four states
  // a step apart each advance four steps at once, s <- a^4 s + (a^3 + a^2 + a + 1) inc (mod
  // 2^64), so that their multiplications do not wait for one another.
  void fill_u32(uint32_t* out, int n) {
    const uint64_t a = kMultiplier, a4 = a * a * a * a, c4 = (a * a * a + a * a + a + 1) * inc_;
    uint64_t s[4] = {state_, 0, 0, 0};
    for (int j = 1; j < 4; ++j) s[j] = s[j - 1] * a + inc_;
    int i = 0;
    for (; i + 4 <= n; i += 4)
      for (int j = 0; j < 4; ++j) {
        out[i + j] = output(s[j]);
        s[j] = s[j] * a4 + c4;
      }
    state_ = s[0];
    for (; i < n; ++i) out[i] = next_u32();
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

  // z[0 .. n) = standard normal floats, by Box-Muller in float: per pair, two 24-bit uniforms
  // u1 in (0, 1] and u2 in [0, 1) give r = sqrt(-2 ln u1) and the angle a = 2 pi u2 - pi, and
  // (z0, z1) = (r cos a, r sin a) (an odd n drops the last sine). ln, sqrt, cos and sin are
  // the polynomials and Newton steps of detail::ln_unit, detail::sqrt_newton and
  // detail::cos_sin below, accurate to about 1e-6, with no call into libm: the loop over a
  // block vectorizes, and the floats are the same on every IEEE-754 platform that rounds
  // (and fuses, or not) the same. |z| <= 5.8 (u1 >= 2^-24).
  void fill_normal(float* z, int n);

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
  static constexpr uint64_t kMultiplier = 6364136223846793005ULL;
  // PCG's XSH-RR output of a state
  static uint32_t output(uint64_t old) {
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  uint64_t state_ = 0;
  uint64_t inc_ = 1;
};

namespace detail {

// ln(x) for x in (0, 1]: x = 2^e m with m in [1, 2), and
// ln m = 2 atanh(s) = 2 (s + s^3/3 + ... + s^13/13), s = (m - 1) / (m + 1) in [0, 1/3)
// (the next term is below 1e-8).
inline float ln_unit(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int32_t e = int32_t(bits >> 23) - 127;
  bits = (bits & 0x7fffffu) | 0x3f800000u;
  float m;
  std::memcpy(&m, &bits, sizeof m);
  const float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
  const float series =
      1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9 + s2 * (1.0f / 11 + s2 * (1.0f / 13))))));
  return float(e) * 0.693147181f + 2.0f * s * series;
}

// cos(a) and sin(a) for a in [-pi, pi], from the Taylor series of h = a / 2 in [-pi/2, pi/2]
// (terms to h^12 and h^11) and the double angle: cos a = c^2 - s^2, sin a = 2 s c.
inline void cos_sin(float a, float* cos_a, float* sin_a) {
  const float h = 0.5f * a, h2 = h * h;
  const float s = h * (1.0f - h2 / 6 * (1.0f - h2 / 20 * (1.0f - h2 / 42 * (1.0f - h2 / 72 * (1.0f - h2 / 110)))));
  const float c = 1.0f - h2 / 2 * (1.0f - h2 / 12 * (1.0f - h2 / 30 * (1.0f - h2 / 56 * (1.0f - h2 / 90 * (1.0f - h2 / 132)))));
  *cos_a = c * c - s * s;
  *sin_a = 2.0f * s * c;
}

// sqrt(x) for x >= 0 as x / sqrt(x): 1 / sqrt(x) from the exponent-halving bit estimate
// (relative error below 3.5e-2) and three Newton steps y <- y (3/2 - x y^2 / 2), each of which
// squares the error. (std::sqrt keeps a branch to set errno, which stops vectorization.)
inline float sqrt_newton(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits = 0x5f3759dfu - (bits >> 1);
  float y;
  std::memcpy(&y, &bits, sizeof y);
  y = y * (1.5f - 0.5f * x * y * y);
  y = y * (1.5f - 0.5f * x * y * y);
  y = y * (1.5f - 0.5f * x * y * y);
  return x * y;
}

}  // namespace detail

inline void Rng::fill_normal(float* z, int n) {
  constexpr int kPairs = 64;  // per block; the last block draws only the pairs it needs
  for (int i0 = 0; i0 < n; i0 += 2 * kPairs) {
    const int pairs = n - i0 >= 2 * kPairs ? kPairs : (n - i0 + 1) / 2;
    uint32_t bits[2 * kPairs];
    fill_u32(bits, 2 * pairs);
    int32_t u1[kPairs] = {}, u2[kPairs] = {};  // 24-bit integers
    for (int p = 0; p < pairs; ++p) {
      u1[p] = int32_t(bits[2 * p] >> 8);
      u2[p] = int32_t(bits[2 * p + 1] >> 8);
    }
    float out[2 * kPairs];
    for (int p = 0; p < kPairs; ++p) {
      const float r = detail::sqrt_newton(-2.0f * detail::ln_unit(float(u1[p] + 1) * (1.0f / 16777216.0f)));
      float c, s;
      detail::cos_sin(float(u2[p]) * (6.28318531f / 16777216.0f) - 3.14159265f, &c, &s);
      out[2 * p] = r * c;
      out[2 * p + 1] = r * s;
    }
    const int count = n - i0 < 2 * kPairs ? n - i0 : 2 * kPairs;
    std::memcpy(z + i0, out, sizeof(float) * std::size_t(count));
  }
}

}  // namespace saerl
