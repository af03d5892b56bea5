#!/bin/sh
# The scaling-law paper's point-addition test (its test_point_addition.py,
# on MAGIC here): a grid-mode run values 1,000 candidates at six sizes from
# 100 to 5,000; the best 10, 30 or 100 of them by the law at 500, by the law
# at 5,000, by the Monte Carlo mean, and at random are added to 300 random
# bases of 500 and of 5,000 other training rows; test accuracy gain x 100.
# Once with the log-likelihood utility (dval's default for sampling), once
# with accuracy.
# usage: sh bench/addition.sh BUILD_DIR magic_telescope.csv
B=${1:-build}
DATA=${2:?data file}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
S="--data $DATA --val 1000 --test 3000"
for metric in neg_logloss accuracy; do
    "$B/dval" sample $S -o "$W/$metric" --points 1000 --mode grid --cards 100,220,500,1100,2300,5000 \
        --samples 50 --seed 1 --metric $metric -q || exit 1
    for add in 10 30 100; do
        echo "== utility $metric, $add added"
        "$B/dval" eval addition --from "$W/$metric" $S --sizes 500,5000 --add $add --reps 300 \
            --score-at 500,5000 -o "$W/add.csv" 2>/dev/null | grep -E '^ +[0-9]+ |laws used' || exit 1
    done
done
