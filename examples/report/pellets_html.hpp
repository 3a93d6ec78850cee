// saerl/examples/report/pellets_html.hpp — the HTML report of a pellet-maze run
// (`saerl run --game pellets`), drawn from DIR/results.json alone: one self-contained page
// (inline style, no script, nothing loaded from outside) with these sections, in order:
//   #summary   the DQN's mean score beside the random player's and the reference's
//   #sae       per SAE variant: FVU, L0, dead and live features, action agreement and the
//              spliced DQN's score
//   #features  per variant: coverage, matched predicates and label F1, then its best-labelled
//              features
//   #run       how the run was made (html_run.hpp), then every key of results.json, collapsed
//
//   saerl::ReportData d;
//   saerl::Status s = saerl::load_report_data("out", d);
//   std::string page = saerl::pellets_report_html(d);
//   s = saerl::write_pellets_report("out");     // both, into out/report.html
#pragma once
#include <initializer_list>
#include <string>

#include "html_page.hpp"
#include "html_run.hpp"
#include "report_data.hpp"

namespace saerl {

// One row of the #summary table: a player's mean score and outcomes, from the object `scores`
// ({mean_score, score_sd, clear_rate, capture_rate}: dqn, dqn.random, dqn.reference).
inline void pellets_score_row(Html& h, const Json* scores, const std::string& player) {
  h.put("<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
        "</tr>\n", player.c_str(), fixed(number_at(scores, "mean_score"), 2).c_str(),
        fixed(number_at(scores, "score_sd"), 2).c_str(), percent(number_at(scores, "clear_rate")).c_str(),
        percent(number_at(scores, "capture_rate")).c_str());
}

inline void pellets_summary(Html& h, const Json& r) {
  section_begin(h, "summary", "The agent");
  h.put("<p>Mean score (pellets eaten + the clear bonus) over the same %s games, the same starts and ghost "
        "draws for every player (<code>play_pellets</code>).</p>\n", fixed(number_at(r, "dqn.score_games"), 0).c_str());
  h.raw("<div class=\"scroll\"><table class=\"data\"><tr><th>player</th><th class=\"n\">mean score</th>"
        "<th class=\"n\">sd</th><th class=\"n\">cleared</th><th class=\"n\">captured</th></tr>\n");
  pellets_score_row(h, json_at(r, "dqn"), "DQN (greedy)");
  pellets_score_row(h, json_at(r, "dqn.random"), "uniformly random");
  pellets_score_row(h, json_at(r, "dqn.reference"),
                    "expectimax, depth " + fixed(number_at(r, "dqn.reference_depth"), 0) + " (the reference)");
  h.raw("</table></div>\n");
  h.put("<p>The DQN scores %s&times; the random player and %s of the reference.</p>\n",
        fixed(number_at(r, "dqn.score_over_random"), 1).c_str(),
        fixed(number_at(r, "dqn.score_over_reference"), 3).c_str());
  section_end(h);
}

// One column of a table with a row per SAE variant: its title, and the key of the variant's
// object whose value it shows, a number to `decimals` places (-1: text).
struct VariantColumn {
  const char* title;
  const char* key;
  int decimals;
};

// A table with a row per SAE variant: its name, then the columns' values from the object
// `of(v)` gives (the variant's sae.<v> or features.<v>).
template <class Of>
void variant_table(Html& h, const ReportData& d, Of&& of, std::initializer_list<VariantColumn> columns) {
  h.raw("<div class=\"scroll\"><table class=\"data\"><tr><th>variant</th>");
  for (const VariantColumn& c : columns) h.put(c.decimals < 0 ? "<th>%s</th>" : "<th class=\"n\">%s</th>", c.title);
  h.raw("</tr>\n");
  for (size_t v = 0; v < d.variants.size(); ++v) {
    h.put("<tr><td>%s</td>", escaped(d.variants[v]).c_str());
    for (const VariantColumn& c : columns)
      if (c.decimals < 0) h.put("<td>%s</td>", escaped(text_at(of(v), c.key)).c_str());
      else h.put("<td class=\"n\">%s</td>", fixed(number_at(of(v), c.key), c.decimals).c_str());
    h.raw("</tr>\n");
  }
  h.raw("</table></div>\n");
}

inline void pellets_sae(Html& h, const ReportData& d) {
  section_begin(h, "sae", "The sparse autoencoders");
  h.put("<p>Each SAE reads the DQN's second hidden layer on %s states of its greedy play (%s games); FVU and L0 on "
        "the %s states of the last games, held out; dead and live over all of them. Agreement: the DQN with the "
        "SAE's reconstruction in place of the layer chooses the DQN's action, on the held-out states. Spliced "
        "score: that DQN's mean score on the agent's games.</p>\n",
        fixed(number_at(d.results, "data.states"), 0).c_str(), fixed(number_at(d.results, "data.games"), 0).c_str(),
        fixed(number_at(d.results, "data.heldout_states"), 0).c_str());
  variant_table(h, d, [&](size_t v) { return d.sae(v); },
                {{"FVU", "fvu", 4}, {"L0", "l0", 2}, {"dead", "dead", 0}, {"live", "live", 0},
                 {"agreement", "action_agreement", 4}, {"spliced score", "spliced_mean_score", 2},
                 {"ratio", "spliced_score_ratio", 3}, {"loss", "loss", -1}});
  section_end(h);
}

inline void pellets_features(Html& h, const ReportData& d) {
  section_begin(h, "features", "What the features respond to");
  h.raw("<p>Each live feature's best ground-truth predicate by F1 over every state; the list says a feature "
        "\"fires when\" it when it meets the label rule (precision &ge; 0.9, recall &ge; 0.5), else \"best "
        "match\". Coverage (Karvonen et al.): at the best threshold relative to each feature's maximum, the mean "
        "over predicates of the best feature's F1, for the agent/ghost/pellet-on-square predicates (the board) and "
        "for the named ones. Matched: the fraction of all predicates that some feature fires on by the label rule; "
        "labelled: the features whose best predicate meets it; label F1: the mean F1 of the live features' best "
        "predicates.</p>\n");
  variant_table(h, d, [&](size_t v) { return d.summary(v); },
                {{"live", "live", 0}, {"labelled", "labeled", 0}, {"coverage (board)", "coverage", 3},
                 {"coverage (named)", "coverage_other", 3}, {"matched", "matched", 3}, {"label F1", "label_f1", 3}});
  for (size_t v = 0; v < d.variants.size(); ++v) {
    const Json* top = json_at(d.summary(v), "top");
    if (!is_array(top) || top->items.empty()) continue;
    h.put("<h3>%s: the best-labelled features</h3>\n<ol>\n", escaped(d.variants[v]).c_str());
    for (const Json& t : top->items) {
      const Json* labeled = json_at(t, "label.labeled");  // the label rule met: "fires when"
      h.put("<li>feature %s %s %s <span class=\"note\">(precision %s, recall %s, F1 %s; active on %s of "
            "states)</span></li>\n", fixed(number_at(t, "feature"), 0).c_str(),
            labeled && labeled->flag ? "fires when" : "best match:", escaped(text_at(&t, "label.phrase")).c_str(),
            fixed(number_at(t, "label.precision"), 2).c_str(), fixed(number_at(t, "label.recall"), 2).c_str(),
            fixed(number_at(t, "label.f1"), 2).c_str(), percent(number_at(t, "density")).c_str());
    }
    h.raw("</ol>\n");
  }
  section_end(h);
}

inline std::string pellets_report_html(const ReportData& d) {
  Html h;
  html_page_begin(h, "saerl: what the pellet-maze DQN learned");
  h.raw("<header><h1>What the pellet-maze DQN learned</h1><p class=\"note\">A deep Q network trained on the 7 "
        "&times; 7 pellet maze with two chasing ghosts, taken apart with sparse autoencoders (SAEs) on its second "
        "hidden layer. Drawn by saerl from results.json.</p></header>\n");
  pellets_summary(h, d.results);
  pellets_sae(h, d);
  pellets_features(h, d);
  html_run(h, d);
  html_raw(h, d);
  html_page_end(h, "");
  return h.out;
}

// Reads dir/results.json and writes dir/report.html (atomically).
inline Status write_pellets_report(const char* dir) { return write_report_page(dir, pellets_report_html); }

}  // namespace saerl
