#!/bin/sh
# Are the reported standard errors calibrated?  A real game: 20 training
# rows of the bundled Adult subset (1,000 validation rows), logistic
# regression, each method's default utility.  Reference: one run of 20,000
# samples; estimates: 20 runs of 200 samples (seeds 1-20), truncation off and
# no early stop.  Prints, per method, how many of the 400 reference values
# lie within 2 reported standard errors of the estimates.
# usage: sh bench/calibration.sh BUILD_DIR WORK_DIR
B=${1:-build}
W=${2:?work directory}
mkdir -p "$W"
DATA="--data data/adult_4000.csv.gz --val 1000 --test 2980"
for m in tmc beta banzhaf; do
    "$B/dval" value --method $m $DATA --max-samples 20000 --min-samples 20000 --rhat 0 \
        --truncation 0 --seed 999 -o "$W/ref-$m.csv" -q || exit 1
    for s in $(seq 1 20); do
        "$B/dval" value --method $m $DATA --max-samples 200 --min-samples 200 --rhat 0 \
            --truncation 0 --seed $s -o "$W/est-$m-$s.csv" -q || exit 1
    done
    paste -d, "$W/ref-$m.csv" "$W"/est-$m-*.csv | tail -n +2 | awk -F, -v m=$m '
        { for (k = 6; k <= NF; k += 4) { tot++; d = $k - $2; if (d < 0) d = -d; if (d <= 2 * $(k + 1)) inn++ } }
        END { printf "%s: %d of %d reference values within 2 standard errors (%.3f)\n", m, inn, tot, inn / tot }'
done
