// saerl/examples/report/html_evidence.hpp — the report's sections on evidence beyond labels:
// #causal (zero-ablation of single features from the features files; counterfactual steering
// from results.json's features.<variant>.steering when the run has it) and #probe (what
// linear probes read from the SAE's codes and from the Q-values, with balanced accuracy beside
// plain accuracy, and Karvonen et al.'s coverage and board reconstruction against the raw
// neurons).
//
//   saerl::html_causal(h, data);
//   saerl::html_probe(h, data);
#pragma once
#include <string>
#include <vector>

#include "board_html.hpp"
#include "html_page.hpp"
#include "report_data.hpp"

namespace saerl {

namespace detail {

// The feature record of id in a features file, or null.
inline const Json* feature_by_id(const Json* file, double id) {
  const Json* list = json_at(file, "features");
  if (is_array(list))
    for (const Json& f : list->items)
      if (number_or(&f, "id", -1) == id) return &f;
  return nullptr;
}

inline std::string short_label(const Json* feature) {
  const Json* label = json_at(feature, "label");
  if (!label) return "<span class=\"weak\">no match</span>";
  const Json* flag = label->get("labeled");
  const std::string phrase = escaped(text_at(label, "phrase"));
  const std::string precision = " (precision " + fixed(number_at(label, "precision"), 2) + ")";
  return flag && flag->flag ? "fires when " + phrase + precision
                            : "<span class=\"weak\">best match: " + phrase + precision + "</span>";
}

inline void steering_table(Html& h, const std::string& variant, const Json* steering) {
  static const char* const kRates[][2] = {{"counterfactual_agreement", "DQN's move on the counterfactual board"},
                                          {"optimal_on_counterfactual", "an optimal move there"},
                                          {"random_direction_agreement", "same, a random feature written"},
                                          {"unintervened_agreement", "same, nothing written"},
                                          {"reconstruction_agreement", "same, layer replaced by the reconstruction"}};
  const char* families[2][2] = {{"", "piece on a square"}, {"named", "named predicates"}};
  std::string rows;
  for (const auto& family : families) {
    const Json* s = *family[0] ? json_at(steering, family[0]) : steering;
    if (number_or(s, "tested", 0) <= 0) continue;  // no feature of the family to steer
    rows += std::string("<tr><td>") + family[1] + "</td><td class=\"n\">" + fixed(number_at(s, "tested"), 0) +
            "</td><td class=\"n\">" + fixed(number_at(s, "positions"), 0) + "</td>";
    for (const auto& r : kRates) rows += "<td class=\"n\">" + percent(number_at(s, r[0])) + "</td>";
    rows += "</tr>\n";
  }
  h.put("<h3>Steering: %s</h3>", escaped(variant).c_str());
  if (rows.empty()) {
    h.raw("<p class=\"note\">No feature labelled with precision &ge; 0.9 to steer.</p>\n");
    return;
  }
  h.raw("<div class=\"scroll\"><table class=\"data\"><tr><th>labels</th><th class=\"n\">features tested</th>"
        "<th class=\"n\">positions</th>");
  for (const auto& r : kRates) h.put("<th class=\"n\">%s</th>", r[1]);
  h.raw("</tr>\n");
  h.raw(rows);
  h.raw("</table></div>\n");
}

// The features file's steering_examples: per case, x and x' side by side with the moves.
inline void steering_examples(Html& h, const Json* examples, int n) {
  if (!is_array(examples) || examples->items.empty() || n <= 0) return;
  for (const Json& e : examples->items) {
    int x[3], x_prime[3];
    if (!board_pieces(e.get("x"), x) || !board_pieces(e.get("x_prime"), x_prime)) continue;
    const Json *label = e.get("phrase"), *before = e.get("action_x"), *steered = e.get("action_steered"),
               *target = e.get("action_x_prime");
    if (!label || !before || !steered || !target) continue;
    h.put("<p class=\"note\">Feature #%.0f (%s) steers %s of its positions to the DQN's move on the "
          "counterfactual board. One case:</p><div class=\"maps\">",
          number_or(&e, "feature", -1), escaped(label->text).c_str(),
          percent(number_at(&e, "counterfactual_agreement")).c_str());
    html_board(h, n, x, "x: the DQN plays " + before->text + "; steered, " + steered->text);
    html_board(h, n, x_prime, "x': the DQN plays " + target->text);
    h.raw("</div>\n");
  }
}

}  // namespace detail

inline void html_causal(Html& h, const ReportData& d) {
  section_begin(h, "causal", "Causal tests");
  h.raw("<p>A label says when a feature fires, not that the DQN uses it. <b>Ablation</b>: the DQN acts through the "
        "SAE with one feature's contribution removed from the reconstruction; the table lists the features whose "
        "removal changes the greedy move on the most positions, and the exact expected return of the policy without "
        "them (every legal start against the random black king, relative to the DQN's own return: 100% keeps all of "
        "it). <b>Steering</b> (when the run has it): the feature is written into positions where its label is "
        "false, and the DQN's move is compared with its move on the nearest board where the label holds.</p>\n");
  bool any = false;
  for (size_t v = 0; v < d.variants.size(); ++v) {
    const Json* file = d.file(v);
    const Json* top = json_at(file, "ablation.top");
    const std::string name = escaped(d.variants[v]);
    if (is_array(top) && !top->items.empty()) {
      any = true;
      const double positions = number_or(file, "positions", NAN);
      h.put("<h3>Ablation: %s</h3><p class=\"note\">Exact return through the SAE with nothing removed: %s of the "
            "DQN's (mate probability %s), over every legal start against the random black king.</p><div "
            "class=\"scroll\"><table class=\"data\"><tr><th>feature</th><th>label</th><th class=\"n\">positions "
            "active</th><th class=\"n\">move changed</th><th class=\"n\">of all positions</th><th class=\"n\">return "
            "ratio without it</th><th class=\"n\">change (points)</th><th class=\"n\">mate probability without "
            "it</th></tr>\n",
            name.c_str(), percent(number_at(file, "ablation.base_return_ratio")).c_str(),
            percent(number_at(file, "ablation.base_mate_prob")).c_str());
      for (const Json& t : top->items) {
        const double id = number_or(&t, "id", -1);
        const Json* f = detail::feature_by_id(file, id);
        const double change =
            100 * (number_or(&t, "return_ratio", NAN) - number_or(file, "ablation.base_return_ratio", NAN));
        h.put("<tr><td><a href=\"#f-%s-%.0f\">#%.0f</a></td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
              "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s%s</td><td class=\"n\">%s</td></tr>\n",
              name.c_str(), id, id, detail::short_label(f).c_str(), fixed(number_at(f, "active"), 0).c_str(),
              fixed(number_at(f, "changed"), 0).c_str(), percent(number_or(f, "changed", NAN) / positions).c_str(),
              percent(number_at(&t, "return_ratio")).c_str(), change > 0 ? "+" : "", fixed(change, 1).c_str(),
              percent(number_at(&t, "mate_prob")).c_str());
      }
      h.raw("</table></div>\n");
    }
    const Json* steering = json_at(d.file(v), "steering");
    if (!steering) steering = json_at(d.summary(v), "steering");  // the summary alone
    if (steering) {
      any = true;
      detail::steering_table(h, d.variants[v], steering);
      detail::steering_examples(h, json_at(d.file(v), "steering_examples"), d.board_size());
    }
  }
  if (!any) h.raw("<p class=\"note\">No ablation or steering data in this run.</p>\n");
  section_end(h);
}

inline void html_probe(Html& h, const ReportData& d) {
  const Json& r = d.results;
  section_begin(h, "probe", "Read-out");
  h.raw("<h3>Supervised metrics (Karvonen et al. 2024): each SAE against the raw neurons it reads</h3>"
        "<div class=\"scroll\"><table class=\"data\"><tr><th>features of</th><th class=\"n\">coverage: pieces' "
        "squares</th><th class=\"n\">coverage: named predicates</th><th class=\"n\">board read back (F1)</th>"
        "<th class=\"n\">boards exactly right</th></tr>\n");
  auto supervised_row = [&](const std::string& who, const Json* s) {
    h.put("<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
          "</tr>\n",
          who.c_str(), fixed(number_at(s, "coverage"), 3).c_str(), fixed(number_at(s, "coverage_other"), 3).c_str(),
          fixed(number_at(s, "board_f1"), 3).c_str(), percent(number_at(s, "board_exact")).c_str());
  };
  for (size_t v = 0; v < d.variants.size(); ++v) supervised_row(escaped(d.variants[v]) + " SAE", d.summary(v));
  supervised_row("raw neurons (baseline)", json_at(r, "features.neurons"));
  h.raw("</table></div><p class=\"note\">Coverage: per predicate the best single feature's F1 at one threshold per "
        "family (a fraction of each feature's maximum), averaged over the family. Board read back: per-square F1 of "
        "the board predicted by high-precision detectors, fit on 80% of the positions and scored on the other "
        "20%.</p>\n");

  h.raw("<h3>Linear probes for the named predicates</h3><p>A logistic probe per predicate, trained on 80% of the "
        "legal positions and scored on the other 20%, reading the SAE's codes or the DQN's Q-values. <b>Balanced "
        "accuracy</b> is the mean of the accuracy on the positions where the predicate holds and on those where it "
        "does not: always answering the commoner case scores 50%, however rare the predicate, while its plain "
        "accuracy (the commoner answer's column) can be near 100%.</p>\n");
  std::vector<size_t> readers;  // the variants with probe results
  for (size_t v = 0; v < d.variants.size(); ++v)
    if (is_array(json_at(d.file(v), "probe.predicates"))) readers.push_back(v);
  if (readers.empty()) {
    h.raw("<p class=\"note\">No probe results in the features files.</p>\n");
    section_end(h);
    return;
  }
  // The majority answer and the Q-values are the same for every variant (one split, one seed).
  const Json* rows = json_at(d.file(readers[0]), "probe.predicates");
  const size_t count = rows->items.size();
  auto mean = [&](const Json* list, const char* key) {
    double sum = 0;
    for (const Json& row : list->items) sum += number_or(&row, key, NAN);
    return list->items.empty() ? NAN : sum / double(list->items.size());
  };
  h.put("<div class=\"scroll\"><table class=\"data\"><tr><th>read from</th><th class=\"n\">accuracy</th>"
        "<th class=\"n\">balanced accuracy</th></tr>\n<tr><td>nothing: the commoner answer</td><td class=\"n\">%s"
        "</td><td class=\"n\">50.0%%</td></tr>\n<tr><td>the DQN's Q-values</td><td class=\"n\">%s</td>"
        "<td class=\"n\"><b>%s</b></td></tr>\n",
        percent(mean(rows, "majority_accuracy")).c_str(), percent(mean(rows, "q_values.accuracy")).c_str(),
        percent(mean(rows, "q_values.balanced_accuracy")).c_str());
  for (size_t v : readers) {
    const Json* list = json_at(d.file(v), "probe.predicates");
    h.put("<tr><td>the %s SAE's codes</td><td class=\"n\">%s</td><td class=\"n\"><b>%s</b></td></tr>\n",
          escaped(d.variants[v]).c_str(), percent(mean(list, "sae.accuracy")).c_str(),
          percent(mean(list, "sae.balanced_accuracy")).c_str());
  }
  h.put("</table></div><p class=\"note\">Means over the %zu named predicates; each one below.</p>\n", count);

  h.raw("<div class=\"scroll\"><table class=\"data\"><tr><th class=\"s\" rowspan=\"2\">predicate</th><th class=\"n\" "
        "rowspan=\"2\">holds on</th><th class=\"n\" rowspan=\"2\">commoner answer: accuracy</th><th colspan=\"2\">"
        "Q-values</th>");
  for (size_t v : readers) h.put("<th colspan=\"2\">%s SAE</th>", escaped(d.variants[v]).c_str());
  h.raw("</tr><tr>");
  for (size_t i = 0; i <= readers.size(); ++i) h.raw("<th class=\"n\">accuracy</th><th class=\"n\">balanced</th>");
  h.raw("</tr>\n");
  auto pair = [&](const Json* row, const std::string& who) {
    h.put("<td class=\"n\">%s</td><td class=\"n\"><b>%s</b></td>", percent(number_at(row, who + ".accuracy")).c_str(),
          percent(number_at(row, who + ".balanced_accuracy")).c_str());
  };
  for (size_t p = 0; p < count; ++p) {
    const Json& row = rows->items[p];
    h.put("<tr><th class=\"s\">%s</th><td class=\"n\">%s</td><td class=\"n\">%s</td>",
          escaped(text_at(&row, "phrase")).c_str(),
          percent(number_at(&row, "positive_rate")).c_str(), percent(number_at(&row, "majority_accuracy")).c_str());
    pair(&row, "q_values");
    for (size_t v : readers) {
      const Json* list = json_at(d.file(v), "probe.predicates");
      pair(p < list->items.size() ? &list->items[p] : nullptr, "sae");
    }
    h.raw("</tr>\n");
  }
  h.raw("</table></div>\n");
  section_end(h);
}

}  // namespace saerl
