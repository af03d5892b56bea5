#!/bin/bash
# dval eval poison: the injected rows against the training file (the stated
# count, the target label, the trigger recomputed with numpy, the watermark
# one pattern), the table's invariants, the same bytes from the same seed,
# and bad options named with nothing written.
. "$(dirname "$0")/lib.inc"
set -u
# two classes by the sign of a; b, c, d are noise
$PY - "$T" <<'PYEOF'
import sys
import numpy as np
rng = np.random.default_rng(5)
def write(path, n):
    X = rng.uniform(-1, 1, size=(n, 4))
    with open(path, "w") as f:
        f.write("a,b,c,d,kind\n")
        for row in X:
            f.write(",".join(repr(float(v)) for v in row) + (",up\n" if row[0] > 0 else ",down\n"))
write(sys.argv[1] + "/train.csv", 200)
write(sys.argv[1] + "/val.csv", 60)
write(sys.argv[1] + "/test.csv", 100)
PYEOF
D=(--data "$T/train.csv" --val-data "$T/val.csv" --test-data "$T/test.csv" --no-standardize)
P=(--methods loo,knn --rho 0.1 --target up --trigger c,d --trigger-z 2.5 --watermark-amp 0.5)
$DVAL eval poison "${D[@]}" "${P[@]}" --injected-out "$T/inj.csv" -o "$T/p.csv" >"$T/p.txt" 2>/dev/null ||
    bad "eval poison ran: $(cat "$T/p.txt")"
$PY - "$T" <<'PYEOF' && ok "the injected rows: count, label, trigger, watermark" || bad "injected rows"
import csv, sys
import numpy as np
T = sys.argv[1]
X = np.loadtxt(T + "/train.csv", delimiter=",", skiprows=1, usecols=range(4))
lab = [l.strip().split(",")[-1] for l in open(T + "/train.csv")][1:]
mean, sd = X.mean(axis=0), X.std(axis=0)
rows = list(csv.DictReader(open(T + "/inj.csv")))
signs = None
for attack in ("flip", "backdoor", "watermark"):
    mine = [r for r in rows if r["attack"] == attack]
    assert len(mine) == 20, (attack, len(mine))                 # round(0.1 * 200)
    pts = [int(r["point"]) for r in mine]
    assert len(set(pts)) == 20
    for r in mine:
        i = int(r["point"])
        x = np.array([float(r[c]) for c in "abcd"])
        assert r["label_after"] == "up" and r["label_before"] == lab[i], r
        if attack != "watermark":
            assert r["label_before"] == "down", r                # rows of other classes
        if attack == "flip":
            assert (x == X[i]).all()
        elif attack == "backdoor":
            assert (x[:2] == X[i, :2]).all()
            assert np.allclose(x[2:], mean[2:] + 2.5 * sd[2:], rtol=0, atol=1e-12), (x, mean, sd)
        else:
            s = np.sign(x - X[i])
            assert np.allclose(np.abs(x - X[i]), 0.5 * sd, rtol=0, atol=1e-12)
            assert signs is None or (s == signs).all()           # one pattern
            signs = s
PYEOF
$PY - "$T" <<'PYEOF' && ok "the table: every attack and method, the injected rows found exactly" || bad "table"
import csv, sys
T = sys.argv[1]
rows = list(csv.DictReader(open(T + "/p.csv")))
assert [(r["attack"], r["method"]) for r in rows] == [
    (a, m) for a in ("flip", "backdoor", "watermark") for m in ("injected", "loo", "knn")], rows
for r in rows:
    same = [q for q in rows if q["attack"] == r["attack"]]
    assert all(q["success_clean"] == r["success_clean"] and q["accuracy_poisoned"] == r["accuracy_poisoned"]
               for q in same)
    assert r["removed"] == "20"
    for k in ("f1", "auroc", "recall", "success_after", "accuracy_after"):
        assert 0 <= float(r[k]) <= 1, (k, r)
    if r["method"] == "injected":
        assert float(r["f1"]) == 1 and float(r["auroc"]) == 1 and float(r["recall"]) == 1
bd = {r["method"]: r for r in rows if r["attack"] == "backdoor"}
# the trigger works on this learner, and dropping the injected rows undoes it
assert float(bd["injected"]["success_poisoned"]) > float(bd["injected"]["success_clean"]) + 0.2, bd
assert float(bd["injected"]["success_after"]) < float(bd["injected"]["success_poisoned"]), bd
PYEOF
grep -q "^backdoor: 20 of 200 training rows poisoned (labelled up)" "$T/p.txt" && ok "summary" ||
    bad "summary: $(cat "$T/p.txt")"
# the same options, the same bytes (but the seconds); another seed, other rows
$DVAL eval poison "${D[@]}" "${P[@]}" --injected-out "$T/inj2.csv" -o "$T/p2.csv" >/dev/null 2>&1
cmp -s "$T/inj.csv" "$T/inj2.csv" && ok "injection reproducible" || bad "injection differs"
cut -d, -f1-13 "$T/p.csv" >"$T/a" && cut -d, -f1-13 "$T/p2.csv" >"$T/b" && cmp -s "$T/a" "$T/b" &&
    ok "table reproducible" || bad "table differs"
$DVAL eval poison "${D[@]}" "${P[@]}" --attacks flip --poison-seed 9 --injected-out "$T/inj3.csv" -o "$T/p3.csv" >/dev/null 2>&1
[ "$(grep -c '^flip' "$T/inj3.csv")" = 20 ] && ! cmp -s <(grep '^flip' "$T/inj.csv") <(grep '^flip' "$T/inj3.csv") &&
    ok "another seed poisons other rows" || bad "seed"
# bad input: named, nothing written, an existing result untouched
cp "$T/p.csv" "$T/keep.csv"
expect_fail "unknown attack" "--attacks: unknown attack 'trojan'" $DVAL eval poison "${D[@]}" --methods loo --attacks flip,trojan -o "$T/keep.csv"
expect_fail "unknown class" "--target: no class 'sideways' \(the classes: down, up\)" $DVAL eval poison "${D[@]}" --methods loo --target sideways -o "$T/keep.csv"
expect_fail "unknown column" "--trigger: no column 'e' \(the columns: a, b, c, d\)" $DVAL eval poison "${D[@]}" --methods loo --trigger a,e -o "$T/keep.csv"
expect_fail "rho" "--rho: 1.5 is not in \(0, 1\)" $DVAL eval poison "${D[@]}" --methods loo --rho 1.5 -o "$T/keep.csv"
expect_fail "too many rows" "flip: 180 rows are to be poisoned but only [0-9]+ can carry" $DVAL eval poison "${D[@]}" --methods loo --rho 0.9 -o "$T/keep.csv"
expect_fail "source is the target" "--source: 'up' is the target class" $DVAL eval poison "${D[@]}" --methods loo --target up --source up -o "$T/keep.csv"
expect_fail "no methods" "--methods LIST is required" $DVAL eval poison "${D[@]}" -o "$T/keep.csv"
expect_fail "unknown method" "--methods: unknown method" $DVAL eval poison "${D[@]}" --methods loo,nope -o "$T/keep.csv"
$DVAL synth linear-reg -o "$T/reg.csv" --rows 100 --features 3 --seed 1 2>/dev/null
expect_fail "regression" "needs a classification data set" $DVAL eval poison --data "$T/reg.csv" --task regression --methods loo -o "$T/keep.csv"
cmp -s "$T/p.csv" "$T/keep.csv" && ok "refused calls leave the result" || bad "a refused call changed the result"
$DVAL eval poison --help | grep -q "^usage: dval eval poison" && ok "--help" || bad "--help"
finish
