#!/bin/bash
# The figures of a run (law, validation, hist, distance) and dval report:
# outputs decode and parse, the --data numbers agree with scaling.csv
# recomputed here, inapplicable figures and bad paths fail clearly, and the
# demo writes its report.
. "$(dirname "$0")/lib.inc"
DATA="$SRC/data/adult_4000.csv.gz"
S="--data $DATA --points 24 --min-card 50 --max-card 300 -q"

"$DVAL" sample $S --samples 12 -o "$T/run" 2>/dev/null && ok "uniform run" || bad "uniform run"
"$DVAL" sample $S --samples 3 --mode grid --grid-count 4 -o "$T/grid" 2>/dev/null \
    && ok "grid run" || bad "grid run"

# law: samples and law rows; each law row recomputed from scaling.csv with awk
"$DVAL" plot law "$T/run" --points 0,5,9 -o "$T/law.png" --data "$T/law.csv" 2>/dev/null \
    && ok "plot law" || bad "plot law"
[ -s "$T/run/scaling.csv" ] && ok "law fitted the run first" || bad "no scaling.csv"
head -1 "$T/law.csv" | grep -qx "point,kind,k,delta,lo,hi" && ok "law csv header" || bad "law csv header"
n=$(grep -c ",sample," "$T/law.csv")
[ "$n" -eq 36 ] && ok "law: 3 x 12 sample rows" || bad "law: $n sample rows"
awk -F, 'NR == FNR { if (FNR > 1) { c[$1] = $3; a[$1] = $4; s[$1] = $5; b[$1] = $6 }; next }
    $2 == "law" { m = c[$1] * exp(-a[$1] * log($3)); sd = s[$1] * exp(-b[$1] / 2 * log($3));
        t = 1e-9 * (m < 0 ? -m : m) + 1e-300
        if ((m - $4) > t || ($4 - m) > t || ($5 - (m - sd)) ^ 2 > (1e-9 * sd + t) ^ 2) bad++; n++ }
    END { exit !(n > 0 && bad == 0) }' "$T/run/scaling.csv" "$T/law.csv" \
    && ok "law rows equal c k^-alpha and the sigma band" || bad "law rows differ from scaling.csv"

# hist: the alpha histogram counts every usable law once
"$DVAL" plot hist "$T/run" -o "$T/hist.svg" --data "$T/hist.csv" 2>/dev/null && ok "plot hist svg" || bad "plot hist"
$PY -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/hist.svg" 2>/dev/null \
    && ok "hist svg parses" || bad "hist svg does not parse"
usable=$(awk -F, 'NR > 1 && ($10 == "ok" || $10 == "bound") && $3 != 0' "$T/run/scaling.csv" | wc -l)
total=$(awk -F, '$1 == "alpha" { s += $4 } END { print s + 0 }' "$T/hist.csv")
[ "$usable" -eq "$total" ] && ok "hist counts $total laws" || bad "hist counts $total, usable $usable"

# validation needs a grid-mode run
expect_fail "validation of a uniform run" "grid" "$DVAL" plot validation "$T/run" -o "$T/v.png"
"$DVAL" plot validation "$T/grid" -o "$T/v.pdf" --data "$T/v.csv" 2>/dev/null \
    && ok "validation of a grid run" || bad "validation of a grid run"
head -c 5 "$T/v.pdf" | grep -q "%PDF-" && ok "validation pdf" || bad "validation pdf"
n=$(grep -c "^r2_by_k,likelihood," "$T/v.csv")
[ "$n" -eq 4 ] && ok "validation: R^2 at the 4 grid sizes" || bad "validation: $n R^2 rows"

# distance: needs the run's data options
"$DVAL" plot distance "$T/run" --data "$DATA" -o "$T/d.png" --plot-data "$T/d.csv" 2>/dev/null \
    && ok "plot distance" || bad "plot distance"
n=$(grep -c "^point," "$T/d.csv")
[ "$n" -eq 24 ] && ok "distance: 24 points" || bad "distance: $n points"
expect_fail "distance on another split" "data options" \
    "$DVAL" plot distance "$T/run" --data "$DATA" --val 0.45 --test 0.45 -o "$T/d2.png"

# bad inputs
mkdir -p "$T/empty"
expect_fail "missing run files" "run.json" "$DVAL" plot law "$T/empty" -o "$T/x.png"
expect_fail "unknown figure" "unknown figure" "$DVAL" plot pie "$T/run" -o "$T/x.png"
expect_fail "unwritable output" "/nonexistent/x.png" "$DVAL" plot hist "$T/run" -o /nonexistent/x.png
expect_fail "unknown extension" "x.gif" "$DVAL" plot hist "$T/run" -o "$T/x.gif"
expect_fail "no -o" "-o" "$DVAL" plot hist "$T/run"
echo keep > "$T/keep.png"
"$DVAL" plot law "$T/run" --points 999 -o "$T/keep.png" 2>/dev/null && bad "bad point accepted"
grep -qx keep "$T/keep.png" && ok "failed figure leaves the file" || bad "file replaced"
"$DVAL" plot law --help | grep -q "usage: dval plot law" && ok "plot law --help" || bad "--help"

# report
"$DVAL" report "$T/grid" -o "$T/rep" >/dev/null 2>&1 && ok "report" || bad "report"
imgs=$(grep -o '<img ' "$T/rep/report.html" | wc -l)
[ "$imgs" -eq 5 ] && ok "report of a grid run: 5 figures" || bad "report: $imgs figures"
for f in law hist convergence validation distance; do
    [ -s "$T/rep/$f.png" ] && [ -s "$T/rep/$f.svg" ] || bad "report: $f.png/.svg missing"
done
grep -q "Least valuable points" "$T/rep/report.html" && ok "report tables" || bad "report tables"
# The tables' law values and their errors are values.csv's (to the 4 and 2
# digits shown).
"$DVAL" value --from "$T/grid" -o "$T/grid_values.csv" >/dev/null 2>&1
$PY - "$T/rep/report.html" "$T/grid_values.csv" <<'PYEOF' && ok "report: law values with their errors" || bad "report: law value errors"
import csv, re, sys
html = open(sys.argv[1]).read()
rows = {int(r["point"]): r for r in csv.DictReader(open(sys.argv[2]))}
cells = re.findall(r"<tr><td>\d+</td><td>(\d+)</td><td>-?\d+</td><td>[^<]*</td><td>([^<]*)</td>", html)
assert len(cells) >= 10, len(cells)
for pt, cell in cells:
    r = rows[int(pt)]
    parts = cell.split(" &plusmn; ")
    assert float(parts[0]) == float("%.4g" % float(r["law_value"])), (pt, cell, r["law_value"])
    se = float(r["law_stderr"])
    if se > 0:
        assert len(parts) == 2 and float(parts[1]) == float("%.2g" % se), (pt, cell, se)
PYEOF
$PY - "$T/rep/report.html" "$T/grid" <<'PYEOF' && ok "report: the fits' statuses, counted" || bad "report: fit statuses"
import csv, re, sys
html = open(sys.argv[1]).read()
m = re.search(r"<p>Fits: (.*?%\))\.", html)
assert m, "no Fits paragraph"
counts = {k: int(v) for k, v in re.findall(r"(\w+) (\d+) \(", m.group(1))}
rows = list(csv.DictReader(open(sys.argv[2] + "/scaling.csv")))
want = {}
for r in rows:
    want[r["status"]] = want.get(r["status"], 0) + 1
assert counts == want, (counts, want)
assert ("bound" in counts) == ("A fit on the bound" in html)
PYEOF
"$DVAL" report "$T/run" -o "$T/rep2" >/dev/null 2>&1
imgs=$(grep -o '<img ' "$T/rep2/report.html" | wc -l)
[ "$imgs" -eq 4 ] && ok "report of a uniform run: no validation figure" || bad "report: $imgs figures"
head -1 "$T/rep2/estimators.csv" | grep -q "^samples,estimator," && ok "report: estimators.csv" \
    || bad "report: no estimators.csv"
[ "$(cut -d, -f2 "$T/rep2/estimators.csv" | sort -u | tr '\n' ' ')" = "estimator law law_eb mc_mean " ] \
    && ok "report: mc_mean, law and law_eb rows" || bad "report: estimator rows"
"$DVAL" report "$T/run" -o "$T/rep4" --amortized >/dev/null 2>&1 \
    && grep -q ",amortized," "$T/rep4/estimators.csv" && grep -q "the amortized law" "$T/rep4/report.html" \
    && cmp -s <(grep -v amortized "$T/rep4/estimators.csv") "$T/rep2/estimators.csv" \
    && ok "report --amortized: a fourth line, the others unchanged" || bad "report --amortized"
$PY - "$T/rep/report.html" <<'PYEOF' && ok "report html is balanced" || bad "report html unbalanced"
import sys
from html.parser import HTMLParser
void = {"meta", "img", "br", "hr", "link", "input"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.bad = 0
    def handle_starttag(self, t, a):
        if t not in void: self.stack.append(t)
    def handle_endtag(self, t):
        if not self.stack or self.stack.pop() != t: self.bad += 1
p = P(); p.feed(open(sys.argv[1]).read())
sys.exit(1 if p.bad or p.stack else 0)
PYEOF
# task results kept in the run directory: an Applications section
"$DVAL" eval poison --data "$DATA" --methods knn,random --attacks flip,backdoor -o "$T/run/poison.csv" >/dev/null 2>&1
"$DVAL" eval acquire --data "$DATA" --initial 30 --batch 5 --rounds 3 --reps 2 --scorers random,margin -o "$T/run/acquire.csv" >/dev/null 2>&1
"$DVAL" report "$T/run" -o "$T/rep5" >/dev/null 2>&1 && [ -s "$T/rep5/acquire.png" ] &&
$PY - "$T" <<'PYEOF' && ok "report: the poisoning table and the acquisition figure and summary" || bad "report: applications"
import csv, json, sys
T = sys.argv[1]
html = open(T + "/rep5/report.html").read()
assert "<h2>Applications</h2>" in html and "<h3>Poisoned rows</h3>" in html
rows = list(csv.DictReader(open(T + "/run/poison.csv")))
sec = html[html.index("<h3>Poisoned rows</h3>"):html.index("<h3>Active acquisition</h3>")]
assert sec.count("<tr>") == len(rows) + 1, (sec.count("<tr>"), len(rows))
for r in rows:  # each row's AUROC as printed
    assert "<td>%s</td><td>%s</td><td>%.3f</td><td>%.3f</td>" % (
        r["attack"], r["method"], float(r["f1"]), float(r["auroc"])) in sec, r
j = json.load(open(T + "/run/acquire.csv.json"))
assert "reached %.4f" % j["target_accuracy"] in html
acq = html[html.index("<h3>Active acquisition</h3>"):]
for s, v in j["scorers"].items():
    assert "<tr><td>%s</td><td>%.4f</td>" % (s, v["final_accuracy"]) in acq, s
PYEOF
rm -f "$T/run/values.csv"
"$DVAL" report "$T/run" -o "$T/rep3" >/dev/null 2>&1 && [ -s "$T/run/values.csv" ] \
    && ok "report values the run first" || bad "report without values.csv"
"$DVAL" sample $S --samples 12 -o "$T/cut" 2>/dev/null
sed -i 's/"complete": true/"complete": false/' "$T/cut/run.json"
expect_fail "report of an unfinished run" "not complete" "$DVAL" report "$T/cut"
expect_fail "figure of an unfinished run" "not complete" "$DVAL" plot law "$T/cut" -o "$T/c.png"

# the demo writes its report (a few samples per point keep it short)
"$DVAL" demo -o "$T/demo" --samples 3 -q >"$T/demo.out" 2>/dev/null && ok "demo" || bad "demo"
[ -s "$T/demo/report/report.html" ] && ok "demo report" || bad "demo report missing"
grep -q "report/report.html" "$T/demo.out" && ok "demo prints the report path" || bad "demo path"
# two samples per point fit no law: the report says so instead of failing
"$DVAL" demo -o "$T/demo2" --samples 2 -q >/dev/null 2>&1 &&
    grep -q "No point's law could be fitted (2 samples per point)" "$T/demo2/report/report.html" &&
    ok "demo with 2 samples: the law figures left out, said why" || bad "demo --samples 2"
finish
