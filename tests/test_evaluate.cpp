#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "dqn/evaluate.hpp"

namespace {

using Game = saerl::RookCheckmate<5>;
using Solver = saerl::RookSolver<5>;

struct SolverPolicy {  // perfect play from the solver's table
  const Solver* solver;
  int greedy(Game::Position p) const { return solver->best_action(p); }
};

struct IllegalPolicy {  // always the first move the rules forbid
  int greedy(Game::Position p) const {
    Game::Position after;
    for (int a = 0; a < Game::kActions; ++a)
      if (Game::apply_white(p, a, &after) == Game::Outcome::illegal) return a;
    return 0;
  }
};

std::unique_ptr<Solver> solved() {
  auto s = std::make_unique<Solver>();
  REQUIRE(s->solve(1.0f).ok());
  return s;
}

}  // namespace

TEST_CASE("perfect play mates every game, is optimal everywhere and never needs extra moves") {
  auto solver = solved();
  SolverPolicy policy{solver.get()};
  saerl::Rng rng(3);
  saerl::RookEvaluation e = saerl::evaluate_rook(policy, solver.get(), 300, rng);
  CHECK(e.games == 300);
  CHECK(e.checkmate_rate == 1.0);
  CHECK(e.optimal_action_rate == 1.0);
  CHECK(e.mean_extra_moves <= 0.0);  // a random black can only shorten the mate
  CHECK(e.mean_moves_to_mate >= 1.0);
  CHECK(e.mean_moves_to_mate <= 10.0);  // the longest forced mate on 5x5
}

TEST_CASE("perfect play against the perfect black mates in exactly the solver's distance") {
  auto solver = solved();
  SolverPolicy policy{solver.get()};
  saerl::Rng rng(4);
  saerl::RookEvaluation e = saerl::evaluate_rook(policy, solver.get(), 200, rng, Game::Opponent::perfect);
  CHECK(e.checkmate_rate == 1.0);
  CHECK(e.mean_extra_moves == 0.0);
}

TEST_CASE("a policy that only plays illegal moves loses every game at once") {
  IllegalPolicy policy;
  saerl::Rng rng(5);
  saerl::RookEvaluation e = saerl::evaluate_rook(policy, static_cast<const Solver*>(nullptr), 100, rng);
  CHECK(e.illegal_rate == 1.0);
  CHECK(e.checkmate_rate == 0.0);
  CHECK(e.mean_return == -100.0);
  CHECK(e.optimal_action_rate == -1.0);  // not computed without a solver
}

TEST_CASE("two policies that differ in one position face the same starts, game after game") {
  // Both play an illegal move (the game ends at once) except B at one position, where it plays
  // on: its extra moves draw black's replies, which must not shift the later starts.
  struct Recorder {
    int special = -1;  // B's position index, -1 for A
    std::vector<int> starts;
    bool continuing = false;
    int greedy(Game::Position p) {
      if (!continuing) starts.push_back(Game::index(p));
      const bool play_on = Game::index(p) == special && !continuing;
      continuing = play_on;
      if (!play_on) return IllegalPolicy{}.greedy(p);
      Game::Position after;
      for (int a = 0; a < Game::kActions; ++a)
        if (Game::apply_white(p, a, &after) == Game::Outcome::ongoing) return a;
      return 0;
    }
  };
  Recorder a, b;
  saerl::Rng ra(9), rb(9);
  saerl::evaluate_rook(a, static_cast<const Solver*>(nullptr), 200, ra);
  b.special = a.starts[0];
  const saerl::RookEvaluation eb = saerl::evaluate_rook(b, static_cast<const Solver*>(nullptr), 200, rb);
  REQUIRE(a.starts.size() == 200);
  CHECK(b.starts == a.starts);
  CHECK(eb.illegal_rate == 1.0);  // B's game from the special start ended by its second move
}
