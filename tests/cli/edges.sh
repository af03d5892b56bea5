#!/usr/bin/env bash
# Numerical edges: separable classes, a constant and a duplicated column,
# features of scale 1e12, duplicated rows, coalitions of size 1: sampling,
# fitting and valuing write no NaN or infinity anywhere; one class in the
# validation split is named.
. "$(dirname "$0")/lib.inc"
set -u
$PY - "$T" <<'PYEOF'
import sys
import numpy as np
t = sys.argv[1]
r = np.random.default_rng(0)
n = 300
def save(name, X, y):
    with open(t + "/" + name, "w") as f:
        f.write(",".join("x%d" % j for j in range(X.shape[1])) + ",label\n")
        for a, b in zip(X, y):
            f.write(",".join(repr(float(v)) for v in a) + ",%d\n" % b)
y = r.integers(0, 2, n)
save("sep.csv", r.normal(size=(n, 3)) + 6 * y[:, None], y)
X = r.normal(size=(n, 3)); X[:, 1] = 5.0; X = np.c_[X, X[:, 0]]
save("const.csv", X, (X[:, 0] > 0).astype(int))
X = r.normal(size=(n, 3)) * 1e12
save("scale.csv", X, (X[:, 0] > 0).astype(int))
X = np.repeat(r.normal(size=(n // 10, 3)), 10, axis=0)
save("dup.csv", X, (X[:, 0] > 0).astype(int))
Xv = r.normal(size=(50, 3))
save("val1.csv", Xv, np.zeros(50, dtype=int))
PYEOF
for f in sep const scale dup; do
    $DVAL sample --data "$T/$f.csv" -o "$T/r-$f" --points 20 --samples 6 --min-card 5 --max-card 60 -q \
        && $DVAL fit "$T/r-$f" -q && $DVAL value --from "$T/r-$f" -o "$T/v-$f.csv" 2>/dev/null \
        && $DVAL value --method tmc --data "$T/$f.csv" --max-samples 40 --min-samples 20 -o "$T/t-$f.csv" -q 2>/dev/null \
        && $DVAL value --method loo --data "$T/$f.csv" -o "$T/l-$f.csv" -q || bad "$f: a command failed"
    n=$(cat "$T/r-$f/scaling.csv" "$T/v-$f.csv" "$T/t-$f.csv" "$T/l-$f.csv" | grep -ci 'nan\|inf')
    [ "$n" -eq 0 ] && ok "$f: no NaN or infinity in the laws and values" || bad "$f: $n lines with NaN or inf"
done
$DVAL sample --data "$T/sep.csv" -o "$T/k1" --points 10 --samples 6 --min-card 1 --max-card 5 -q \
    && $DVAL fit "$T/k1" -q && $DVAL value --from "$T/k1" -o "$T/v-k1.csv" 2>/dev/null \
    && [ "$(cat "$T/k1/scaling.csv" "$T/v-k1.csv" | grep -ci 'nan\|inf')" -eq 0 ] \
    && ok "coalitions of size 1: no NaN" || bad "coalitions of size 1"
expect_fail "one class in the validation split" "val1.csv: only one class" $DVAL value --method tmc --data "$T/sep.csv" --val-data "$T/val1.csv" --test-data "$T/val1.csv" -o "$T/x.csv"
finish
