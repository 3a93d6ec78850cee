// saerl/examples/report/html_page.hpp — the small pieces every part of the HTML report is made
// of: a page buffer with escaping and printf, numbers as the report shows them (rounded, and a
// dash, never "nan", for a value that is missing), lookups into JSON by dotted path, and the
// page's frame (its one stylesheet, inline: the report loads nothing from outside).
//
//   saerl::Html h;
//   saerl::html_page_begin(h, "saerl report");
//   h.put("<p>FVU %s</p>", saerl::fixed(saerl::json_at(root, "sae.topk.fvu"), 3).c_str());
//   h.text(label);                 // escaped
//   saerl::html_page_end(h, script);
//   saerl::Status s = saerl::write_page("out", h.out);   // out/report.html
#pragma once
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "../../core/io/serialize.hpp"  // detail::write_atomically
#include "../json.hpp"

namespace saerl {

struct Html {
  std::string out;

  void raw(const std::string& s) { out += s; }
  // Text with &, <, >, " and ' escaped (safe in element content and in quoted attributes).
  void text(const std::string& s) {
    for (const char c : s) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
      }
    }
  }
  void put(const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
  {
    char small[512];
    va_list args, again;
    va_start(args, format);
    va_copy(again, args);
    const int n = std::vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n >= 0 && size_t(n) < sizeof small) {
      out.append(small, size_t(n));
    } else if (n > 0) {
      std::string big(size_t(n) + 1, '\0');
      std::vsnprintf(&big[0], big.size(), format, again);
      out.append(big.data(), size_t(n));
    }
    va_end(again);
  }
};

inline std::string escaped(const std::string& s) {
  Html h;
  h.text(s);
  return h.out;
}

// ---- values from JSON ------------------------------------------------------------------

// The value at a dotted path below v ("sae.topk.fvu"), or nullptr.
inline const Json* json_at(const Json* v, const std::string& path) {
  size_t start = 0;
  while (v && start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    v = v->get(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return v;
}
inline const Json* json_at(const Json& v, const std::string& path) { return json_at(&v, path); }

// A finite number, or nullptr (missing, not a number).
inline const Json* number_at(const Json* v, const std::string& path) {
  const Json* x = json_at(v, path);
  return x && x->kind == Json::Kind::number && std::isfinite(x->number) ? x : nullptr;
}
inline const Json* number_at(const Json& v, const std::string& path) { return number_at(&v, path); }
inline double number_or(const Json* v, const std::string& path, double fallback) {
  const Json* x = number_at(v, path);
  return x ? x->number : fallback;
}
inline std::string text_at(const Json* v, const std::string& path) {
  const Json* x = json_at(v, path);
  return x && x->kind == Json::Kind::string ? x->text : std::string();
}
inline bool is_array(const Json* v) { return v && v->kind == Json::Kind::array; }

// ---- numbers as the report shows them --------------------------------------------------

constexpr const char* kMissing = "&ndash;";

// x with `decimals` digits after the point; thousands separated by commas when |x| >= 10,000.
inline std::string fixed(double x, int decimals) {
  if (!std::isfinite(x)) return kMissing;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  std::string s = buf;
  const size_t start = s[0] == '-' ? 1 : 0;
  size_t point = s.find('.');
  if (point == std::string::npos) point = s.size();
  if (point - start > 4)
    for (size_t i = point; i > start + 3; i -= 3) s.insert(i - 3, ",");
  return s;
}
inline std::string fixed(const Json* x, int decimals) { return x ? fixed(x->number, decimals) : kMissing; }
// A rate in [0, 1] as a percentage: "72.9%".
inline std::string percent(double rate, int decimals = 1) {
  return std::isfinite(rate) ? fixed(100 * rate, decimals) + "%" : kMissing;
}
inline std::string percent(const Json* x, int decimals = 1) { return x ? percent(x->number, decimals) : kMissing; }
// `digits` significant digits, without an exponent for the sizes a report shows.
inline std::string significant(double x, int digits = 3) {
  if (!std::isfinite(x)) return kMissing;
  if (x == 0) return "0";
  const int magnitude = int(std::floor(std::log10(std::fabs(x))));
  const int decimals = digits - 1 - magnitude;
  return fixed(x, decimals > 0 ? decimals : 0);
}
inline std::string significant(const Json* x, int digits = 3) { return x ? significant(x->number, digits) : kMissing; }
// Seconds as "48 s", "3.2 min", "1.5 h".
inline std::string duration(double s) {
  if (!std::isfinite(s) || s < 0) return kMissing;
  if (s < 120) return fixed(s, s < 10 ? 1 : 0) + " s";
  if (s < 7200) return fixed(s / 60, 1) + " min";
  return fixed(s / 3600, 1) + " h";
}

// ---- the page --------------------------------------------------------------------------

// The palette of the heat maps, white to dark red (ColorBrewer's "Reds"), and the series'
// colours (distinguishable, also in grey print).
constexpr const char* kHeatColours[10] = {"#ffffff", "#fff5f0", "#fee0d2", "#fcbba1", "#fc9272",
                                          "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"};
constexpr const char* kSeriesColours[6] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

inline void html_page_begin(Html& h, const char* title) {
  h.put("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>\n",
        escaped(title).c_str());
  h.raw(":root{color-scheme:light}"
        "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;"
        "color:#1d232a;background:#f4f5f7}"
        "main{max-width:1180px;margin:0 auto;padding:4px 10px 40px}"
        "h1{font-size:1.55em;margin:.6em 0 .2em}h2{font-size:1.3em;margin:.1em 0 .5em}"
        "h3{font-size:1.05em;margin:1.1em 0 .4em}"
        "section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:10px 14px;margin:14px 0}"
        "a{color:#0b5cad}p{margin:.5em 0}.note{color:#555;font-size:.9em}"
        ".scroll{overflow-x:auto;max-width:100%}"
        "table.data{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:.4em 0}"
        "table.data th,table.data td{padding:3px 6px;border-bottom:1px solid #e6e8eb;text-align:left;"
        "vertical-align:top}"
        "table.data th{background:#f1f3f5;font-weight:600}table.data th.n{text-align:right}"
        "table.data td.n{text-align:right;white-space:nowrap}.kpi table.data{font-size:.9em}"
        "table.data th.s{position:sticky;left:0;background:#fff;min-width:11em;font-weight:normal;z-index:1}"
        "table.data tr:first-child th.s{background:#f1f3f5;font-weight:600}"
        ".kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:10px}"
        ".kpi{border:1px solid #e1e4e8;border-radius:6px;padding:8px 10px;background:#fbfcfd}"
        ".kpi b{font-size:1.5em;display:block}.kpi span{display:block}"
        ".plots{display:flex;flex-wrap:wrap;gap:12px}.plots>figure{min-width:0;max-width:100%}.plots>div{flex:1 1 330px;min-width:0}figure{margin:.4em 0}"
        "figcaption{font-size:.85em;color:#444;max-width:560px}"
        "details{margin:.5em 0}summary{cursor:pointer;font-weight:600}"
        ".cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:8px}"
        ".card{border:1px solid #d7dbe0;border-radius:6px;padding:8px;width:372px;max-width:100%;"
        "box-sizing:border-box;background:#fff;content-visibility:auto;contain-intrinsic-size:auto 540px}"
        ".card h4{margin:0 0 2px;font-size:1em}.weak{color:#666;font-style:italic}"
        ".facts{font-size:.85em;color:#333;margin:2px 0 4px}"
        ".maps{display:flex;flex-wrap:wrap;gap:4px 6px;align-items:flex-start}"
        ".maps figure{margin:0}.maps figcaption{font-size:.78em;text-align:center}"
        "table.b{border-collapse:collapse;font:9px/1 ui-monospace,Menlo,Consolas,monospace}"
        "table.b td{width:var(--c,19px);height:var(--c,19px);padding:0;text-align:center;border:1px solid #ccd}"
        "table.b th{font-weight:normal;color:#666;padding:0 1px;font-size:9px}"
        // board squares: light, and dark where rank + file is even (a1 is dark)
        ".board table.b td{background:#f0d9b5;width:calc(.7*var(--c,19px));height:calc(.7*var(--c,19px))}.board .b0 tr:nth-child(odd) td:nth-of-type(odd),"
        ".board .b0 tr:nth-child(even) td:nth-of-type(even),.board .b1 tr:nth-child(odd) td:nth-of-type(even),"
        ".board .b1 tr:nth-child(even) td:nth-of-type(odd){background:#c8a27c}"
        "table.b td.p,table.b td.k{font:bold 11px/1 ui-monospace,Menlo,monospace}table.b td.k{color:#c00}"
        ".scale{display:inline-block;width:110px;height:10px;border:1px solid #ccd;vertical-align:middle;"
        "background:linear-gradient(to right,#ffffff,#fcbba1,#fb6a4a,#cb181d,#67000d)}"
        ".controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:6px 0;font-size:.9em}"
        "nav ol{columns:2 220px;margin:.3em 0}"
        "@media (max-width:500px){body{font-size:14px}section{padding:8px 8px}main{padding:2px 4px 30px}}");
  for (int c = 0; c < 10; ++c)
    h.put(".q%d{background:%s%s}", c, kHeatColours[c], c >= 7 ? ";color:#fff" : "");
  h.raw("\n</style></head><body><main>\n");
}

// Closes the page; script (may be empty) runs at its end.
inline void html_page_end(Html& h, const char* script) {
  h.raw("</main>\n");
  if (script && *script) h.put("<script>\n%s\n</script>\n", script);
  h.raw("</body></html>\n");
}

// Writes page as dir/report.html (a temporary file renamed over it: never half-written).
inline Status write_page(const char* dir, const std::string& page) {
  const std::string path = std::string(dir) + "/report.html";
  const detail::Chunk chunk{page.data(), page.size()};
  return detail::write_atomically(path.c_str(), &chunk, 1);
}

inline void section_begin(Html& h, const char* id, const char* title) {
  h.put("<section id=\"%s\">\n<h2>%s</h2>\n", id, title);
}
inline void section_end(Html& h) { h.raw("</section>\n"); }

}  // namespace saerl
