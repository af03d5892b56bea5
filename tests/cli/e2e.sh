#!/usr/bin/env bash
# End to end: synth -> sample -> fit -> value; the outputs load with NumPy
# and agree with each other and with an independent recomputation.
. "$(dirname "$0")/lib.inc"
set -u
$DVAL synth linear-clf -o "$T/d.csv" --rows 1400 --features 5 --noise 1 --seed 3 2>/dev/null || bad synth
$DVAL sample --data "$T/d.csv" --val 300 --test 100 -o "$T/run" --samples 12 --points 40 \
    --min-card 20 --max-card 200 --seed 5 --batch 16 -q || bad sample
$DVAL fit "$T/run" 2>/dev/null || bad fit
$DVAL value --from "$T/run" --at 50 --at 150 --top 3 >"$T/top.txt" 2>/dev/null || bad value
grep -q "top 3 points" "$T/top.txt" && ok "value --top prints a table" || bad "value --top"
$DVAL fit --deltas "$T/run/deltas.npy" --cards "$T/run/cards.npy" -o "$T/s2.csv" 2>/dev/null || bad "fit arrays"
$PY - "$T" <<'PYEOF' && ok "outputs load and agree" || bad "outputs disagree"
import sys, csv, json, math
import numpy as np
t = sys.argv[1]
D = np.load(t + "/run/deltas.npy"); K = np.load(t + "/run/cards.npy"); P = np.load(t + "/run/points.npy")
assert D.dtype == np.float64 and K.dtype == np.int32 and P.dtype == np.int64, (D.dtype, K.dtype, P.dtype)
assert D.shape == (40, 12) and K.shape == D.shape and P.shape == (40,)
assert (P == np.arange(40)).all()
assert K.min() >= 20 and K.max() <= 200 and np.isfinite(D).all()
man = json.load(open(t + "/run/run.json"))
assert man["progress"]["complete"] is True and man["samples"] == 12 and man["seed"] == 5
assert len(man["data"]["sha256"]) == 64
rows = list(csv.DictReader(open(t + "/run/scaling.csv")))
rows2 = list(csv.DictReader(open(t + "/s2.csv")))
vals = list(csv.DictReader(open(t + "/run/values.csv")))
assert len(rows) == 40 and len(vals) == 40
for i, (r, r2, v) in enumerate(zip(rows, rows2, vals)):
    assert int(r["point"]) == P[i] and int(v["point"]) == P[i]
    for key in ("c", "alpha", "sigma", "beta", "nll"):
        assert float(r[key]) == float(r2[key]), key       # same fit either way
    c, a = float(r["c"]), float(r["alpha"])
    assert math.isfinite(c) and math.isfinite(a)
    assert abs(float(v["psi_50"]) - c * 50 ** -a) <= 1e-12 * (1 + abs(c))
    law = c * np.mean(np.arange(20, 201, dtype=float) ** -a)
    assert abs(float(v["law_value"]) - law) <= 1e-12 * (1 + abs(law)), (v["law_value"], law)
    d = D[i]
    assert abs(float(v["mc_mean"]) - d.mean()) <= 1e-14 * (1 + abs(d.mean()))
    assert abs(float(v["mc_stderr"]) - d.std(ddof=1) / math.sqrt(12)) <= 1e-12
    # the log estimator's c is least squares of d on k^-alpha without intercept
    la = float(r["log_alpha"]); x = K[i].astype(float) ** -la
    assert abs(float(r["log_c"]) - (d @ x) / (x @ x)) <= 1e-9 * (1 + abs(float(r["log_c"])))
PYEOF
# the run is deterministic: a second run with 1 thread gives identical bytes
$DVAL sample --data "$T/d.csv" --val 300 --test 100 -o "$T/run1" --samples 12 --points 40 \
    --min-card 20 --max-card 200 --seed 5 --batch 16 -q --threads 1 || bad "sample 1 thread"
cmp -s "$T/run/deltas.npy" "$T/run1/deltas.npy" && cmp -s "$T/run/cards.npy" "$T/run1/cards.npy" \
    && ok "1 thread and the default give identical files" || bad "thread count changed the output"
# curve: a learning curve and its law
$DVAL curve --data "$T/d.csv" --val 300 --test 100 -o "$T/curve" --cards 20,40,80,160 --samples 5 \
    >"$T/curve.txt" 2>/dev/null || bad curve
$PY - "$T" <<'PYEOF' && ok "curve output" || bad "curve output"
import sys, csv
t = sys.argv[1]
rows = list(csv.DictReader(open(t + "/curve/curve.csv")))
assert len(rows) == 20
for r in rows:
    assert abs(float(r["error"]) + float(r["utility"])) < 1e-15   # error = -U for log-loss
law = list(csv.DictReader(open(t + "/curve/curve_law.csv")))[0]
assert float(law["eps"]) >= 0 and float(law["alpha"]) > 0
PYEOF
# --points-file, grid mode, explicit validation/test files
printf '5\n3, 17\n# a comment\n' >"$T/pts.txt"
$DVAL synth linear-clf -o "$T/v.csv" --rows 200 --features 5 --noise 1 --seed 4 2>/dev/null
$DVAL synth linear-clf -o "$T/t.csv" --rows 100 --features 5 --noise 1 --seed 6 2>/dev/null
$DVAL sample --data "$T/d.csv" --val-data "$T/v.csv" --test-data "$T/t.csv" -o "$T/grid" \
    --points-file "$T/pts.txt" --mode grid --grid-count 3 --min-card 20 --max-card 80 --samples 4 -q \
    || bad "grid sample"
$PY - "$T" <<'PYEOF' && ok "points file, grid mode, explicit splits" || bad "points file / grid / splits"
import sys, json
import numpy as np
t = sys.argv[1]
P = np.load(t + "/grid/points.npy"); K = np.load(t + "/grid/cards.npy")
assert list(P) == [5, 3, 17], P
assert K.shape == (3, 12)
assert (K == np.repeat([20, 40, 80], 4)[None, :]).all(), K   # geomspace(20, 80, 3)
m = json.load(open(t + "/grid/run.json"))
assert m["split"]["train"] == 1400 and m["split"]["val"] == 200 and m["split"]["test"] == 100
assert m["mode"] == "grid" and m["cards"] == [20, 40, 80]
PYEOF
# regression with ridge, R^2 utility
$DVAL synth linear-reg -o "$T/r.csv" --rows 600 --features 4 --noise 1 --seed 8 2>/dev/null
$DVAL sample --data "$T/r.csv" --task regression --learner ridge --lambda 2 --metric r2 -o "$T/reg" \
    --points 10 --samples 5 --min-card 10 --max-card 60 -q || bad "regression sample"
$DVAL fit "$T/reg" 2>/dev/null && $DVAL value --from "$T/reg" 2>/dev/null || bad "regression fit/value"
$PY - "$T" <<'PYEOF' && ok "regression run" || bad "regression run"
import sys, json, csv
import numpy as np
t = sys.argv[1]
D = np.load(t + "/reg/deltas.npy")
assert D.shape == (10, 5) and np.isfinite(D).all() and (D != 0).any()
m = json.load(open(t + "/reg/run.json"))
assert m["learner"]["name"] == "ridge" and m["learner"]["lambda"] == 2 and m["metric"] == "r2"
assert m["task"] == "regression" and m["classes"] == []
assert len(list(csv.DictReader(open(t + "/reg/values.csv")))) == 10
PYEOF
finish
