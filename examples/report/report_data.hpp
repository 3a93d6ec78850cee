// saerl/examples/report/report_data.hpp — everything the HTML report draws, read from a run
// directory: results.json (the summary keys of every command), DIR/features-<variant>.json
// (one SAE's per-feature detail, feature_json.hpp) and, when a sweep ran there, DIR/sweep.json
// with its rows (from sweep.json's "rows", or else from DIR/sweep.csv). The renderer reads
// nothing else, so a report can be redrawn from these files alone.
//
//   saerl::ReportData d;
//   saerl::Status s = saerl::load_report_data("out", d);
//   for (size_t v = 0; v < d.variants.size(); ++v) d.sae(v), d.features[v];
//   s = saerl::write_report_page("out", saerl::report_html);   // out/report.html from them
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "../json.hpp"
#include "../results.hpp"
#include "html_page.hpp"

namespace saerl {

struct ReportData {
  Json results = json_object();
  std::vector<std::string> variants;  // the SAE variants, in the study's order
  std::vector<Json> features;         // parallel to variants: the features file, or {}
  Json sweep = json_object();         // sweep.json (with "rows"), or an empty object

  const Json* sae(size_t v) const { return json_at(results, "sae." + variants[v]); }
  // features.<variant> of results.json (the summary keys of the report command).
  const Json* summary(size_t v) const { return json_at(results, "features." + variants[v]); }
  const Json* file(size_t v) const { return features[v].get("features") ? &features[v] : nullptr; }
  bool has_sweep() const { return sweep.get("rows") || sweep.get("correlations"); }
  int board_size() const {  // from a features file, else from dqn.board; 0: not known
    for (const Json& f : features)
      if (const Json* n = number_at(f, "board_size")) return int(n->number);
    return int(number_or(&results, "dqn.board", 0));
  }
};

// The study's variants first, in this order; any other name after them.
inline int variant_rank(const std::string& name) {
  const char* known[4] = {"relu", "topk", "batchtopk", "jumprelu"};
  for (int i = 0; i < 4; ++i)
    if (name == known[i]) return i;
  return 4;
}

// Reads path into v (a JSON object); a missing file gives an empty object and is no error.
inline Status read_json_file(const char* path, Json& v) {
  Results r;
  Status s = r.load(path);
  v = std::move(r.root);
  return s;
}

// The rows of a CSV file with a header line, as objects of numbers (text where a cell is not
// a number); an empty array when the file is missing. (No quoting: saerl's CSV has none.)
inline Json read_csv_rows(const char* path) {
  Json rows = json_array();
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return rows;
  std::vector<std::vector<std::string>> lines(1, std::vector<std::string>(1));
  for (int c; (c = std::fgetc(f)) != EOF;) {
    if (c == '\n') lines.emplace_back(1);
    else if (c == ',') lines.back().emplace_back();
    else if (c != '\r') lines.back().back() += char(c);
  }
  std::fclose(f);
  const std::vector<std::string>& header = lines[0];
  for (size_t l = 1; l < lines.size(); ++l) {
    if (lines[l].size() < header.size()) continue;  // a blank or cut line
    Json row = json_object();
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string& cell = lines[l][i];
      char* end = nullptr;
      const double x = std::strtod(cell.c_str(), &end);
      row.set(header[i], !cell.empty() && *end == '\0' ? json_number(x) : json_string(cell));
    }
    rows.push(std::move(row));
  }
  return rows;
}

inline Status load_report_data(const char* dir, ReportData& d) {
  d = ReportData();
  const std::string base = dir;
  Status s = read_json_file((base + "/results.json").c_str(), d.results);
  if (!s.ok()) return s;
  std::vector<std::string> names;
  if (const Json* sae = json_at(d.results, "sae"))
    for (size_t i = 0; i < sae->keys.size(); ++i)
      if (sae->items[i].is_object()) names.push_back(sae->keys[i]);
  for (const char* known : {"relu", "topk", "batchtopk", "jumprelu"}) {
    bool listed = false;
    for (const std::string& n : names) listed = listed || n == known;
    std::FILE* f = listed ? nullptr : std::fopen((base + "/features-" + known + ".json").c_str(), "rb");
    if (f) names.push_back(known), std::fclose(f);
  }
  for (size_t i = 1; i < names.size(); ++i)  // insertion sort by the study's order, then by name
    for (size_t k = i; k > 0; --k) {
      const int a = variant_rank(names[k - 1]), b = variant_rank(names[k]);
      if (a < b || (a == b && names[k - 1] <= names[k])) break;
      std::swap(names[k - 1], names[k]);
    }
  for (const std::string& n : names) {
    Json f;
    s = read_json_file((base + "/features-" + n + ".json").c_str(), f);
    if (!s.ok()) return s;
    d.variants.push_back(n);
    d.features.push_back(std::move(f));
  }
  s = read_json_file((base + "/sweep.json").c_str(), d.sweep);
  if (!s.ok()) return s;
  if (d.sweep.keys.size() > 0 && !is_array(d.sweep.get("rows"))) d.sweep.set("rows", read_csv_rows((base + "/sweep.csv").c_str()));
  return Status::success();
}

// Reads dir's report data and writes dir/report.html as page(data) draws it (atomically).
inline Status write_report_page(const char* dir, std::string (*page)(const ReportData&)) {
  ReportData d;
  Status s = load_report_data(dir, d);
  return s.ok() ? write_page(dir, page(d)) : s;
}

}  // namespace saerl
