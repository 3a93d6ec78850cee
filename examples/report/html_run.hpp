// saerl/examples/report/html_run.hpp — the report's last sections: #sweep (live features of
// each SAE against the agent's quality over a sweep's runs, with linear and quadratic
// least-squares fits and the sweep's correlations), #run (how the run was made) and, collapsed
// at the very end, every key of results.json.
//
// #run reads these results.json keys, each optional: run.command, run.commit, run.version,
// run.seed, run.preset, run.started, run.seconds (falling back to dqn.seed and dqn.preset), and
// the wall times dqn.train_seconds, sae.<variant>.train_seconds, report.seconds.
//
//   saerl::html_sweep(h, data);
//   saerl::html_run(h, data);
//   saerl::html_raw(h, data);
#pragma once
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "../results.hpp"
#include "html_page.hpp"
#include "report_data.hpp"
#include "svg_plot.hpp"

namespace saerl {

// Least-squares polynomial of degree 1 or 2 through (x, y): coefficients c[0] + c[1] x + c[2] x^2
// from the normal equations (Gaussian elimination with partial pivoting); false when singular.
inline bool polynomial_fit(const std::vector<double>& x, const std::vector<double>& y, int degree, double* c) {
  const int k = degree + 1;
  double a[3][4] = {{0}};
  for (size_t i = 0; i < x.size(); ++i)
    for (int r = 0; r < k; ++r) {
      for (int s = 0; s < k; ++s) a[r][s] += std::pow(x[i], r + s);
      a[r][k] += std::pow(x[i], r) * y[i];
    }
  for (int col = 0; col < k; ++col) {
    int pivot = col;
    for (int r = col + 1; r < k; ++r) pivot = std::fabs(a[r][col]) > std::fabs(a[pivot][col]) ? r : pivot;
    if (!(std::fabs(a[pivot][col]) > 1e-12)) return false;
    for (int s = 0; s <= k; ++s) std::swap(a[col][s], a[pivot][s]);
    for (int r = 0; r < k; ++r) {
      if (r == col) continue;
      const double m = a[r][col] / a[col][col];
      for (int s = col; s <= k; ++s) a[r][s] -= m * a[col][s];
    }
  }
  for (int r = 0; r < 3; ++r) c[r] = r < k ? a[r][k] / a[r][r] : 0;
  return true;
}

inline void html_sweep(Html& h, const ReportData& d) {
  section_begin(h, "sweep", "Sweep");
  const Json* rows = d.sweep.get("rows");
  if (!d.has_sweep() || !is_array(rows) || rows->items.empty()) {
    h.raw("<p class=\"note\">No sweep in this directory (sweep.json): <code>saerl sweep</code> trains many DQNs of "
          "spread-out quality with an SAE on each, and this section then shows how the live features track the "
          "agent's quality.</p>\n");
    section_end(h);
    return;
  }
  const Json& first = rows->items[0];
  const std::string quality = first.get("return_ratio") ? "return_ratio" : "checkmate_rate";
  h.put("<p>%zu runs. Each point is one run's DQN: its SAE's live features against its %s. Lines: least-squares "
        "fits, linear and quadratic (as the dead-feature follow-up fits them).</p><div class=\"plots\">\n",
        rows->items.size(), quality == "return_ratio" ? "return ratio" : "checkmate rate");
  for (size_t c = 0; c < first.keys.size(); ++c) {
    const std::string& key = first.keys[c];
    if (key.size() < 6 || key.compare(key.size() - 5, 5, "_live") != 0) continue;
    const std::string variant = key.substr(0, key.size() - 5);
    Series points;
    points.name = "runs";
    points.line = false;
    points.points = true;
    for (const Json& r : rows->items) {
      const Json *x = number_at(&r, key), *y = number_at(&r, quality);
      if (x && y) points.x.push_back(x->number), points.y.push_back(y->number);
    }
    Plot p;
    p.title = variant + " SAE";
    p.x_title = "live features (" + variant + " SAE)";
    p.y_title = quality == "return_ratio" ? "return ratio" : "checkmate rate";
    p.width = 420;
    p.y_min = 0;  // a rate or a ratio: [0, 1], and the fits drawn within it
    p.y_max = 1;
    p.series.push_back(points);
    double lo = INFINITY, hi = -INFINITY;
    for (double x : points.x) lo = std::fmin(lo, x), hi = std::fmax(hi, x);
    const char* names[2] = {"linear fit", "quadratic fit"};
    for (int degree = 1; degree <= 2 && points.x.size() > size_t(degree) && hi > lo; ++degree) {
      double coef[3];
      if (!polynomial_fit(points.x, points.y, degree, coef)) continue;
      Series fit;
      fit.name = names[degree - 1];
      fit.colour = degree;
      for (int s = 0; s <= 40; ++s) {
        const double x = lo + (hi - lo) * s / 40, y = coef[0] + coef[1] * x + coef[2] * x * x;
        if (y >= 0 && y <= 1) fit.x.push_back(x), fit.y.push_back(y);
      }
      p.series.push_back(fit);
    }
    const Json* corr = json_at(d.sweep, "correlations." + key + "_vs_checkmate_rate");
    std::string caption;
    if (corr)
      caption = "Pearson " + fixed(number_at(corr, "pearson"), 2) + ", Spearman " +
                fixed(number_at(corr, "spearman"), 2) + " with the checkmate rate (95% bootstrap intervals in sweep.json).";
    h.put("<figure><div class=\"scroll\">%s</div><figcaption>%s</figcaption></figure>\n", svg_plot(p).c_str(),
          caption.c_str());
  }
  h.raw("</div>\n");
  section_end(h);
}

inline void html_run(Html& h, const ReportData& d) {
  const Json& r = d.results;
  section_begin(h, "run", "The run");
  h.raw("<div class=\"scroll\"><table class=\"data\">\n");
  auto row = [&](const char* name, const std::string& value) {
    if (value.empty() || value == kMissing) return;
    h.put("<tr><th>%s</th><td>%s</td></tr>\n", name, value.c_str());
  };
  auto text_or = [&](const char* key, const char* fallback) {
    std::string t = text_at(&r, key);
    return escaped(t.empty() && fallback ? text_at(&r, fallback) : t);
  };
  row("command", text_or("run.command", nullptr).empty() ? "" : "<code>" + text_or("run.command", nullptr) + "</code>");
  row("version", text_or("run.version", nullptr));
  row("commit", text_or("run.commit", nullptr));
  row("preset", text_or("run.preset", "dqn.preset"));
  row("recipe", text_or("dqn.recipe", nullptr));
  const Json* seed = number_at(r, "run.seed");
  row("seed", fixed(seed ? seed : number_at(r, "dqn.seed"), 0));
  if (d.board_size() > 0) row("board", std::to_string(d.board_size()) + " &times; " + std::to_string(d.board_size()));
  row("started", text_or("run.started", nullptr));
  row("wall time, whole run", duration(number_or(&r, "run.seconds", NAN)));
  row("wall time, DQN training", duration(number_or(&r, "dqn.train_seconds", NAN)));
  for (size_t v = 0; v < d.variants.size(); ++v)
    row(("wall time, " + escaped(d.variants[v]) + " SAE training").c_str(),
        duration(number_or(d.sae(v), "train_seconds", NAN)));
  row("wall time, report analysis", duration(number_or(&r, "report.seconds", NAN)));
  h.raw("</table></div>\n");
  std::string missing;
  for (const char* key : {"run.command", "run.commit", "run.version", "run.started", "run.seconds"})
    if (!json_at(r, key)) missing += std::string(missing.empty() ? "" : ", ") + key;
  if (!missing.empty()) h.put("<p class=\"note\">Not recorded in results.json: %s.</p>\n", missing.c_str());
  section_end(h);
}

// A value as the raw listing shows it: a number to 6 significant digits, anything else as one
// line of JSON.
inline std::string value_text(const Json& v) {
  if (v.kind != Json::Kind::number) return write_json(v, /*one_line=*/true);
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v.number);
  return text;
}

// Every leaf of results.json, collapsed.
inline void html_raw(Html& h, const ReportData& d) {
  Results all;
  all.root = d.results;
  const std::vector<Results::Leaf> leaves = all.leaves();
  h.put("<details id=\"raw\"><summary>Every key of results.json (%zu)</summary><div class=\"scroll\">"
        "<table class=\"data\">\n",
        leaves.size());
  for (const Results::Leaf& leaf : leaves)
    h.put("<tr><td>%s</td><td class=\"n\">%s</td></tr>\n", escaped(leaf.path).c_str(),
          escaped(value_text(*leaf.value)).c_str());
  h.raw("</table></div></details>\n");
}

}  // namespace saerl
