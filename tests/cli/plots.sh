#!/usr/bin/env bash
# dval plot for the evaluation tasks (convergence, noisy, removal, addition,
# map): the tasks run on the bundled data with small settings, each figure
# is drawn to PNG and SVG with --data, the SVG parses, the data CSV has the
# expected header and row count, and bad inputs fail clearly without
# touching an existing output file.
. "$(dirname "$0")/lib.inc"
set -u
D=(--data "$SRC/data/adult_4000.csv.gz" --val 400 --test 400)
svg_ok() { $PY -c 'import xml.dom.minidom,sys; d=xml.dom.minidom.parse(sys.argv[1]); assert d.documentElement.tagName=="svg"' "$1" 2>/dev/null; }
# data_ok FILE HEADER ROWS: the CSV has that header and that many data rows
data_ok() { [ "$(head -1 "$1")" = "$2" ] && [ "$(($(wc -l < "$1") - 1))" -eq "$3" ]; }
# plot_both NAME ROWS HEADER ARGS...: PNG and SVG (with --data) of a figure
plot_both() {
    local name=$1 rows=$2 header=$3
    shift 3
    if $DVAL plot "$name" "$@" -o "$T/$name.png" --data "$T/$name.data.csv" 2>"$T/.err" \
        && [ -s "$T/$name.png" ] && [ "$(head -c 4 "$T/$name.png" | tail -c 3)" = "PNG" ]; then
        ok "plot $name png"
    else
        bad "plot $name png: $(cat "$T/.err")"
    fi
    data_ok "$T/$name.data.csv" "$header" "$rows" && ok "plot $name --data: header and $rows rows" \
        || bad "plot $name --data: $(head -1 "$T/$name.data.csv" 2>&1), $(wc -l < "$T/$name.data.csv" 2>&1) lines, expected $rows rows"
    if $DVAL plot "$name" "$@" -o "$T/$name.svg" 2>"$T/.err" && [ -s "$T/$name.svg" ] && svg_ok "$T/$name.svg"; then
        ok "plot $name svg parses"
    else
        bad "plot $name svg: $(cat "$T/.err")"
    fi
}

# noisy: per-point values of three methods
$DVAL eval noisy "${D[@]}" --methods knn,influence,random --rho 0.2 -o "$T/noisy.csv" \
    --values-out "$T/nv.csv" >/dev/null 2>"$T/.err" || bad "eval noisy --values-out: $(cat "$T/.err")"
n=$(($(wc -l < "$T/nv.csv") - 1))
$PY - "$T/nv.csv" <<'PYEOF' && ok "eval noisy --values-out" || bad "eval noisy --values-out layout"
import sys, csv, math
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0].keys()) == ["point", "noisy", "knn", "influence", "random"], list(rows[0].keys())
assert [int(r["point"]) for r in rows] == list(range(len(rows)))
assert sum(int(r["noisy"]) for r in rows) == round(0.2 * len(rows))
assert all(math.isfinite(float(r[m])) for r in rows for m in ("knn", "influence", "random"))
PYEOF
plot_both noisy $((5 + 3 * (n + 1))) "method,inspected,found" "$T/nv.csv"
# the curve's end points: everything found after inspecting every point
$PY - "$T/noisy.data.csv" <<'PYEOF' && ok "noisy curves end at (1, 1)" || bad "noisy curve ends"
import sys, csv
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["method"] == "knn"]
assert float(rows[0]["inspected"]) == 0 and float(rows[0]["found"]) == 0
assert float(rows[-1]["inspected"]) == 1 and float(rows[-1]["found"]) == 1
assert all(float(a["found"]) <= float(b["found"]) for a, b in zip(rows, rows[1:]))
PYEOF

# removal: two methods, same fractions
for m in knn random; do
    $DVAL eval removal "${D[@]}" --method $m --bin 0.1 --max-fraction 0.3 -o "$T/rm_$m.csv" >/dev/null 2>"$T/.err" \
        || bad "eval removal $m: $(cat "$T/.err")"
done
steps=$(($(wc -l < "$T/rm_knn.csv") - 1))
plot_both removal $((2 + 2 * 2 * steps)) "method,order,fraction,metric" "$T/rm_knn.csv" "$T/rm_random.csv" \
    --metric-name "test accuracy"
grep -q "^majority class,reference," "$T/removal.data.csv" && ok "removal: the majority-class line" \
    || bad "removal: no majority-class line in the figure's data"
# The majority column against a recount: training labels 1 in 70 % of the
# rows, so the reference is the test split's share of 1s.
$PY - "$T" <<'PYEOF'
import random, sys
t = sys.argv[1]
rng = random.Random(5)
for name, n, p1 in (("mtrain", 120, 0.7), ("mval", 60, 0.5), ("mtest", 77, 0.4)):
    with open(f"{t}/{name}.csv", "w") as f:
        f.write("a,b,label\n")
        for i in range(n):
            y = int(rng.random() < p1)
            f.write(f"{rng.gauss(y, 1):.6f},{rng.gauss(0, 1):.6f},{y}\n")
PYEOF
$DVAL eval removal --data "$T/mtrain.csv" --val-data "$T/mval.csv" --test-data "$T/mtest.csv" \
    --method random --bin 0.1 --max-fraction 0.2 -o "$T/rm_major.csv" >/dev/null 2>&1
$PY - "$T" <<'PYEOF' && ok "eval removal: the majority column is the test share of the training majority" \
    || bad "eval removal: majority column"
import csv, sys
t = sys.argv[1]
lab = lambda f: [int(r["label"]) for r in csv.DictReader(open(f"{t}/{f}.csv"))]
tr, te = lab("mtrain"), lab("mtest")
major = max((tr.count(c), -c) for c in set(tr))[1] * -1
want = te.count(major) / len(te)
rows = list(csv.DictReader(open(f"{t}/rm_major.csv")))
assert rows and all(abs(float(r["majority"]) - want) < 1e-15 for r in rows), (rows[0], want)
PYEOF
cut -d, -f1 "$T/removal.data.csv" | sort -u | tr '\n' ' ' | grep -q "rm_knn rm_random" \
    && ok "removal names from the file names" || bad "removal default names"
$DVAL plot removal "$T/rm_knn.csv" "$T/rm_random.csv" --names KNN,Random -o "$T/r2.png" --data "$T/r2.csv" 2>/dev/null \
    && grep -q "^KNN,high," "$T/r2.csv" && grep -q "^Random,low," "$T/r2.csv" && ok "removal --names" || bad "removal --names"
head -3 "$T/rm_knn.csv" > "$T/rm_short.csv"
expect_fail "removal with other fractions" "same fractions" \
    $DVAL plot removal "$T/rm_knn.csv" "$T/rm_short.csv" -o "$T/x.png"
expect_fail "removal --names count" "2 files" \
    $DVAL plot removal "$T/rm_knn.csv" "$T/rm_random.csv" --names a -o "$T/x.png"

# addition: a small sampling run of 32 candidates
$DVAL sample "${D[@]}" -o "$T/run" --points 32 --samples 20 --min-card 50 --max-card 300 -q 2>"$T/.err" \
    || bad "sample: $(cat "$T/.err")"
$DVAL fit "$T/run" >/dev/null 2>&1 || bad "fit"
$DVAL eval addition --from "$T/run" "${D[@]}" --sizes 100,300 --add 8 --reps 4 -o "$T/add.csv" \
    >/dev/null 2>"$T/.err" || bad "eval addition: $(cat "$T/.err")"
plot_both addition 6 "base_size,scores,gain,stderr" "$T/add.csv"
$PY - "$T/add.csv" "$T/addition.data.csv" <<'PYEOF' && ok "addition --data holds the file's gains" || bad "addition --data values"
import sys, csv
a = [(r["base_size"], r["scores"], float(r["gain_mean"]), float(r["gain_stderr"])) for r in csv.DictReader(open(sys.argv[1]))]
b = [(r["base_size"], r["scores"], float(r["gain"]), float(r["stderr"])) for r in csv.DictReader(open(sys.argv[2]))]
assert sorted(a) == sorted(b), (a, b)
PYEOF

# convergence: a table in the layout of dval eval estimators
{
    echo "samples,estimator,error,expl_var,r2,pearson,spearman,sign,points"
    for s in 10 30 100 300 1000; do
        for e in mc_mean law; do
            $PY -c "import math; s=$s; e='$e'; r=1-(3 if e=='mc_mean' else 1.5)/math.sqrt(s); print(f'{s},{e},0.1,0.5,{r:.6f},{(1+r)/2:.6f},{(1+r)/2-0.02:.6f},0.9,40')"
        done
    done
} > "$T/est.csv"
plot_both convergence 30 "metric,estimator,samples,value" "$T/est.csv"

# map: a 7 x 5 grid of x * y (both signs), points and a curve
$PY - "$T" <<'PYEOF'
import sys, random
t = sys.argv[1]
random.seed(1)
cells = [(-1.5 + 0.5 * i, -1 + 0.5 * j) for i in range(7) for j in range(5)]
random.shuffle(cells)
with open(t + "/grid.csv", "w") as f:
    f.write("x,y,value\n")
    for x, y in cells:
        f.write(f"{x},{y},{x * y}\n")
with open(t + "/pts.csv", "w") as f:
    f.write("x,y,class\n")
    for k in range(20):
        x, y = random.uniform(-1.5, 1.5), random.uniform(-1, 1)
        f.write(f"{x},{y},{int(x * y > 0)}\n")
with open(t + "/curves.csv", "w") as f:
    f.write("curve,x,y\n0,-1.5,0\n0,1.5,0\n1,0,-1\n1,0,1\n")
with open(t + "/irregular.csv", "w") as f:
    f.write("x,y,value\n")
    for x in (0, 1, 2.5):
        for y in (0, 1):
            f.write(f"{x},{y},1\n")
with open(t + "/holes.csv", "w") as f:
    f.write("x,y,value\n")
    for x in (0, 1, 2):
        for y in (0, 1):
            if (x, y) != (2, 1):
                f.write(f"{x},{y},1\n")
PYEOF
plot_both map 35 "x,y,value" "$T/grid.csv" --points "$T/pts.csv" --curves "$T/curves.csv" --value-label "x times y"
$PY - "$T/grid.csv" "$T/map.data.csv" <<'PYEOF' && ok "map --data holds the grid cells" || bad "map --data cells"
import sys, csv
a = sorted((float(r["x"]), float(r["y"]), float(r["value"])) for r in csv.DictReader(open(sys.argv[1])))
b = sorted((float(r["x"]), float(r["y"]), float(r["value"])) for r in csv.DictReader(open(sys.argv[2])))
assert len(a) == len(b) and all(abs(p - q) < 1e-12 for u, v in zip(a, b) for p, q in zip(u, v)), (a, b)
PYEOF
expect_fail "map: irregular grid" "irregular.csv: the grid is not regular: the x values" \
    $DVAL plot map "$T/irregular.csv" -o "$T/x.png"
expect_fail "map: incomplete grid" "holes.csv: .*not complete" $DVAL plot map "$T/holes.csv" -o "$T/x.png"

# failures: nothing written, an existing output left as it was
printf keep > "$T/keep.png"
expect_fail "unknown figure" "unknown figure 'pie'" $DVAL plot pie "$T/grid.csv" -o "$T/x.png"
expect_fail "missing input file" "nosuch.csv: cannot read" $DVAL plot noisy "$T/nosuch.csv" -o "$T/x.png"
expect_fail "missing -o" "-o FILE" $DVAL plot map "$T/grid.csv"
expect_fail "unwritable -o" "/nonexistent/x.png" $DVAL plot map "$T/grid.csv" -o /nonexistent/x.png
expect_fail "unknown extension" "x.jpg" $DVAL plot map "$T/grid.csv" -o "$T/x.jpg"
expect_fail "unwritable --data" "/nonexistent/d.csv" $DVAL plot map "$T/grid.csv" -o "$T/keep.png" --data /nonexistent/d.csv
expect_fail "failed map keeps the old file" "not regular" $DVAL plot map "$T/irregular.csv" -o "$T/keep.png"
expect_fail "wrong columns" "no 'fraction' column" $DVAL plot removal "$T/add.csv" -o "$T/keep.png"
printf 'point,noisy\n0,1\n1,0\n' > "$T/nomethod.csv"
expect_fail "no method columns" "no method columns" $DVAL plot noisy "$T/nomethod.csv" -o "$T/keep.png"
[ "$(cat "$T/keep.png")" = keep ] && ok "existing output untouched by failures" || bad "existing output changed"
ls "$T" | grep -qE '\.tmp|^x\.' && bad "temporary or partial files left: $(ls "$T" | grep -E '\.tmp|^x\.')" \
    || ok "no partial files left"
for f in convergence noisy removal addition map; do
    $DVAL plot $f --help | grep -q "usage: dval plot $f" && ok "plot $f --help" || bad "plot $f --help"
done
finish
