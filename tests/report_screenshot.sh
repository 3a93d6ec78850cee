#!/usr/bin/env bash
# Checks a saerl report in headless Chromium and saves screenshots at desktop and phone width.
# Fails (exit 1) when, in the page Chromium built (after its script ran):
#   - the sections are not exactly #summary #contents #agent #sae #features #causal #probe
#     #sweep #run (or $SECTIONS), in this order, with every key of results.json only in a <details id="raw">
#     after them;
#   - the <meta name="viewport"> tag is missing;
#   - anything is loaded besides the page itself (an img/script/link/iframe... src or href, a
#     CSS url() or @import; every fetch the page made, from the browser's resource timing;
#     name resolution is switched off, so nothing can reach the network either);
#   - the page is wider than a 390-pixel phone screen (wide tables and plots must scroll
#     inside their own box);
#   - the console shows anything (the report's script logs nothing; an error or an uncaught
#     exception shows up there).
# Needs Debian's chromium (apt-get install -y chromium).
#   tests/report_screenshot.sh out/report.html [SHOTS_DIR]   # SHOTS_DIR/report-1400.png, -390.png
# SECTIONS="summary sae features run" sets the sections expected (the pellet maze's report).
set -euo pipefail
report=$(readlink -f "${1:?usage: $0 REPORT.html [SHOTS_DIR]}")
shots=${2:-$(dirname "$report")}
[ -f "$report" ] || { echo "error: $report: no such file" >&2; exit 1; }
command -v chromium >/dev/null || { echo "error: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --host-resolver-rules="MAP * ~NOTFOUND")
chrome() {  # a fresh profile for every start
  local profile
  profile=$(mktemp -d "$work/profile.XXXX")
  timeout 180 chromium "${flags[@]}" --user-data-dir="$profile" "$@"
}

# The report in a 390-pixel frame of a wrapper page that inspects it once it has loaded and
# writes one line per finding into <pre id="result">.
cat >"$work/check.html" <<EOF
<!doctype html><html><body><iframe id="r" style="width:390px;height:900px;border:0"></iframe>
<pre id="result"></pre><script>
var expected = '${SECTIONS:-summary contents agent sae features causal probe sweep run}'.split(' ');
var frame = document.getElementById('r'), lines = [];
frame.addEventListener('load', function () {
  var w = frame.contentWindow, d = frame.contentDocument;
  function error(text) { lines.push('error: ' + text); }
  if (!d || !d.body) { error('the report did not load'); return done(); }
  var ids = Array.prototype.map.call(d.querySelectorAll('section'), function (s) { return s.id; });
  if (ids.join(' ') !== expected.join(' '))
    error('sections are "' + ids.join(' ') + '", expected "' + expected.join(' ') + '"');
  var raw = d.getElementById('raw'), last = d.querySelectorAll('section');
  if (!raw || raw.tagName !== 'DETAILS') error('no <details id="raw"> with the keys of results.json');
  else if (last.length && (last[last.length - 1].compareDocumentPosition(raw) & 4) === 0)
    error('the raw listing is not after the last section');
  if (!d.querySelector('meta[name="viewport"]')) error('no <meta name="viewport">');
  var attributes = ['src', 'srcset', 'href', 'poster', 'data', 'action', 'formaction', 'background', 'xlink:href'];
  Array.prototype.forEach.call(d.querySelectorAll('*'), function (e) {
    attributes.forEach(function (a) {
      var v = e.getAttribute(a);
      if (v === null || (a === 'href' && e.tagName === 'A') || /^(#|data:)/.test(v)) return;
      error('<' + e.tagName.toLowerCase() + ' ' + a + '="' + v.slice(0, 80) + '"> loads a resource');
    });
  });
  Array.prototype.forEach.call(d.querySelectorAll('style'), function (s) {
    if (/@import|url\(\s*['"]?(?!data:|#)/.test(s.textContent)) error('the stylesheet loads a resource (url() or @import)');
  });
  w.performance.getEntriesByType('resource').forEach(function (e) { error('fetched ' + e.name.slice(0, 100)); });
  var wide = d.documentElement.scrollWidth;
  if (wide > 390) {
    var culprits = [];  // the outermost elements sticking out, not inside a scrolling box
    Array.prototype.forEach.call(d.querySelectorAll('body *'), function (e) {
      for (var p = e.parentElement; p && p !== d.body; p = p.parentElement)
        if (/auto|scroll|hidden/.test(w.getComputedStyle(p).overflowX)) return;
      var parent = e.parentElement.getBoundingClientRect();
      if (e.getBoundingClientRect().right > 390 && parent.right <= 390 && culprits.length < 5)
        culprits.push('<' + e.tagName.toLowerCase() + (e.id ? ' id=' + e.id : '') +
                      (e.className && e.className.baseVal === undefined ? ' class=' + e.className : '') +
                      '> in #' + (e.closest('section') || {id: '?'}).id);
    });
    error('the page is ' + wide + ' px wide in a 390 px frame: ' + culprits.join(', '));
  }
  lines.push('sections: ' + ids.join(' ') + '; width at 390 px: ' + wide + ' px');
  done();
});
function done() { document.getElementById('result').textContent = lines.join('\n'); }
frame.src = 'file://$report';
</script></body></html>
EOF

chrome --enable-logging=stderr --v=0 --allow-file-access-from-files --virtual-time-budget=20000 \
  --dump-dom "file://$work/check.html" >"$work/dom.html" 2>"$work/log.txt" || true
result=$(grep -q '<pre id="result">' "$work/dom.html" && tr '\n' '\r' <"$work/dom.html" | sed 's/.*<pre id="result">//; s/<\/pre>.*//' | tr '\r' '\n' |
         sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g')
console=$(grep 'CONSOLE' "$work/log.txt" | grep -F "file://$report" || true)
failed=0
[ -n "$result" ] || { echo "error: the check page produced no result (did Chromium start?)" >&2; failed=1; }
grep -v '^error: ' <<<"$result" | sed '/^$/d' || true
if grep -q '^error: ' <<<"$result"; then grep '^error: ' <<<"$result" >&2; failed=1; fi
if [ -n "$console" ]; then
  echo "error: the console shows messages:" >&2
  sed 's/^.*CONSOLE/  CONSOLE/' <<<"$console" >&2
  failed=1
fi

mkdir -p "$shots"
for width in 1400 390; do
  shot="$shots/report-$width.png"
  chrome --hide-scrollbars --window-size="$width,1600" --virtual-time-budget=10000 --screenshot="$shot" \
    "file://$report" >/dev/null 2>&1 || true
  bytes=$(stat -c %s "$shot" 2>/dev/null || echo 0)
  echo "screenshot $shot ($bytes bytes)"
  [ "$bytes" -ge 10000 ] || { echo "error: the screenshot at $width px is missing or nearly empty" >&2; failed=1; }
done
[ "$failed" -eq 0 ] && echo "report check passed: $report"
exit "$failed"
