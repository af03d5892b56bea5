#!/usr/bin/env bash
# Damaged run directories and hostile outputs: every reader of a run names
# the file and the field that is wrong and exits non-zero (no crash, no NaN,
# no silent output), and writers never replace a special file.
. "$(dirname "$0")/lib.inc"
set -u
$DVAL synth linear-clf -o "$T/in.csv" --rows 400 --seed 1 2>/dev/null
$DVAL sample --data "$T/in.csv" -o "$T/run" --points 30 --samples 6 --min-card 20 --max-card 80 -q \
    || bad "sample"
# Each damaged copy: NAME and a Python statement on d (the copy's path), np, json.
damage() {
    cp -r "$T/run" "$T/$1"
    $PY - "$T/$1" "$2" <<'PYEOF'
import json, sys
import numpy as np
d, stmt = sys.argv[1], sys.argv[2]
exec(stmt)
PYEOF
}
damage short_points 'np.save(d + "/points.npy", np.load(d + "/points.npy")[:-5])'
damage no_samples 'np.save(d + "/deltas.npy", np.zeros((30, 0))); np.save(d + "/cards.npy", np.zeros((30, 0), dtype=np.int32))'
damage huge 'np.save(d + "/deltas.npy", np.full((30, 6), 1e308))'
damage nan 'x = np.load(d + "/deltas.npy"); x[3, 2] = np.nan; np.save(d + "/deltas.npy", x)'
damage bad_card 'k = np.load(d + "/cards.npy"); k[4, 1] = 0; np.save(d + "/cards.npy", k)'
damage big_card 'k = np.load(d + "/cards.npy"); k[4, 1] = 5000; np.save(d + "/cards.npy", k)'
damage neg_min 'j = json.load(open(d + "/run.json")); j["min_card"] = -10; json.dump(j, open(d + "/run.json", "w"))'
damage min_gt_max 'j = json.load(open(d + "/run.json")); j["min_card"] = 90; json.dump(j, open(d + "/run.json", "w"))'
damage far_id 'p = np.load(d + "/points.npy"); p[0] = 10**9; np.save(d + "/points.npy", p)'
damage neg_id 'p = np.load(d + "/points.npy"); p[1] = -3; np.save(d + "/points.npy", p)'
damage dup_id 'p = np.load(d + "/points.npy"); p[2] = p[3]; np.save(d + "/points.npy", p)'
damage garbage 'open(d + "/run.json", "w").write("garbage{")'
damage scaling_dir 'import os; os.mkdir(d + "/scaling.csv")'
# .npy headers whose shapes cannot be, and scaling.csv rows that are no laws.
$PY - "$T" <<'PYEOF'
import shutil, sys
t = sys.argv[1]
def hdr(path, shape):
    h = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % shape
    h = h + " " * (118 - len(h)) + "\n"
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode() + b"\0" * 64)
for name, shape in (("neg_shape", "(-1, 20)"), ("huge_shape", "(1000000000000, 1000000)"), ("long_shape", "(30, 7)")):
    shutil.copytree(t + "/run", t + "/" + name)
    hdr(t + "/" + name + "/deltas.npy", shape)
PYEOF
expect_fail ".npy shape (-1, 20)" "deltas.npy: cannot parse header" $DVAL fit "$T/neg_shape" -o "$T/x.csv"
expect_fail ".npy shape 10^12 x 10^6" "needs more data than the file" $DVAL fit "$T/huge_shape" -o "$T/x.csv"
expect_fail ".npy shape larger than its data" "needs more data than the file" $DVAL value --from "$T/long_shape" -o "$T/x.csv"
$DVAL fit "$T/run" 2>/dev/null
for bad in "c:nan" "alpha:-50" "sigma:inf"; do
    cp -r "$T/run" "$T/law_$bad"
    $PY - "$T/law_$bad/scaling.csv" "${bad%%:*}" "${bad#*:}" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rows[4][sys.argv[2]] = sys.argv[3]
w = csv.DictWriter(open(sys.argv[1], "w", newline=""), fieldnames=list(rows[0].keys()), lineterminator="\n")
w.writeheader(); w.writerows(rows)
PYEOF
    expect_fail "scaling.csv with ${bad%%:*} = ${bad#*:}" "scaling.csv:6: ${bad%%:*} is not a law's" $DVAL value --from "$T/law_$bad" -o "$T/x.csv"
done
expect_fail "points.npy shorter than deltas.npy" "points.npy has 25 rows" $DVAL value --from "$T/short_points" -o "$T/x.csv"
expect_fail "no samples per point" "deltas.npy: the array has shape .30, 0.: no columns" $DVAL fit "$T/no_samples" -o "$T/x.csv"
expect_fail "deltas of 1e308" "point 0, sample 0 is 1e\+308" $DVAL fit "$T/huge" -o "$T/x.csv"
expect_fail "a NaN delta" "point 3, sample 2 is nan" $DVAL value --from "$T/nan" -o "$T/x.csv"
expect_fail "a size of 0" "cards.npy: point 4, sample 1 has size 0" $DVAL value --from "$T/bad_card" -o "$T/x.csv"
expect_fail "a size above max_card" "has size 5000" $DVAL value --from "$T/big_card" -o "$T/x.csv"
expect_fail "min_card -10" "min_card is not a count" $DVAL value --from "$T/neg_min" -o "$T/x.csv"
expect_fail "min_card above max_card" "min_card 90 and max_card 80" $DVAL value --from "$T/min_gt_max" -o "$T/x.csv"
expect_fail "a point id past the split" "entry 0 is 1000000000" $DVAL value --from "$T/far_id" -o "$T/x.csv"
expect_fail "a negative point id" "entry 1 is -3" $DVAL report "$T/neg_id" -o "$T/rep"
expect_fail "a point listed twice" "listed twice" $DVAL fit "$T/dup_id" -o "$T/x.csv"
expect_fail "run.json garbage" "not valid JSON" $DVAL value --from "$T/garbage" -o "$T/x.csv"
expect_fail "scaling.csv a directory" "scaling.csv" $DVAL value --from "$T/scaling_dir" -o "$T/x.csv"
[ ! -e "$T/x.csv" ] && [ ! -e "$T/rep/report.html" ] && ok "no output from a damaged run" \
    || bad "output written from a damaged run"

# Data that no learner can use, named before anything is written.
$PY - "$T" <<'PYEOF'
import csv, sys
t = sys.argv[1]
rows = list(csv.reader(open(t + "/in.csv")))
big = [r[:] for r in rows]; big[5][0] = "1e308"
csv.writer(open(t + "/big.csv", "w")).writerows(big)
cont = [r[:] for r in rows]
for r in cont[1:]: r[-1] = str(float(r[0]) * 10)
csv.writer(open(t + "/cont.csv", "w")).writerows(cont)
flip = [r[:] for r in rows]
for r in flip[1:]: r[-1] = str(1 - int(r[-1]))
csv.writer(open(t + "/flip.csv", "w")).writerows(flip)
PYEOF
expect_fail "a feature of 1e308" "column 'x0', data row 5 holds 1e\+308" $DVAL sample --data "$T/big.csv" -o "$T/bigrun" --points 3 --samples 2 --min-card 20 --max-card 80 -q
[ ! -e "$T/bigrun" ] && ok "no run directory for unusable data" || bad "bigrun created"
expect_fail "a continuous label as classes" "400 distinct values.*--task regression" $DVAL value --method knn --data "$T/cont.csv" -o "$T/k.csv"
expect_fail "addition on other data" "not the data .* was made on" $DVAL eval addition --from "$T/run" --data "$T/flip.csv" --sizes 50 --add 5 --reps 2 -o "$T/add.csv"
expect_fail "amortized fit on other data" "SHA-256 differs" $DVAL fit "$T/run" --estimator amortized --data "$T/flip.csv" -o "$T/x.csv"
$DVAL synth gauss2d --spread -1 -o "$T/g.csv" 2>"$T/synth.err"; grep -q "^dval: synth: spread" "$T/synth.err" \
    && ok "synth: the command named once" || bad "synth message: $(cat "$T/synth.err")"
$DVAL sample --data "$T/in.csv" -o "$T/treerun" --learner tree --points 3 --samples 2 --min-card 20 --max-card 80 -q \
    && ok "sample --learner tree on classification" || bad "sample --learner tree"

# Option mistakes: one line naming the option, the nearest valid one, status 2.
check_opt() { # NAME WANT CMD...
    local name=$1 want=$2
    shift 2
    "$@" >/dev/null 2>"$T/opt.err"
    local rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l < "$T/opt.err")" -eq 1 ] && grep -qF -- "$want" "$T/opt.err"; then
        ok "$name"
    else
        bad "$name: status $rc, $(cat "$T/opt.err")"
    fi
}
check_opt "a misspelt option" "dval eval estimators: unknown option '--budgts'; did you mean '--budgets'?" $DVAL eval estimators "$T/run" --budgts 5
check_opt "a misspelt method option" "unknown option '--metrc'; did you mean '--metric'?" $DVAL value --method tmc --data "$T/in.csv" --metrc accuracy
check_opt "a figure's option" "dval plot law: unknown option '--bogus' (see dval plot law --help)" $DVAL plot law "$T/run" --bogus
check_opt "an option without its value" "dval fit: option '--epochs' needs a value" $DVAL fit "$T/run" --epochs
check_opt "a misspelt command" "unknown command 'fti'; did you mean 'fit'?" $DVAL fti
expect_fail "a method misspelt" "unknown method 'tmcc'; did you mean 'tmc'\?.*ame" $DVAL value --method tmcc --data "$T/in.csv"
expect_fail "a method that is not one" "unknown method 'shapley'; did you mean 'gshapley'\? \(methods: loo, exact.*ts-shapley\)" $DVAL eval noisy --data "$T/in.csv" --methods loo,shapley
for h in "value --help" "value --method shapley --help" "value --method ame --help"; do
    $DVAL $h | grep -q "ame$" && $DVAL $h | grep -q "^Methods: loo" && ok "dval $h lists the methods, ame too" \
        || bad "dval $h: no method list"
done
$DVAL sample --data "$T/in.csv" -o "$T/few" --points 40 --samples 3 --min-card 20 --max-card 80 -q
$DVAL fit "$T/few" 2>"$T/few.err"; n=$(grep -c ",bound," "$T/few/scaling.csv")
if [ "$n" -gt 0 ]; then
    grep -q "^dval: $n of 40 fits .* end on the bound" "$T/few.err" && ok "fit: says how many fits end on the bound" \
        || bad "fit: bound count not said: $(cat "$T/few.err")"
else
    ok "# skip the bound message: no fit on the bound"
fi
$DVAL fit "$T/run" -q >"$T/q.out" 2>&1 && [ ! -s "$T/q.out" ] && ok "fit -q: silent" || bad "fit -q"

# Honest stopping: a budget that runs out says so, in the JSON and on the
# terminal; settings that do not apply to a method are not recorded.
$DVAL value --method tmc --data "$T/in.csv" --max-samples 60 --min-samples 20 --check-every 20 \
    -o "$T/tmc.csv" 2>"$T/tmc.err" || bad "tmc"
grep -q '"converged": false' "$T/tmc.csv.json" && grep -q '"max_stderr": [0-9]' "$T/tmc.csv.json" \
    && grep -q "NOT converged" "$T/tmc.err" && ok "a budget stop: not converged, the largest stderr" \
    || bad "tmc budget stop: $(cat "$T/tmc.err")"
$DVAL value --method knn --data "$T/in.csv" -o "$T/knn.csv" -q \
    && grep -q '"knn_k": 10' "$T/knn.csv.json" && ! grep -q '"rhat"\|"max_samples"\|"learner"\|"truncation"' "$T/knn.csv.json" \
    && grep -q '"converged": true' "$T/knn.csv.json" && ok "knn's JSON: only what applies" || bad "knn JSON"
expect_fail "a negative --rel-stderr" "must not be negative" $DVAL value --method tmc --data "$T/in.csv" --rel-stderr -1

# A device as output, made here (never the machine's own /dev entries):
# a full device fails with the system's message, and stays a device.
if mknod "$T/full" c 1 7 2>/dev/null; then
    expect_fail "output to a full device" "No space left" $DVAL synth linear-clf -o "$T/full" --rows 50
    [ -c "$T/full" ] && ok "the device is still a device" || bad "device replaced"
    mknod "$T/null" c 1 3 && $DVAL fit "$T/run" -o "$T/null" 2>/dev/null && [ -c "$T/null" ] \
        && ok "output to a null device: written through, still a device" || bad "null device"
else
    ok "# skip device outputs: mknod needs root"
fi
expect_fail "eval noisy: an unwritable --values-out" "B.csv: cannot write" $DVAL eval noisy --data "$T/in.csv" --methods loo -o "$T/A.csv" --values-out "$T/nodir/B.csv"
[ ! -e "$T/A.csv" ] && ! ls "$T"/A.csv.tmp* >/dev/null 2>&1 && ok "eval noisy: neither output, no temporary file" \
    || bad "eval noisy wrote A.csv although B.csv could not be written"
mkdir -p "$T/adir"
expect_fail "output that is a directory" "adir" $DVAL fit "$T/run" -o "$T/adir"
finish
