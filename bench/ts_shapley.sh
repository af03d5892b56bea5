#!/bin/sh
# TS-DShapley against tmc on a real data set: TRAIN training and 1,000
# validation rows (the rest is the test split), accuracy utility, the
# default stopping rules.  The reference is tmc with the target learner
# (REF: logreg, or mlp for an expensive one), run twice (seeds 1 and 2: the
# second measures tmc's own noise; with mlp only once); against it,
# ts-shapley with logistic regression as the cheap proxy and subsets of 50,
# 100 and 200 rows, and (with REF mlp) tmc with the proxy on the whole data.
# For each: seconds, permutations, utility calls, whether the rules resolved
# the values, and the Spearman and Pearson correlation with the reference.
# usage: sh bench/ts_shapley.sh BUILD_DIR DATA.csv [SPLIT_SEED] [REF] [TRAIN]
B=${1:-build}
DATA=${2:?data file}
S=${3:-0}
REF=${4:-logreg}
TRAIN=${5:-1000}
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
export BENCH_DIR
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ROWS=$(zcat -f "$DATA" | tail -n +2 | grep -c .)
O="--data $DATA --val 1000 --test $((ROWS - 1000 - TRAIN)) --split-seed $S --metric accuracy -q"
"$B/dval" value --method tmc $O --learner $REF --seed 1 -o "$W/ref.csv" 2>/dev/null || exit 1
RUNS="ref"
if [ "$REF" = logreg ]; then
    "$B/dval" value --method tmc $O --seed 2 -o "$W/tmc.csv" 2>/dev/null || exit 1
    RUNS="$RUNS tmc"
else
    "$B/dval" value --method tmc $O --learner logreg --seed 2 -o "$W/proxy.csv" 2>/dev/null ||
        exit 1
    RUNS="$RUNS proxy"
fi
for s in 50 100 200; do
    "$B/dval" value --method ts-shapley --ts-subset $s $O --learner logreg --seed 2 \
        -o "$W/ts$s.csv" 2>/dev/null || exit 1
    RUNS="$RUNS ts$s"
done
/usr/bin/python3 - "$W" "$REF" $RUNS <<'PYEOF'
import json, os, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from agreement import pearson_spearman, values as col
W, ref_learner, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
names = {"ref": "tmc, %s (seed 1: the reference)" % ref_learner, "tmc": "tmc, logreg (seed 2)",
         "proxy": "tmc, logreg (the proxy on all rows)", "ts50": "ts-shapley, subsets of 50",
         "ts100": "ts-shapley, subsets of 100", "ts200": "ts-shapley, subsets of 200"}
ref = col(W + "/ref.csv")
print("| estimator | seconds | permutations | utility calls | resolved | Spearman | Pearson |")
print("|---|---|---|---|---|---|---|")
for f in runs:
    v = col(W + "/%s.csv" % f)
    j = json.load(open(W + "/%s.csv.json" % f))
    pe, sp = pearson_spearman(ref, v)
    print("| %s | %.2f | %d | %d | %s | %.3f | %.3f |" % (names[f], j["seconds"], j["samples"],
          j["utility_calls"], "yes" if j["converged"] else "no (%s)" % j["stopped_by"], sp, pe))
PYEOF
