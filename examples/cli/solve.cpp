// saerl solve: the rook checkmate solved exactly on an N x N board: the distance to mate of
// every position (retrograde analysis) and the best expected return against the random black.
#include <chrono>
#include <memory>

#include "../../gridworld/rook_exact.hpp"
#include "../../gridworld/rook_solver.hpp"
#include "commands.hpp"

namespace saerl {
namespace {

template <int N>
int solve() {
  const auto t0 = std::chrono::steady_clock::now();
  auto solver = std::make_unique<RookSolver<N>>();
  solver->solve(1.0f);
  auto exact = std::make_unique<RookExact<N>>();
  exact->init(RookCheckmate<N>::Opponent::random);
  const auto s = solver->summary();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%dx%d rook checkmate, solved in %.2f s\n  legal positions (white to move): %d\n"
              "  won for white: %d\n  longest forced mate: %d moves\n"
              "  against the random black, the best policy's expected return %.3f, moves to mate %.3f\n",
              N, N, seconds, s.legal_positions, s.won_positions, s.longest_mate, exact->optimal.expected_return,
              exact->optimal.moves_to_mate);
  return 0;
}

}  // namespace

int cmd_solve(const Options& o) {
  switch (o.board ? o.board : 5) {
    case 6: return solve<6>();
    case 7: return solve<7>();
    case 8: return solve<8>();
    default: return solve<5>();
  }
}

}  // namespace saerl
