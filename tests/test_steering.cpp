// Tests for examples/steering.hpp on a DQN whose layer z_1 is its one-hot input (its first two
// layers are identities) and an SAE whose dictionary is the identity: feature i is exactly
// "piece-square i", so writing "P on s" and erasing "P on its square" is moving the piece.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "examples/steering_examples.hpp"
#include "sae/feature_analysis.hpp"

using namespace saerl;

namespace {

using Game = RookCheckmate<5>;
using Preds = RookPredicates<5>;
constexpr int S = Game::kObs;  // 75
using Net = Mlp<float, S, S, S, Game::kActions>;
using SaeT = Sae<float, S, S>;
using Report = FeatureReport<S, Preds::kCount, 1>;

// Q = onehot(x) W_2 + b_2 with W_2 random: a policy that depends on every piece's square.
std::unique_ptr<Net> one_hot_net() {
  auto net = std::make_unique<Net>();
  Rng rng(3);
  net->init(rng);
  for (int l = 0; l < 2; ++l) {
    fill(net->weight(l), S * S, 0.0f);
    fill(net->bias(l), S, 0.0f);
    for (int i = 0; i < S; ++i) net->weight(l)[i * S + i] = 1;
  }
  return net;
}

std::unique_ptr<SaeT> identity_sae() {
  auto sae = std::make_unique<SaeT>();
  fill(sae->params, SaeT::kParams, 0.0f);
  sae->variant = SaeVariant::relu;
  for (int i = 0; i < S; ++i) sae->w_enc()[i * S + i] = sae->w_dec()[i * S + i] = 1;
  return sae;
}

// What the program hands to steering: the SAE's report over every legal position.
std::unique_ptr<Report> label(const Net& net, SaeT& sae) {
  std::vector<float> rows;
  std::vector<uint8_t> truth;
  MlpActivations<Net, 1> acts;
  float h[S];
  bool holds[Preds::kCount];
  int n = 0;
  for (int i = 0; i < Game::kPositions; ++i) {
    const Game::Position p = Game::from_index(i);
    if (!Game::is_legal(p)) continue;
    hidden_of<Net, Game>(net, p, h, acts);
    rows.insert(rows.end(), h, h + S);
    Preds::evaluate(p, nullptr, holds);
    truth.insert(truth.end(), holds, holds + Preds::kCount);
    ++n;
  }
  auto report = std::make_unique<Report>();
  auto work = std::make_unique<SaeWorkspace<SaeT, 256>>();
  REQUIRE(analyse_features(sae, rows.data(), n, truth.data(), *work, *report).ok());
  return report;
}

struct Fixture {
  std::unique_ptr<Net> net = one_hot_net();
  std::unique_ptr<SaeT> sae = identity_sae();
  std::unique_ptr<Report> report = label(*net, *sae);
  std::unique_ptr<Counterfactuals<5>> cf = std::make_unique<Counterfactuals<5>>();
  Fixture() { prepare_counterfactuals(*net, nullptr, *cf); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

SteeringOptions quick() {
  SteeringOptions o;
  o.max_positions = 48;
  return o;
}

}  // namespace

TEST_CASE("the counterfactual of 'P on s' moves P to s; none when P is there or the move is illegal") {
  const Counterfactuals<5>& cf = *fixture().cf;
  const Game::Position x = Game::make(/*K a1*/ 0, /*R e1*/ 4, /*k c3*/ 12);
  Game::Position y{};
  REQUIRE(cf.counterfactual(x, Preds::piece_square(2, 10), &y));  // k to a3
  CHECK((y.wk == 0 && y.wr == 4 && y.bk == 10));
  CHECK(!cf.counterfactual(x, Preds::piece_square(2, 14), &y));  // k on e3: in check
  CHECK(!cf.counterfactual(x, Preds::piece_square(2, 12), &y));  // k is on c3 already
  CHECK(!cf.counterfactual(x, Preds::piece_square(2, 1), &y));   // k on b1: next to the white king
  CHECK(!cf.counterfactual(x, Preds::piece_square(1, 12), &y));  // R onto the black king
}

TEST_CASE("the nearest board of a named predicate moves one piece the fewest king steps, lower squares first") {
  const Counterfactuals<5>& cf = *fixture().cf;
  // K a1, R e1, k c3: the black king reaches an edge in 2 steps; a1, b1, c1, d1, a2, e2 are
  // taken, next to K, or in check, so a3 is the first legal one. No white move puts it there.
  const Game::Position x = Game::make(0, 4, 12);
  Game::Position y{};
  REQUIRE(cf.counterfactual(x, Preds::bk_edge, &y));
  CHECK((y.wk == 0 && y.wr == 4 && y.bk == 10));
  CHECK(cf.holds(y, Preds::bk_edge));
  CHECK(!cf.counterfactual(y, Preds::bk_edge, &y));  // it holds already
  // the rook is attacked after one step of the rook (to d2, next to c3) or of the black king
  // (to d2, next to e1): the rook moves first
  REQUIRE(cf.counterfactual(x, Preds::r_attacked, &y));
  CHECK((y.wk == 0 && y.wr == 8 && y.bk == 12));
}

TEST_CASE("steering an identity dictionary reproduces the counterfactual action exactly; a random feature does not") {
  Fixture& f = fixture();
  static RookSolver<5> solver;
  REQUIRE(solver.solve().ok());
  auto st = std::make_unique<Steering<S>>();
  REQUIRE(steer_features(*f.net, *f.sae, *f.report, *f.cf, &solver, quick(), *st).ok());
  // every feature is labelled with precision 1; the three centre squares by bk_centre, wk_centre
  // and r_centre, which precede the piece-square predicates and tie with them
  CHECK(st->squares.tested == S - 3);
  CHECK(st->named.tested == 3);
  const SteeringRates& r = st->squares.rates;
  CHECK(r.counterfactual_agreement == 1.0);
  CHECK(r.reconstruction_agreement == 1.0);
  CHECK(r.swap_agreement == 1.0);
  CHECK(r.optimal_on_counterfactual == r.reconstruction_optimal);
  CHECK(r.optimal_on_counterfactual > 0);
  CHECK(r.delta_cosine == doctest::Approx(1.0));
  CHECK(r.delta_reach == doctest::Approx(1.0));
  CHECK(r.code_changes == 2.0);
  CHECK(r.random_direction_agreement < 0.5);
  CHECK(r.counterfactual_agreement - r.random_direction_agreement > 0.5);
  CHECK(r.unintervened_agreement < 1.0);
  CHECK(st->named.rates.counterfactual_agreement == 1.0);  // the king moved to the centre
  for (int i = 0; i < st->count; ++i) {
    const SteeringRecord& rec = st->records[i];
    CHECK(rec.positions == 48);
    CHECK(rec.positions <= rec.candidates);
    CHECK(rec.random_feature >= 0);
    CHECK(rec.random_feature != rec.feature);
    CHECK(rec.value == 1.0);
    CHECK(rec.erased == 1.0);  // the piece's old square
  }
  // Erasing only the tested label's family misses the centre squares' features (their labels
  // are named): a piece leaving the centre, or moving to it, then stands on two squares.
  SteeringOptions within = quick();
  within.erase_within_family = true;
  REQUIRE(steer_features(*f.net, *f.sae, *f.report, *f.cf, &solver, within, *st).ok());
  CHECK(st->squares.rates.counterfactual_agreement < 1.0);
  CHECK(st->squares.rates.counterfactual_agreement > 0.9);
  CHECK(st->named.rates.counterfactual_agreement < 1.0);
}

TEST_CASE("steering samples the same positions for a seed, and other ones for another seed") {
  Fixture& f = fixture();
  auto a = std::make_unique<Steering<S>>(), b = std::make_unique<Steering<S>>();
  SteeringOptions o = quick();
  o.named = false;
  REQUIRE(steer_features(*f.net, *f.sae, *f.report, *f.cf, nullptr, o, *a).ok());
  REQUIRE(steer_features(*f.net, *f.sae, *f.report, *f.cf, nullptr, o, *b).ok());
  CHECK(a->named.tested == 0);
  CHECK(a->squares.rates.unintervened_agreement == b->squares.rates.unintervened_agreement);
  CHECK(a->squares.rates.optimal_on_counterfactual == -1.0);  // no solver
  o.seed = 2;
  REQUIRE(steer_features(*f.net, *f.sae, *f.report, *f.cf, nullptr, o, *b).ok());
  CHECK(a->squares.rates.unintervened_agreement != b->squares.rates.unintervened_agreement);
}

TEST_CASE("one steering case: x with the black king elsewhere, x' with it on a1, the steered action a(x')") {
  Fixture& f = fixture();
  const int j = Preds::piece_square(2, 0) - Preds::kNamed;  // "k on a1" is feature 50
  SteeringCase<5> c;
  REQUIRE(steering_case(*f.net, *f.sae, *f.report, *f.cf, nullptr, j, 7, quick(), c).ok());
  CHECK(c.feature == j);
  CHECK(c.predicate == Preds::piece_square(2, 0));
  CHECK(c.x.bk != 0);
  CHECK((c.x_prime.wk == c.x.wk && c.x_prime.wr == c.x.wr && c.x_prime.bk == 0));
  CHECK(c.erased == 1);
  CHECK(c.action_steered == c.action_x_prime);
  CHECK(c.action_swap == c.action_x_prime);
  MlpActivations<Net, 1> acts;
  float obs[S];
  Game::observe(c.x, obs);
  CHECK(c.action_x == argmax(mlp_forward(*f.net, obs, 1, acts), Game::kActions));
  SteeringCase<5> again;
  REQUIRE(steering_case(*f.net, *f.sae, *f.report, *f.cf, nullptr, j, 7, quick(), again).ok());
  CHECK(Game::index(again.x) == Game::index(c.x));
}

TEST_CASE("a steering case refuses a feature out of range or below the precision asked for") {
  Fixture& f = fixture();
  SteeringCase<5> c;
  Status s = steering_case(*f.net, *f.sae, *f.report, *f.cf, nullptr, S, 1, quick(), c);
  CHECK(s.code == StatusCode::invalid_argument);
  auto weak = std::make_unique<Report>(*f.report);
  weak->precision[50] = 0.5;
  s = steering_case(*f.net, *f.sae, *weak, *f.cf, nullptr, 50, 1, quick(), c);
  CHECK(s.code == StatusCode::invalid_argument);
  CHECK(std::strstr(s.message, "k_a1 with precision 0.50") != nullptr);
  SteeringOptions bad = quick();
  bad.min_precision = 1.5;
  auto st = std::make_unique<Steering<S>>();
  CHECK(steer_features(*f.net, *f.sae, *f.report, *f.cf, nullptr, bad, *st).code == StatusCode::invalid_argument);
}

TEST_CASE("steering results go to JSON with a summary per family and one object per feature") {
  Fixture& f = fixture();
  auto st = std::make_unique<Steering<S>>();
  REQUIRE(steer_features(*f.net, *f.sae, *f.report, *f.cf, nullptr, quick(), *st).ok());
  const Json j = steering_json<5>(*st);
  REQUIRE(j.get("tested"));
  CHECK(j.get("tested")->number == S - 3);
  CHECK(j.get("counterfactual_agreement")->number == 1.0);
  const Json* list = j.get("features");
  REQUIRE(list);
  REQUIRE(list->items.size() == size_t(S - 3));
  CHECK(list->items[0].get("label")->text == "K_a1");
  CHECK(list->items[0].get("positions")->number == 48);
  REQUIRE(j.get("named"));
  CHECK(j.get("named")->get("tested")->number == 3);
  CHECK(j.get("named")->get("features")->items.size() == 3);
}

TEST_CASE("steering examples: the best and the worst feature, each a board x and its x' one piece apart") {
  Fixture& f = fixture();
  auto st = std::make_unique<Steering<S>>();
  REQUIRE(steer_features(*f.net, *f.sae, *f.report, *f.cf, nullptr, quick(), *st).ok());
  REQUIRE(st->count > 6);
  Json one = steering_examples_json(*f.net, *f.sae, *f.report, *f.cf, nullptr, *st, quick());
  CHECK(one.items.size() == 1);  // every feature steers perfectly: best and worst are one
  st->records[5].rates.counterfactual_agreement = 0.25;  // now the worst
  const Json j = steering_examples_json(*f.net, *f.sae, *f.report, *f.cf, nullptr, *st, quick());
  REQUIRE(j.items.size() == 2);
  CHECK(j.items[0].get("feature")->number == st->records[0].feature);
  CHECK(j.items[1].get("feature")->number == st->records[5].feature);
  CHECK(j.items[1].get("counterfactual_agreement")->number == 0.25);
  for (const Json& e : j.items) {
    const Json *x = e.get("x"), *xp = e.get("x_prime");
    REQUIRE(x);
    REQUIRE(xp);
    REQUIRE(x->items.size() == 3);
    REQUIRE(xp->items.size() == 3);
    int moved = 0;
    for (int g = 0; g < 3; ++g) moved += x->items[size_t(g)].number != xp->items[size_t(g)].number;
    CHECK(moved == 1);
    const Game::Position p = Game::make(int(xp->items[0].number), int(xp->items[1].number), int(xp->items[2].number));
    char name[16];
    CHECK(e.get("action_x_prime")->text == Game::action_name(f.cf->action[Game::index(p)], name, sizeof name));
    CHECK(e.get("action_steered")->text == e.get("action_x_prime")->text);  // the identity dictionary steers exactly
    CHECK(!e.get("phrase")->text.empty());
  }
}
