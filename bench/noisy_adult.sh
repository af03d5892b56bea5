#!/bin/sh
# The noisy-label benchmark on UCI Adult (bench/noisy.sh with 5 seeds):
# 1,000 training and 1,000 validation points, the other 46,842 rows held
# out, 20 % of training labels flipped, logistic regression; F1 / AUROC /
# wall time per method, averaged over the seeds.
# usage: sh bench/noisy_adult.sh BUILD_DIR ADULT.csv.gz [METHODS] [EXTRA OPTIONS...]
B=${1:-build}
DATA=${2:?path to adult.csv.gz}
METHODS=${3:-loo,tmc,beta,banzhaf,knn,oob,influence,lava,cg,random}
shift 3 2>/dev/null
exec sh "$(dirname "$0")/noisy.sh" "$B" "$DATA" 5 "$METHODS" "$@"
