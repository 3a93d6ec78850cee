// saerl/examples/report/html_agent.hpp — the report's sections on the two trained models:
// #agent (the DQN's learning curve, its exact evaluation and sampled games) and #sae (the
// variants side by side, FVU against L0, training curves, feature-density histograms).
// Each part is drawn only when its keys are in results.json.
//
//   saerl::html_agent(h, data);
//   saerl::html_sae(h, data);
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "html_page.hpp"
#include "report_data.hpp"
#include "svg_plot.hpp"

namespace saerl {

namespace detail {

inline std::vector<double> numbers_of(const Json* v) {
  std::vector<double> out;
  if (is_array(v))
    for (const Json& x : v->items) out.push_back(x.kind == Json::Kind::number ? x.number : NAN);
  return out;
}

// The DQN's curve: arrays dqn.curve.step / return_ratio / exact_mate_prob (or the sampled
// checkmate_rate), or the older dqn.curve.<zero-padded step> = sampled checkmate rate.
inline void dqn_curve(const Json& r, Series& ratio, Series& mate) {
  const Json* curve = json_at(r, "dqn.curve");
  if (!curve || !curve->is_object()) return;
  if (const Json* steps = curve->get("step")) {
    ratio.x = mate.x = numbers_of(steps);
    ratio.y = numbers_of(curve->get("return_ratio"));
    mate.y = numbers_of(curve->get("exact_mate_prob"));
    if (mate.y.empty()) mate.y = numbers_of(curve->get("checkmate_rate"));
    else mate.name = "mate probability (exact)";
    return;
  }
  for (size_t i = 0; i < curve->keys.size(); ++i)
    if (curve->items[i].kind == Json::Kind::number && curve->keys[i].find_first_not_of("0123456789") == std::string::npos) {
      mate.x.push_back(std::strtod(curve->keys[i].c_str(), nullptr));
      mate.y.push_back(curve->items[i].number);
    }
}

// One row of a measure | value | meaning table, when the value is there.
inline void measure_row(Html& h, const char* name, const std::string& value, const char* meaning) {
  if (value == kMissing) return;
  h.put("<tr><td>%s</td><td class=\"n\">%s</td><td class=\"note\">%s</td></tr>\n", name, value.c_str(), meaning);
}

inline void table_begin(Html& h, const char* caption) {
  h.put("<h3>%s</h3><div class=\"scroll\"><table class=\"data\"><tr><th>measure</th><th class=\"n\">value</th>"
        "<th>what it means</th></tr>\n",
        caption);
}
inline void table_end(Html& h) { h.raw("</table></div>\n"); }

inline std::string of_optimal(const Json& r, const char* key, const char* optimal, int decimals) {
  const Json* x = number_at(r, key);
  const Json* o = number_at(r, optimal);
  return x ? fixed(x, decimals) + (o ? "<br><span class=\"note\">optimal " + fixed(o, decimals) + "</span>" : "")
           : kMissing;
}

}  // namespace detail

inline void html_agent(Html& h, const ReportData& d) {
  const Json& r = d.results;
  section_begin(h, "agent", "The agent");
  Series ratio = series("return ratio (exact)"), mate = series("checkmate rate (sampled)");
  detail::dqn_curve(r, ratio, mate);
  Plot p;
  p.title = "learning curve";
  p.x_title = "environment steps";
  p.y_title = ratio.x.empty() ? "checkmate rate" : "fraction (1 = perfect)";
  p.x_min = 0;
  p.width = 620;
  double lowest = 0, highest = 1;  // [0, 1] unless the curve leaves it (a negative return early on)
  for (const Series* c : {&ratio, &mate})
    for (double y : c->y) lowest = std::fmin(lowest, y), highest = std::fmax(highest, y);
  p.y_min = lowest < 0 ? NAN : 0;
  p.y_max = highest > 1 ? NAN : 1;
  ratio.points = mate.points = true;
  if (ratio.y.size() == ratio.x.size() && !ratio.x.empty()) p.series.push_back(ratio);
  if (mate.y.size() == mate.x.size() && !mate.x.empty()) p.series.push_back(mate);
  h.raw("<div class=\"plots\">");
  if (!p.series.empty()) {
    const std::vector<double>& x = p.series[0].x;
    const double every = x.size() > 1 ? x[1] - x[0] : NAN;
    h.put("<figure><div class=\"scroll\">%s</div><figcaption>The greedy policy during training, measured every %s "
          "steps: %s.</figcaption></figure>\n",
          svg_plot(p).c_str(), fixed(every, 0).c_str(),
          ratio.x.empty() ? "its checkmate rate over 1,000 games against the random black king"
                          : "its exact return ratio and mate probability over all legal starts");
  } else {
    h.raw("<p class=\"note\">No learning curve in results.json (dqn.curve).</p>\n");
  }
  h.raw("<div>");

  if (number_at(r, "dqn.return_ratio") || number_at(r, "dqn.exact_return")) {
    detail::table_begin(h, "Exact evaluation: every legal start, against the random black king, 50-move cap");
    detail::measure_row(h, "return ratio", fixed(number_at(r, "dqn.return_ratio"), 3),
                        "the policy's expected return divided by the optimal policy's");
    detail::measure_row(h, "expected return", detail::of_optimal(r, "dqn.exact_return", "dqn.optimal_return", 2),
                        "per game: +100 for mate, &minus;1 per move, &minus;100 for a loss");
    detail::measure_row(h, "return gap", fixed(number_at(r, "dqn.return_gap"), 2), "optimal minus the policy's");
    detail::measure_row(h, "mate probability", percent(number_at(r, "dqn.exact_mate_prob"), 2),
                        "chance that a game ends in checkmate");
    detail::measure_row(h, "moves to mate",
                        detail::of_optimal(r, "dqn.exact_moves_to_mate", "dqn.optimal_moves_to_mate", 2),
                        "expected white moves until mate");
    detail::measure_row(h, "extra moves", fixed(number_at(r, "dqn.extra_moves"), 2),
                        "moves to mate beyond the optimal policy's (0 = perfect)");
    detail::measure_row(h, "certain mates", percent(number_at(r, "dqn.sure_mate_starts")),
                        "starts from which the policy mates whatever black does");
    detail::measure_row(h, "optimal moves", percent(number_at(r, "dqn.optimal_action_rate_all")),
                        "legal positions where the greedy move is one of the fastest mates");
    detail::measure_row(h, "optimal moves in play", percent(number_at(r, "dqn.optimal_action_rate_visited")),
                        "the same over the positions its games visit");
    detail::table_end(h);
  }
  const std::string games = fixed(number_at(r, "dqn.eval_games"), 0);
  detail::table_begin(h, ("Sampled games" + (games != kMissing ? " (" + games + ")" : std::string())).c_str());
  detail::measure_row(h, "checkmate", percent(number_at(r, "dqn.checkmate_rate"), 2), "games ending in checkmate");
  detail::measure_row(h, "illegal move", percent(number_at(r, "dqn.illegal_rate"), 2), "games lost to an illegal move");
  detail::measure_row(h, "blunder", percent(number_at(r, "dqn.blunder_rate"), 2), "games where black takes the rook");
  detail::measure_row(h, "stalemate", percent(number_at(r, "dqn.stalemate_rate"), 2), "games ending in stalemate");
  detail::measure_row(h, "time-out", percent(number_at(r, "dqn.timeout_rate"), 2), "games reaching 50 moves");
  detail::measure_row(h, "moves to mate", fixed(number_at(r, "dqn.mean_moves_to_mate"), 2), "mean, over mated games");
  detail::measure_row(h, "extra moves", fixed(number_at(r, "dqn.mean_extra_moves"), 2),
                      "mean moves beyond the fastest mate from the same start");
  detail::measure_row(h, "optimal moves", percent(number_at(r, "dqn.optimal_action_rate")),
                      "moves played that are among the fastest mates");
  detail::measure_row(h, "mean return", fixed(number_at(r, "dqn.mean_return"), 2), "per game");
  detail::table_end(h);
  detail::table_begin(h, "Training");
  detail::measure_row(h, "environment steps", fixed(number_at(r, "dqn.steps"), 0), "white moves played in training");
  detail::measure_row(h, "episodes", fixed(number_at(r, "dqn.episodes"), 0), "games played in training");
  detail::measure_row(h, "updates", fixed(number_at(r, "dqn.updates"), 0), "gradient steps");
  detail::measure_row(h, "training time", duration(number_or(&r, "dqn.train_seconds", NAN)), "wall clock");
  detail::measure_row(h, "of it evaluating", duration(number_or(&r, "dqn.eval_seconds", NAN)),
                      "measuring the learning curve");
  detail::measure_row(h, "time to 95% checkmates", duration(number_or(&r, "dqn.seconds_to_0_95", NAN)),
                      "first evaluation at or above 0.95");
  detail::table_end(h);
  h.raw("</div></div>\n");
  section_end(h);
}

namespace detail {

struct SaeColumn {
  const char* key;
  const char* fallback;  // an older name of the key, or null
  const char* header;
  char kind;  // f: 3 decimals, l: 1 decimal, p: percent, i: integer, s: seconds, t: text
};

constexpr SaeColumn kSaeColumns[] = {
    {"loss", nullptr, "training loss", 't'},
    {"width", "features", "features", 'i'},
    {"l0", nullptr, "active per position (L0)", 'l'},
    {"dead", nullptr, "dead features", 'i'},
    {"fvu", nullptr, "unexplained variance (FVU)", 'f'},
    {"action_agreement", nullptr, "DQN's move kept (%)", 'p'},
    {"spliced_return_ratio", nullptr, "return ratio through the SAE", 'f'},
    {"spliced_mate_prob", nullptr, "mate probability through the SAE (%)", 'p'},
    {"return_recovered_zero", "return_recovered", "return recovered vs zeroing (%)", 'p'},
    {"return_recovered_mean", nullptr, "return recovered vs the mean (%)", 'p'},
    {"pursuit_fvu", nullptr, "FVU with matching pursuit", 'f'},
    {"train_seconds", nullptr, "training time", 's'},
};

inline const Json* sae_value(const Json* sae, const SaeColumn& c) {
  const Json* x = json_at(sae, c.key);
  if (!x && c.fallback) x = json_at(sae, c.fallback);
  return x;
}

inline std::string sae_cell(const Json* x, char kind) {
  if (!x) return kMissing;
  if (kind == 't') return x->kind == Json::Kind::string ? escaped(x->text) : kMissing;
  if (x->kind != Json::Kind::number || x->number < 0) return kMissing;  // -1: not measured
  switch (kind) {
    case 'f': return fixed(x->number, 3);
    case 'l': return fixed(x->number, 1);
    case 'p': return percent(x->number);
    case 's': return duration(x->number);
    default: return fixed(x->number, 0);
  }
}

}  // namespace detail

inline void html_sae(Html& h, const ReportData& d) {
  section_begin(h, "sae", "The sparse autoencoders");
  if (d.variants.empty()) {
    h.raw("<p class=\"note\">No SAE in results.json (sae.&lt;variant&gt;).</p>\n");
    section_end(h);
    return;
  }
  h.raw("<p>Each SAE reads the DQN's second hidden layer before its ReLU on every legal position; figures are on the "
        "held-out fifth of them. \"Through the SAE\": the DQN acts with the SAE's reconstruction in place of that "
        "layer.</p>\n<div class=\"scroll\"><table class=\"data\"><tr><th>variant</th>");
  std::vector<const detail::SaeColumn*> shown;
  for (const detail::SaeColumn& c : detail::kSaeColumns) {
    bool any = false;
    for (size_t v = 0; v < d.variants.size(); ++v) any = any || detail::sae_cell(detail::sae_value(d.sae(v), c), c.kind) != kMissing;
    if (!any) continue;
    shown.push_back(&c);
    h.put("<th%s>%s</th>", c.kind == 't' ? "" : " class=\"n\"", c.header);
  }
  h.raw("</tr>\n");
  for (size_t v = 0; v < d.variants.size(); ++v) {
    h.put("<tr><td>%s</td>", escaped(d.variants[v]).c_str());
    for (const detail::SaeColumn* c : shown)
      h.put("<td%s>%s</td>", c->kind == 't' ? "" : " class=\"n\"",
            detail::sae_cell(detail::sae_value(d.sae(v), *c), c->kind).c_str());
    h.raw("</tr>\n");
  }
  h.raw("</table></div>\n<div class=\"plots\">");

  Plot fl;
  fl.title = "FVU against L0";
  fl.x_title = "active features per position (L0)";
  fl.y_title = "unexplained variance (FVU)";
  fl.width = 420;
  fl.y_min = fl.x_min = 0;
  Series points = series("");
  points.line = false;
  points.points = true;
  for (size_t v = 0; v < d.variants.size(); ++v) {
    const Json *x = number_at(d.sae(v), "l0"), *y = number_at(d.sae(v), "fvu");
    if (!x || !y) continue;
    points.x.push_back(x->number);
    points.y.push_back(y->number);
    points.point_labels.push_back(d.variants[v]);
  }
  fl.series.push_back(points);
  if (!points.x.empty())
    h.put("<figure><div class=\"scroll\">%s</div><figcaption>Lower and further left is better: a sparser code that "
          "misses less of the layer.</figcaption></figure>",
          svg_plot(fl).c_str());
  for (const char* curve : {"loss", "mse"}) {
    Plot c;
    c.title = std::string("SAE training ") + curve;
    c.x_title = "SAE training step (batches)";
    c.y_title = curve == std::string("loss") ? "training loss" : "reconstruction MSE";
    c.width = 420;
    for (size_t v = 0; v < d.variants.size(); ++v) {
      Series s = series(d.variants[v], detail::numbers_of(json_at(d.sae(v), "curve.step")),
                        detail::numbers_of(json_at(d.sae(v), std::string("curve.") + curve)));
      s.colour = int(v);
      if (!s.x.empty() && s.x.size() == s.y.size()) c.series.push_back(s);
    }
    if (!c.series.empty()) h.put("<figure><div class=\"scroll\">%s</div></figure>", svg_plot(c).c_str());
  }
  h.raw("</div>\n<h3>Feature density</h3><p class=\"note\">Features per bin of the fraction of held-out positions "
        "on which they fire; dead features (grey) never fire.</p><div class=\"plots\">");
  const std::vector<std::string> bins = {"dead", "<0.001", "0.001", "0.01", "0.1", "1", "10"};
  for (size_t v = 0; v < d.variants.size(); ++v) {
    const Json* density = json_at(d.sae(v), "density");  // an array, or (older) an object "0".."6"
    std::vector<double> counts = detail::numbers_of(density);
    for (size_t b = 0; density && !is_array(density) && b < bins.size(); ++b)
      counts.push_back(number_or(density, std::to_string(b), NAN));
    if (counts.size() != bins.size()) continue;
    bool all = true;
    for (double c : counts) all = all && std::isfinite(c);
    if (!all) continue;
    h.put("<figure><figcaption><b>%s</b></figcaption>%s</figure>", escaped(d.variants[v]).c_str(),
          svg_bars(bins, counts, "features", "% of positions it fires on (at least)", 300, 170).c_str());
  }
  h.raw("</div>\n");
  section_end(h);
}

}  // namespace saerl
