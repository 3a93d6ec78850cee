// saerl/examples/report/html.hpp — the HTML report of a run directory, drawn from
// results.json and DIR/features-<variant>.json alone (report/report_data.hpp): one
// self-contained page (inline style, inline SVG charts, a small inline script for sorting and
// filtering; nothing loaded from outside; readable without the script) whose sections come
// in this order, each a <section> with this id:
//   #summary  #contents  #agent  #sae  #features  #causal  #probe  #sweep  #run
// then every key of results.json in a collapsed <details id="raw">.
//
//   saerl::ReportData d;
//   saerl::Status s = saerl::load_report_data("out", d);
//   std::string page = saerl::report_html(d);
//   s = saerl::write_report_html("out");          // both, into out/report.html
#pragma once
#include <string>

#include "html_agent.hpp"
#include "html_evidence.hpp"
#include "html_features.hpp"
#include "html_page.hpp"
#include "html_run.hpp"
#include "html_summary.hpp"
#include "report_data.hpp"

namespace saerl {

// The section ids, in page order.
constexpr const char* kReportSections[] = {"summary", "contents", "agent", "sae", "features",
                                           "causal",  "probe",    "sweep", "run"};

inline std::string report_html(const ReportData& d) {
  Html h;
  html_page_begin(h, "saerl: what the rook-checkmate DQN learned");
  h.raw("<header><h1>What the rook-checkmate DQN learned</h1><p class=\"note\">A deep Q network trained on the "
        "rook checkmate");
  if (d.board_size() > 0) h.put(" (%d &times; %d board)", d.board_size(), d.board_size());
  h.raw(", taken apart with sparse autoencoders (SAEs) on its second hidden layer. Drawn by saerl from "
        "results.json and features-&lt;variant&gt;.json.</p></header>\n");
  html_summary(h, d);
  html_contents(h, d);
  html_agent(h, d);
  html_sae(h, d);
  html_features(h, d);
  html_causal(h, d);
  html_probe(h, d);
  html_sweep(h, d);
  html_run(h, d);
  html_raw(h, d);
  html_page_end(h, kFeatureScript);
  return h.out;
}

// Reads dir's results.json and features files and writes dir/report.html (atomically).
inline Status write_report_html(const char* dir) { return write_report_page(dir, report_html); }

}  // namespace saerl
