// saerl/examples/report.hpp — the program's `report` command in two halves (examples/report/):
// the analysis of each SAE on the rook checkmate, written as data (results.json's summary keys
// and DIR/features-<variant>.json), and the HTML report drawn from those files alone.
//
//   analysis   report/analysis.hpp (labels, heat maps, top boards), report/ablation.hpp,
//              report/read_out.hpp (probes, coverage, board reconstruction),
//              report/feature_json.hpp (the features file)
//   page       report/html.hpp (write_report_html(dir)) and the sections it includes
#pragma once
#include "report/ablation.hpp"
#include "report/analysis.hpp"
#include "report/feature_json.hpp"
#include "report/html.hpp"
#include "report/read_out.hpp"
