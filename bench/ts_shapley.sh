#!/bin/sh
# TS-DShapley against tmc on a real data set: 1,000 training and 1,000
# validation rows (the rest is the test split), logistic regression (the
# proxy is the learner itself, so the difference is the subsets alone),
# accuracy utility, the default stopping rules.  tmc runs twice (seeds 1
# and 2: the second measures tmc's own noise); ts-shapley with subsets of
# 50, 100 and 200 rows.  For each: seconds, permutations, utility calls,
# whether the rules resolved the values, and the Spearman and Pearson
# correlation with the first tmc run.
# usage: sh bench/ts_shapley.sh BUILD_DIR DATA.csv [SPLIT_SEED]
B=${1:-build}
DATA=${2:?data file}
S=${3:-0}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ROWS=$(zcat -f "$DATA" | tail -n +2 | grep -c .)
O="--data $DATA --val 1000 --test $((ROWS - 2000)) --split-seed $S --metric accuracy -q"
"$B/dval" value --method tmc $O --seed 1 -o "$W/ref.csv" 2>/dev/null || exit 1
"$B/dval" value --method tmc $O --seed 2 -o "$W/tmc.csv" 2>/dev/null || exit 1
for s in 50 100 200; do
    "$B/dval" value --method ts-shapley --ts-subset $s $O --seed 2 -o "$W/ts$s.csv" \
        2>/dev/null || exit 1
done
/usr/bin/python3 - "$W" <<'PYEOF'
import csv, json, sys
import numpy as np
W = sys.argv[1]
def col(path):
    return np.array([float(r["value"]) for r in csv.DictReader(open(path))])
def ranks(a):
    o = np.argsort(a, kind="stable"); r = np.empty(len(a)); r[o] = np.arange(len(a))
    for v in np.unique(a):   # ties share their mean rank
        r[a == v] = r[a == v].mean()
    return r
ref = col(W + "/ref.csv")
print("| estimator | seconds | permutations | utility calls | resolved | Spearman | Pearson |")
print("|---|---|---|---|---|---|---|")
for name, f in (("tmc (seed 1: the reference)", "ref"), ("tmc (seed 2)", "tmc"),
                ("ts-shapley, subsets of 50", "ts50"), ("ts-shapley, subsets of 100", "ts100"),
                ("ts-shapley, subsets of 200", "ts200")):
    v = col(W + "/%s.csv" % f)
    j = json.load(open(W + "/%s.csv.json" % f))
    sp = np.corrcoef(ranks(ref), ranks(v))[0, 1]
    pe = np.corrcoef(ref, v)[0, 1]
    print("| %s | %.2f | %d | %d | %s | %.3f | %.3f |" % (name, j["seconds"], j["samples"],
          j["utility_calls"], "yes" if j["converged"] else "no (%s)" % j["stopped_by"], sp, pe))
PYEOF
