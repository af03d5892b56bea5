#!/bin/sh
# The poisoning benchmark on any classification CSV: 1,000 training and
# 1,000 validation rows (the rest is the test split), 10 % of the training
# rows poisoned by each attack (flip, backdoor on the three columns least
# correlated with the label, watermark), target class 1, logistic regression; per attack and method,
# the means over SEEDS seeds (split, injection and method seeds change
# together) of the detection F1 and AUROC and of the attack's success on the
# test probes with the clean rows, with the poisoned rows, and after the
# lowest-valued 10 % are removed, and the seconds.
# usage: sh bench/poison.sh BUILD_DIR DATA.csv SEEDS METHODS [EXTRA OPTIONS...]
B=${1:-build}
DATA=${2:?data file}
SEEDS=${3:-3}
METHODS=${4:-loo,tmc,knn,oob,influence,random}
shift 4 2>/dev/null
ROWS=$(zcat -f "$DATA" | tail -n +2 | grep -c .)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
s=0
while [ $s -lt "$SEEDS" ]; do
    "$B/dval" eval poison --data "$DATA" --val 1000 --test $((ROWS - 2000)) --split-seed $s \
        --poison-seed $s --seed $s --methods "$METHODS" --target 1 -o "$OUT/seed$s.csv" "$@" \
        >/dev/null 2>&1 || [ -s "$OUT/seed$s.csv" ] || exit 1
    s=$((s + 1))
done
echo "| attack | method | F1 | AUROC | success clean | success poisoned | success after removal | accuracy after | seconds |"
echo "|---|---|---|---|---|---|---|---|---|"
cat "$OUT"/seed*.csv | grep -v '^attack' | awk -F, '
    $16 == "error" { next }
    { key = $1 "|" $2; if (!(key in n)) { order[++k] = key }
      n[key]++; f[key] += $3; a[key] += $4; sc[key] += $8; sp[key] += $9; sa[key] += $10;
      acc[key] += $13; t[key] += $14 }
    END { for (i = 1; i <= k; i++) { x = order[i]; split(x, p, "|"); m = n[x]
          printf "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", p[1], p[2],
                 f[x] / m, a[x] / m, sc[x] / m, sp[x] / m, sa[x] / m, acc[x] / m, t[x] / m } }'
