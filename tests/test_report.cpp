// The report (examples/report/): the analysis written as data (features-<variant>.json) and
// the HTML page drawn from results.json and those files, checked without a browser: section
// ids in order, the raw listing only inside <details>, nothing loaded from outside, no "nan"
// for a missing key, labels worded by the label rule, coordinates on any board size.
// (tests/report_screenshot.sh checks a real report in headless Chromium.)
#include <doctest/doctest.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "examples/report.hpp"
#include "tests/temp_files.hpp"

using namespace saerl;

namespace {

// Every position of needle in text, in order.
std::vector<size_t> positions_of(const std::string& text, const std::string& needle) {
  std::vector<size_t> at;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) at.push_back(p);
  return at;
}

bool has_word(const std::string& text, const char* word) {  // case-insensitive, whole word
  std::string lower(text);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  const size_t n = std::strlen(word);
  for (size_t p = lower.find(word); p != std::string::npos; p = lower.find(word, p + 1)) {
    const bool left = p == 0 || !std::isalnum(static_cast<unsigned char>(lower[p - 1]));
    const bool right = p + n >= lower.size() || !std::isalnum(static_cast<unsigned char>(lower[p + n]));
    if (left && right) return true;
  }
  return false;
}

// The tags other than <a> whose src or href names an http(s) address; and CSS that loads.
std::vector<std::string> outside_resources(const std::string& html) {
  std::vector<std::string> found;
  for (size_t open = html.find('<'); open != std::string::npos; open = html.find('<', open + 1)) {
    const size_t close = html.find('>', open);
    const std::string tag = html.substr(open, close - open + 1);
    if (tag.rfind("<a ", 0) == 0) continue;
    for (const char* attr : {"src=", "href=", "srcset=", "data=", "poster="})
      for (size_t p : positions_of(tag, attr)) {
        const std::string value = tag.substr(p + std::strlen(attr), 9);
        if (value.find("http") != std::string::npos || value.find("//") != std::string::npos) found.push_back(tag);
      }
  }
  if (html.find("@import") != std::string::npos) found.push_back("@import");
  for (size_t p : positions_of(html, "url(")) found.push_back(html.substr(p, 30));
  return found;
}

Json parsed(const char* text) {
  Json v;
  const Status s = parse_json(text, std::strlen(text), v);
  REQUIRE_MESSAGE(s.ok(), s.message);
  return v;
}

// A run directory's data as the program writes it, small: two variants, one with a features
// file holding a labelled feature and a weak one.
ReportData sample_data() {
  ReportData d;
  d.results = parsed(R"({
    "dqn": {"checkmate_rate": 0.9934, "eval_games": 10000, "mean_extra_moves": 1.59, "preset": "tiny",
            "seed": 1, "steps": 800000, "train_seconds": 82.9,
            "curve": {"0000050000": 0.035, "0000100000": 0.279, "0000150000": 0.521}},
    "features": {"neurons": {"board_f1": 0.007, "coverage": 0.27},
                 "relu": {"board_f1": 0.88, "coverage": 0.86, "labeled_precision_0_9": 1, "live": 2}},
    "sae": {"relu": {"fvu": 0.114, "l0": 11.2, "dead": 0, "features": 4, "action_agreement": 0.63,
                     "l1_coefficient": 0.012, "density": {"0": 2, "1": 0, "2": 0, "3": 0, "4": 0, "5": 2, "6": 0}},
            "topk": {"fvu": 0.058, "train_seconds": 19.7, "density": [0, 0, 0, 1, 2, 3, 4]}}})");
  d.variants = {"relu", "topk"};
  d.features.push_back(parsed(R"({
    "variant": "relu", "board_size": 5, "width": 4, "positions": 7040, "live": 2,
    "label_rule": {"precision": 0.9, "recall": 0.5},
    "pieces": ["white king", "white rook", "black king"],
    "features": [
      {"id": 3, "density": 0.4, "max_activation": 2.5, "active": 2816, "changed": 300,
       "label": {"predicate": "bk_edge", "phrase": "the black king is on an edge", "precision": 0.97,
                 "recall": 0.88, "f1": 0.92, "labeled": true},
       "heat": [[0.1, 0.2], [0.3], [2.5, 0, 1]],
       "top": [{"position": 12, "squares": [0, 7, 24], "activation": 2.5}]},
      {"id": 1, "density": 0.01, "max_activation": 0.5, "active": 70, "changed": 0,
       "label": {"predicate": "R_c3", "phrase": "the white rook is on c3", "precision": 0.23,
                 "recall": 0.9, "f1": 0.37, "labeled": false},
       "heat": [[], [], []], "top": []}],
    "dead": [0, 2],
    "ablation": {"dqn_return": 80.5, "base_return_ratio": 0.6, "base_mate_prob": 0.7,
                 "top": [{"id": 3, "return_ratio": 0.2, "mate_prob": 0.3}]},
    "probe": {"train_rows": 5632, "heldout_rows": 1408, "predicates": [
      {"name": "bk_corner", "phrase": "the black king is in a corner", "positive_rate": 0.05,
       "majority_accuracy": 0.95, "sae": {"accuracy": 0.96, "balanced_accuracy": 0.71},
       "q_values": {"accuracy": 0.95, "balanced_accuracy": 0.5}}]}})"));
  d.features.push_back(json_object());  // topk: no features file
  return d;
}

}  // namespace

TEST_CASE("the report's sections come once each, in order, then the raw listing inside a collapsed <details>") {
  const std::string html = report_html(sample_data());
  size_t last = 0;
  for (const char* id : kReportSections) {
    const std::vector<size_t> at = positions_of(html, std::string("<section id=\"") + id + "\">");
    CHECK_MESSAGE(at.size() == 1, id);
    if (at.size() != 1) continue;
    CHECK_MESSAGE(at[0] > last, id);
    last = at[0];
  }
  CHECK(positions_of(html, "<section").size() == std::size(kReportSections));
  const size_t raw = html.find("<details id=\"raw\">");
  REQUIRE(raw != std::string::npos);
  CHECK(raw > html.rfind("</section>"));
  // a key that only the raw listing shows, and the listing's own values
  CHECK(positions_of(html, "sae.relu.l1_coefficient").size() == 1);
  CHECK(html.find("sae.relu.l1_coefficient") > raw);
  CHECK(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">") != std::string::npos);
}

TEST_CASE("the report loads nothing from outside: no src or href to an address except <a> links, no CSS url()") {
  std::string html = report_html(sample_data());
  CHECK(outside_resources(html).empty());
  html += "<img src=\"https://example.com/x.png\"><link href=\"http://x/y.css\"><style>@import 'a';</style>";
  CHECK(outside_resources(html).size() == 3);  // (the checker itself finds them)
}

TEST_CASE("missing keys and files show a dash or a note, never nan, and every section is still there") {
  for (const ReportData& d : {ReportData(), sample_data()}) {
    const std::string html = report_html(d);
    CHECK_FALSE(has_word(html, "nan"));
    CHECK_FALSE(has_word(html, "inf"));
    CHECK(positions_of(html, "<section id=").size() == std::size(kReportSections));
  }
  const std::string empty = report_html(ReportData());
  CHECK(empty.find("No features-&lt;variant&gt;.json") != std::string::npos);
  CHECK(empty.find("No sweep in this directory") != std::string::npos);
  const std::string some = report_html(sample_data());
  CHECK(some.find("No features-topk.json") != std::string::npos);  // topk has keys but no file
  CHECK(some.find("&ndash;") != std::string::npos);                 // topk's L0, for one
  // the density histograms, from an object of bins (older files) and from an array
  CHECK(some.find("<figcaption><b>relu</b></figcaption>") != std::string::npos);
  CHECK(some.find("<figcaption><b>topk</b></figcaption>") != std::string::npos);
}

TEST_CASE("a card says \"fires when\" only when the label rule is met, \"best match\" below it") {
  const std::string html = report_html(sample_data());
  CHECK(html.find("fires when the black king is on an edge (precision 0.97, recall 0.88)") != std::string::npos);
  CHECK(html.find("best match: the white rook is on c3 (precision 0.23, recall 0.90)") != std::string::npos);
  CHECK(html.find("fires when the white rook is on c3") == std::string::npos);
  // without a "labeled" flag the rule decides; figures are rounded down, so 0.8996 never reads 0.90
  const Json near = parsed(R"({"label": {"phrase": "x", "precision": 0.8996, "recall": 0.95}})");
  CHECK(detail::label_html(near, 0.9, 0.5).find("best match: x (precision 0.89, recall 0.95)") != std::string::npos);
  const Json meets = parsed(R"({"label": {"phrase": "x", "precision": 0.9, "recall": 0.5}})");
  CHECK(detail::label_html(meets, 0.9, 0.5) == "fires when x (precision 0.90, recall 0.50)");
  // the labelled card first (cards by F1), with its heat maps' scale and its board
  CHECK(html.find("id=\"f-relu-3\"") < html.find("id=\"f-relu-1\""));
  CHECK(html.find("0 <span class=\"scale\"></span> 2.50") != std::string::npos);
  // the probe table gives balanced accuracy beside plain accuracy
  CHECK(html.find("<td class=\"n\">96.0%</td><td class=\"n\"><b>71.0%</b></td>") != std::string::npos);
}

TEST_CASE("boards and heat maps carry coordinates for the board size: a-e and 1-5 on 5x5, a-h and 1-8 on 8x8") {
  for (int n : {5, 8}) {
    Html h;
    const int pieces[3] = {0, n + 1, n * n - 1};  // K a1, R b2, k on the top-right corner
    html_board(h, n, pieces, "x");
    const std::string last_file(1, char('a' + n - 1)), beyond(1, char('a' + n));
    CHECK(h.out.find("<th>" + last_file) != std::string::npos);
    CHECK(h.out.find("<th>" + beyond) == std::string::npos);
    CHECK(h.out.find("<tr><th>" + std::to_string(n)) < h.out.find("<tr><th>1"));  // rank n on top
    CHECK(h.out.find("<tr><th>" + std::to_string(n + 1)) == std::string::npos);
    CHECK(h.out.find("<td class=k>k") < h.out.find("<td class=p>R"));            // k above R
    std::vector<double> cells(size_t(n * n), 0.0);
    cells[0] = 2.0;
    Html m;
    html_heat_map(m, n, cells.data(), 2.0, "rook");
    CHECK(m.out.find("<td class=q9>2.0") != std::string::npos);
    CHECK(positions_of(m.out, "<td").size() == size_t(n * n));
  }
  CHECK(square_name(0, 5) == "a1");
  CHECK(square_name(24, 5) == "e5");
  CHECK(square_name(63, 8) == "h8");
}

TEST_CASE("numbers as the report shows them: rounded, thousands separated, a dash when missing") {
  CHECK(fixed(162925, 0) == "162,925");
  CHECK(fixed(1234567.5, 1) == "1,234,567.5");
  CHECK(fixed(9999, 0) == "9999");
  CHECK(fixed(-12345.678, 2) == "-12,345.68");
  CHECK(fixed(NAN, 2) == kMissing);
  CHECK(percent(0.7289, 1) == "72.9%");
  CHECK(significant(0.05792, 3) == "0.0579");
  CHECK(significant(2.5, 3) == "2.50");
  CHECK(duration(82.9) == "83 s");
  CHECK(duration(600) == "10.0 min");
  CHECK(round_significant(0.123456, 4) == doctest::Approx(0.1235).epsilon(1e-12));
  CHECK(round_significant(-98765, 2) == -99000);
  double step = 0;
  const std::vector<double> ticks = nice_ticks(0, 800000, 6, &step);
  CHECK(step == 200000);
  CHECK(ticks.size() == 5);
  CHECK(tick_label(400000, step) == "400k");
  CHECK(tick_label(0.4, 0.2) == "0.4");
}

TEST_CASE("balanced accuracy is the mean of the accuracies on positives and on negatives") {
  LogisticProbe<1> probe;  // predicts "holds" when x > 0
  probe.w[0] = 1;
  const float x[6] = {1, 1, -1, -1, -1, -1};
  const uint8_t truth[6] = {1, 0, 0, 0, 0, 1};
  // positives (rows 0, 5): one right; negatives (rows 1..4): three right
  CHECK(balanced_accuracy(probe, x, truth, 1, 0, 0, 6) == doctest::Approx((0.5 + 0.75) / 2));
  CHECK(probe.accuracy(x, truth, 6, 1) == doctest::Approx(4.0 / 6));
  const uint8_t none[6] = {0, 0, 0, 0, 0, 0};  // one class only: its accuracy
  CHECK(balanced_accuracy(probe, x, none, 1, 0, 1, 3) == doctest::Approx(0.5));
}

TEST_CASE("the sweep's fits recover an exact line and parabola") {
  const std::vector<double> x = {0, 1, 2, 3, 4};
  std::vector<double> y;
  for (double v : x) y.push_back(1 + 2 * v + 3 * v * v);
  double c[3];
  REQUIRE(polynomial_fit(x, y, 2, c));
  CHECK(c[0] == doctest::Approx(1));
  CHECK(c[1] == doctest::Approx(2));
  CHECK(c[2] == doctest::Approx(3));
  const std::vector<double> line = {5, 7, 9, 11, 13};
  REQUIRE(polynomial_fit(x, line, 1, c));
  CHECK(c[0] == doctest::Approx(5));
  CHECK(c[1] == doctest::Approx(2));
  CHECK(c[2] == 0);
  CHECK_FALSE(polynomial_fit({2, 2, 2}, {1, 2, 3}, 1, c));  // one x: no line
}

TEST_CASE("a run directory is read back: variants in the study's order, features files, sweep rows from the CSV") {
  saerl_test::TempDir dir;
  const auto put = [&](const char* name, const std::string& text) {
    saerl_test::write_file(dir.path(name), std::vector<unsigned char>(text.begin(), text.end()));
  };
  put("results.json", R"({"sae": {"topk": {"fvu": 0.05}, "relu": {"fvu": 0.1}, "zeta": {"fvu": 0.2}}})");
  put("features-jumprelu.json", R"({"variant": "jumprelu", "board_size": 6, "features": []})");
  put("sweep.json", R"({"runs": 2})");
  put("sweep.csv", "run,checkmate_rate,relu_live\n0,0.5,100\n1,0.9,140\n");
  ReportData d;
  REQUIRE(load_report_data(dir.dir.c_str(), d).ok());
  CHECK(d.variants == std::vector<std::string>{"relu", "topk", "jumprelu", "zeta"});
  CHECK(d.file(2) != nullptr);
  CHECK(d.file(0) == nullptr);
  CHECK(d.board_size() == 6);
  const Json* rows = d.sweep.get("rows");
  REQUIRE(is_array(rows));
  CHECK(rows->items.size() == 2);
  CHECK(number_or(&rows->items[1], "relu_live", 0) == 140);
  const std::string html = report_html(d);
  CHECK(html.find("(6 &times; 6 board)") != std::string::npos);
  CHECK(html.find("live features (relu SAE)") != std::string::npos);  // the sweep's scatter
  REQUIRE(write_report_html(dir.dir.c_str()).ok());
  CHECK(saerl_test::read_file(dir.path("report.html")).size() == html.size());
  put("results.json", "{\"sae\": ");
  CHECK_FALSE(load_report_data(dir.dir.c_str(), d).ok());
}

TEST_CASE("features_json of a small DQN and SAE holds one record per live feature, as the page reads it") {
  constexpr int N = 4;  // the smallest board: the fastest analysis (the code is the same for every N)
  using Game = RookCheckmate<N>;
  using Net = Mlp<float, Game::kObs, 16, 8, Game::kActions>;
  using SaeT = Sae<float, 8, 12>;
  Rng rng(3);
  auto net = std::make_unique<Net>();
  net->init(rng);
  auto sae = std::make_unique<SaeT>();
  sae->init(SaeVariant::relu, 1, nullptr, rng);
  auto a = std::make_unique<FeatureAnalysis<SaeT, N>>();
  REQUIRE(analyse_rook_features(*net, *sae, static_cast<const int8_t*>(nullptr), *a).ok());
  CHECK(a->data.size == Game::count_legal_positions());
  CHECK(a->data.size <= FeatureAnalysis<SaeT, N>::kRows);
  auto ab = std::make_unique<Ablation<SaeT::kFeatures>>();
  auto exact = std::make_unique<RookExact<N>>();
  exact->init(Game::Opponent::random);
  ablation_effects<Game>(*net, *sae, a->data.row(0), a->data.source, a->data.size, *exact, *ab);
  // judged exactly: nothing ablated is the spliced policy that train-sae measures (batched here:
  // equal unless rounding flips a near-tie)
  const float zeros[SaeT::kIn] = {};
  const SpliceFidelity splice = measure_splice<Net, SaeT, Game>(*net, *sae, zeros, *exact);
  CHECK(ab->base_return_ratio == doctest::Approx(splice.spliced_return_ratio).epsilon(1e-9));
  CHECK(ab->dqn_return == doctest::Approx(splice.original.expected_return).epsilon(1e-12));
  for (int t = 0; t < ab->top_count; ++t) {
    CHECK(ab->changed[ab->top[t]] > 0);
    CHECK(ab->top_mate_prob[t] >= 0);
    CHECK(ab->top_mate_prob[t] <= 1);
  }
  auto read = std::make_unique<ReadOut<N>>();
  REQUIRE(read_out(*net, *sae, *a, 7, *read).ok());
  const Json f = features_json("relu", *a, *ab, *read);
  Json back;
  const std::string text = write_json(f);
  REQUIRE(parse_json(text.data(), text.size(), back).ok());
  const Json* list = back.get("features");
  REQUIRE(is_array(list));
  CHECK(int(list->items.size()) == a->report.live);
  CHECK(int(list->items.size() + back.get("dead")->items.size()) == SaeT::kFeatures);
  for (const Json& rec : list->items) {
    const int j = int(number_or(&rec, "id", -1));
    REQUIRE(j >= 0);
    CHECK(number_or(&rec, "density", -1) == doctest::Approx(a->report.density[j]).epsilon(1e-5));
    CHECK(number_or(&rec, "active", -1) == ab->active[j]);
    const Json* heat = rec.get("heat");
    REQUIRE(is_array(heat));
    CHECK(heat->items.size() == 3);
    CHECK(heat->items[2].items.size() == size_t(N * N));
    if (const Json* label = rec.get("label")) {
      const bool rule = number_or(label, "precision", 0) >= kLabelPrecision && number_or(label, "recall", 0) >= kLabelRecall;
      CHECK(label->get("labeled")->flag == rule);
    }
  }
  const Json* probes = json_at(back, "probe.predicates");
  REQUIRE(is_array(probes));
  CHECK(int(probes->items.size()) == RookPredicates<N>::kNamed);
  for (const Json& p : probes->items) {
    const double balanced = number_or(&p, "sae.balanced_accuracy", -1);
    CHECK(balanced >= 0);
    CHECK(balanced <= 1);
  }
  ReportData d;
  d.variants = {"relu"};
  d.features.push_back(back);
  const std::string html = report_html(d);
  CHECK(positions_of(html, "<article class=\"card\"").size() == size_t(a->report.live));
  if (ab->top_count > 0) CHECK(html.find("return ratio without it") != std::string::npos);
}
