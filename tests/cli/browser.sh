#!/usr/bin/env bash
# The report in a real browser: headless Chromium loads report.html at a
# width of 1280 pixels, and a script appended to a copy of the page reports
# every image that did not load, every element whose right edge passes the
# window, and every link whose target is missing (anchors in the page,
# relative files beside it).  Skipped, saying so, where Chromium is not
# installed (`make deps` installs it when it can).
. "$(dirname "$0")/lib.inc"
set -u
BROWSER=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$BROWSER" ]; then
    echo "# skipped: no Chromium (Debian's chromium package) on this machine"
    exit 0
fi
$DVAL synth linear-clf -o "$T/in.csv" --rows 600 --features 5 --seed 2 2>/dev/null
$DVAL sample --data "$T/in.csv" -o "$T/run" --points 40 --samples 20 --min-card 20 --max-card 200 -q \
    || bad "sample"
$DVAL report "$T/run" -o "$T/rep" -q || bad "report"
[ -f "$T/rep/report.html" ] || { bad "no report.html"; finish; exit 1; }
cat "$T/rep/report.html" "$SRC/tests/browser/check.html.inc" >"$T/rep/check.html"
# As root Chromium needs --no-sandbox; --virtual-time-budget lets the page
# finish loading before the DOM is printed.
timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,900 --virtual-time-budget=10000 --dump-dom "$T/rep/check.html" \
    2>"$T/browser.err" | sed -n '/<pre id="dv-check">/,/<\/pre>/p' | sed 's/<[^>]*>//g' >"$T/result"
if ! grep -q '^width 1280' "$T/result"; then
    bad "the browser did not run the page's check: $(tail -3 "$T/browser.err")"
    finish
    exit 1
fi
n_img=$(sed -n 's/^images //p' "$T/result")
n_png=$(ls "$T/rep"/*.png | wc -l)
if [ "$n_img" -ge 3 ] && [ "$n_img" -eq "$n_png" ]; then
    ok "the page shows $n_img images, one per figure written ($n_png)"
else
    bad "the page shows $n_img images, the report wrote $n_png figures"
fi
if grep -q '^BROKEN' "$T/result"; then
    bad "images that did not load: $(grep '^BROKEN' "$T/result" | tr '\n' ';')"
else
    ok "every image loads"
fi
if grep -q '^OVERFLOW' "$T/result"; then
    bad "wider than 1280 pixels: $(grep '^OVERFLOW' "$T/result" | head -5 | tr '\n' ';')"
else
    ok "nothing passes the right edge of a 1280-pixel window ($(grep scrollWidth "$T/result"))"
fi
if grep -q '^DEAD' "$T/result"; then
    bad "links to missing anchors: $(grep '^DEAD' "$T/result" | tr '\n' ';')"
else
    ok "every in-page link has its anchor"
fi
missing=0
while read -r _ href; do
    case $href in
    http://* | https://* | mailto:*) ;;
    *) [ -e "$T/rep/${href%%#*}" ] || { bad "link to a missing file: $href"; missing=1; } ;;
    esac
done < <(grep '^LINK ' "$T/result")
[ $missing -eq 0 ] && ok "every link to a file resolves ($(sed -n 's/^links //p' "$T/result") links)"
finish
