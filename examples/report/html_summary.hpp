// saerl/examples/report/html_summary.hpp — the report's first two sections: #summary, the
// headline numbers each with a line saying what it means (the agent's quality, each SAE's
// fidelity, the labelled features, the SAEs against the raw neurons), and #contents.
//
//   saerl::html_summary(h, data);
//   saerl::html_contents(h, data);
#pragma once
#include <string>

#include "html_page.hpp"
#include "report_data.hpp"

namespace saerl {

namespace detail {

inline void kpi_begin(Html& h, const char* name, const std::string& value) {
  h.put("<div class=\"kpi\"><span>%s</span><b>%s</b>", name, value.c_str());
}
inline void kpi_line(Html& h, const std::string& html) { h.put("<span class=\"note\">%s</span>", html.c_str()); }
inline void kpi_end(Html& h) { h.raw("</div>\n"); }

// The variant with the largest features.<v>.<key>, or -1.
inline int best_variant(const ReportData& d, const char* key) {
  int best = -1;
  for (size_t v = 0; v < d.variants.size(); ++v) {
    const Json* x = number_at(d.summary(v), key);
    if (x && (best < 0 || x->number > number_or(d.summary(size_t(best)), key, 0))) best = int(v);
  }
  return best;
}

inline void summary_agent(Html& h, const Json& r) {
  const Json* ratio = number_at(r, "dqn.return_ratio");
  const Json* mate = number_at(r, "dqn.checkmate_rate");
  if (!ratio && !mate) return;
  if (ratio) {
    kpi_begin(h, "The agent: return ratio", fixed(ratio, 3));
    kpi_line(h, "the DQN's exact expected return over all legal starts divided by the optimal policy's "
                "(1 = perfect play)");
  } else {
    kpi_begin(h, "The agent: checkmate rate", percent(mate));
    kpi_line(h, "of " + fixed(number_or(&r, "dqn.eval_games", NAN), 0) +
                    " sampled games against the random black king that end in checkmate");
  }
  const Json* extra = number_at(r, "dqn.extra_moves");
  if (!extra) extra = number_at(r, "dqn.mean_extra_moves");
  if (extra) kpi_line(h, fixed(extra, 2) + " moves more than perfect play needs, on average");
  kpi_end(h);
}

// One box for every variant's fidelity: a row each, one line of meaning for all.
inline void summary_fidelity(Html& h, const ReportData& d) {
  std::string rows;
  for (size_t v = 0; v < d.variants.size(); ++v) {
    const Json* sae = d.sae(v);
    if (!number_at(sae, "fvu")) continue;
    rows += "<tr><td>" + escaped(d.variants[v]) + "</td><td class=\"n\">" + fixed(number_at(sae, "fvu"), 3) +
            "</td><td class=\"n\">" + fixed(number_at(sae, "l0"), 1) + "</td><td class=\"n\">" +
            percent(number_at(sae, "action_agreement"), 0) + "</td></tr>";
  }
  if (rows.empty()) return;
  h.raw("<div class=\"kpi\"><span>The SAEs: fidelity</span><table class=\"data\"><tr><th>variant</th>"
        "<th class=\"n\">FVU</th><th class=\"n\">L0</th><th class=\"n\">move kept</th></tr>");
  h.raw(rows);
  h.raw("</table>");
  kpi_line(h, "FVU: the share of the layer's variance the reconstruction misses (0 = exact); L0: features active "
              "per position; move kept: positions where the DQN, acting through the SAE, plays its own move");
  kpi_end(h);
}

}  // namespace detail

inline void html_summary(Html& h, const ReportData& d) {
  const Json& r = d.results;
  section_begin(h, "summary", "Summary");
  h.raw("<div class=\"kpis\">\n");
  detail::summary_agent(h, r);
  detail::summary_fidelity(h, d);
  const int labelled = detail::best_variant(d, "labeled_precision_0_9");
  if (labelled >= 0) {
    detail::kpi_begin(h, ("Labelled features (" + escaped(d.variants[size_t(labelled)]) + ")").c_str(),
                      fixed(number_at(d.summary(size_t(labelled)), "labeled_precision_0_9"), 0));
    std::string each;
    for (size_t v = 0; v < d.variants.size(); ++v)
      if (const Json* n = number_at(d.summary(v), "labeled_precision_0_9"))
        each += (each.empty() ? "" : ", ") + escaped(d.variants[v]) + " " + fixed(n, 0) + " of " +
                fixed(number_at(d.summary(v), "live"), 0);
    detail::kpi_line(h, "features that fire almost only when a ground-truth predicate holds (precision &ge; 0.9), "
                        "and on at least half of its positions (recall &ge; 0.5): " + each);
    detail::kpi_end(h);
  }
  const int best = detail::best_variant(d, "board_f1");
  if (best >= 0 && number_at(r, "features.neurons.board_f1")) {
    const Json* s = d.summary(size_t(best));
    detail::kpi_begin(h, "SAE against raw neurons: board read back",
                      fixed(number_at(s, "board_f1"), 2) + " vs " + fixed(number_at(r, "features.neurons.board_f1"), 2));
    detail::kpi_line(h, "F1 of the board read back by high-precision detectors on held-out positions: the " +
                            escaped(d.variants[size_t(best)]) +
                            " SAE's features against the layer's own neurons (Karvonen et al. 2024)");
    detail::kpi_line(h, "coverage of the piece-on-square predicates " + fixed(number_at(s, "coverage"), 2) + " vs " +
                            fixed(number_at(r, "features.neurons.coverage"), 2));
    detail::kpi_end(h);
  }
  h.raw("</div>\n");
  if (r.keys.empty()) h.raw("<p class=\"note\">results.json is missing or empty: nothing to summarise.</p>\n");
  section_end(h);
}

inline void html_contents(Html& h, const ReportData& d) {
  static const char* const kSections[][2] = {
      {"agent", "The agent: learning curve and exact evaluation"},
      {"sae", "The sparse autoencoders: fidelity, sparsity, density"},
      {"features", "Feature browser"},
      {"causal", "Causal tests: ablation and steering"},
      {"probe", "Read-out: probes and supervised metrics"},
      {"sweep", "Sweep: live features against the agent's quality"},
      {"run", "The run: command, version, seed, wall times"}};
  section_begin(h, "contents", "Contents");
  h.raw("<nav aria-label=\"contents\"><ol>\n");
  for (const auto& s : kSections) {
    h.put("<li><a href=\"#%s\">%s</a>", s[0], s[1]);
    if (std::string(s[0]) == "features" && !d.variants.empty()) {
      h.raw(": ");
      for (size_t v = 0; v < d.variants.size(); ++v)
        h.put("%s<a href=\"#features-%s\">%s</a>", v ? ", " : "", escaped(d.variants[v]).c_str(),
              escaped(d.variants[v]).c_str());
    }
    h.raw("</li>\n");
  }
  h.raw("<li><a href=\"#raw\">Every key of results.json</a></li></ol></nav>\n");
  section_end(h);
}

}  // namespace saerl
