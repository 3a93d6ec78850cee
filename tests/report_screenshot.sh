#!/usr/bin/env bash
# Opens a saerl report in headless Chromium, saves a screenshot, and checks that the page
# rendered: its feature cards, heat maps and boards are in the DOM Chromium built, and the
# screenshot is a real image. Needs Debian's chromium (apt-get install chromium).
#   tests/report_screenshot.sh out/report.html [out/report.png]
set -euo pipefail
report=$(readlink -f "${1:?usage: $0 REPORT.html [SHOT.png]}")
shot=${2:-${report%.html}.png}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile")
chromium "${flags[@]}" --window-size=1200,2400 --screenshot="$shot" "file://$report" 2>/dev/null
dom=$(chromium "${flags[@]}" --dump-dom "file://$report" 2>/dev/null)
cards=$(grep -o '<div class="card">' <<<"$dom" | wc -l)
boards=$(grep -o '<table class="b">' <<<"$dom" | wc -l)
bytes=$(stat -c %s "$shot")
echo "report: $cards feature cards, $boards boards and heat maps; screenshot $shot ($bytes bytes)"
[ "$cards" -ge 1 ] || { echo "error: no feature cards in the rendered page" >&2; exit 1; }
[ "$boards" -ge 4 ] || { echo "error: no boards or heat maps in the rendered page" >&2; exit 1; }
[ "$bytes" -ge 10000 ] || { echo "error: the screenshot is nearly empty" >&2; exit 1; }
! grep -q "<parsererror" <<<"$dom" || { echo "error: the page did not parse" >&2; exit 1; }
