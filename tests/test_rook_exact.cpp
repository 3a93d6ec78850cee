#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "dqn/evaluate.hpp"
#include "gridworld/rook_exact.hpp"
#include "gridworld/rook_solver.hpp"

namespace {

using Game = saerl::RookCheckmate<5>;
using Exact = saerl::RookExact<5>;

std::unique_ptr<Exact> exact_against(Game::Opponent opponent, const int8_t* dtm = nullptr) {
  auto e = std::make_unique<Exact>();
  REQUIRE(e->init(opponent, dtm).ok());
  return e;
}

std::unique_ptr<saerl::RookSolver<5>> solved() {
  auto s = std::make_unique<saerl::RookSolver<5>>();
  REQUIRE(s->solve(1.0f).ok());
  return s;
}

// A fixed, poor policy: a hash of the position picks a move that does not lose at once (a
// mate only half the time it is there), and now and then any move, so games run long and
// end every way.
int scattered_action(Game::Position p) {
  const uint32_t h = uint32_t(Game::index(p)) * 2654435761u;
  Game::Position after;
  int safe[Game::kActions], n = 0, mate = -1;
  for (int a = 0; a < Game::kActions; ++a) {
    const Game::Outcome o = Game::apply_white(p, a, &after);
    if (o == Game::Outcome::checkmate) mate = a;
    if (o == Game::Outcome::ongoing) safe[n++] = a;
  }
  if (mate >= 0 && (h >> 11) % 2 == 0) return mate;
  return (h >> 7) % 40 == 0 || n == 0 ? int(h % Game::kActions) : safe[(h >> 3) % uint32_t(n)];
}

}  // namespace

TEST_CASE("a policy that always plays an illegal move scores exactly -100 and never mates") {
  auto exact = exact_against(Game::Opponent::random);
  const saerl::ExactComparison c = exact->evaluate([](Game::Position p) {
    Game::Position after;
    for (int a = 0; a < Game::kActions; ++a)
      if (Game::apply_white(p, a, &after) == Game::Outcome::illegal) return a;
    return -1;  // (every 5x5 position has one; -1 would count as illegal too)
  });
  CHECK(exact->legal_count == 7040);
  CHECK(c.policy.expected_return == -100.0);
  CHECK(c.policy.mate_prob == 0.0);
  CHECK(c.sure_mate_starts == 0.0);
  CHECK(c.return_gap == doctest::Approx(c.optimal.expected_return + 100.0));
}

TEST_CASE("in a mate-in-one position the optimal policy's value is 100, and the best value is at most 100") {
  auto solver = solved();
  auto exact = exact_against(Game::Opponent::random);
  int mate_in_one = 0;
  for (int l = 0; l < exact->legal_count; ++l) {
    CHECK(exact->opt_v[l] <= 100.0);
    if (solver->dtm[exact->legal[l]] != 1) continue;
    ++mate_in_one;
    CHECK(exact->opt_v[l] == 100.0);
    CHECK(exact->opt_p[l] == 1.0);
    CHECK(exact->opt_m[l] == 1.0);
  }
  CHECK(mate_in_one > 0);
}

TEST_CASE("the optimal policy mates from every start; as a stationary policy its ratio is 1 and its extra moves 0") {
  auto exact = exact_against(Game::Opponent::random);
  CHECK(exact->optimal.mate_prob == doctest::Approx(1.0).epsilon(1e-12));
  const saerl::ExactComparison c = exact->evaluate_actions(exact->opt_action);
  CHECK(c.return_ratio == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(c.return_gap == doctest::Approx(0.0).epsilon(1e-9));
  CHECK(c.sure_mate_starts == 1.0);
  CHECK(std::fabs(c.extra_moves) < 1e-9);
  // expected return = 101 - expected moves when every game mates
  CHECK(c.policy.expected_return == doctest::Approx(101.0 - c.policy.moves_to_mate).epsilon(1e-9));
}

TEST_CASE("against the perfect black, the solver's moves mate in exactly the distance to mate") {
  auto solver = solved();
  auto exact = exact_against(Game::Opponent::perfect, solver->dtm);
  const saerl::ExactComparison c = exact->evaluate([&](Game::Position p) { return solver->best_action(p); });
  double dtm_sum = 0;
  for (int l = 0; l < exact->legal_count; ++l) dtm_sum += solver->dtm[exact->legal[l]];
  const double mean_dtm = dtm_sum / exact->legal_count;
  CHECK(c.policy.mate_prob == 1.0);
  CHECK(c.policy.moves_to_mate == doctest::Approx(mean_dtm).epsilon(1e-12));
  CHECK(c.policy.expected_return == doctest::Approx(101.0 - mean_dtm).epsilon(1e-12));
  // against perfect defence nothing mates faster than the distance to mate
  CHECK(c.return_ratio == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(std::fabs(c.extra_moves) < 1e-9);
  auto no_table = std::make_unique<Exact>();
  CHECK_FALSE(no_table->init(Game::Opponent::perfect, nullptr).ok());  // the perfect black needs dtm
}

TEST_CASE("exact and sampled evaluations agree within sampling error") {
  struct Scattered {
    int greedy(Game::Position p) const { return scattered_action(p); }
  } policy;
  auto exact = exact_against(Game::Opponent::random);
  const saerl::ExactComparison c = exact->evaluate([](Game::Position p) { return scattered_action(p); });
  saerl::Rng rng(11);
  const int games = 20000;
  const saerl::RookEvaluation e =
      saerl::evaluate_rook(policy, static_cast<const saerl::RookSolver<5>*>(nullptr), games, rng);
  // returns lie in [-150, 100] and mates are Bernoulli: 4 standard errors of the mean
  const double se_return = 125.0 / std::sqrt(double(games));
  const double se_mate = 0.5 / std::sqrt(double(games));
  CHECK(c.policy.mate_prob > 0.05);
  CHECK(c.policy.mate_prob < 0.95);
  CHECK(std::fabs(e.mean_return - c.policy.expected_return) < 4 * se_return);
  CHECK(std::fabs(e.checkmate_rate - c.policy.mate_prob) < 4 * se_mate);
}

TEST_CASE("the positions a policy reaches by its own play hold every position its games visit") {
  auto exact = exact_against(Game::Opponent::random);
  auto actions = std::make_unique<uint8_t[]>(size_t(exact->legal_count));
  for (int l = 0; l < exact->legal_count; ++l) actions[l] = uint8_t(scattered_action(Game::from_index(exact->legal[l])));
  auto reached = std::make_unique<uint8_t[]>(size_t(exact->legal_count));
  const int count = exact->reached_by(actions.get(), reached.get());
  CHECK(count > 0);
  CHECK(count < exact->legal_count);
  // every position after a game's first move is marked, and games find most of the marked ones
  auto seen = std::make_unique<uint8_t[]>(size_t(exact->legal_count));
  saerl::Rng rng(12);
  Game env;
  bool inside = true;
  int distinct = 0;
  for (int g = 0; g < 20000; ++g) {
    env.reset(rng);
    while (!env.step(scattered_action(env.pos), rng).done) {
      const int l = exact->id[Game::index(env.pos)];
      inside = inside && l >= 0 && reached[l];
      if (l >= 0 && !seen[l]) seen[l] = 1, ++distinct;
    }
  }
  CHECK(inside);
  CHECK(distinct > count * 9 / 10);
  // a policy that only plays illegal moves reaches nothing
  for (int l = 0; l < exact->legal_count; ++l) actions[l] = uint8_t(Game::kActions);
  CHECK(exact->reached_by(actions.get(), reached.get()) == 0);
}
