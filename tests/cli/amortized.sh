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
# the saved network: laws of raw rows, the same bits as the fit's for its points
$DVAL fit "$T/run" --estimator amortized --epochs 20 -o "$T/a2.csv" --law-model "$T/lm.bin" 2>/dev/null \
    && cmp -s "$T/a.csv" "$T/a2.csv" && grep -q '"estimator": "amortized"' "$T/a2.json" \
    && ok "--law-model saves the network; the record names the estimator" || bad "--law-model"
$DVAL value --law-model "$T/lm.bin" --data "$T/d.csv" -o "$T/p.csv" 2>/dev/null || bad "value --law-model"
$PY - "$T" <<'PYEOF' && ok "law model: the fit's laws for its points, any column order" || bad "law-model predictions"
import csv, sys
t = sys.argv[1]
rows = list(csv.reader(open(t + "/d.csv")))
head, body = rows[0], rows[1:]
perm = [2, 0, 3, 1]  # the label first, features shuffled
with open(t + "/perm.csv", "w", newline="") as f:
    w = csv.writer(f)
    for r in rows:
        w.writerow([r[j] for j in perm])
pred = {r["row"]: r for r in csv.DictReader(open(t + "/p.csv"))}
assert len(pred) == len(body)
src = {r["point"]: r["source_row"] for r in csv.DictReader(open(t + "/run/points.csv"))}
for r in csv.DictReader(open(t + "/a.csv")):
    q = pred[src[r["point"]]]
    for k in ("c", "alpha", "sigma", "beta"):
        assert q[k] == r[k], (r["point"], k, q[k], r[k])
    assert q["label"] == body[int(src[r["point"]])][3]
PYEOF
$DVAL value --law-model "$T/lm.bin" --data "$T/perm.csv" -o "$T/p2.csv" 2>/dev/null \
    && cmp -s "$T/p.csv" "$T/p2.csv" && ok "law model: columns matched by name" || bad "permuted columns"
cut -d, -f1,2,4 "$T/d.csv" > "$T/less.csv"
expect_fail "law model: a missing column" "no column 'x2'" $DVAL value --law-model "$T/lm.bin" --data "$T/less.csv" -o "$T/x.csv"
sed '1s/$/,extra/; 2,$s/$/,1/' "$T/d.csv" > "$T/more.csv"
expect_fail "law model: an unknown column" "'extra' is not one" $DVAL value --law-model "$T/lm.bin" --data "$T/more.csv" --label label -o "$T/x.csv"
sed '5s/[01]$/7/' "$T/d.csv" > "$T/cls.csv"
expect_fail "law model: an unknown class" "row 4 has the class '7'" $DVAL value --law-model "$T/lm.bin" --data "$T/cls.csv" -o "$T/x.csv"
head -c 100 "$T/lm.bin" > "$T/cut.bin"
expect_fail "law model: a cut file" "cut or damaged" $DVAL value --law-model "$T/cut.bin" --data "$T/d.csv" -o "$T/x.csv"
$PY -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[200] ^= 1; open(sys.argv[2], 'wb').write(b)" "$T/lm.bin" "$T/flip.bin"
expect_fail "law model: a flipped bit" "checksum" $DVAL value --law-model "$T/flip.bin" --data "$T/d.csv" -o "$T/x.csv"
expect_fail "law model: not a model" "no DVLAWMDL header" $DVAL value --law-model "$T/d.csv" --data "$T/d.csv" -o "$T/x.csv"
[ ! -e "$T/x.csv" ] && ok "law model: no output after an error" || bad "output after an error"
expect_fail "law model: -o required" "are required" $DVAL value --law-model "$T/lm.bin" --data "$T/d.csv"
$DVAL fit "$T/run" --estimator amortized --epochs 5 --k-ref mid -o "$T/mid.csv" 2>/dev/null \
    && grep -q '"k_ref": 48.98979' "$T/mid.json" && ! cmp -s "$T/mid.csv" "$T/a.csv" \
    && ok "--k-ref mid: the geometric mean of the sizes, recorded" || bad "--k-ref mid"
expect_fail "--k-ref below 1" "neither mid nor a size" $DVAL fit "$T/run" --estimator amortized --k-ref 0.5
expect_fail "--k-ref without amortized" "amortized estimator's" $DVAL fit "$T/run" --k-ref mid
expect_fail "--law-model needs amortized" "--law-model is the amortized" $DVAL fit "$T/run" --law-model "$T/y.bin"
# law_eb through dval fit: one alpha and beta per class, and the record
# says which estimator made the laws (the values: tests/test_law_eb.c).
$DVAL fit "$T/run" --estimator law_eb -o "$T/eb.csv" 2>/dev/null && grep -q '"estimator": "law_eb"' "$T/eb.json" \
    && $DVAL fit "$T/run" --estimator law_eb --neighbors 5 -o "$T/eb5.csv" 2>/dev/null \
    && ! cmp -s "$T/eb.csv" "$T/eb5.csv" && ok "fit --estimator law_eb (and --neighbors)" || bad "fit law_eb"
$PY - "$T" <<'PYEOF' && ok "law_eb: one alpha and beta per class" || bad "law_eb laws"
import csv, sys
t = sys.argv[1]
rows = list(csv.DictReader(open(t + "/eb.csv")))
pts = {r["point"]: r["label"] for r in csv.DictReader(open(t + "/run/points.csv"))}
by = {}
for r in rows:
    by.setdefault(pts[r["point"]], set()).add((r["alpha"], r["beta"]))
assert all(len(v) == 1 for v in by.values()), by
PYEOF
expect_fail "--neighbors without law_eb" "law_eb's" $DVAL fit "$T/run" --neighbors 5
expect_fail "law_eb without a run" "needs a RUN_DIR" $DVAL fit --estimator law_eb --deltas "$T/run/deltas.npy" --cards "$T/run/cards.npy" -o "$T/x.csv"
$DVAL value --law-model --help | grep -q "law_model.bin" && ok "value --law-model --help" || bad "law-model help"
finish
