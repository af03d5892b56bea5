#!/bin/bash
# dval eval acquire: the curves' shape, every scorer starting from the same
# labelled rows in a repetition, the summary recomputed from the curves with
# numpy (the target, the labels to reach it, the labels saved and their
# Student's t interval), the figure's numbers, a pool file, and bad options
# named with nothing written.
. "$(dirname "$0")/lib.inc"
set -u
$PY - "$T" <<'PYEOF'
import sys
import numpy as np
rng = np.random.default_rng(7)
def write(path, n, flip):
    X = rng.uniform(-2, 2, size=(n, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    y = np.where(rng.uniform(size=n) < flip, 1 - y, y)
    with open(path, "w") as f:
        f.write("a,b,c,label\n")
        for row, t in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + ",%d\n" % t)
write(sys.argv[1] + "/train.csv", 200, 0.25)
write(sys.argv[1] + "/val.csv", 80, 0)
write(sys.argv[1] + "/test.csv", 150, 0)
write(sys.argv[1] + "/pool.csv", 60, 0.25)
with open(sys.argv[1] + "/otherpool.csv", "w") as f:
    f.write("a,b,z,label\n1,2,3,0\n")
PYEOF
D=(--data "$T/train.csv" --val-data "$T/val.csv" --test-data "$T/test.csv")
A=(--initial 10 --batch 5 --rounds 4 --reps 3 --scorers random,margin,distance,oracle)
$DVAL eval acquire "${D[@]}" "${A[@]}" -o "$T/a.csv" >"$T/a.txt" 2>"$T/a.err" ||
    bad "eval acquire ran: $(cat "$T/a.err")"
$PY - "$T" <<'PYEOF' && ok "curves and summary recomputed from the curves" || bad "acquire summary"
import csv, json, math, sys
import numpy as np
T = sys.argv[1]
rows = list(csv.DictReader(open(T + "/a.csv")))
scorers = ["random", "margin", "distance", "oracle"]
assert len(rows) == 4 * 3 * 5, len(rows)
acc = {}
for r in rows:
    assert int(r["labels"]) == 5 * int(r["round"])
    acc.setdefault(r["scorer"], {}).setdefault(int(r["rep"]), []).append(float(r["accuracy"]))
assert list(acc) == scorers
for rep in range(3):   # every scorer starts from the repetition's labelled rows
    assert len({acc[s][rep][0] for s in scorers}) == 1, rep
assert len({acc["random"][rep][0] for rep in range(3)}) > 1   # the draws differ by repetition
j = json.load(open(T + "/a.csv.json"))
target = np.mean([acc["random"][rep][-1] for rep in range(3)])
assert abs(j["target_accuracy"] - target) < 1e-12, (j["target_accuracy"], target)
def labels_to(a):
    if a[0] >= target:
        return 0.0
    for r in range(1, len(a)):
        if a[r] >= target:
            return 5 * ((r - 1) + (target - a[r - 1]) / (a[r] - a[r - 1]))
    return None
t95 = {1: 12.706, 2: 4.303}
for s in scorers:
    need = [labels_to(acc[s][rep]) for rep in range(3)]
    got = j["scorers"][s]["labels_to_target"]
    assert all((a is None and b is None) or abs(a - b) < 1e-9 for a, b in zip(need, got)), (s, need, got)
    pairs = [r - x for r, x in zip([labels_to(acc["random"][k]) for k in range(3)], need)
             if r is not None and x is not None]
    sv = j["scorers"][s]["saved_vs_random"]
    if not pairs:
        assert sv is None
        continue
    m = np.mean(pairs)
    assert abs(sv["mean"] - m) < 1e-9 and sv["pairs"] == len(pairs), (s, sv, pairs)
    if len(pairs) > 1:
        h = t95[len(pairs) - 1] * np.std(pairs, ddof=1) / math.sqrt(len(pairs))
        assert abs(sv["ci95"][1] - (m + h)) < 1e-9, (s, sv, h)
assert j["scorers"]["random"]["saved_vs_random"]["mean"] == 0
PYEOF
grep -q "^target accuracy" "$T/a.txt" && grep -q "^oracle" "$T/a.txt" && ok "summary table" || bad "summary: $(cat "$T/a.txt")"
# the same options, the same curves
$DVAL eval acquire "${D[@]}" "${A[@]}" -o "$T/b.csv" >/dev/null 2>&1
cmp -s "$T/a.csv" "$T/b.csv" && ok "reproducible" || bad "curves differ between two runs"
# the figure and its numbers
$DVAL plot acquire "$T/a.csv" -o "$T/a.png" --data "$T/fig.csv" 2>/dev/null && [ -s "$T/a.png" ] &&
$PY - "$T" <<'PYEOF' && ok "plot acquire: the means and intervals drawn" || bad "plot acquire"
import csv, math, sys
import numpy as np
T = sys.argv[1]
rows = list(csv.DictReader(open(T + "/a.csv")))
fig = list(csv.DictReader(open(T + "/fig.csv")))
assert len(fig) == 4 * 5
for f in fig:
    a = [float(r["accuracy"]) for r in rows if r["scorer"] == f["scorer"] and r["labels"] == f["labels"]]
    assert abs(float(f["accuracy"]) - np.mean(a)) < 1e-12
    h = 4.303 * np.std(a, ddof=1) / math.sqrt(3)
    assert abs(float(f["ci95"]) - h) < 1e-9, (f, h)
PYEOF
# a pool file: the training split is the labelled set
$DVAL eval acquire "${D[@]}" --pool "$T/pool.csv" --batch 4 --rounds 3 --reps 2 --scorers random,entropy,ood -o "$T/p.csv" >/dev/null 2>&1 &&
    [ "$(grep -c '^entropy,' "$T/p.csv")" = 8 ] && ok "--pool" || bad "--pool"
# bad input
cp "$T/a.csv" "$T/keep.csv"
expect_fail "pool with other columns" "--pool: .*z" $DVAL eval acquire "${D[@]}" --pool "$T/otherpool.csv" -o "$T/keep.csv"
expect_fail "batch larger than the pool" "a batch of 100 is larger than the pool of 60 rows" $DVAL eval acquire "${D[@]}" --pool "$T/pool.csv" --batch 100 -o "$T/keep.csv"
expect_fail "more labels than the pool" "20 rounds of 10 buy 200 labels but the pool has 60 rows" $DVAL eval acquire "${D[@]}" --pool "$T/pool.csv" -o "$T/keep.csv"
expect_fail "unknown scorer" "--scorers: unknown scorer 'bald'" $DVAL eval acquire "${D[@]}" --scorers random,bald -o "$T/keep.csv"
expect_fail "law without a model" "the law scorer needs --law-model" $DVAL eval acquire "${D[@]}" --scorers random,law -o "$T/keep.csv"
expect_fail "no random, no target" "add random to --scorers or give --target-acc" $DVAL eval acquire "${D[@]}" --scorers margin -o "$T/keep.csv"
expect_fail "initial too large" "--initial: 500 labelled rows leave no pool" $DVAL eval acquire "${D[@]}" --initial 500 -o "$T/keep.csv"
expect_fail "regression" "needs a classification data set" $DVAL eval acquire "${D[@]}" --task regression -o "$T/keep.csv"
cmp -s "$T/a.csv" "$T/keep.csv" && ok "refused calls leave the result" || bad "a refused call changed the result"
$DVAL eval acquire --help | grep -q "^usage: dval eval acquire" && ok "--help" || bad "--help"
finish
