#!/usr/bin/env bash
# dval fit --estimator amortized: a scaling.csv like the likelihood fit's,
# the same for the same seed, another for another seed; bad options named.
. "$(dirname "$0")/lib.inc"
set -u
$DVAL synth linear-clf -o "$T/d.csv" --rows 500 --features 3 --noise 1 --seed 4 2>/dev/null
$DVAL sample --data "$T/d.csv" --val 100 --test 50 -o "$T/run" --points 60 --samples 6 \
    --min-card 20 --max-card 120 -q || bad "sample"
$DVAL fit "$T/run" --estimator amortized --epochs 20 -o "$T/a.csv" 2>/dev/null \
    && $DVAL fit "$T/run" --estimator amortized --epochs 20 -o "$T/b.csv" 2>/dev/null \
    && $DVAL fit "$T/run" --estimator amortized --epochs 20 --seed 1 -o "$T/c.csv" 2>/dev/null \
    && $DVAL fit "$T/run" -o "$T/mle.csv" 2>/dev/null \
    && cmp -s "$T/a.csv" "$T/b.csv" && ! cmp -s "$T/a.csv" "$T/c.csv" \
    && ok "amortized: repeatable, seeded" || bad "amortized runs"
$PY - "$T" <<'PYEOF' && ok "amortized scaling.csv: same columns and points, finite laws" || bad "amortized output"
import csv, math, sys
t = sys.argv[1]
a = list(csv.DictReader(open(t + "/a.csv")))
m = list(csv.DictReader(open(t + "/mle.csv")))
assert list(a[0].keys()) == list(m[0].keys())
assert [r["point"] for r in a] == [r["point"] for r in m] and len(a) == 60
for r in a:
    assert r["status"] == "ok" and int(r["n_samples"]) == 6
    for k in ("c", "alpha", "sigma", "beta"):
        assert math.isfinite(float(r[k])), (k, r[k])
    assert float(r["alpha"]) > 0 and float(r["sigma"]) > 0 and 0 < float(r["beta"]) <= math.exp(2) + 1e-12
PYEOF
# values from the amortized laws
cp "$T/a.csv" "$T/run/scaling.csv"
$DVAL value --from "$T/run" -o "$T/v.csv" 2>/dev/null && [ "$(wc -l < "$T/v.csv")" -eq 61 ] \
    && ok "value from amortized laws" || bad "value from amortized laws"
expect_fail "unknown estimator" "unknown estimator 'bayes'" $DVAL fit "$T/run" --estimator bayes
expect_fail "held-out out of range" "--held-out" $DVAL fit "$T/run" --estimator amortized --held-out 1
expect_fail "amortized without a run" "needs a RUN_DIR" $DVAL fit --estimator amortized --deltas "$T/run/deltas.npy" --cards "$T/run/cards.npy" -o "$T/x.csv"
mkdir -p "$T/moved" && cp "$T/run/"*.npy "$T/run/run.json" "$T/run/points.csv" "$T/moved/"
sed -i "s#$T/d.csv#$T/gone.csv#" "$T/moved/run.json"
expect_fail "amortized without the run's data" "gone.csv" $DVAL fit "$T/moved" --estimator amortized
$DVAL fit "$T/moved" --estimator amortized --data "$T/d.csv" --epochs 5 -o "$T/m.csv" 2>/dev/null \
    && ok "--data points to a moved data file" || bad "--data for a moved file"
finish
