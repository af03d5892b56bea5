#!/bin/sh
# The noisy-label benchmark: UCI Adult, 1,000 training points (1,000
# validation points; the rest is held out), 20 % of training labels flipped,
# logistic regression; F1 / AUROC / wall time per method, averaged over 5
# seeds (the split and the flips change with the seed).
# usage: sh bench/noisy_adult.sh BUILD_DIR ADULT.csv.gz [METHODS] [EXTRA OPTIONS...]
B=${1:-build}
DATA=${2:?path to adult.csv.gz}
METHODS=${3:-loo,tmc,beta,banzhaf,knn,oob,influence,lava,cg,random}
shift 3 2>/dev/null
OUT=$(mktemp -d)
for s in 0 1 2 3 4; do
    "$B/dval" eval noisy --data "$DATA" --val 1000 --test 46842 --split-seed $s --noise-seed $s \
        --seed $s --methods "$METHODS" --rho 0.2 -o "$OUT/seed$s.csv" "$@" >/dev/null || exit 1
done
echo "method,f1_mean,f1_sd,auroc_mean,seconds_mean,samples_mean"
cat "$OUT"/seed*.csv | grep -v '^method' | awk -F, '
    { n[$1]++; f[$1] += $2; f2[$1] += $2 * $2; a[$1] += $3; t[$1] += $6; m[$1] += $7;
      if (!($1 in order)) { order[$1] = ++k; names[k] = $1 } }
    END { for (i = 1; i <= k; i++) { x = names[i]; mu = f[x] / n[x];
          sd = sqrt((f2[x] - n[x] * mu * mu) / (n[x] > 1 ? n[x] - 1 : 1));
          printf "%s,%.3f,%.3f,%.3f,%.2f,%.0f\n", x, mu, sd, a[x] / n[x], t[x] / n[x], m[x] / n[x] } }'
rm -rf "$OUT"
