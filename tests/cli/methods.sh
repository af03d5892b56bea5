#!/usr/bin/env bash
# dval value --method and dval eval noisy through the command line: every
# method writes one finite value per point (or group) and a JSON of its run;
# the noisy task writes its table; bad options fail clearly.
. "$(dirname "$0")/lib.inc"
set -u
$DVAL synth linear-clf -o "$T/d.csv" --rows 220 --features 3 --noise 1 --seed 5 2>/dev/null
D=(--data "$T/d.csv" --val 60 --test 40 --seed 3)
for m in loo tmc beta banzhaf ame knn oob lava cg influence random memorization dvrl; do
    if $DVAL value --method $m "${D[@]}" --max-samples 60 --min-samples 60 -o "$T/$m.csv" -q; then
        $PY - "$T/$m.csv" 120 <<'PYEOF' && ok "value --method $m" || bad "value --method $m output"
import sys, csv, json, math
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == int(sys.argv[2]), len(rows)
assert [int(r["point"]) for r in rows] == list(range(len(rows)))
assert all(math.isfinite(float(r["value"])) for r in rows)
j = json.load(open(sys.argv[1] + ".json"))
assert j["method"] and "stopped_by" in j and j["seconds"] >= 0
PYEOF
    else
        bad "value --method $m failed"
    fi
done
# forgetting and memorization: one value per point with a standard error;
# forgetting trains an mlp unless told otherwise, and records it
$DVAL value --method forgetting "${D[@]}" --epochs 6 --mlp-batch 16 --max-samples 3 -o "$T/fg.csv" -q \
    && $DVAL value --method memorization "${D[@]}" --max-samples 40 --mem-fraction 0.5 -o "$T/mem.csv" -q \
    && $PY - "$T/fg.csv" "$T/mem.csv" <<'PYEOF' && ok "forgetting and memorization" || bad "forgetting and memorization"
import sys, csv, json, math
for f, method in ((sys.argv[1], "forgetting"), (sys.argv[2], "memorization")):
    rows = list(csv.DictReader(open(f)))
    assert len(rows) == 120
    v = [float(r["value"]) for r in rows]
    assert all(math.isfinite(x) and x <= 1 for x in v) and len(set(v)) > 1, method
    assert all(r["stderr"] != "" for r in rows), method
    j = json.load(open(f + ".json"))
    assert j["method"] == method and "metric" not in j and "rhat" not in j, j
fg = json.load(open(sys.argv[1] + ".json"))
assert fg["learner"] == "mlp" and fg["epochs"] == 6 and fg["variant"] == "events" and fg["samples"] == 3, fg
# the mean of 3 runs' counts: a multiple of 1/3, at most E = 6 (never learned)
fv = [float(r["value"]) for r in csv.DictReader(open(sys.argv[1]))]
assert all(abs(3 * x - round(3 * x)) < 1e-9 and -6 <= x <= 0 for x in fv), fv
assert json.load(open(sys.argv[2] + ".json"))["mem_fraction"] == 0.5
PYEOF
expect_fail "forgetting with a one-solve learner" "epoch by epoch" $DVAL value --method forgetting "${D[@]}" --learner logreg -o "$T/x.csv"
expect_fail "an unknown forgetting variant" "unknown forgetting variant 'often'" $DVAL value --method forgetting "${D[@]}" --variant often -o "$T/x.csv"
expect_fail "a memorization fraction out of range" "mem-fraction: 1.5 is not in" $DVAL value --method memorization "${D[@]}" --mem-fraction 1.5 -o "$T/x.csv"
expect_fail "an unknown dvrl input" "unknown input 'xy'" $DVAL value --method dvrl "${D[@]}" --dvrl-input xy -o "$T/x.csv"
$DVAL value --method dvrl "${D[@]}" --max-samples 30 --dvrl-input x --dvrl-batch 20 -o "$T/dv.csv" -q \
    && $PY - "$T/dv.csv" <<'PYEOF' && ok "dvrl: probabilities and its settings" || bad "dvrl settings"
import sys, csv, json
v = [float(r["value"]) for r in csv.DictReader(open(sys.argv[1]))]
assert len(v) == 120 and all(0 < x < 1 for x in v)
j = json.load(open(sys.argv[1] + ".json"))
assert j["dvrl_input"] == "x" and j["dvrl_batch"] == 20 and j["samples"] == 30, j
PYEOF
for m in forgetting memorization dvrl; do
    $DVAL value --help | tr -s ' \n' '  ' | grep -q "$m (" && ok "value --help describes $m" || bad "value --help lacks $m"
done
# --candidates: loo of an added row equals appending the row to the data and
# valuing it there (leave-one-out of the last row, accuracy, explicit
# validation file, no standardization, so that the data are the same bits)
$DVAL synth gauss2d -o "$T/g.csv" --rows 120 --clusters 1 --means 0,1,3,2 --spread 1.5 --seed 7 2>/dev/null
head -41 "$T/g.csv" > "$T/gtrain.csv"; { head -1 "$T/g.csv"; tail -n 80 "$T/g.csv"; } > "$T/gval.csv"
$DVAL synth gauss2d -o "$T/gc.csv" --rows 6 --clusters 1 --means 0,1,3,2 --spread 3 --seed 8 2>/dev/null
G=(--val-data "$T/gval.csv" --test-data "$T/gval.csv" --no-standardize)
if $DVAL value --method loo --data "$T/gtrain.csv" "${G[@]}" --candidates "$T/gc.csv" -o "$T/cand.csv" -q; then
    ok=1
    for c in 0 1 2 3 4 5; do
        { cat "$T/gtrain.csv"; sed -n "$((c + 2))p" "$T/gc.csv"; } > "$T/gplus.csv"
        $DVAL value --method loo --data "$T/gplus.csv" "${G[@]}" --metric accuracy -o "$T/plus.csv" -q || ok=0
        $PY - "$T/cand.csv" "$T/plus.csv" $c <<'PYEOF' || ok=0
import sys, csv
cand = [float(r["value"]) for r in csv.DictReader(open(sys.argv[1]))]
plus = [float(r["value"]) for r in csv.DictReader(open(sys.argv[2]))]
c = int(sys.argv[3])
assert len(plus) == 41 and abs(cand[c] - plus[40]) <= 1e-12, (c, cand[c], plus[40])
PYEOF
    done
    [ $ok = 1 ] && ok "candidates: loo equals the appended row's leave-one-out" || bad "candidates: loo differs from appending the row"
else
    bad "value --candidates failed"
fi
for m in forgetting memorization ood-ensemble ood-dropout; do
    $DVAL value --method $m --data "$T/gtrain.csv" "${G[@]}" --candidates "$T/gc.csv" --epochs 5 -o "$T/c_$m.csv" -q \
        && [ "$(wc -l < "$T/c_$m.csv")" -eq 7 ] && ok "candidates: $m" || bad "candidates: $m"
done
# the rule g on a mesh: the nodes in order, each labelled by its nearest mean
if $DVAL synth gauss2d -o "$T/gmesh.csv" --mesh 7 --box -2,4,-1,3 --clusters 1 --means 0,1,3,2 2>/dev/null \
    && $PY - "$T/gmesh.csv" <<'PYEOF'
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 49, len(rows)
means, k = [(0, 1, 0), (3, 2, 1)], 0
for i in range(7):
    for j in range(7):
        x, y = -2 + j * 6 / 6, -1 + i * 4 / 6
        r = rows[k]; k += 1
        assert abs(float(r["x0"]) - x) < 1e-12 and abs(float(r["x1"]) - y) < 1e-12, (r, x, y)
        lab = min(means, key=lambda m: (x - m[0]) ** 2 + (y - m[1]) ** 2)[2]
        assert int(float(r["label"])) == lab, (r, lab)
PYEOF
then ok "synth --mesh: the nodes labelled by the nearest mean"; else bad "synth --mesh"; fi
# the game methods: with one candidate, its Shapley value is its add-one value
head -2 "$T/gc.csv" > "$T/gcone.csv"
ok=1
for u in accuracy boundary-mae; do
    $DVAL value --method loo --data "$T/gtrain.csv" "${G[@]}" --candidates "$T/gcone.csv" --utility $u -o "$T/one_loo.csv" -q || ok=0
    for m in exact tmc; do
        $DVAL value --method $m --data "$T/gtrain.csv" "${G[@]}" --candidates "$T/gcone.csv" --utility $u --max-samples 20 --min-samples 20 -o "$T/one_$m.csv" -q || ok=0
        $PY - "$T/one_loo.csv" "$T/one_$m.csv" <<'PYEOF' || ok=0
import sys, csv
a = float(list(csv.DictReader(open(sys.argv[1])))[0]["value"])
b = float(list(csv.DictReader(open(sys.argv[2])))[0]["value"])
assert abs(a - b) <= 1e-12, (a, b)
PYEOF
    done
done
[ $ok = 1 ] && ok "candidates: one candidate's Shapley value is its add-one value" || bad "candidates: game values"
cut -d, -f1 "$T/gc.csv" > "$T/gc1.csv"
expect_fail "candidates with other columns" "has 0 feature columns, the training data 2|column" $DVAL value --method loo --data "$T/gtrain.csv" "${G[@]}" --candidates "$T/gc1.csv" -o "$T/x.csv"
sed 's/,1$/,7/' "$T/gc.csv" > "$T/gc7.csv"
expect_fail "candidates with an unknown class" "label '7' is not a class" $DVAL value --method loo --data "$T/gtrain.csv" "${G[@]}" --candidates "$T/gc7.csv" -o "$T/x.csv"
expect_fail "candidates with knn" "does not value added rows" $DVAL value --method knn --data "$T/gtrain.csv" "${G[@]}" --candidates "$T/gc.csv" -o "$T/x.csv"
expect_fail "utility without candidates" "goes with --candidates" $DVAL value --method loo --data "$T/gtrain.csv" "${G[@]}" --utility boundary-mae -o "$T/x.csv"
expect_fail "sampling with dropout" "sampling runs do not take dropout" $DVAL sample --data "$T/gtrain.csv" --val-data "$T/gval.csv" --test-data "$T/gval.csv" -o "$T/xs" --learner mlp --dropout 0.3 --samples 2 --min-card 5 --max-card 10
expect_fail "ood-ensemble without candidates" "give --candidates" $DVAL value --method ood-ensemble --data "$T/gtrain.csv" "${G[@]}" -o "$T/x.csv"
# pairwise values: the CSV and the .npy hold the same symmetric matrix; the
# figure draws it and writes the pairs with their data rows
if $DVAL value --method pairwise --data "$T/g.csv" --points 0,3,5,8 --max-samples 12 -o "$T/pairs.csv" -q \
    && $DVAL plot pairs "$T/pairs.csv" --source "$T/g.csv" -o "$T/pairs.png" --data "$T/pairs_fig.csv" 2>/dev/null; then
    $PY - "$T/pairs.csv" "$T/pairs.npy" "$T/pairs_fig.csv" <<'PYEOF' && ok "pairwise values and their figure" || bad "pairwise values"
import sys, csv
import numpy as np
rows = list(csv.DictReader(open(sys.argv[1])))
M = np.load(sys.argv[2])
assert M.shape == (4, 4) and (M == M.T).all() and (M >= 0).all()
assert len(rows) == 10
for r in rows:
    assert float(r["value"]) == M[int(r["a"]), int(r["b"])], r
    assert [int(r["point_a"]), int(r["point_b"])] == [[0, 3, 5, 8][int(r["a"])], [0, 3, 5, 8][int(r["b"])]]
fig = list(csv.DictReader(open(sys.argv[3])))
src = {int(r["a"]): int(r["source_a"]) for r in rows}
assert len(fig) == 6 and all(float(f["value"]) == M[int(f["a"]), int(f["b"])] and int(f["row_a"]) == src[int(f["a"])] for f in fig)
PYEOF
else
    bad "pairwise values or their figure failed"
fi
expect_fail "pairwise without points" "needs --points" $DVAL value --method pairwise --data "$T/g.csv" -o "$T/x.csv"
expect_fail "points without pairwise" "goes with --method pairwise" $DVAL value --method loo --data "$T/g.csv" --points 1,2 -o "$T/x.csv"
expect_fail "pairwise point out of range" "not a row of the training split" $DVAL value --method pairwise --data "$T/g.csv" --points 1,5000 -o "$T/x.csv"
head -5 "$T/pairs.csv" > "$T/pairs_cut.csv"
expect_fail "pairs figure: a missing pair" "pair \(.*\) is missing" $DVAL plot pairs "$T/pairs_cut.csv" --source "$T/g.csv" -o "$T/x.png"
# the JSON records the stopping rules only for the methods they act on
$PY - "$T/tmc.csv.json" "$T/banzhaf.csv.json" "$T/oob.csv.json" "$T/ame.csv.json" "$T/dvrl.csv.json" "$T/knn.csv.json" <<'PYEOF' && ok "JSON: settings that apply" || bad "JSON: settings that apply"
import sys, json
j = [json.load(open(f)) for f in sys.argv[1:]]
assert all("min_samples" in x and "check_every" in x and "max_samples" in x for x in j[:2])
assert all("min_samples" not in x and "rank_tol" not in x and "max_samples" in x for x in j[2:5])
assert "max_samples" not in j[5] and "learner" not in j[5]
PYEOF
# the learner's settings reach the fits and the JSON: a loose tolerance
# stops the logistic fits early, so leave-one-out values move
$DVAL value --method loo "${D[@]}" --C 0.5 --tol 1e-2 -o "$T/loo_tol.csv" -q \
    && $DVAL value --method loo "${D[@]}" --C 0.5 -o "$T/loo_c.csv" -q \
    && $PY - "$T/loo_tol.csv" "$T/loo_c.csv" <<'PYEOF' && ok "--tol and --C" || bad "--tol and --C"
import sys, csv, json
a = [float(r["value"]) for r in csv.DictReader(open(sys.argv[1]))]
b = [float(r["value"]) for r in csv.DictReader(open(sys.argv[2]))]
assert max(abs(x - y) for x, y in zip(a, b)) > 1e-9
ja, jb = json.load(open(sys.argv[1] + ".json")), json.load(open(sys.argv[2] + ".json"))
assert ja["tol"] == 1e-2 and jb["tol"] == 1e-10 and ja["C"] == jb["C"] == 0.5, (ja, jb)
PYEOF
expect_fail "tol not positive" "tol must be a finite number > 0" $DVAL value --method loo "${D[@]}" --tol 0 -o "$T/x.csv"
expect_fail "tol not a number" "--tol" $DVAL value --method loo "${D[@]}" --tol abc -o "$T/x.csv"
# exact Shapley on a tiny training set, and groups
$DVAL synth linear-clf -o "$T/tiny.csv" --rows 40 --features 2 --noise 1 --seed 9 2>/dev/null
$DVAL value --method exact --data "$T/tiny.csv" --val 20 --test 10 -o "$T/exact.csv" -q \
    && [ "$(wc -l < "$T/exact.csv")" -eq 11 ] && ok "exact on 10 points" || bad "exact on 10 points"
seq 0 39 | awk '{print $1 % 3}' > "$T/groups.txt"
$DVAL value --method tmc --data "$T/tiny.csv" --val 20 --test 10 --groups "$T/groups.txt" \
    --max-samples 40 -o "$T/groups.csv" -q && head -1 "$T/groups.csv" | grep -q '^group,' \
    && [ "$(wc -l < "$T/groups.csv")" -le 4 ] && ok "groups" || bad "groups"
# pricing by source: exact Shapley of the three groups, paid 1000 in all
$DVAL value --method exact --data "$T/tiny.csv" --val 20 --test 10 --groups "$T/groups.txt" \
    --price 1000 -o "$T/price.csv" -q || bad "price"
$PY - "$T/price.csv" <<'PYEOF' && ok "price: shares of the positive values, summing to the total" || bad "price: payments"
import sys, csv, json
rows = list(csv.DictReader(open(sys.argv[1])))
v = [float(r["value"]) for r in rows]
pay = [float(r["payment"]) for r in rows]
pos = sum(x for x in v if x > 0)
assert abs(sum(pay) - 1000) < 1e-9, pay
for x, p in zip(v, pay):
    assert abs(p - (1000 * x / pos if x > 0 else 0)) < 1e-9, (x, p)
assert json.load(open(sys.argv[1] + ".json"))["price"]["total"] == 1000
PYEOF
expect_fail "price below 0" "--price: -3 is not an amount" $DVAL value --method loo "${D[@]}" --price -3 -o "$T/x.csv"
expect_fail "price with candidates" "does not go with --candidates" $DVAL value --method loo "${D[@]}" --price 3 --candidates "$T/tiny.csv" -o "$T/x.csv"
# the noisy task
$DVAL eval noisy "${D[@]}" --methods loo,random --rho 0.2 -o "$T/noisy.csv" >"$T/noisy.txt" 2>/dev/null
$PY - "$T/noisy.csv" <<'PYEOF' && ok "eval noisy table" || bad "eval noisy table"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["method"] for r in rows] == ["loo", "random"]
for r in rows:
    for k in ("f1", "auroc", "recall"):
        assert 0 <= float(r[k]) <= 1
PYEOF
grep -q "24 flipped" "$T/noisy.txt" && ok "eval noisy flips round(rho n)" || bad "flip count"
# the removal task
$DVAL eval removal "${D[@]}" --method loo --bin 0.1 --max-fraction 0.5 -o "$T/removal.csv" >/dev/null 2>&1
$PY - "$T/removal.csv" <<'PYEOF' && ok "eval removal curve" || bad "eval removal curve"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6, len(rows)                  # steps 0..5 of 12 rows out of 120
assert [int(r["removed"]) for r in rows] == [0, 12, 24, 36, 48, 60]
assert rows[0]["high"] == rows[0]["low"]           # nothing removed yet
assert all(0 <= float(r[k]) <= 1 for r in rows for k in ("high", "low"))
PYEOF
# A method that fails inside eval noisy: its row says "error", the others are
# written, and the status is 1.
if $DVAL eval noisy "${D[@]}" --methods loo,lava --entreg 1e-6 -o "$T/nfail.csv" >/dev/null 2>"$T/nfail.err"; then
    bad "eval noisy with a failing method exited 0"
elif grep -q '^lava,,,,,,,error$' "$T/nfail.csv" && grep -q '^loo,0' "$T/nfail.csv" &&
    grep -q "1 of 2 methods failed" "$T/nfail.err"; then
    ok "eval noisy: a failing method is an error row and status 1"
else
    bad "eval noisy with a failing method: $(cat "$T/nfail.csv" "$T/nfail.err")"
fi
# the addition task on a small sampling run
$DVAL sample "${D[@]}" -o "$T/arun" --samples 8 --points 30 --min-card 10 --max-card 60 -q
$DVAL eval addition --from "$T/arun" "${D[@]}" --sizes 20,60 --add 6 --reps 5 -o "$T/add.csv" >"$T/add.out" 2>&1
grep -q "a uniform run has no per-size means: no law is filtered" "$T/add.out" && ! grep -q "R^2 >= --min-r2" "$T/add.out" \
    && ok "addition: no R^2 filter on a uniform run" || bad "addition on a uniform run: $(cat "$T/add.out")"
$DVAL sample "${D[@]}" -o "$T/agrid" --mode grid --cards 10,30,60 --samples 3 --points 30 -q
$DVAL eval addition --from "$T/agrid" "${D[@]}" --sizes 20 --add 6 --reps 3 --min-r2 2 -o "$T/addg.csv" >"$T/addg.out" 2>&1
grep -q "0 of 30 laws used (log-fit R^2 >= --min-r2)" "$T/addg.out" \
    && ok "addition: the R^2 filter on a grid run" || bad "addition on a grid run: $(cat "$T/addg.out")"
$PY - "$T/add.csv" <<'PYEOF' && ok "eval addition table" || bad "eval addition table"
import sys, csv, math
rows = list(csv.DictReader(open(sys.argv[1])))
assert [(r["base_size"], r["scores"]) for r in rows] == [
    ("20", "law"), ("20", "mc_mean"), ("20", "random"), ("60", "law"), ("60", "mc_mean"), ("60", "random")]
assert all(math.isfinite(float(r["gain_mean"])) and float(r["gain_stderr"]) >= 0 for r in rows)
PYEOF
# --score-at: the law scored at a fixed size; at the base's own size it is
# the "law" scorer, so the gains are the same bits.
$DVAL eval addition --from "$T/arun" "${D[@]}" --sizes 20,60 --add 6 --reps 5 --score-at 20,45 \
    -o "$T/adds.csv" >"$T/adds.out" 2>&1
$PY - "$T/adds.csv" "$T/add.csv" <<'PYEOF' && ok "addition --score-at" || bad "addition --score-at: $(cat "$T/adds.out")"
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1])))
key = lambda r: (r["base_size"], r["scores"])
assert [key(r) for r in rows] == [(b, s) for b in ("20", "60")
                                  for s in ("law", "law_k20", "law_k45", "mc_mean", "random")]
g = {key(r): r["gain_mean"] for r in rows}
assert g[("20", "law")] == g[("20", "law_k20")]
old = {key(r): r["gain_mean"] for r in csv.DictReader(open(sys.argv[2]))}
assert all(g[k] == v for k, v in old.items())      # the other scorers unchanged
PYEOF
# The note on scorers below random: printed exactly when some scorer's mean
# gain is more than 2 combined standard errors below random's, with the count.
for run in add adds; do
$PY - "$T/$run.csv" "$T/$run.out" <<'PYEOF' && ok "addition: below-random note ($run)" || bad "addition: below-random note ($run): $(cat "$T/$run.out")"
import sys, csv, math, re
rows = list(csv.DictReader(open(sys.argv[1])))
out = open(sys.argv[2]).read()
below = 0
for b in {r["base_size"] for r in rows}:
    at = [r for r in rows if r["base_size"] == b]
    rnd = [r for r in at if r["scores"] == "random"][0]
    rm, rs = float(rnd["gain_mean"]), float(rnd["gain_stderr"])
    below += sum(float(r["gain_mean"]) + 2 * math.hypot(float(r["gain_stderr"]), rs) < rm
                 for r in at if r is not rnd)
m = re.search(r"\((\d+) scorers? fell below random", out)
assert (int(m.group(1)) if m else 0) == below, (below, m)
PYEOF
done
grep -q "each addition is class-balanced, 3 per class" "$T/adds.out" && ok "addition: says the additions are class-balanced" \
    || bad "addition: no class-balance note: $(cat "$T/adds.out")"
expect_fail "addition with another split" "training split has 80 rows, the run had 120" $DVAL eval addition --from "$T/arun" --data "$T/d.csv" --val 100 --test 40 --sizes 20
# --explain: one influence per training point for one test row
$DVAL value --method influence "${D[@]}" --explain 2 -o "$T/explain.csv" >/dev/null 2>&1 \
    && [ "$(wc -l < "$T/explain.csv")" -eq 121 ] && head -1 "$T/explain.csv" | grep -q '^point,source_row,influence$' \
    && ok "influence --explain" || bad "influence --explain"
expect_fail "explain needs influence" "needs --method influence" $DVAL value --method loo "${D[@]}" --explain 2
expect_fail "explain row out of range" "not a row of the test split" $DVAL value --method influence "${D[@]}" --explain 999
expect_fail "logreg on a regression task" "logreg' is for classification" $DVAL value --method tmc "${D[@]}" --task regression -o "$T/x.csv"
expect_fail "metric of the other task" "does not fit a classification task" $DVAL value --method loo "${D[@]}" --metric r2 -o "$T/x.csv"
expect_fail "unknown eval option" "unknown option '--bogus'" $DVAL eval noisy "${D[@]}" --methods loo --bogus
expect_fail "unknown method" "unknown method 'magic'" $DVAL value --method magic "${D[@]}"
expect_fail "unknown method in a list" "unknown method 'svm'" $DVAL eval noisy "${D[@]}" --methods loo,svm
expect_fail "exact on too many points" "at most 24 players" $DVAL value --method exact "${D[@]}" -o "$T/x.csv"
expect_fail "bad rho" "rho" $DVAL eval noisy "${D[@]}" --methods loo --rho 1.5
expect_fail "regression with cg" "classification" $DVAL value --method cg --data "$T/d.csv" --task regression --learner ridge -o "$T/x.csv"
[ ! -e "$T/x.csv" ] && ok "failed methods write nothing" || bad "output written by a failed method"
# The mlp learner: its options reach the fit (a different seed or size gives
# other values), the sampler records them and refuses to resume with others,
# bad values are named.
M=(--learner mlp --hidden 8 --epochs 5 --mlp-batch 32)
$DVAL value --method loo "${D[@]}" "${M[@]}" -o "$T/mlp1.csv" -q \
    && $DVAL value --method loo "${D[@]}" "${M[@]}" -o "$T/mlp2.csv" -q \
    && $DVAL value --method loo "${D[@]}" "${M[@]}" --hidden 9 -o "$T/mlp3.csv" -q \
    && cmp -s "$T/mlp1.csv" "$T/mlp2.csv" && ! cmp -s "$T/mlp1.csv" "$T/mlp3.csv" \
    && grep -q '"learner": "mlp"' "$T/mlp1.csv.json" \
    && ok "value --learner mlp: repeatable, its options used" || bad "value --learner mlp"
$DVAL sample "${D[@]}" "${M[@]}" -o "$T/mrun" --points 4 --samples 2 --min-card 20 --max-card 40 -q \
    && $PY -c "import json,sys; l=json.load(open(sys.argv[1]))['learner']; assert l['name']=='mlp' and l['hidden']==[8] and l['epochs']==5 and l['batch_size']==32" "$T/mrun/run.json" \
    && ok "sample --learner mlp records its settings" || bad "sample --learner mlp"
expect_fail "resume with other mlp settings" "other data or settings" $DVAL sample "${D[@]}" --learner mlp --hidden 9 --epochs 5 --mlp-batch 32 -o "$T/mrun" --points 4 --samples 2 --min-card 20 --max-card 40 -q --resume
$DVAL value --method loo "${D[@]}" --learner knn --neighbors 5 -o "$T/knn5.csv" -q \
    && $DVAL value --method loo "${D[@]}" --learner knn --neighbors 5 --knn-weights uniform -o "$T/knn5u.csv" -q \
    && ! cmp -s "$T/knn5.csv" "$T/knn5u.csv" && grep -q '"learner": "knn"' "$T/knn5.csv.json" \
    && ok "value --learner knn: its options used" || bad "value --learner knn"
expect_fail "bad knn weights" "neither uniform nor distance" $DVAL value --method loo "${D[@]}" --learner knn --knn-weights gauss -o "$T/x.csv"
expect_fail "unknown mlp preset" "unknown preset 'big'" $DVAL value --method loo "${D[@]}" --learner mlp --mlp-preset big -o "$T/x.csv"
expect_fail "zero hidden units" "--hidden" $DVAL value --method loo "${D[@]}" --learner mlp --hidden 8,0 -o "$T/x.csv"
expect_fail "negative step size" "lr must be" $DVAL value --method loo "${D[@]}" --learner mlp --lr -1 -o "$T/x.csv"
expect_fail "hold out everything" "val_fraction" $DVAL value --method loo "${D[@]}" --learner mlp --early-stop 1 -o "$T/x.csv"
expect_fail "negative loss tolerance" "--loss-tol" $DVAL value --method loo "${D[@]}" --learner mlp --loss-tol -1 -o "$T/x.csv"
expect_fail "zero epochs without change" "--n-iter-no-change" $DVAL value --method loo "${D[@]}" --learner mlp --n-iter-no-change 0 -o "$T/x.csv"
$DVAL sample "${D[@]}" --learner mlp --mlp-preset sklearn-1000 --hidden 6 --epochs 30 -o "$T/skrun" --points 3 --samples 2 --min-card 20 --max-card 40 -q \
    && grep -q '"loss_tol": 0.0001' "$T/skrun/run.json" && grep -q '"n_iter_no_change": 10' "$T/skrun/run.json" \
    && grep -q '"batch_size": 200' "$T/skrun/run.json" && ok "sklearn-1000 preset: scikit-learn's stopping rule recorded" \
    || bad "sklearn-1000 preset settings"
for c in "value --method tmc" "eval noisy"; do
    $DVAL $c --help | grep -q "usage: dval" && ok "$c --help" || bad "$c --help"
done
finish
