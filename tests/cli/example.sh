#!/usr/bin/env bash
# The worked example at the top of include/dval.h compiles against the
# library and runs, and its values are those dval value computes.
. "$(dirname "$0")/lib.inc"
set -u
build=$(dirname "$DVAL")
sed -n '/^ \* The common path, in C/,/^ \* Conventions that hold everywhere/p' "$SRC/include/dval.h" |
    sed -n 's/^ \*     //p; s/^ \*$//p' >"$T/example.c"
grep -q "int main" "$T/example.c" && ok "example extracted" || bad "no example in dval.h"
flags=""
[ "${DV_SANITIZED:-}" = 1 ] && flags="-fsanitize=address,undefined"
if cc -std=c11 -Wall -Wextra -Werror $flags -I "$SRC/include" "$T/example.c" -o "$T/example" \
    -L "$build" -ldval -Wl,-rpath,"$build" 2>"$T/cc.err"; then
    ok "example compiles with -Wall -Wextra -Werror"
else
    bad "example does not compile: $(cat "$T/cc.err")"
fi
$DVAL synth linear-clf -o "$T/d.csv" --rows 600 --features 4 --noise 1 --seed 7 2>/dev/null
if "$T/example" "$T/d.csv" "$T/run" >"$T/out.txt" 2>"$T/err.txt"; then
    ok "example runs"
else
    bad "example failed: $(cat "$T/err.txt")"
fi
[ "$(grep -c '^point [0-4]: c = ' "$T/out.txt")" -eq 5 ] && ok "example prints five laws" \
    || bad "example output: $(cat "$T/out.txt")"
# The same values from the command line, on the run the example made.
$DVAL value --from "$T/run" -o "$T/values.csv" 2>/dev/null
$PY - "$T" <<'PYEOF' && ok "example values equal dval value's" || bad "example values differ"
import csv, re, sys
t = sys.argv[1]
got = [float(re.search(r"value = (\S+)", l).group(1)) for l in open(t + "/out.txt")]
want = [float(r["law_value"]) for r in csv.DictReader(open(t + "/values.csv"))]
assert len(got) == 5 == len(want)
for g, w in zip(got, want):
    assert abs(g - w) <= 1e-5 * abs(w) + 1e-300, (g, w)
PYEOF
finish
