// saerl/examples/report/svg_plot.hpp — the report's charts as inline SVG: lines and points
// with axes, "nice" ticks (1, 2 or 5 times a power of ten), axis titles with units and a
// legend; and bar charts of counts per category. Fixed pixel sizes: the page puts each chart
// in a box that scrolls on a narrow screen, so the text never shrinks.
//
//   saerl::Plot p;
//   p.x_title = "environment steps";  p.y_title = "checkmate rate";
//   p.series.push_back({"sampled, 1,000 games", steps, rates});
//   p.y_min = 0;  p.y_max = 1;          // otherwise from the data
//   std::string svg = saerl::svg_plot(p);
//   saerl::svg_bars(labels, counts, "features", "feature density", 280, 180);
#pragma once
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "html_page.hpp"

namespace saerl {

struct Series {
  std::string name;
  std::vector<double> x, y;
  bool line = true, points = false;
  std::vector<std::string> point_labels;  // text beside each point (optional)
  int colour = -1;                        // an index into kSeriesColours; -1: the series' own
};

inline Series series(std::string name, std::vector<double> x = {}, std::vector<double> y = {}) {
  Series s;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  return s;
}

struct Plot {
  std::string title, x_title, y_title;  // titles with their units
  std::vector<Series> series;
  double x_min = NAN, x_max = NAN, y_min = NAN, y_max = NAN;  // NAN: from the data
  int width = 560, height = 280;
};

// Tick positions: about `target` round values covering [lo, hi]; *step is their spacing.
inline std::vector<double> nice_ticks(double lo, double hi, int target, double* step) {
  const double raw = (hi - lo) / (target > 1 ? target : 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw > 0 ? raw : 1)));
  const double unit = raw / power;
  *step = power * (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10);
  std::vector<double> ticks;
  for (double t = std::ceil(lo / *step - 1e-9) * *step; t <= hi + *step * 1e-9; t += *step)
    ticks.push_back(std::fabs(t) < *step * 1e-9 ? 0 : t);
  return ticks;
}

// A tick label: 250k, 1.5M for large values; otherwise just enough decimals for the step.
inline std::string tick_label(double v, double step) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 1e6 && step >= 1e5) std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
  else if (a >= 1e4 && step >= 1e3) std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
  else {
    const int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  }
  return buf;
}

namespace detail {

// The axis range: the plot's fixed ends, else the data's, widened to whole ticks.
inline void data_range(const Plot& p, bool x, int ticks, double& lo, double& hi) {
  lo = INFINITY, hi = -INFINITY;
  for (const Series& s : p.series)
    for (double v : x ? s.x : s.y)
      if (std::isfinite(v)) lo = std::fmin(lo, v), hi = std::fmax(hi, v);
  const double fixed_lo = x ? p.x_min : p.y_min, fixed_hi = x ? p.x_max : p.y_max;
  if (std::isfinite(fixed_lo)) lo = fixed_lo;
  if (std::isfinite(fixed_hi)) hi = fixed_hi;
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi <= lo) {  // one value: a range around it
    const double pad = lo != 0 ? std::fabs(lo) * 0.1 : 1;
    lo -= pad, hi += pad;
  }
  double step;
  nice_ticks(lo, hi, ticks, &step);
  if (!std::isfinite(fixed_lo)) lo = std::floor(lo / step + 1e-9) * step;
  if (!std::isfinite(fixed_hi)) hi = std::ceil(hi / step - 1e-9) * step;
}

}  // namespace detail

inline std::string svg_plot(const Plot& p) {
  const double left = 58, right = 14, top = p.series.size() > 1 || !p.title.empty() ? 30 : 14, bottom = 44;
  const double w = p.width - left - right, h = p.height - top - bottom;
  double x0, x1, y0, y1, xs, ys;
  detail::data_range(p, true, p.width / 90, x0, x1);
  detail::data_range(p, false, p.height / 50, y0, y1);
  const std::vector<double> xt = nice_ticks(x0, x1, p.width / 90, &xs), yt = nice_ticks(y0, y1, p.height / 50, &ys);
  auto X = [&](double v) { return left + w * (v - x0) / (x1 - x0); };
  auto Y = [&](double v) { return top + h - h * (v - y0) / (y1 - y0); };
  Html s;
  s.put("<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
        "font-family=\"system-ui,sans-serif\" font-size=\"12\"><title>",
        p.width, p.height, p.width, p.height);
  s.text(p.title.empty() ? p.y_title + " against " + p.x_title : p.title);
  s.put("</title><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#bbb\"/>", left, top,
        w, h);
  for (double t : yt) {
    s.put("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, left + w, Y(t), Y(t));
    s.put("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 5, Y(t) + 4, tick_label(t, ys).c_str());
  }
  for (double t : xt) {
    s.put("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>", X(t), X(t), top + h, top + h + 4);
    s.put("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", X(t), top + h + 16, tick_label(t, xs).c_str());
  }
  s.put("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">", left + w / 2, p.height - 6);
  s.text(p.x_title);
  s.put("</text><text transform=\"translate(13 %.1f) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">", top + h / 2);
  s.text(p.y_title);
  s.raw("</text>");
  double legend_x = left;
  for (size_t i = 0; i < p.series.size(); ++i) {
    const Series& r = p.series[i];
    const char* colour = kSeriesColours[(r.colour >= 0 ? size_t(r.colour) : i) % 6];
    if (r.line && r.x.size() > 1) {
      s.put("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
      for (size_t k = 0; k < r.x.size() && k < r.y.size(); ++k)
        if (std::isfinite(r.x[k]) && std::isfinite(r.y[k])) s.put("%.1f,%.1f ", X(r.x[k]), Y(r.y[k]));
      s.raw("\"/>");
    }
    for (size_t k = 0; (r.points || r.x.size() == 1) && k < r.x.size() && k < r.y.size(); ++k) {
      if (!std::isfinite(r.x[k]) || !std::isfinite(r.y[k])) continue;
      s.put("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>", X(r.x[k]), Y(r.y[k]), r.line ? 3 : 4, colour);
      if (k < r.point_labels.size()) {  // right of the point; left of it near the right edge or an earlier label
        const double x = X(r.x[k]), y = Y(r.y[k]), width = 7.0 * double(r.point_labels[k].size());
        bool left_side = x + 6 + width > left + w;
        for (size_t e = 0; e < k; ++e)
          left_side = left_side || (X(r.x[e]) >= x && X(r.x[e]) - x < width + 6 && std::fabs(Y(r.y[e]) - y) < 13);
        s.put("<text x=\"%.1f\" y=\"%.1f\"%s>", x + (left_side ? -6 : 6), y - 5, left_side ? " text-anchor=\"end\"" : "");
        s.text(r.point_labels[k]);
        s.raw("</text>");
      }
    }
    if (p.series.size() > 1 || !r.name.empty()) {  // legend entry, left to right above the frame
      s.put("<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"4\" fill=\"%s\"/><text x=\"%.0f\" y=\"%.0f\">",
            legend_x, top - 12, colour, legend_x + 18, top - 8);
      s.text(r.name);
      s.raw("</text>");
      legend_x += 30 + 6.8 * double(r.name.size());
    }
  }
  s.raw("</svg>");
  return s.out;
}

// Bars of counts[i] over labels[i], the y axis with ticks.
inline std::string svg_bars(const std::vector<std::string>& labels, const std::vector<double>& counts,
                            const std::string& y_title, const std::string& x_title, int width, int height) {
  const double left = 44, right = 6, top = 10, bottom = 44;
  const double w = width - left - right, h = height - top - bottom;
  double top_count = 1, step;
  for (double c : counts) top_count = std::fmax(top_count, c);
  const std::vector<double> ticks = nice_ticks(0, top_count, height / 45, &step);
  const double y_max = std::fmax(top_count, ticks.empty() ? 1 : ticks.back());
  Html s;
  s.put("<svg width=\"%d\" height=\"%d\" role=\"img\" "
        "font-family=\"system-ui,sans-serif\" font-size=\"10\"><title>",
        width, height);
  s.text(y_title + " per " + x_title);
  s.raw("</title>");
  for (double t : ticks) {
    const double y = top + h - h * t / y_max;
    s.put("<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, left + w, y, y);
    s.put("<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 4, y + 3, tick_label(t, step).c_str());
  }
  const double slot = w / double(counts.size() ? counts.size() : 1);
  for (size_t i = 0; i < counts.size(); ++i) {
    const double bh = h * counts[i] / y_max, x = left + slot * double(i);
    s.put("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %.0f</title></rect>",
          x + 2, top + h - bh, slot - 4, bh, i == 0 ? "#999" : kSeriesColours[0],
          i < labels.size() ? escaped(labels[i]).c_str() : "", counts[i]);
    if (counts[i] > 0)
      s.put("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">%.0f</text>", x + slot / 2,
            top + h - bh - 2, counts[i]);
    if (i < labels.size()) {
      s.put("<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">", x + slot / 2, top + h + 12);
      s.text(labels[i]);
      s.raw("</text>");
    }
  }
  s.put("<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#888\"/>", left, left + w, top + h, top + h);
  s.put("<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">", left + w / 2, height - 6);
  s.text(x_title);
  s.put("</text><text transform=\"translate(11 %.0f) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">", top + h / 2);
  s.text(y_title);
  s.raw("</text></svg>");
  return s.out;
}

}  // namespace saerl
