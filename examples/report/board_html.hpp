// saerl/examples/report/board_html.hpp — boards and heat maps of the N x N rook checkmate as
// small HTML tables with coordinates (files a.. below, ranks 1.. on the left, rank N on top),
// for any N from 4 to 8.
//
//   const int pieces[3] = {wk, wr, bk};                       // squares: rank * N + file
//   saerl::html_board(h, 5, pieces, "activation 3.2");
//   saerl::html_heat_map(h, 5, cells, /*top=*/3.2, "black king");   // cells[N * N]
//   saerl::html_colour_scale(h, 3.2, "mean activation");
#pragma once
#include <cmath>
#include <string>

#include "html_page.hpp"

namespace saerl {

// "c3": file letter and rank number of square s = rank * n + file.
inline std::string square_name(int s, int n) {
  std::string name(1, char('a' + s % n));
  return name + std::to_string(s / n + 1);
}

// The heat maps' cell size in pixels, which keeps three maps side by side in a card up to 6x6
// (7x7 and 8x8 maps wrap); boards are drawn at 7/10 of it, four to a row. The page sets it once per browser,
// as the CSS variable --c.
inline int board_cell_pixels(int n) { return n <= 5 ? 19 : n == 6 ? 16 : 15; }

namespace detail {

// Optional end tags (</td>, </tr>, </th>) are left out and attribute values unquoted: a
// report holds thousands of these tables. The class b0 / b1 tells the stylesheet whether the
// top-left square is dark (its rank + file is even), which colours the squares.
inline void board_begin(Html& h, int n) { h.put("<table class=\"b b%d\">", (n - 1) % 2); }
inline void board_rank(Html& h, int rank) { h.put("<tr><th>%d", rank + 1); }
inline void board_end(Html& h, int n) {
  h.raw("<tr><th>");
  for (int f = 0; f < n; ++f) h.put("<th>%c", 'a' + f);
  h.raw("</table>");
}

// A heat-map cell's text: two significant digits, no leading zero (".45"); blank below 5% of
// the scale's top, where the colour already says "about nothing".
inline std::string heat_text(double v, double top) {
  char buf[16];
  if (!(v >= 0.05 * top) || !(v >= 0.005)) return "";
  if (v >= 9.95) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (v >= 0.995) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf[0] == '0' ? buf + 1 : buf;
}

}  // namespace detail

// The colour class of value v on a scale from 0 (white, q0) to top (q9).
inline int heat_class(double v, double top) {
  if (!(v > 0) || !(top > 0)) return 0;
  const int q = 1 + int(9 * v / top);
  return q > 9 ? 9 : q;
}

// The three squares [white king, rook, black king] of a JSON array into pieces; false when
// `a` is not an array of three.
inline bool board_pieces(const Json* a, int* pieces) {
  if (!is_array(a) || a->items.size() != 3) return false;
  for (size_t g = 0; g < 3; ++g) pieces[g] = int(a->items[g].number);
  return true;
}

// A board with the white king (K), white rook (R) and black king (k) on squares pieces[0..2].
inline void html_board(Html& h, int n, const int* pieces, const std::string& caption) {
  static const char* const kLetters[3] = {"K", "R", "k"};  // (the black king in red: see the stylesheet)
  h.raw("<figure class=board>");
  detail::board_begin(h, n);
  for (int rank = n - 1; rank >= 0; --rank) {
    detail::board_rank(h, rank);
    for (int file = 0; file < n; ++file) {
      const int s = rank * n + file;
      int piece = -1;
      for (int g = 0; g < 3; ++g) piece = pieces[g] == s ? g : piece;
      if (piece < 0) h.raw("<td>");
      else h.put("<td class=%s>%s", piece == 2 ? "k" : "p", kLetters[piece]);
    }
  }
  detail::board_end(h, n);
  h.raw("<figcaption>");
  h.text(caption);
  h.raw("</figcaption></figure>");
}

// One piece's heat map: cells[s] (n * n values) coloured on the scale 0..top, values written in
// (blank below 5% of top).
inline void html_heat_map(Html& h, int n, const double* cells, double top, const std::string& caption) {
  h.raw("<figure>");
  detail::board_begin(h, n);
  for (int rank = n - 1; rank >= 0; --rank) {
    detail::board_rank(h, rank);
    for (int file = 0; file < n; ++file) {
      const double v = cells[rank * n + file];
      const int q = heat_class(v, top);
      if (q == 0) h.raw("<td>");
      else h.put("<td class=q%d>%s", q, detail::heat_text(v, top).c_str());
    }
  }
  detail::board_end(h, n);
  h.raw("<figcaption>");
  h.text(caption);
  h.raw("</figcaption></figure>");
}

// The legend of the heat maps: "<what>: 0 [white to dark red] top".
inline void html_colour_scale(Html& h, double top, const char* what) {
  h.put("<div class=\"note\">%s: 0 <span class=\"scale\"></span> %s</div>", what, significant(top, 3).c_str());
}

}  // namespace saerl
