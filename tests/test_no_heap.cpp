// Counts calls to the global operator new while the hot paths run: they must make none.
#include <doctest/doctest.h>

#include <cstdlib>
#include <new>

#include "core/nn/loss.hpp"
#include "core/nn/mlp.hpp"
#include "core/nn/optim.hpp"

namespace {
int g_counting = 0;
long g_allocations = 0;
}  // namespace

// The replacements pair malloc with free; GCC's -Wmismatched-new-delete sees the inlined
// operator new/delete pair at -O1 and cannot tell they are ours.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  std::abort();
}
void* operator new[](std::size_t size) { return operator new(size); }
// the nothrow forms too (std::stable_sort's buffer uses them), so every new pairs with free
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (g_counting) ++g_allocations;
  return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

TEST_CASE("MLP forward, backward and an Adam step make no heap allocation") {
  using Net = saerl::Mlp<float, 75, 128, 128, 24>;
  static Net net, grad;
  static saerl::MlpActivations<Net, 32> acts;
  static saerl::Adam<float, Net::kParams> adam;
  static float x[32 * 75], target[32 * 24], dy[32 * 24];
  saerl::Rng rng(1);
  net.init(rng);
  for (float& v : x) v = rng.uniform();

  g_allocations = 0;
  g_counting = 1;
  const float* y = saerl::mlp_forward(net, x, 32, acts);
  saerl::huber_loss(y, target, 32 * 24, dy);
  grad.zero();
  saerl::mlp_backward(net, acts, dy, &grad, static_cast<float*>(nullptr));
  adam.update(net.params, grad.params);
  g_counting = 0;
  CHECK(g_allocations == 0);

  // The counter itself works: a real allocation is seen. (An explicit call: a new-expression
  // may be elided by the optimizer.)
  g_counting = 1;
  void* probe = ::operator new(16);
  g_counting = 0;
  CHECK(g_allocations == 1);
  ::operator delete(probe);
}
