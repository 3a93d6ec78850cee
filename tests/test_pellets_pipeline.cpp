// Tests of examples/pellets_pipeline.hpp, examples/pellets_features.hpp,
// examples/report/pellets_html.hpp and `saerl run --game pellets`: the states of greedy play and
// their hidden vectors, the split by game, the spliced DQN (an exact SAE plays as the DQN, a
// constant one plays one move), the predicates handed to the feature analysis, the report page,
// and the whole command at a tiny scale.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "examples/cli/options.hpp"
#include "examples/pellets_features.hpp"
#include "examples/pellets_pipeline.hpp"
#include "examples/recipe.hpp"
#include "examples/report/pellets_html.hpp"
#include "tests/exact_sae.hpp"
#include "tests/run_program.hpp"

namespace {

using Game = saerl::PelletsTypes::Game;
using State = Game::State;
using Net = saerl::Mlp<float, Game::kObs, 12, 10, Game::kActions>;
constexpr int W = saerl::HiddenLayer<Net>::kWidth;  // 10
using SaeT = saerl::Sae<float, W, 2 * W>;
using Visited = saerl::VisitedStates<Game, Net, 2000>;

// A random network, its own greedy policy (no SAE), and `count` states of its play.
struct Setup {
  std::unique_ptr<Net> net = std::make_unique<Net>();
  std::unique_ptr<SaeT> sae = std::make_unique<SaeT>();
  std::unique_ptr<Visited> visited = std::make_unique<Visited>();
  explicit Setup(int count, uint64_t seed = 3) {
    saerl::Rng rng(seed);
    net->init(rng);
    saerl_test::make_exact(*sae);
    auto dqn = saerl::spliced_policy<Game>(*net, *sae, saerl::Splice::none);
    saerl::collect_greedy_states<Game>(*dqn, *net, count, 50, *visited);
  }
};

int argmax_q(const Net& net, const State& s) {
  saerl::MlpActivations<Net, 1> acts;
  float obs[Game::kObs];
  Game::observe(s, obs);
  return saerl::argmax(saerl::mlp_forward(net, obs, 1, acts), Game::kActions);
}

}  // namespace

TEST_CASE("greedy states: the count asked for, each row the hidden vector of its state, games in order") {
  Setup t(700);
  const auto& data = t.visited->data;
  REQUIRE(data.size == 700);
  CHECK(t.visited->games >= 1);
  CHECK(data.source[0] == 0);
  CHECK(data.source[data.size - 1] == t.visited->games - 1);
  saerl::MlpActivations<Net, 1> acts;
  float h[W];
  for (int i = 0; i < data.size; ++i) {
    // a game's first state has taken no step; the rows of one game follow each other
    if (i > 0) CHECK(data.source[i] - data.source[i - 1] == (t.visited->states[i].steps == 0 ? 1 : 0));
    saerl::hidden_of<Net, Game>(*t.net, t.visited->states[i], h, acts);
    for (int d = 0; d < W; ++d) CHECK(data.row(i)[d] == h[d]);
  }
  // the states are those play_pellets shows the policy, from the first round's seed
  auto dqn = saerl::spliced_policy<Game>(*t.net, *t.sae, saerl::Splice::none);
  int seen = 0;
  bool same = true;
  saerl::play_pellets<Game>(*dqn, 1, 50, Game::kDefaultChase, [&](const State& s) {
    if (seen < data.size) same = same && std::memcmp(&s, &t.visited->states[seen], sizeof s) == 0;
    ++seen;
  });
  CHECK(same);
  // asking for more than the capacity fills it
  Setup full(5000);
  CHECK(full.visited->data.size == Visited::kCapacity);
}

TEST_CASE("the split holds out whole games: the held-out part starts a game at or after the cut") {
  Setup t(1500);
  auto& data = t.visited->data;
  saerl::split_by_game(data, 0.2);
  REQUIRE(data.train_size >= 1200);
  REQUIRE(data.train_size < data.size);
  CHECK(data.source[data.train_size] == data.source[data.train_size - 1] + 1);
  CHECK(t.visited->states[data.train_size].steps == 0);
  saerl::split_by_game(data, 0);
  CHECK(data.train_size == data.size);
  saerl::split_by_game(data, 1);
  CHECK(data.train_size == 0);
  // one long game: the cut itself
  saerl::ActivationDataset<float, 2, 10> one;
  const float x[2] = {0, 0};
  for (int i = 0; i < 10; ++i) one.push(x, 0);
  saerl::split_by_game(one, 0.3);
  CHECK(one.train_size == 7);
}

TEST_CASE("the spliced DQN: an exact SAE plays every game as the DQN; a constant one plays one move") {
  Setup t(1000);
  const State* states = t.visited->states;
  auto dqn = saerl::spliced_policy<Game>(*t.net, *t.sae, saerl::Splice::none);
  auto spliced = saerl::spliced_policy<Game>(*t.net, *t.sae);
  for (int i = 0; i < 1000; i += 7) CHECK(dqn->greedy(states[i]) == argmax_q(*t.net, states[i]));
  CHECK(saerl::action_agreement<Game>(*t.net, *t.sae, states, 0, 1000) == 1.0);
  const saerl::PelletsScores a = saerl::play_pellets<Game>(*dqn, 30, 9), b = saerl::play_pellets<Game>(*spliced, 30, 9);
  CHECK(a.mean_score == b.mean_score);
  CHECK(a.mean_steps == b.mean_steps);
  CHECK(saerl::action_agreement<Game>(*t.net, *t.sae, states, 5, 5) == 1.0);  // an empty range
  // an SAE whose output is always the mean: one action everywhere, and the agreement is the
  // fraction of states where the DQN plays it
  float mean[W];
  t.visited->data.mean(0, 1000, mean);
  saerl::fill(t.sae->params, SaeT::kParams, 0.0f);
  saerl::copy(mean, t.sae->b_dec(), W);
  const int constant = spliced->greedy(states[0]);
  int plays = 0;
  for (int i = 0; i < 1000; ++i) {
    CHECK(spliced->greedy(states[i]) == constant);
    plays += dqn->greedy(states[i]) == constant;
  }
  CHECK(saerl::action_agreement<Game>(*t.net, *t.sae, states, 0, 1000) == doctest::Approx(plays / 1000.0));
}

TEST_CASE("feature labels over greedy states: the predicates row by row, coverage and label F1 from the report") {
  Setup t(1200);
  using F = saerl::PelletsFeatures<SaeT, Game, 2000>;
  using Pr = F::Predicates;
  auto f = std::make_unique<F>();
  const auto& data = t.visited->data;
  saerl::pellets_truth<Game>(t.visited->states, data.size, f->truth);
  bool holds[Pr::kCount];
  Pr::evaluate(t.visited->states[321], holds);
  for (int p = 0; p < Pr::kCount; ++p) CHECK(f->truth[321 * Pr::kCount + p] == holds[p]);
  REQUIRE(saerl::analyse_pellets_features(*t.sae, data.row(0), data.size, *f).ok());
  CHECK_FALSE(saerl::analyse_pellets_features(*t.sae, data.row(0), 2001, *f).ok());  // more rows than truth
  const saerl::PelletsFeatureSummary s = saerl::summarise_pellets_features(*f);
  const auto& r = f->report;
  CHECK(s.live == r.live);
  int present = 0;
  const int matched =
      saerl::matched_predicates(r, saerl::kLabelPrecision, saerl::kLabelRecall, 0, Pr::kCount, &present);
  REQUIRE(present > 0);
  CHECK(s.matched == doctest::Approx(double(matched) / present));
  // the streamed threshold counts are count_thresholds' over the codes of every row
  std::vector<float> codes(size_t(data.size) * SaeT::kFeatures);
  saerl::SaeWorkspace<SaeT, 256> work;
  for (int b0 = 0; b0 < data.size; b0 += 256) {
    const int n = data.size - b0 < 256 ? data.size - b0 : 256;
    saerl::sae_forward(*t.sae, data.row(b0), n, work, false);
    saerl::copy(work.f, codes.data() + size_t(b0) * SaeT::kFeatures, n * SaeT::kFeatures);
  }
  auto counts = std::make_unique<saerl::ThresholdCounts<SaeT::kFeatures, Pr::kCount>>();
  REQUIRE(saerl::count_thresholds(codes.data(), f->truth, data.size, *counts).ok());
  CHECK(std::memcmp(counts->true_positives, f->counts.true_positives, sizeof counts->true_positives) == 0);
  CHECK(std::memcmp(counts->fired, f->counts.fired, sizeof counts->fired) == 0);
  CHECK(counts->inputs == f->counts.inputs);
  saerl::Coverage board;
  REQUIRE(saerl::coverage(*counts, Pr::kNamed, Pr::kCount, board).ok());
  CHECK(s.coverage == board.value);
  CHECK(s.coverage > 0.0);  // the exact SAE's features are the layer's units, which carry something
  CHECK(s.coverage <= 1.0);
  // the agent is somewhere in every state: the agent-on-square planes hold on some state
  CHECK(r.positives[Pr::on_square(0, t.visited->states[0].agent)] > 0);
  double total = 0;
  for (int j = 0; j < SaeT::kFeatures; ++j) total += r.density[j] > 0 ? r.f1[j] : 0;
  CHECK(s.label_f1 == doctest::Approx(total / r.live));
  // the top features: best F1 first, each with its predicate's phrase
  const saerl::Json top = saerl::top_pellets_features(*f, 3);
  REQUIRE(top.items.size() <= 3);
  for (size_t i = 0; i < top.items.size(); ++i) {
    const saerl::Json& x = top.items[i];
    const int j = int(saerl::number_or(&x, "feature", -1));
    REQUIRE(j >= 0);
    char phrase[128];
    CHECK(saerl::text_at(&x, "label.phrase") == Pr::describe(r.best_predicate[j], phrase, sizeof phrase));
    if (i > 0) CHECK(r.f1[j] <= saerl::number_or(&top.items[i - 1], "label.f1", 0) + 1e-4);
  }
}

TEST_CASE("the pellets recipe: the DQN's constants are pellets_dqn_recipe()'s, the data fits its types") {
  const saerl::PelletsRecipe r = saerl::pellets_recipe();
  const saerl::DqnTrainConfig d = saerl::pellets_dqn_recipe();
  CHECK(std::strcmp(r.name, "pellets") == 0);
  CHECK(r.dqn.steps == d.steps);
  CHECK(r.dqn.agent.reward_scale == d.agent.reward_scale);
  CHECK(r.dqn.agent.gamma == d.agent.gamma);
  CHECK(r.states <= saerl::PelletsTypes::kStates);
  CHECK(r.states > 0);
  CHECK(r.reference_depth >= 1);
  for (int v = 0; v < 4; ++v) CHECK(int(r.sae[v].config.variant) == v);
}

TEST_CASE("--game takes rook or pellets; anything else is refused with the choices") {
  static char a0[] = "--game", a1[] = "pellets", a2[] = "chess";
  char* good[] = {a0, a1};
  char* bad[] = {a0, a2};
  saerl::Options o;
  CHECK(std::strcmp(o.game, "rook") == 0);
  REQUIRE(saerl::parse_options(2, good, 0, "game", &o, "run").ok());
  CHECK(std::strcmp(o.game, "pellets") == 0);
  saerl::Options p;
  const saerl::Status s = saerl::parse_options(2, bad, 0, "game", &p, "run");
  CHECK(std::strstr(s.message, "--game: unknown game 'chess' (rook | pellets)") != nullptr);
  const saerl::Status refused = saerl::parse_options(2, good, 0, "seed", &p, "train-dqn");
  CHECK(std::strcmp(refused.message, "train-dqn does not take --game") == 0);
}

TEST_CASE("the pellets report: scores, SAE and feature tables, labels escaped, a dash for what is missing") {
  saerl::ReportData d;
  saerl::Results r;
  r.set("dqn.mean_score", 38.25);
  r.set("dqn.random.mean_score", 2.125);
  r.set("dqn.reference.mean_score", 41.5);
  r.set("dqn.reference_depth", 2);
  r.set("sae.topk.fvu", 0.0421);
  r.set("sae.topk.spliced_score_ratio", 0.97);
  r.set("features.topk.coverage", 0.25);
  saerl::Json top = saerl::json_array();
  auto feature = [](int j, const char* phrase, bool labeled) {
    saerl::Json label =
        saerl::json_object_of({{"phrase", saerl::json_string(phrase)}, {"labeled", saerl::json_bool(labeled)}});
    return saerl::json_object_of({{"feature", saerl::json_number(j)}, {"label", label}});
  };
  top.push(feature(7, "a <ghost> & a pellet", true));
  top.push(feature(9, "time is up", false));
  r.set("features.topk.top", top);
  d.results = r.root;
  d.variants = {"topk"};
  d.features = {saerl::json_object()};
  const std::string page = saerl::pellets_report_html(d);
  size_t at = 0;
  for (const char* id : {"summary", "sae", "features", "run"}) {
    const size_t p = page.find(std::string("<section id=\"") + id + "\"");
    CHECK_MESSAGE(p != std::string::npos, id);
    CHECK(p >= at);
    at = p;
  }
  CHECK(page.find("38.25") != std::string::npos);
  CHECK(page.find("expectimax, depth 2") != std::string::npos);
  CHECK(page.find("0.0421") != std::string::npos);
  CHECK(page.find("feature 7 fires when a &lt;ghost&gt; &amp; a pellet") != std::string::npos);
  CHECK(page.find("feature 9 best match: time is up") != std::string::npos);  // below the label rule
  CHECK(page.find("nan") == std::string::npos);
  CHECK(page.find(saerl::kMissing) != std::string::npos);  // no L0 recorded
}

TEST_CASE("saerl run --game pellets, tiny: every required key, the page; bad games and rook options refused") {
  const bool have_bin = std::getenv("SAERL_BIN") != nullptr;
  REQUIRE_MESSAGE(have_bin, "SAERL_BIN must name build/saerl (make test and meson test set it)");
  if (!have_bin) return;  // (REQUIRE does not stop a test when exceptions are off)
  saerl_test::TempDir tmp;
  const std::string err = tmp.path("stderr.txt");
  saerl_test::Ended e = saerl_test::run_saerl({"run", "--game", "pellets", "--quick", "--steps", "5000", "--sae-steps",
                                               "60", "--games", "30", "--threads", "1", "--out", tmp.dir}, err);
  REQUIRE_MESSAGE(e.exit_code == 0, e.err);
  saerl::Results r;
  REQUIRE(r.load(tmp.path("results.json").c_str()).ok());
  for (const char* key : {"dqn.mean_score", "dqn.random_score", "dqn.reference_score", "dqn.reference_depth",
                          "dqn.config.reward_scale", "data.heldout_states", "run.seconds"})
    CHECK_MESSAGE(r.number(key, -1) >= 0, key);
  CHECK(r.number("dqn.score_games", 0) == 30);
  for (const char* v : {"relu", "topk", "batchtopk", "jumprelu"})
    for (const char* key : {"sae.%s.fvu", "sae.%s.l0", "sae.%s.dead", "sae.%s.live", "sae.%s.action_agreement",
                            "sae.%s.spliced_mean_score", "sae.%s.spliced_score_ratio", "features.%s.coverage",
                            "features.%s.matched", "features.%s.label_f1"}) {
      char path[64];
      std::snprintf(path, sizeof path, key, v);
      CHECK_MESSAGE(r.number(path, -1) >= 0, path);
    }
  CHECK(saerl::text_at(&r.root, "sae.topk.loss").find("mse") == 0);
  CHECK(saerl::text_at(&r.root, "dqn.recipe") == "pellets");
  CHECK(r.number("sae.topk.live", 0) + r.number("sae.topk.dead", 0) == 512);
  const std::vector<unsigned char> page = saerl_test::read_file(tmp.path("report.html"));
  CHECK(std::string(page.begin(), page.end()).find("pellet-maze DQN") != std::string::npos);
  CHECK_FALSE(saerl_test::read_file(tmp.path("dqn.bin")).empty());
  CHECK_FALSE(saerl_test::read_file(tmp.path("sae-jumprelu.bin")).empty());

  e = saerl_test::run_saerl({"run", "--game", "chess", "--out", tmp.dir}, err);
  CHECK(e.exit_code == 2);
  CHECK(e.err.find("--game: unknown game 'chess' (rook | pellets)") != std::string::npos);
  e = saerl_test::run_saerl({"run", "--game", "pellets", "--board", "6", "--out", tmp.dir}, err);
  CHECK(e.exit_code == 2);
  CHECK(e.err.find("--board") != std::string::npos);
}
