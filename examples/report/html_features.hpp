// saerl/examples/report/html_features.hpp — the report's #features section: a browser of
// every live feature of every SAE, from DIR/features-<variant>.json (feature_json.hpp). Per
// feature a card: its label, worded by the file's label rule ("fires when ..." only when the
// rule is met, "best match: ..." below it), density, largest activation and ablation effect,
// its three heat maps (mean activation per square of each piece, with coordinates, the
// values and a colour scale) and its strongest positions drawn as boards.
//
// Without JavaScript the cards are in the order of the label's F1 and each variant's browser
// is a <details> element; kFeatureScript adds sorting (F1, precision, density, causal effect,
// id), a text filter on the label and "labelled only".
//
//   saerl::html_features(h, data);
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "board_html.hpp"
#include "html_page.hpp"
#include "report_data.hpp"

namespace saerl {

namespace detail {

// "fires when <phrase>" or "best match: <phrase>", with the figures, as HTML.
inline std::string label_html(const Json& feature, double rule_precision, double rule_recall) {
  const Json* label = feature.get("label");
  if (!label) return "<span class=\"weak\">matches no predicate</span>";
  const double precision = number_or(label, "precision", 0), recall = number_or(label, "recall", 0);
  const Json* flag = label->get("labeled");
  const bool labelled = flag ? flag->flag : precision >= rule_precision && recall >= rule_recall;
  // rounded down, so that a precision just below the rule's never reads as meeting it
  const std::string figures = " (precision " + fixed(std::floor(precision * 100 + 1e-9) / 100, 2) + ", recall " +
                              fixed(std::floor(recall * 100 + 1e-9) / 100, 2) + ")";
  if (labelled) return "fires when " + escaped(text_at(label, "phrase")) + figures;
  return "<span class=\"weak\">best match: " + escaped(text_at(label, "phrase")) + figures + "</span>";
}

// The steering record of feature id in a features file (its "steering" object), or null.
inline const Json* steering_record(const Json* file, double id) {
  for (const char* family : {"steering.features", "steering.named.features"}) {
    const Json* list = json_at(file, family);
    if (!is_array(list)) continue;
    for (const Json& r : list->items)
      if (number_or(&r, "feature", -1) == id) return &r;
  }
  return nullptr;
}

inline void feature_card(Html& h, const std::string& variant, const Json& f, int n, double positions,
                         const Json* pieces, double rule_precision, double rule_recall, const Json* steering) {
  const int id = int(number_or(&f, "id", -1));
  const Json* label = f.get("label");
  const double active = number_or(&f, "active", NAN), changed = number_or(&f, "changed", NAN);
  const double effect = std::isfinite(changed) && positions > 0 ? changed / positions : 0;
  const std::string filter = label ? text_at(label, "phrase") + " " + text_at(label, "predicate") : "";
  h.put("<article class=\"card\" id=\"f-%s-%d\" data-id=\"%d\" data-f1=\"%g\" data-precision=\"%g\" "
        "data-density=\"%g\" data-effect=\"%g\" data-labelled=\"%d\" data-label=\"",
        escaped(variant).c_str(), id, id, number_or(label, "f1", 0), number_or(label, "precision", 0),
        number_or(&f, "density", 0), effect, label && label->get("labeled") && label->get("labeled")->flag);
  h.text(filter);
  h.put("\"><h4>#%d &middot; %s</h4><div class=\"facts\">fires on %s of positions &middot; largest activation %s",
        id, label_html(f, rule_precision, rule_recall).c_str(), percent(number_or(&f, "density", NAN), 2).c_str(),
        significant(number_or(&f, "max_activation", NAN), 3).c_str());
  if (std::isfinite(active) && active > 0)
    h.put("<br>zeroed, it changes the DQN's move on %s of the %s positions where it is active", fixed(changed, 0).c_str(),
          fixed(active, 0).c_str());
  if (steering)
    h.put("<br>written into positions where its label is false, it gives the move of the board where it holds on %s "
          "(a random feature: %s)",
          percent(number_at(steering, "counterfactual_agreement"), 0).c_str(),
          percent(number_at(steering, "random_direction_agreement"), 0).c_str());
  h.raw("</div>");
  const Json* heat = f.get("heat");
  double top = 0;
  std::vector<std::vector<double>> maps;
  if (is_array(heat))
    for (const Json& m : heat->items) {
      std::vector<double> cells(size_t(n) * size_t(n), 0.0);
      for (size_t s = 0; s < cells.size() && s < m.items.size(); ++s)
        cells[s] = m.items[s].kind == Json::Kind::number ? m.items[s].number : 0;
      for (double c : cells) top = c > top ? c : top;
      maps.push_back(cells);
    }
  if (!maps.empty()) {
    h.raw("<div class=\"maps\">");
    for (size_t g = 0; g < maps.size(); ++g) {
      const std::string piece = pieces && g < pieces->items.size() ? pieces->items[g].text : "piece";
      html_heat_map(h, n, maps[g].data(), top, piece);
    }
    h.raw("</div>");
    html_colour_scale(h, top, "mean activation with the piece on that square");
  }
  const Json* boards = f.get("top");
  if (is_array(boards) && !boards->items.empty()) {
    h.raw("<div class=\"maps\">");
    for (const Json& b : boards->items) {
      int squares[3];
      if (!board_pieces(b.get("squares"), squares)) continue;
      html_board(h, n, squares, significant(number_or(&b, "activation", NAN), 3));
    }
    h.raw("</div><div class=\"note\">its strongest positions, with its activation on each (K, R: the white king and rook; k, in red: the black king)</div>");
  }
  h.raw("</article>\n");
}

}  // namespace detail

inline void html_features(Html& h, const ReportData& d) {
  section_begin(h, "features", "Feature browser");
  bool any = false;
  for (size_t v = 0; v < d.variants.size(); ++v) any = any || d.file(v);
  if (!any) {
    h.raw("<p class=\"note\">No features-&lt;variant&gt;.json in the run directory: run <code>saerl report</code>."
          "</p>\n");
    section_end(h);
    return;
  }
  const Json* first = nullptr;
  for (size_t v = 0; v < d.variants.size() && !first; ++v) first = d.file(v);
  const double rule_precision = number_or(first, "label_rule.precision", 0.9);
  const double rule_recall = number_or(first, "label_rule.recall", 0.5);
  h.put("<p>Every live feature of each SAE, over all legal positions. A feature \"fires when\" a ground-truth "
        "predicate holds only when that is its best match with precision &ge; %s (it fires almost only then) and "
        "recall &ge; %s (on at least that share of those positions); below that the card says \"best match\". "
        "Heat maps: the feature's mean activation with each piece on each square (rank 1 at the bottom, file a on "
        "the left), on one colour scale per card. Cards are ordered by the F1 of the best match.</p>\n",
        fixed(rule_precision, 2).c_str(), fixed(rule_recall, 2).c_str());
  for (size_t v = 0; v < d.variants.size(); ++v) {
    const Json* file = d.file(v);
    const std::string name = escaped(d.variants[v]);
    if (!file) {
      h.put("<h3 id=\"features-%s\">%s</h3><p class=\"note\">No features-%s.json.</p>\n", name.c_str(), name.c_str(),
            name.c_str());
      continue;
    }
    const Json* list = file->get("features");
    std::vector<const Json*> cards;
    int labelled = 0;
    if (is_array(list))
      for (const Json& f : list->items) {
        cards.push_back(&f);
        const Json* l = json_at(&f, "label.labeled");
        labelled += l && l->flag;
      }
    std::stable_sort(cards.begin(), cards.end(), [](const Json* a, const Json* b) {
      return number_or(a, "label.f1", 0) > number_or(b, "label.f1", 0);
    });
    const int n = int(number_or(file, "board_size", 5));
    h.put("<details class=\"browser\" id=\"features-%s\"><summary>%s: %zu live features of %s, %d labelled</summary>"
          "\n<div class=\"cards\" style=\"--c:%dpx\">\n",
          name.c_str(), name.c_str(), cards.size(), fixed(number_at(file, "width"), 0).c_str(), labelled,
          board_cell_pixels(n));
    const double positions = number_or(file, "positions", 0);
    for (const Json* f : cards)
      detail::feature_card(h, d.variants[v], *f, n, positions, file->get("pieces"), rule_precision, rule_recall,
                           detail::steering_record(file, number_or(f, "id", -1)));
    h.raw("</div></details>\n");
  }
  section_end(h);
}

// Sorting and filtering of the cards, and opening the browser that a link points into.
constexpr const char* kFeatureScript = R"JS(
document.querySelectorAll('details.browser').forEach(function (b) {
  var box = b.querySelector('.cards'), cards = Array.prototype.slice.call(box.children);
  var bar = document.createElement('div');
  bar.className = 'controls';
  bar.innerHTML = '<label>sort by <select><option value="f1">label F1</option><option value="precision">' +
    'precision</option><option value="density">density</option><option value="effect">causal effect</option>' +
    '<option value="id">feature number</option></select></label><label>filter <input type="search" ' +
    'placeholder="e.g. rook c3, edge, check"></label><label><input type="checkbox"> labelled only</label>' +
    '<span class="note"></span>';
  box.parentNode.insertBefore(bar, box);
  var sort = bar.querySelector('select'), text = bar.querySelector('input[type=search]');
  var only = bar.querySelector('input[type=checkbox]'), count = bar.querySelector('span');
  var order = 'f1';  // the page's own order
  function update() {
    var key = sort.value, words = text.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    if (key !== order) {
      cards.sort(function (x, y) {
        var a = parseFloat(x.dataset[key]), c = parseFloat(y.dataset[key]);
        return key === 'id' ? a - c : c - a;
      });
      cards.forEach(function (c) { box.appendChild(c); });
      order = key;
    }
    cards.forEach(function (c) {
      var label = c.dataset.label.toLowerCase();
      var ok = (!only.checked || c.dataset.labelled === '1') &&
        words.every(function (w) { return label.indexOf(w) >= 0; });
      c.hidden = !ok;
      shown += ok;
    });
    count.textContent = shown + ' of ' + cards.length + ' shown';
  }
  [sort, text, only].forEach(function (e) { e.addEventListener('input', update); });
  update();
});
function openTarget() {
  var e = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  for (var p = e; p; p = p.parentElement) if (p.tagName === 'DETAILS') p.open = true;
  if (e) e.scrollIntoView();
}
window.addEventListener('hashchange', openTarget);
openTarget();
)JS";

}  // namespace saerl
