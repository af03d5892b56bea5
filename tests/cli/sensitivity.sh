#!/bin/bash
# dval eval sensitivity: the coefficient on all rows and without the rows
# it names are numpy's least squares on the same rows; the files agree with
# each other; bad options are named.
. "$(dirname "$0")/lib.inc"
set -u
# a regression whose second coefficient is weak, and three far rows that
# make it positive
$PY - "$T" <<'PYEOF'
import sys
import numpy as np
rng = np.random.default_rng(3)
n = 120
X = rng.normal(size=(n, 3))
y = 1.0 + 0.8 * X[:, 0] - 0.05 * X[:, 1] + 0.5 * X[:, 2] + rng.normal(size=n)
X[:3, 1], y[:3] = [6, 7, 8], [9, 10, 11]
def write(path, A, b):
    with open(path, "w") as f:
        f.write("a,b,c,y\n")
        for row, t in zip(A, b):
            f.write(",".join(repr(float(v)) for v in row) + ",%r\n" % float(t))
write(sys.argv[1] + "/train.csv", X[:100], y[:100])
write(sys.argv[1] + "/val.csv", X[100:110], y[100:110])
write(sys.argv[1] + "/test.csv", X[110:], y[110:])
PYEOF
D=(--data "$T/train.csv" --val-data "$T/val.csv" --test-data "$T/test.csv" --task regression --no-standardize)
$DVAL eval sensitivity "${D[@]}" --coef b -o "$T/s.csv" >"$T/s.txt" 2>/dev/null || bad "sensitivity ran"
$PY - "$T" <<'PYEOF' && ok "the coefficient and its refits are numpy's least squares" || bad "sensitivity vs numpy"
import csv, json, sys
import numpy as np
T = sys.argv[1]
A = np.loadtxt(T + "/train.csv", delimiter=",", skiprows=1)
X, y = np.column_stack([A[:, :3], np.ones(len(A))]), A[:, 3]
def fit(keep):
    b, *_ = np.linalg.lstsq(X[keep], y[keep], rcond=None)
    r = y[keep] - X[keep] @ b
    s2 = r @ r / (keep.sum() - 4)
    return b[1], np.sqrt(s2 * np.linalg.inv(X[keep].T @ X[keep])[1, 1])
j = json.load(open(T + "/s.csv.json"))
rows = list(csv.DictReader(open(T + "/s.csv")))
allk = np.ones(len(y), bool)
b0, se0 = fit(allk)
assert abs(j["before"] - b0) < 1e-9 and abs(j["se_before"] / se0 - 1) < 1e-9, (j, b0, se0)
assert b0 > 0                                       # the far rows make it positive
for key, col in (("first_order", "first_order"), ("refit_scan", "refit_scan")):
    gone = [int(r["source_row"]) for r in rows if r[col] == "1"]
    assert len(gone) == j[key]["rows"], (key, len(gone))
    if gone:
        keep = allk.copy(); keep[gone] = False
        b, se = fit(keep)
        assert abs(j[key]["after"] - b) < 1e-9 and abs(j[key]["se_after"] / se - 1) < 1e-9, key
assert j["refit_scan"]["rows"] >= 1 and j["refit_scan"]["after"] <= 0
assert sorted(int(r["source_row"]) for r in rows if r["refit_scan"] == "1")[:1] == [0]
moves = [float(r["move"]) for r in rows]
assert all(m < 0 for m in moves) and moves == sorted(moves)   # toward 0, largest first
PYEOF
grep -q "refits of the ranking: [0-9]* rows" "$T/s.txt" && ok "summary names the rows that change it" || bad "summary: $(cat "$T/s.txt")"
# the significance of another coefficient, a change, a prediction, logistic regression
$DVAL eval sensitivity "${D[@]}" --coef a --goal significance -o "$T/g.csv" -q || bad "significance"
$PY -c "import json,sys; j=json.load(open('$T/g.csv.json')); assert j['goal']=='significance' and j['z']>1.9" && ok "significance goal" || bad "significance goal"
$DVAL eval sensitivity "${D[@]}" --predict 2 --goal change --change -0.5 -o "$T/p.csv" -q && ok "a prediction's change" || bad "prediction"
$DVAL synth linear-clf -o "$T/clf.csv" --rows 200 --features 3 --seed 2 2>/dev/null
$DVAL eval sensitivity --data "$T/clf.csv" --learner logreg --coef x0 -o "$T/l.csv" -q && ok "logreg" || bad "logreg"
expect_fail "unknown coefficient" "no column 'zz' \(the columns: a, b, c; or intercept\)" $DVAL eval sensitivity "${D[@]}" --coef zz -o "$T/x.csv"
expect_fail "coef and predict" "give --coef NAME or --predict ROW" $DVAL eval sensitivity "${D[@]}" -o "$T/x.csv"
expect_fail "change without a goal" "--change goes with --goal change" $DVAL eval sensitivity "${D[@]}" --coef a --change 1 -o "$T/x.csv"
expect_fail "goal change without change" "needs --change" $DVAL eval sensitivity "${D[@]}" --coef a --goal change -o "$T/x.csv"
expect_fail "prediction row" "not a row of the test split" $DVAL eval sensitivity "${D[@]}" --predict 99 -o "$T/x.csv"
expect_fail "ols on classification" "--task regression" $DVAL eval sensitivity --data "$T/clf.csv" --coef x0 -o "$T/x.csv"
expect_fail "significance with logreg" "needs ols" $DVAL eval sensitivity --data "$T/clf.csv" --learner logreg --coef x0 --goal significance -o "$T/x.csv"
expect_fail "a tree" "--learner: unknown|ols or logreg" $DVAL eval sensitivity "${D[@]}" --coef a --learner tree -o "$T/x.csv"
[ ! -e "$T/x.csv" ] && ok "no file from a refused call" || bad "a refused call wrote a file"
finish
