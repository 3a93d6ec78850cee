// Tests for sae/feature_analysis.hpp on an SAE whose encoder is set by hand, so that every
// feature's firing set, and so every count, precision, recall and F1, is known in advance.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/base/rng.hpp"
#include "sae/feature_analysis.hpp"

using namespace saerl;

namespace {

constexpr int D = 4, M = 6, P = 5;
using SaeT = Sae<float, D, M>;

// f0 = relu(x0), f1 = relu(x1), f2 = relu(x2), f3 = relu(-x0), f4 = relu(x3), f5 = relu(-1): dead.
std::unique_ptr<SaeT> hand_sae() {
  auto sae = std::make_unique<SaeT>();
  for (auto& p : sae->params) p = 0;
  sae->variant = SaeVariant::relu;
  sae->w_enc()[0 * M + 0] = 1;
  sae->w_enc()[1 * M + 1] = 1;
  sae->w_enc()[2 * M + 2] = 1;
  sae->w_enc()[0 * M + 3] = -1;
  sae->w_enc()[3 * M + 4] = 1;
  sae->b_enc()[5] = -1;
  return sae;
}

// The same features, computed here without the SAE.
float code(const float* x, int j) {
  const float z[M] = {x[0], x[1], x[2], -x[0], x[3], -1.0f};
  return z[j] > 0 ? z[j] : 0.0f;
}

constexpr int kRows = 8;
// clang-format off
const float kX[kRows * D] = {
     1,  1,  1,  0.5f,   // 0
     2, -1,  1,  3,      // 1
    -1,  1,  1,  2,      // 2
    -1,  1, -1,  0,      // 3
  0.5f,  1,  1,  1,      // 4
    -2, -1, -1,  4,      // 5
     3, -1, -1, -1,      // 6
    -1, -1,  1,  0.25f,  // 7
};
// clang-format on
//  f0 fires on {0, 1, 4, 6}    f1 on {0, 2, 3, 4}    f2 on {0, 1, 2, 4, 7}
//  f3 fires on {2, 3, 5, 7}    f4 on {0, 1, 2, 4, 5, 7}    f5 never
// Predicates: p0 = x2 > 0 {0, 1, 2, 4, 7};  p1 = x1 > 0 and x2 > 0 {0, 2, 4};  p2 = x0 > 0
// {0, 1, 4, 6};  p3 = "row 3" {3};  p4 never holds.
uint8_t truth_of(int row, int p) {
  const float* x = kX + row * D;
  switch (p) {
    case 0: return x[2] > 0;
    case 1: return x[1] > 0 && x[2] > 0;
    case 2: return x[0] > 0;
    case 3: return row == 3;
    default: return 0;
  }
}

std::vector<uint8_t> hand_truth() {
  std::vector<uint8_t> t(kRows * P);
  for (int r = 0; r < kRows; ++r)
    for (int p = 0; p < P; ++p) t[r * P + p] = truth_of(r, p);
  return t;
}

using Report = FeatureReport<M, P, 4>;

const char* const kPhrases[P] = {"x2 is positive", "x1 and x2 are positive", "x0 is positive", "it is row 3",
                                 "never"};

// The report of the hand SAE on the hand rows and truth (8 rows in batches of 3, 3 and 2).
std::unique_ptr<Report> hand_report() {
  auto sae = hand_sae();
  const std::vector<uint8_t> truth = hand_truth();
  auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
  auto r = std::make_unique<Report>();
  REQUIRE(analyse_features(*sae, kX, kRows, truth.data(), *work, *r).ok());
  return r;
}

}  // namespace

TEST_CASE("a feature equal to a predicate matches it with precision, recall and F1 of 1") {
  auto r = hand_report();
  CHECK(r->inputs == kRows);
  CHECK(r->best_predicate[0] == 2);
  CHECK(r->precision[0] == 1.0);
  CHECK(r->recall[0] == 1.0);
  CHECK(r->f1[0] == 1.0);
  CHECK(r->best_predicate[2] == 0);
  CHECK(r->f1[2] == 1.0);
}

TEST_CASE("a feature firing on a superset of a predicate has recall 1 and precision |predicate| / |fired|") {
  auto r = hand_report();
  // f1 fires on {0, 2, 3, 4}, p1 holds on {0, 2, 4}: TP 3, FP 1, FN 0
  CHECK(r->true_positives[1][1] == 3);
  CHECK(r->fired[1] == 4);
  CHECK(r->positives[1] == 3);
  CHECK(r->best_predicate[1] == 1);
  CHECK(r->precision[1] == doctest::Approx(0.75));
  CHECK(r->recall[1] == 1.0);
  CHECK(r->f1[1] == doctest::Approx(6.0 / 7.0));
  // f4 fires on {0, 1, 2, 4, 5, 7} and p0 on {0, 1, 2, 4, 7}: precision 5/6, recall 1
  CHECK(r->best_predicate[4] == 0);
  CHECK(r->precision[4] == doctest::Approx(5.0 / 6.0));
  CHECK(r->recall[4] == 1.0);
  // f3 fires on {2, 3, 5, 7}: p0 shares {2, 7} (F1 4/9), beating p3's {3} (F1 2/5)
  CHECK(r->best_predicate[3] == 0);
  CHECK(r->precision[3] == doctest::Approx(0.5));
  CHECK(r->recall[3] == doctest::Approx(0.4));
  CHECK(r->f1_of(3, 3) == doctest::Approx(0.4));
  CHECK(r->precision_of(3, 3) == doctest::Approx(0.25));
  CHECK(r->recall_of(3, 3) == 1.0);
}

TEST_CASE("matched predicates: those some live feature fires on with enough precision and recall") {
  auto r = hand_report();
  // p0 is f2 exactly and p2 is f0 exactly; p1's best precision is f1's 0.75; p3 = {3} is only
  // ever hit by features firing on 4 rows (precision 0.25); p4 never holds
  int present = -1;
  CHECK(matched_predicates(*r, 0.9, 0.5, 0, P, &present) == 2);
  CHECK(present == 4);
  CHECK(matched_predicates(*r, 0.7, 0.5, 0, P) == 3);  // f1 now matches p1 (0.75, 1)
  CHECK(matched_predicates(*r, 0.7, 1.01, 0, P) == 0);  // no recall above 1
  CHECK(matched_predicates(*r, 0.9, 0.5, 1, 4, &present) == 1);  // p2 alone of p1..p3
  CHECK(present == 3);
  CHECK(matched_predicates(*r, 0.0, 0.0, 4, 5, &present) == 0);  // p4 holds nowhere: not counted
  CHECK(present == 0);
}

TEST_CASE("densities count the inputs where a feature is positive; a dead one has 0 and no predicate") {
  auto r = hand_report();
  const double expected[M] = {4 / 8.0, 4 / 8.0, 5 / 8.0, 4 / 8.0, 6 / 8.0, 0.0};
  for (int j = 0; j < M; ++j) CHECK(r->density[j] == expected[j]);
  CHECK(r->live == 5);
  CHECK(r->best_predicate[5] == -1);
  CHECK(r->precision[5] == 0.0);
  CHECK(r->recall[5] == 0.0);
  CHECK(r->f1[5] == 0.0);
  CHECK(r->top_count[5] == 0);
  for (int t = 0; t < 4; ++t) CHECK(r->top_rows[5][t] == -1);
}

TEST_CASE("top rows are the largest activations in descending order, fewer when the feature fired less") {
  auto sae = hand_sae();
  auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
  auto r = std::make_unique<FeatureReport<M, P, 5>>();
  REQUIRE(analyse_features(*sae, kX, kRows, *work, *r).ok());  // no truth needed
  // f4 = x3: 4 (row 5), 3 (row 1), 2 (row 2), 1 (row 4), 0.5 (row 0), 0.25 (row 7)
  const int rows4[5] = {5, 1, 2, 4, 0};
  const float values4[5] = {4, 3, 2, 1, 0.5f};
  CHECK(r->top_count[4] == 5);
  for (int t = 0; t < 5; ++t) {
    CHECK(r->top_rows[4][t] == rows4[t]);
    CHECK(r->top_values[4][t] == values4[t]);
  }
  // f0 fires on 4 rows only: 3 (row 6), 2 (row 1), 1 (row 0), 0.5 (row 4), then nothing
  const int rows0[4] = {6, 1, 0, 4};
  CHECK(r->top_count[0] == 4);
  for (int t = 0; t < 4; ++t) CHECK(r->top_rows[0][t] == rows0[t]);
  CHECK(r->top_rows[0][4] == -1);
  CHECK(r->top_values[0][4] == 0.0f);
  // without truth: densities still, but no predicate
  CHECK(r->density[4] == 6 / 8.0);
  for (int j = 0; j < M; ++j) CHECK(r->best_predicate[j] == -1);
  CHECK(r->mean_best_f1 == 0.0);
}

TEST_CASE("top rows agree with an independent sort on random inputs, equal values in row order") {
  auto sae = hand_sae();
  constexpr int n = 300;
  std::vector<float> x(n * D);
  Rng rng(11);
  // values on a coarse grid, so that many activations are equal
  for (float& v : x) v = static_cast<float>(static_cast<int>(rng.below(9)) - 4) * 0.5f;
  auto work = std::make_unique<SaeWorkspace<SaeT, 16>>();
  constexpr int kTop = 8;
  auto r = std::make_unique<FeatureReport<M, 1, kTop>>();
  REQUIRE(analyse_features(*sae, x.data(), n, *work, *r).ok());
  for (int j = 0; j < M; ++j) {
    std::vector<std::pair<float, int>> fired;  // (activation, row)
    for (int i = 0; i < n; ++i)
      if (code(&x[i * D], j) > 0) fired.push_back({code(&x[i * D], j), i});
    std::stable_sort(fired.begin(), fired.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const int kept = std::min(kTop, static_cast<int>(fired.size()));
    CHECK(r->top_count[j] == kept);
    CHECK(r->active[j] == static_cast<long>(fired.size()));
    for (int t = 0; t < kept; ++t) {
      CHECK(r->top_rows[j][t] == fired[t].second);
      CHECK(r->top_values[j][t] == fired[t].first);
    }
  }
}

TEST_CASE("mean_best_f1 is the mean over present predicates of the best feature's F1") {
  auto r = hand_report();
  // by hand: p0 -> f2 (1), p1 -> f1 (6/7), p2 -> f0 (1), p3 -> f1 and f3 tie at 2/5: f1; p4 absent
  const int best_feature[P] = {2, 1, 0, 1, -1};
  const double best_f1[P] = {1.0, 6.0 / 7.0, 1.0, 0.4, 0.0};
  for (int p = 0; p < P; ++p) {
    CHECK(r->best_feature_for[p] == best_feature[p]);
    CHECK(r->best_f1_for[p] == doctest::Approx(best_f1[p]));
  }
  CHECK(r->predicates_present == 4);
  CHECK(r->mean_best_f1 == doctest::Approx((1.0 + 6.0 / 7.0 + 1.0 + 0.4) / 4));

  // independently: confusion counts straight from the hand formulas
  double total = 0;
  int present = 0;
  for (int p = 0; p < P; ++p) {
    int positives = 0;
    for (int i = 0; i < kRows; ++i) positives += truth_of(i, p);
    if (positives == 0) continue;
    ++present;
    double best = 0;
    for (int j = 0; j < M; ++j) {
      int tp = 0, fp = 0;
      for (int i = 0; i < kRows; ++i)
        if (code(kX + i * D, j) > 0) (truth_of(i, p) ? tp : fp) += 1;
      const int fn = positives - tp;
      const double prec = tp + fp > 0 ? double(tp) / (tp + fp) : 0, rec = double(tp) / (tp + fn);
      const double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
      best = std::max(best, f1);
    }
    total += best;
  }
  CHECK(present == r->predicates_present);
  CHECK(r->mean_best_f1 == doctest::Approx(total / present));
}

TEST_CASE("bool and uint8_t truth give the same report") {
  auto sae = hand_sae();
  const std::vector<uint8_t> truth = hand_truth();
  bool truth_b[kRows * P];
  for (int i = 0; i < kRows * P; ++i) truth_b[i] = truth[i] != 0;
  auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
  auto a = std::make_unique<Report>();
  auto b = std::make_unique<Report>();
  REQUIRE(analyse_features(*sae, kX, kRows, truth.data(), *work, *a).ok());
  REQUIRE(analyse_features(*sae, kX, kRows, truth_b, *work, *b).ok());
  CHECK(std::memcmp(a->true_positives, b->true_positives, sizeof a->true_positives) == 0);
  for (int j = 0; j < M; ++j) CHECK(a->best_predicate[j] == b->best_predicate[j]);
  CHECK(a->mean_best_f1 == b->mean_best_f1);
}

TEST_CASE("streaming codes through clear, add and finish equals analyse_features") {
  auto sae = hand_sae();
  const std::vector<uint8_t> truth = hand_truth();
  auto work = std::make_unique<SaeWorkspace<SaeT, 8>>();
  auto whole = std::make_unique<Report>();
  REQUIRE(analyse_features(*sae, kX, kRows, truth.data(), *work, *whole).ok());
  auto streamed = std::make_unique<Report>();
  streamed->clear();
  for (int i = 0; i < kRows; ++i) {  // one row at a time, codes computed here
    float f[M];
    for (int j = 0; j < M; ++j) f[j] = code(kX + i * D, j);
    streamed->add(f, 1, truth.data() + i * P);
  }
  streamed->finish();
  CHECK(std::memcmp(whole->true_positives, streamed->true_positives, sizeof whole->true_positives) == 0);
  CHECK(std::memcmp(whole->top_rows, streamed->top_rows, sizeof whole->top_rows) == 0);
  for (int j = 0; j < M; ++j) {
    CHECK(whole->density[j] == streamed->density[j]);
    CHECK(whole->best_predicate[j] == streamed->best_predicate[j]);
    CHECK(whole->f1[j] == streamed->f1[j]);
  }
  CHECK(whole->mean_best_f1 == streamed->mean_best_f1);
}

TEST_CASE("a fire threshold changes precision and recall but not density") {
  auto sae = hand_sae();
  const std::vector<uint8_t> truth = hand_truth();
  auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
  auto r = std::make_unique<Report>();
  REQUIRE(analyse_features(*sae, kX, kRows, truth.data(), *work, *r, /*fire_threshold=*/1.5).ok());
  // f0 > 1.5 on rows 1 (2) and 6 (3) only, both inside p2 = {0, 1, 4, 6}
  CHECK(r->density[0] == 0.5);
  CHECK(r->fired[0] == 2);
  CHECK(r->best_predicate[0] == 2);
  CHECK(r->precision[0] == 1.0);
  CHECK(r->recall[0] == 0.5);
  CHECK(r->f1[0] == doctest::Approx(2.0 / 3.0));
  // f1 (values 1) never exceeds 1.5: live, but no predicate
  CHECK(r->density[1] == 0.5);
  CHECK(r->best_predicate[1] == -1);
}

TEST_CASE("heat maps are the mean activation per attribute value") {
  auto sae = hand_sae();
  constexpr int G = 2, V = 3;
  uint8_t attributes[kRows * G];
  for (int i = 0; i < kRows; ++i) {
    attributes[i * G + 0] = static_cast<uint8_t>(i % 3);
    attributes[i * G + 1] = static_cast<uint8_t>(i < 4 ? 0 : 1);  // value 2 never occurs
  }
  auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
  auto h = std::make_unique<HeatMaps<M, G, V>>();
  REQUIRE(heat_maps(*sae, kX, kRows, attributes, *work, *h).ok());
  CHECK(h->inputs == kRows);
  // by hand: f4 over rows with i % 3 == 2 (rows 2, 5): (2 + 4) / 2; over rows 0..3: (0.5 + 3 + 2 + 0) / 4
  CHECK(h->mean(4, 0, 2) == doctest::Approx(3.0));
  CHECK(h->mean(4, 1, 0) == doctest::Approx(5.5 / 4));
  CHECK(h->count[1][2] == 0);
  CHECK(h->mean(4, 1, 2) == 0.0);
  CHECK(h->mean(5, 0, 0) == 0.0);  // the dead feature
  for (int j = 0; j < M; ++j)
    for (int g = 0; g < G; ++g)
      for (int v = 0; v < V; ++v) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < kRows; ++i)
          if (attributes[i * G + g] == v) sum += code(kX + i * D, j), ++count;
        CHECK(h->count[g][v] == count);
        CHECK(h->mean(j, g, v) == doctest::Approx(count > 0 ? sum / count : 0.0));
      }
}

TEST_CASE("an attribute outside [0, V) is an invalid_argument naming the input") {
  auto sae = hand_sae();
  uint8_t attributes[kRows] = {0, 1, 2, 0, 1, 7, 0, 1};
  auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
  auto h = std::make_unique<HeatMaps<M, 1, 3>>();
  Status s = heat_maps(*sae, kX, kRows, attributes, *work, *h);
  CHECK(s.code == StatusCode::invalid_argument);
  CHECK(std::string(s.message).find("input 5") != std::string::npos);
  CHECK(h->inputs == 0);  // nothing counted
  CHECK(h->count[0][0] == 0);
}

TEST_CASE("bad counts and null rows are invalid arguments") {
  auto sae = hand_sae();
  const std::vector<uint8_t> truth = hand_truth();
  auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
  auto r = std::make_unique<Report>();
  CHECK(analyse_features(*sae, kX, -1, truth.data(), *work, *r).code == StatusCode::invalid_argument);
  CHECK(analyse_features(*sae, static_cast<const float*>(nullptr), 4, *work, *r).code ==
        StatusCode::invalid_argument);
  // zero inputs: valid, everything 0 and dead
  REQUIRE(analyse_features(*sae, static_cast<const float*>(nullptr), 0, truth.data(), *work, *r).ok());
  CHECK(r->live == 0);
  CHECK(r->mean_best_f1 == 0.0);
  CHECK(r->density[0] == 0.0);
}

TEST_CASE("describe_feature names the best predicate with its precision and recall") {
  auto r = hand_report();
  char buf[128];
  int n = describe_feature(*r, 1, kPhrases, buf, sizeof buf);
  CHECK(std::string(buf) == "fires when x1 and x2 are positive (precision 0.75, recall 1.00)");
  CHECK(n == static_cast<int>(std::strlen(buf)));
  describe_feature(*r, 0, kPhrases, buf, sizeof buf);
  CHECK(std::string(buf) == "fires when x0 is positive (precision 1.00, recall 1.00)");
  describe_feature(*r, 5, kPhrases, buf, sizeof buf);
  CHECK(std::string(buf) == "never fires (dead)");
  describe_feature(*r, 1, nullptr, buf, sizeof buf);
  CHECK(std::string(buf) == "fires when predicate 1 holds (precision 0.75, recall 1.00)");
  CHECK(describe_feature(*r, M, kPhrases, buf, sizeof buf) == -1);
  CHECK(buf[0] == '\0');

  SUBCASE("from a callback") {
    const PredicatePhrase phrase = [](int p, char* scratch, size_t cap) -> const char* {
      std::snprintf(scratch, cap, "p%d is true", p);
      return scratch;
    };
    describe_feature(*r, 3, phrase, buf, sizeof buf);
    CHECK(std::string(buf) == "fires when p0 is true (precision 0.50, recall 0.40)");
  }
  SUBCASE("a short buffer is cut and terminated; the full length is returned") {
    char small[12];
    const int full = describe_feature(*r, 1, kPhrases, small, sizeof small);
    CHECK(full == static_cast<int>(std::strlen("fires when x1 and x2 are positive (precision 0.75, recall 1.00)")));
    CHECK(std::string(small) == "fires when ");
  }
  SUBCASE("a live feature with no match says how often it fires") {
    auto sae = hand_sae();
    const std::vector<uint8_t> truth = hand_truth();
    auto work = std::make_unique<SaeWorkspace<SaeT, 3>>();
    REQUIRE(analyse_features(*sae, kX, kRows, truth.data(), *work, *r, 1.5).ok());
    describe_feature(*r, 1, kPhrases, buf, sizeof buf);
    CHECK(std::string(buf) == "fires on 50.0% of inputs; matches no predicate");
  }
}

// Coverage (Karvonen et al.) from plain arrays: 16 rows, codes set by hand. Thresholds are t / 10
// of each feature's maximum (1 here): a value 0.25 fires at t = 0, 1, 2 (cuts 0, 0.1, 0.2) and
// not from t = 3 (cut 0.3) on.
namespace {

constexpr int kN = 16;

template <int Width>
void set_rows(std::vector<float>& codes, int j, int from, int to, float value) {
  for (int i = from; i < to; ++i) codes[i * Width + j] = value;
}

}  // namespace

TEST_CASE("a feature equal to a predicate has F1 1 at every threshold and coverage 1") {
  std::vector<float> codes(kN, 0.0f);
  std::vector<uint8_t> truth(kN, 0);
  for (int i = 0; i < kN; i += 3) codes[i] = 2.0f, truth[i] = 1;
  auto c = std::make_unique<ThresholdCounts<1, 1>>();
  REQUIRE(count_thresholds(codes.data(), truth.data(), kN, *c).ok());
  CHECK(c->max_code[0] == 2.0);
  for (int t = 0; t < 10; ++t) CHECK(c->f1(t, 0, 0) == 1.0);
  Coverage cov;
  REQUIRE(coverage(*c, 0, 1, cov).ok());
  CHECK(cov.value == 1.0);
  CHECK(cov.threshold == 0);
  CHECK(cov.predicates == 1);
}

TEST_CASE("a feature that fires on half the positives above 0.3 of its max scores F1 2/3 there") {
  // p holds on rows 0-7. f = 1 on rows 0-3, 0.25 on the negatives 8-15, 0 on rows 4-7.
  // t <= 2: fires on 12 rows, TP 4: F1 = 2*4 / (12 + 8) = 0.4.  t >= 3: fires on rows 0-3 only:
  // precision 1, recall 1/2, F1 = 2*4 / (4 + 8) = 2/3, the coverage.
  std::vector<float> codes(kN, 0.0f);
  std::vector<uint8_t> truth(kN, 0);
  set_rows<1>(codes, 0, 0, 4, 1.0f);
  set_rows<1>(codes, 0, 8, 16, 0.25f);
  for (int i = 0; i < 8; ++i) truth[i] = 1;
  auto c = std::make_unique<ThresholdCounts<1, 1>>();
  REQUIRE(count_thresholds(codes.data(), truth.data(), kN, *c).ok());
  CHECK(c->fired[2][0] == 12);
  CHECK(c->f1(2, 0, 0) == doctest::Approx(0.4));
  CHECK(c->fired[3][0] == 4);
  CHECK(c->precision(3, 0, 0) == 1.0);
  CHECK(c->recall(3, 0, 0) == 0.5);
  CHECK(c->f1(3, 0, 0) == doctest::Approx(2.0 / 3.0));
  Coverage cov;
  REQUIRE(coverage(*c, 0, 1, cov).ok());
  CHECK(cov.value == doctest::Approx(2.0 / 3.0));
  CHECK(cov.threshold == 3);
}

TEST_CASE("coverage takes one threshold per family and averages within each family") {
  // Family A = predicates {0, 1}, family B = {2, 3}; four features, the last never positive.
  //   p0 on rows 0-7;  f0 = 1 on rows 0-3, 0.25 on rows 4-7: F1 1 for t <= 2, 2/3 from t = 3
  //   p1 on rows 8-11; f1 = 1 on rows 8-11, 0.25 on rows 12, 13: F1 8/10 for t <= 2, 1 from t = 3
  //   p2 on the even rows, f2 = 1 there: F1 1;  p3 holds nowhere: left out;  f3 = -1 everywhere
  // A's mean is (1 + 0.8) / 2 = 0.9 for t <= 2 and (2/3 + 1) / 2 = 5/6 from t = 3: coverage 0.9
  // at t = 0, below the 1 that a best threshold per predicate would give.
  constexpr int W = 4, Pn = 4;
  std::vector<float> codes(kN * W, 0.0f);
  std::vector<uint8_t> truth(kN * Pn, 0);
  set_rows<W>(codes, 0, 0, 4, 1.0f);
  set_rows<W>(codes, 0, 4, 8, 0.25f);
  set_rows<W>(codes, 1, 8, 12, 1.0f);
  set_rows<W>(codes, 1, 12, 14, 0.25f);
  set_rows<W>(codes, 3, 0, kN, -1.0f);
  for (int i = 0; i < kN; ++i) {
    truth[i * Pn + 0] = i < 8;
    truth[i * Pn + 1] = i >= 8 && i < 12;
    truth[i * Pn + 2] = i % 2 == 0;
    codes[i * W + 2] = i % 2 == 0 ? 1.0f : 0.0f;
  }
  auto c = std::make_unique<ThresholdCounts<W, Pn>>();
  REQUIRE(count_thresholds(codes.data(), truth.data(), kN, *c).ok());
  CHECK(c->f1(0, 0, 0) == 1.0);
  CHECK(c->f1(3, 0, 0) == doctest::Approx(2.0 / 3.0));
  CHECK(c->f1(0, 1, 1) == doctest::Approx(0.8));
  CHECK(c->f1(3, 1, 1) == 1.0);
  CHECK(c->max_code[3] == 0.0);
  CHECK(c->fired[0][3] == 0);
  int feature = -2;
  CHECK(best_f1(*c, 3, 1, &feature) == 1.0);
  CHECK(feature == 1);
  CHECK(best_f1(*c, 0, 3, &feature) == 0.0);
  CHECK(feature == -1);

  Coverage a, b;
  REQUIRE(coverage(*c, 0, 2, a).ok());
  CHECK(a.value == doctest::Approx(0.9));
  CHECK(a.threshold == 0);
  CHECK(a.predicates == 2);
  REQUIRE(coverage(*c, 2, 4, b).ok());
  CHECK(b.value == 1.0);
  CHECK(b.predicates == 1);  // p3 never holds
  Coverage all;
  REQUIRE(coverage(*c, 0, 4, all).ok());  // one family of all three: (1 + 0.8 + 1) / 3 at t = 0
  CHECK(all.value == doctest::Approx(2.8 / 3));

  CHECK(coverage(*c, 2, 2, all).code == StatusCode::invalid_argument);
  CHECK(coverage(*c, 0, 5, all).code == StatusCode::invalid_argument);
  CHECK(count_thresholds(codes.data(), truth.data(), 0, *c).code == StatusCode::invalid_argument);
}

TEST_CASE("threshold counts agree with a direct count on random codes") {
  constexpr int W = 5, Pn = 3, n = 200;
  std::vector<float> codes(n * W);
  std::vector<uint8_t> truth(n * Pn);
  Rng rng(5);
  for (float& v : codes) v = rng.uniform(-1.0f, 3.0f);
  for (uint8_t& v : truth) v = rng.below(3) == 0;
  auto c = std::make_unique<ThresholdCounts<W, Pn>>();
  REQUIRE(count_thresholds(codes.data(), truth.data(), n, *c).ok());
  for (int j = 0; j < W; ++j) {
    double max = 0;
    for (int i = 0; i < n; ++i) max = std::max(max, static_cast<double>(codes[i * W + j]));
    for (int t = 0; t < 10; ++t) {
      const double cut = t / 10.0 * max;
      long fired = 0, tp[Pn] = {};
      for (int i = 0; i < n; ++i) {
        if (!(codes[i * W + j] > cut)) continue;
        ++fired;
        for (int p = 0; p < Pn; ++p) tp[p] += truth[i * Pn + p];
      }
      CHECK(c->fired[t][j] == fired);
      for (int p = 0; p < Pn; ++p) CHECK(c->true_positives[t][j][p] == tp[p]);
    }
  }
}
