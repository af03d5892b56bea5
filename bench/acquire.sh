#!/bin/sh
# Active acquisition on a real classification CSV: 4,000 rows drawn at
# random (seed 0; 1,000 validation, 1,000 test, 2,000 training), 50 labelled rows drawn per
# repetition and the rest of the training split as the pool, 20 rounds of
# 10 labels, logistic regression, REPS repetitions (default 5); every scorer, and the law
# scorer from an amortized law model trained on a sampling run of 300 other
# training points (sizes 20 to 400, 30 samples each) of the same split.
# Prints the summary (labels to reach random's final accuracy, and saved)
# and writes OUT.csv, OUT.csv.json and OUT.png.
# usage: sh bench/acquire.sh BUILD_DIR DATA.csv OUT [REPS]
B=${1:-build}
DATA=${2:?data file}
OUT=${3:?output name}
REPS=${4:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 - "$DATA" "$W/d.csv" <<'PYEOF' || exit 1
import gzip, sys
import numpy as np
src, dst = sys.argv[1:]
with (gzip.open(src, "rt") if src.endswith(".gz") else open(src)) as f:
    head, rows = f.readline(), f.readlines()
keep = np.sort(np.random.default_rng(0).choice(len(rows), 4000, replace=False))
with open(dst, "w") as f:
    f.write(head)
    f.writelines(rows[i] for i in keep)
PYEOF
S="--data $W/d.csv --val 1000 --test 1000"
"$B/dval" sample $S -o "$W/run" --points 300 --samples 30 --min-card 20 --max-card 400 \
    --seed 9 -q || exit 1
"$B/dval" fit "$W/run" --estimator amortized --law-model "$W/law.bin" >/dev/null 2>&1 || exit 1
/usr/bin/time -f "%e s" "$B/dval" eval acquire $S --initial 50 --batch 10 --rounds 20 --reps $REPS \
    --scorers random,margin,entropy,distance,ood,law,oracle --law-model "$W/law.bin" \
    -o "$OUT.csv" 2>"$W/err" || { cat "$W/err"; exit 1; }
tail -1 "$W/err"
"$B/dval" plot acquire "$OUT.csv" -o "$OUT.png" 2>/dev/null
