#!/usr/bin/env bash
# dval eval estimators through the command line: the table has one row per
# budget and estimator asked for, the Monte Carlo rows equal an independent
# recomputation from deltas.npy (uniform and grid runs, own and separate
# truth), and bad input fails clearly without touching an existing output.
. "$(dirname "$0")/lib.inc"
set -u
DATA=(--data "$SRC/data/adult_4000.csv.gz")
$DVAL sample "${DATA[@]}" -o "$T/run" --points 16 --samples 40 --min-card 50 --max-card 300 -q \
    || bad "sample"
$DVAL sample "${DATA[@]}" -o "$T/long" --points 16 --samples 90 --min-card 50 --max-card 300 \
    --seed 7 -q || bad "sample (truth run)"
$DVAL sample "${DATA[@]}" -o "$T/grid" --points 12 --samples 6 --mode grid --cards 50,120,300 -q \
    || bad "sample (grid)"

# The independent check: a small .npy reader and the metrics, in plain Python.
cat > "$T/npymetrics.py" <<'PYEOF'
import ast, math, struct

def load_npy(path):
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:6] == b"\x93NUMPY", path
    hlen = struct.unpack("<H", raw[8:10])[0]
    hdr = ast.literal_eval(raw[10:10 + hlen].decode("latin1"))
    assert not hdr["fortran_order"]
    code = {"<f8": "d", "<i4": "i", "<i8": "q"}[hdr["descr"]]
    shape = hdr["shape"]
    n = 1
    for s in shape:
        n *= s
    flat = struct.unpack("<%d%s" % (n, code), raw[10 + hlen:10 + hlen + n * struct.calcsize(code)])
    if len(shape) == 1:
        return list(flat)
    return [list(flat[i * shape[1]:(i + 1) * shape[1]]) for i in range(shape[0])]

def ranks(v):
    return [1 + sum(w < x for w in v) + (sum(w == x for w in v) - 1) / 2 for x in v]

def corr(a, b):
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb)

def sgn(x):
    return (x > 0) - (x < 0)

def metrics(t, e):
    n = len(t)
    mse = sum((x - y) ** 2 for x, y in zip(e, t)) / n
    mt = sum(t) / n
    var = sum((x - mt) ** 2 for x in t) / n
    ss_res = sum((x - y) ** 2 for x, y in zip(e, t))
    ss_tot = sum((x - mt) ** 2 for x in t)
    return {"error": mse, "expl_var": 1 - mse / var, "r2": 1 - ss_res / ss_tot,
            "pearson": corr(t, e), "spearman": corr(ranks(t), ranks(e)),
            "sign": sum(sgn(x) == sgn(y) for x, y in zip(e, t)) / n}
PYEOF
cat > "$T/check.py" <<'PYEOF'
import csv, math, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npymetrics import load_npy, metrics

# argv: csv run_dir truth_dir n_grid budgets(comma) [estimators(comma)]
out, run, truth_dir, G = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
budgets = [int(b) for b in sys.argv[5].split(",")]
ests = sys.argv[6].split(",") if len(sys.argv) > 6 else ["mc_mean", "law", "law_eb"]
D = load_npy(run + "/deltas.npy")
T = load_npy(truth_dir + "/deltas.npy")
truth = [sum(r) / len(r) for r in T]
rows = list(csv.DictReader(open(out)))
assert list(rows[0].keys()) == ["samples", "estimator", "error", "expl_var", "r2", "pearson",
                                "spearman", "sign", "points"], list(rows[0].keys())
assert len(rows) == len(ests) * len(budgets), len(rows)
assert [(int(r["samples"]), r["estimator"]) for r in rows] == \
    [(m, e) for m in budgets for e in ests]
M = len(D[0])
for r in rows:
    m = int(r["samples"])
    assert int(r["points"]) == len(D)
    if r["estimator"] != "mc_mean":
        assert math.isfinite(float(r["error"])) and 0 <= float(r["sign"]) <= 1
        continue
    if G > 1:   # round-robin over the cardinality blocks
        B = M // G
        cols = [(t % G) * B + t // G for t in range(m)]
    else:
        cols = list(range(m))
    est = [sum(d[c] for c in cols) / m for d in D]
    want = metrics(truth, est)
    for k, v in want.items():
        got = float(r[k])
        assert abs(got - v) <= 1e-9 * max(1.0, abs(v)), (m, k, got, v)
PYEOF

# Own truth, default budgets: 5, 10, 20, 30 (below 40 samples).
if $DVAL eval estimators "$T/run" >"$T/table.txt" 2>"$T/err.txt"; then
    ok "eval estimators runs"
else
    bad "eval estimators: $(cat "$T/err.txt")"
fi
[ -f "$T/run/estimators.csv" ] && ok "default output RUN_DIR/estimators.csv" || bad "no estimators.csv"
$PY "$T/check.py" "$T/run/estimators.csv" "$T/run" "$T/run" 0 5,10,20,30 \
    && ok "mc_mean rows equal a recomputation (own truth)" || bad "mc_mean rows (own truth)"
grep -q "mc_mean" "$T/table.txt" && grep -q "spearman" "$T/table.txt" \
    && ok "table printed" || bad "table not printed"
[ "$(head -1 "$T/run/estimators.csv")" = "samples,estimator,error,expl_var,r2,pearson,spearman,sign,points" ] \
    && [ "$(wc -l < "$T/run/estimators.csv")" -eq 13 ] && ok "header and row count" || bad "header or row count"

# A separate, longer truth run; every sample of the run may be used.
$DVAL eval estimators "$T/run" --truth "$T/long" --budgets 5,15,40 --threads 1 -o "$T/vs_long.csv" \
    >/dev/null 2>&1 && $PY "$T/check.py" "$T/vs_long.csv" "$T/run" "$T/long" 0 5,15,40 \
    && ok "mc_mean rows equal a recomputation (--truth)" || bad "mc_mean rows (--truth)"
$DVAL eval estimators "$T/run" --truth "$T/long" --budgets 5,15,40 --threads 2 -o "$T/vs_long2.csv" \
    >/dev/null 2>&1 && cmp -s "$T/vs_long.csv" "$T/vs_long2.csv" \
    && ok "same output for 1 and 2 threads" || bad "output depends on threads"

# Grid run: round-robin over 3 cardinalities of 6 samples each.
$DVAL eval estimators "$T/grid" --budgets 3,7,17 -o "$T/grid.csv" >/dev/null 2>&1 \
    && $PY "$T/check.py" "$T/grid.csv" "$T/grid" "$T/grid" 3 3,7,17 \
    && ok "grid run: round-robin mc_mean" || bad "grid run"

# The accuracy by size against a grid run over the same points: the
# mc_mean rows (its value predicting every size) recomputed here.
$DVAL sample "${DATA[@]}" -o "$T/grid16" --points 16 --samples 8 --mode grid --cards 60,150,290 -q \
    || bad "sample (grid over the run's points)"
$DVAL eval estimators "$T/run" --truth "$T/long" --budgets 5,20 --grid "$T/grid16" -o "$T/g.csv" -q \
    && $PY - "$T" <<'PYEOF' && ok "--grid: accuracy by size, mc_mean rows recomputed" || bad "--grid by size"
import csv, math, sys
t = sys.argv[1]
sys.path.insert(0, t)
from npymetrics import load_npy, metrics
D = load_npy(t + "/run/deltas.npy")
G = load_npy(t + "/grid16/deltas.npy")
rows = list(csv.DictReader(open(t + "/g_by_size.csv")))
assert list(rows[0].keys())[:3] == ["samples", "estimator", "k"]
want = [(m, e, k) for m in (5, 20) for e in ("mc_mean", "law", "law_eb") for k in (60, 150, 290)]
assert [(int(r["samples"]), r["estimator"], int(r["k"])) for r in rows] == want, rows
for r in rows:
    m, q = int(r["samples"]), (60, 150, 290).index(int(r["k"]))
    at_k = [sum(g[q * 8:(q + 1) * 8]) / 8 for g in G]
    if r["estimator"] != "mc_mean":
        assert -1e9 < float(r["expl_var"]) <= 1 and -1 <= float(r["spearman"]) <= 1
        continue
    est = [sum(d[:m]) / m for d in D]
    for key, v in metrics(at_k, est).items():
        assert abs(float(r[key]) - v) <= 1e-9 * max(1.0, abs(v)), (m, key, r[key], v)
PYEOF
expect_fail "--grid: not a grid run" "grid-mode run" $DVAL eval estimators "$T/run" --truth "$T/long" --budgets 5 --grid "$T/long" -o "$T/x.csv"
expect_fail "--grid: other points" "same points" $DVAL eval estimators "$T/run" --truth "$T/long" --budgets 5 --grid "$T/grid" -o "$T/x.csv"

# Chosen estimators; the amortized law and law_eb's neighbours load the run's data.
$DVAL eval estimators "$T/run" --truth "$T/long" --budgets 5,15 --estimators law_eb,mc_mean,amortized \
    --neighbors 3 --epochs 3 -o "$T/three.csv" -q 2>"$T/err.txt" \
    && $PY "$T/check.py" "$T/three.csv" "$T/run" "$T/long" 0 5,15 mc_mean,law_eb,amortized \
    && ok "--estimators: the rows asked for, in order" || bad "--estimators: $(cat "$T/err.txt")"
$DVAL eval estimators "$T/run" --budgets 5 --estimators all --epochs 2 -o "$T/all.csv" -q \
    && [ "$(cut -d, -f2 "$T/all.csv" | tr '\n' ' ')" = "estimator mc_mean law law_eb amortized " ] \
    && ok "--estimators all" || bad "--estimators all"
expect_fail "unknown estimator" "unknown estimator 'bayes'" $DVAL eval estimators "$T/run" --estimators law,bayes
mkdir -p "$T/moved" && cp "$T/run/"*.npy "$T/run/run.json" "$T/run/points.csv" "$T/moved/"
sed -i 's#adult_4000.csv.gz#gone.csv.gz#' "$T/moved/run.json"
expect_fail "amortized without the data" "gone.csv.gz" $DVAL eval estimators "$T/moved" --estimators amortized
$DVAL eval estimators "$T/moved" --estimators law_eb --budgets 5 -o "$T/eb.csv" -q \
    && ok "law_eb needs no data (classes from points.csv)" || bad "law_eb without data"
$DVAL eval estimators "$T/moved" --estimators amortized --epochs 2 --budgets 5 \
    --data "$SRC/data/adult_4000.csv.gz" -o "$T/am.csv" -q && ok "--data for a moved data file" \
    || bad "--data for a moved file"

# An output that is a pipe (as /dev/stdout or /dev/null) is written into, not replaced.
mkfifo "$T/fifo" && { cat "$T/fifo" > "$T/from_fifo.csv" & }
$DVAL eval estimators "$T/run" --budgets 5 --estimators mc_mean -o "$T/fifo" -q; wait
[ -p "$T/fifo" ] && [ "$(head -1 "$T/from_fifo.csv")" = "samples,estimator,error,expl_var,r2,pearson,spearman,sign,points" ] \
    && ok "-o a pipe: written through, still a pipe" || bad "-o a pipe"

# Bad input: clear messages, non-zero status, an existing output left alone.
echo "keep me" > "$T/keep.csv"
expect_fail "budgets not increasing" "must be increasing" $DVAL eval estimators "$T/run" --budgets 10,5 -o "$T/keep.csv"
expect_fail "budget above the samples" "more than the 39 samples" $DVAL eval estimators "$T/run" --budgets 5,40 -o "$T/keep.csv"
expect_fail "budget below 2" "below 2" $DVAL eval estimators "$T/run" --budgets 1,5 -o "$T/keep.csv"
expect_fail "budget not a number" "not an integer" $DVAL eval estimators "$T/run" --budgets 5,x -o "$T/keep.csv"
expect_fail "missing run" "cannot read" $DVAL eval estimators "$T/nothing" -o "$T/keep.csv"
mkdir -p "$T/half" && cp "$T/run/run.json" "$T/half/"
expect_fail "run without deltas" "deltas.npy" $DVAL eval estimators "$T/half" -o "$T/keep.csv"
expect_fail "truth over other points" "same points" $DVAL eval estimators "$T/run" --truth "$T/grid" -o "$T/keep.csv"
seq 100 115 > "$T/other_points.txt"
$DVAL sample "${DATA[@]}" -o "$T/other" --points-file "$T/other_points.txt" --samples 6 \
    --min-card 50 --max-card 300 -q || bad "sample (other points)"
expect_fail "truth with other rows" "differs from" $DVAL eval estimators "$T/run" --truth "$T/other" -o "$T/keep.csv"
expect_fail "unwritable output" "cannot write" $DVAL eval estimators "$T/run" -o "$T/no/such/dir/x.csv"
expect_fail "unknown option" "unknown option '--bogus'" $DVAL eval estimators "$T/run" --bogus
expect_fail "no run" "give a RUN_DIR" $DVAL eval estimators
expect_fail "two runs" "unexpected argument" $DVAL eval estimators "$T/run" "$T/long"
[ "$(cat "$T/keep.csv")" = "keep me" ] && ok "failed runs leave the output alone" || bad "output overwritten"
ls "$T"/keep.csv.tmp* >/dev/null 2>&1 && bad "temporary file left behind" || ok "no temporary file left"
$DVAL eval estimators --help | grep -q "usage: dval eval estimators" && ok "--help" || bad "--help"
$DVAL eval --help | grep -q "eval estimators" && ok "eval --help lists estimators" || bad "eval --help"
finish
