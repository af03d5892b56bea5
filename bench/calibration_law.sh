#!/bin/sh
# Are the law values' standard errors calibrated?  20 training points of
# the bundled Adult subset (a uniform run, k in [100, 1000], log-likelihood
# utility).  Reference: one run of 20,000 samples per point; estimates: 20
# runs of 200 samples (seeds 1-20).  Prints how many of the 400 reference
# values lie within 2 reported standard errors, for the law value and, as a
# control, for the Monte Carlo mean.
# usage: sh bench/calibration_law.sh BUILD_DIR WORK_DIR [SAMPLES]   (estimates of
# SAMPLES samples each, default 200)
B=${1:-build}
W=${2:?work directory}
S=${3:-200}
mkdir -p "$W"
DATA="--data data/adult_4000.csv.gz"
run() { # NAME SAMPLES SEED
    rm -rf "$W/$1"
    "$B/dval" sample $DATA -o "$W/$1" --points 20 --samples $2 --seed $3 -q || exit 1
    "$B/dval" value --from "$W/$1" -o "$W/$1.csv" >/dev/null 2>&1 || exit 1
}
[ -f "$W/ref.csv" ] || run ref 20000 999
for s in $(seq 1 20); do [ -f "$W/est$s.csv" ] || run est$s $S $s; done
# values.csv columns by name: point, label, psi_100, psi_1000, law_value,
# law_stderr, mc_mean, mc_stderr, n_samples, status
for col in law_value mc_mean; do
    paste -d, "$W/ref.csv" "$W"/est*.csv | awk -F, -v col=$col '
        NR == 1 { w = 0; for (j = 1; j <= NF; j++) if ($j == "point") w++
                  stride = NF / w; for (j = 1; j <= stride; j++) if ($j == col) o = j; next }
        { for (k = o + stride; k <= NF; k += stride) { tot++; d = $k - $o; if (d < 0) d = -d
              if (d <= 2 * $(k + 1)) inn++ } }
        END { printf "%s: %d of %d reference values within 2 standard errors (%.3f)\n",
              col, inn, tot, inn / tot }'
done
