#!/bin/sh
# The noisy-label benchmark on any classification CSV: 1,000 training and
# 1,000 validation rows (the rest held out as the test split), 20 % of the
# training labels flipped, logistic regression; F1 / AUROC / wall time per
# method, averaged over SEEDS seeds (the split and the flips change with the
# seed); a method that fails on a seed is left out of that seed's means and
# counted in failed_seeds.
# usage: sh bench/noisy.sh BUILD_DIR DATA.csv SEEDS METHODS [EXTRA OPTIONS...]
B=${1:-build}
DATA=${2:?data file}
SEEDS=${3:-5}
METHODS=${4:-loo,tmc,beta,banzhaf,knn,oob,influence,lava,cg,random}
shift 4 2>/dev/null
ROWS=$(zcat -f "$DATA" | tail -n +2 | grep -c .)
TEST=$((ROWS - 2000))
OUT=$(mktemp -d)
s=0
while [ $s -lt "$SEEDS" ]; do
    # A method that fails gets an "error" row (and a non-zero status); the others still count.
    "$B/dval" eval noisy --data "$DATA" --val 1000 --test $TEST --split-seed $s --noise-seed $s \
        --seed $s --methods "$METHODS" --rho 0.2 -o "$OUT/seed$s.csv" "$@" >/dev/null 2>&1 ||
        [ -s "$OUT/seed$s.csv" ] || exit 1
    s=$((s + 1))
done
echo "method,f1_mean,f1_sd,auroc_mean,seconds_mean,samples_mean,failed_seeds"
cat "$OUT"/seed*.csv | grep -v '^method' | awk -F, '
    $8 == "error" { if (!($1 in order)) { order[$1] = ++k; names[k] = $1 }; bad[$1]++; next }
    { n[$1]++; f[$1] += $2; f2[$1] += $2 * $2; a[$1] += $3; t[$1] += $6; m[$1] += $7;
      if (!($1 in order)) { order[$1] = ++k; names[k] = $1 } }
    END { for (i = 1; i <= k; i++) { x = names[i]
          if (!n[x]) { printf "%s,failed on %d seeds\n", x, bad[x]; continue }
          mu = f[x] / n[x];
          sd = sqrt((f2[x] - n[x] * mu * mu) / (n[x] > 1 ? n[x] - 1 : 1));
          printf "%s,%.3f,%.3f,%.3f,%.2f,%.0f,%d\n", x, mu, sd, a[x] / n[x], t[x] / n[x], m[x] / n[x],
                 bad[x] } }'
rm -rf "$OUT"
