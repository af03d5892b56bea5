#!/bin/sh
# AMIP on a real regression (dval eval sensitivity): for each coefficient of
# ordinary least squares on the diabetes data (442 rows, 10 features, two
# rows set aside as the validation and test splits the loader needs), the
# rows to drop before its sign changes and before it stops being
# significant at 5 %, by the first order, by the refit of that set, and by
# the refits of the ranking.  Prints a markdown table.
# usage: sh bench/sensitivity.sh BUILD_DIR diabetes_regression.csv
B=${1:-build}
DATA=${2:?data file}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "| coefficient | value (se) | goal | first order: rows | refit of them | refits of the ranking: rows | refit value (se) |"
echo "|---|---|---|---|---|---|---|"
for c in age sex bmi bp s1 s2 s3 s4 s5 s6; do
    for g in sign significance; do
        "$B/dval" eval sensitivity --data "$DATA" --task regression --coef $c --goal $g \
            --val 1 --test 1 --max-fraction 0.25 -o "$W/s.csv" -q || exit 1
        /usr/bin/python3 - "$W/s.csv.json" "$c" "$g" <<'PYEOF' || exit 1
import json, sys
j = json.load(open(sys.argv[1]))
fo, sc = j["first_order"], j["refit_scan"]
head = "| %s | %.3g (%.3g) | %s |" % (sys.argv[2], j["before"], j["se_before"], sys.argv[3])
if j["already"]:
    print(head + " already (t = %.2f) | | | |" % (j["before"] / j["se_before"]))
else:
    first = ("%d (%.1f %%)" % (fo["rows"], 100 * fo["fraction"])) if fo["reached"] else \
        "not within %d" % fo["rows"]
    refit = "%.3g: %s" % (fo["after"], "changes" if fo["confirmed"] else "holds")
    scan = ("%d (%.1f %%)" % (sc["rows"], 100 * sc["fraction"])) if sc["rows"] else "none"
    val = "%.3g (%.3g)" % (sc["after"], sc["se_after"]) if sc["rows"] else ""
    print(head + " %s | %s | %s | %s |" % (first, refit, scan, val))
PYEOF
    done
done
