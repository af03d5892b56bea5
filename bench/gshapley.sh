#!/bin/sh
# G-Shapley against exact Data Shapley where the exact values are known:
# 14 training rows of a real data set (the rest split into validation and
# test), logistic regression, accuracy and log-likelihood utilities.  For
# each of five splits: exact Shapley by enumeration (2^14 fits), tmc and
# gshapley with 1,000 permutations, then the Pearson and Spearman
# correlation of each estimate with the exact values, and the seconds.
# LEARNER mlp values the mlp learner (the reference preset) instead, and
# G-Shapley passes over its network.
# usage: sh bench/gshapley.sh BUILD_DIR breast_cancer.csv [label column] [LEARNER]
B=${1:-build}
DATA=${2:?data file}
LABEL=${3:-label}
LEARNER=${4:-logreg}
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
export BENCH_DIR
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
head -215 "$DATA" > "$W/d.csv"   # 214 rows: 14 to value, 100 validation, 100 test
echo "| utility | split | estimator | Pearson | Spearman | seconds |"
echo "|---|---|---|---|---|---|"
for metric in accuracy neg_logloss; do
    for s in 0 1 2 3 4; do
        O="--data $W/d.csv --label $LABEL --val 100 --test 100 --split-seed $s --metric $metric -q"
        O="$O --learner $LEARNER"
        "$B/dval" value --method exact $O -o "$W/exact.csv" || exit 1
        for m in tmc gshapley; do
            "$B/dval" value --method $m $O --max-samples 1000 --min-samples 1000 -o "$W/$m.csv" \
                2>/dev/null || exit 1
        done
        /usr/bin/python3 - "$W" $metric $s <<'PYEOF' || exit 1
import json, os, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from agreement import pearson_spearman, values as col
W, metric, s = sys.argv[1:]
ex = col(W + "/exact.csv")
for m in ("tmc", "gshapley"):
    v = col(W + "/%s.csv" % m)
    sec = json.load(open(W + "/%s.csv.json" % m))["seconds"]
    pe, sp = pearson_spearman(ex, v)
    print("| %s | %s | %s | %.3f | %.3f | %.3f |" % (metric, s, m, pe, sp, sec))
PYEOF
    done
done
