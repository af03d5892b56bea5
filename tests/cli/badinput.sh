#!/usr/bin/env bash
# Bad input: a message naming the problem, a non-zero exit, no output.
. "$(dirname "$0")/lib.inc"
set -u
good="$T/good.csv"
$DVAL synth linear-clf -o "$good" --rows 600 --features 3 --noise 1 --seed 2 2>/dev/null
S=(sample -o "$T/out" --samples 2 --points 4 --min-card 10 --max-card 50 -q)

printf 'a,b,label\n1,2,0\n3,4\n5,6,1\n' >"$T/ragged.csv"
expect_fail "ragged row" "ragged.csv:3.*expected 3 fields, found 2" $DVAL "${S[@]}" --data "$T/ragged.csv"
printf 'a,b,label\n1,2,0\n3,x7,1\n' >"$T/text.csv"
expect_fail "text in a numeric column" "text.csv:3.*column 'b'" $DVAL "${S[@]}" --data "$T/text.csv"
: >"$T/empty.csv"
expect_fail "empty file" "empty" $DVAL "${S[@]}" --data "$T/empty.csv"
printf 'a,b,label\n' >"$T/header.csv"
expect_fail "header only" "no data rows|header" $DVAL "${S[@]}" --data "$T/header.csv"
printf 'a,b,label\n1,2,0\n3,4,0\n5,6,0\n' >"$T/oneclass.csv"
expect_fail "a single class" "one class|single class" $DVAL "${S[@]}" --data "$T/oneclass.csv"
printf 'a,b,label\n1,2,0\n3,nan,1\n' >"$T/nan.csv"
expect_fail "NaN" "nan.csv:3.*column 'b'" $DVAL "${S[@]}" --data "$T/nan.csv"
printf 'a,b,label\n1,2,0\ninf,4,1\n' >"$T/inf.csv"
expect_fail "Inf" "inf.csv:3.*column 'a'" $DVAL "${S[@]}" --data "$T/inf.csv"
expect_fail "missing file" "nosuch.csv" $DVAL "${S[@]}" --data "$T/nosuch.csv"
expect_fail "unknown label column" "label.*'zz'|'zz'" $DVAL "${S[@]}" --data "$good" --label zz
expect_fail "min-card > max-card" "min-card.*larger than max-card" $DVAL sample -o "$T/out" --data "$good" --min-card 60 --max-card 50 -q
expect_fail "k beyond class balance" "class balance allows at most k" $DVAL sample -o "$T/out" --data "$good" --min-card 10 --max-card 359 --points 2 -q
expect_fail "unknown learner" "unknown learner 'svm'" $DVAL "${S[@]}" --data "$good" --learner svm
expect_fail "unknown metric" "unknown metric 'f1'" $DVAL "${S[@]}" --data "$good" --metric f1
expect_fail "metric for the other task" "regression" $DVAL "${S[@]}" --data "$good" --metric r2
expect_fail "bad number" "--samples: 'ten'" $DVAL "${S[@]}" --data "$good" --samples ten
expect_fail "negative C" "C" $DVAL "${S[@]}" --data "$good" --C -1
expect_fail "too many points" "more than the" $DVAL "${S[@]}" --data "$good" --points 100000
expect_fail "impossible split" "no training rows" $DVAL "${S[@]}" --data "$good" --val 300 --test 300
expect_fail "unknown command" "unknown command" $DVAL frobnicate
expect_fail "unknown synth kind" "unknown kind" $DVAL synth spiral -o "$T/x.csv"
expect_fail "fit without a run" "cannot open|No such" $DVAL fit "$T/nothing"
expect_fail "value without a run" "cannot read" $DVAL value --from "$T/nothing"
[ ! -e "$T/out" ] && ok "no output directory was created by failed runs" || bad "failed runs left $T/out"
# an unwritable output leaves nothing half-written
mkdir "$T/ro" && chmod 555 "$T/ro"
if [ "$(id -u)" -ne 0 ]; then
    expect_fail "unwritable output" "cannot" $DVAL synth linear-clf -o "$T/ro/x.csv" --rows 10
fi
# help on every command
for c in demo synth sample fit value curve; do
    if $DVAL $c --help | grep -q "usage: dval $c" && $DVAL help $c | grep -q "usage: dval $c"; then
        ok "$c --help"
    else
        bad "$c --help"
    fi
done
finish
