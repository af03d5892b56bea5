#!/bin/sh
# The estimator experiment of the scaling-law paper on a real data set: a
# truth run of 1,000 samples per point, three low-budget runs of 100 samples
# per point (seeds 1, 2, 3) over the same points, and for each the agreement
# of every estimator (mc_mean, law, law_eb, amortized) with the truth at 5,
# 10, 20, 50 and 100 samples per point; then the mean and the spread
# (smallest, largest) over the three seeds.  A grid run over the same points
# gives the accuracy of each law's psi_k at five sizes (seed 1).
# usage: sh bench/estimators_truth.sh BUILD_DIR DATA.csv POINTS WORK_DIR [EXTRA EVAL OPTIONS...]
B=${1:-build}
DATA=${2:?data file}
P=${3:-500}
W=${4:?work directory}
shift 4
mkdir -p "$W"
run() { [ -f "$1/run.json" ] && grep -q '"complete": true' "$1/run.json" || { shift; "$B/dval" sample --data "$DATA" --points "$P" -q "$@" || exit 1; }; }
run "$W/truth" -o "$W/truth" --samples 1000 --seed 100
run "$W/grid" -o "$W/grid" --samples 50 --mode grid --cards 100,178,316,562,1000 --seed 200
for s in 1 2 3; do
    run "$W/m100-s$s" -o "$W/m100-s$s" --samples 100 --seed $s
    g=""
    [ $s = 1 ] && g="--grid $W/grid"
    "$B/dval" eval estimators "$W/m100-s$s" --truth "$W/truth" --budgets 5,10,20,50,100 \
        --estimators all --seed $s $g -o "$W/est-s$s.csv" -q "$@" || exit 1
done
echo "samples,estimator,expl_var_mean,expl_var_min,expl_var_max,spearman_mean,spearman_min,spearman_max"
cat "$W"/est-s[123].csv | grep -v '^samples' | awk -F, '
    { key = $1 "," $2; n[key]++; ev[key] += $4; sp[key] += $7;
      if (n[key] == 1 || $4 < evmin[key]) evmin[key] = $4; if (n[key] == 1 || $4 > evmax[key]) evmax[key] = $4;
      if (n[key] == 1 || $7 < spmin[key]) spmin[key] = $7; if (n[key] == 1 || $7 > spmax[key]) spmax[key] = $7;
      if (!(key in seen)) { seen[key] = 1; keys[++k] = key } }
    END { for (i = 1; i <= k; i++) { x = keys[i];
          printf "%s,%.3g,%.3g,%.3g,%.3f,%.3f,%.3f\n", x, ev[x] / n[x], evmin[x], evmax[x],
                 sp[x] / n[x], spmin[x], spmax[x] } }'
