#!/usr/bin/env bash
# kill -9 in the middle of a run, then --resume: the files equal those of
# an uninterrupted run byte for byte.
. "$(dirname "$0")/lib.inc"
set -u
$DVAL synth linear-clf -o "$T/d.csv" --rows 3000 --features 20 --noise 0.5 --seed 1 2>/dev/null
args=(--data "$T/d.csv" --samples 40 --points 600 --min-card 100 --max-card 600 --seed 9 --batch 8 --threads 2 -q)
$DVAL sample "${args[@]}" -o "$T/full" || bad "uninterrupted run"
$DVAL sample "${args[@]}" -o "$T/cut" &
pid=$!
# wait until some, but not all, work items are done
killed=0
for i in $(seq 1 600); do
    if [ -f "$T/cut/progress.bin" ]; then
        n=$(tr -d '\000' < "$T/cut/progress.bin" | wc -c)
        if [ "$n" -gt 20 ]; then kill -9 $pid; killed=1; break; fi
    fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.02
done
wait $pid 2>/dev/null
if [ $killed -eq 1 ] && [ -f "$T/cut/progress.bin" ]; then
    ok "killed mid-run ($n items done)"
    [ ! -f "$T/cut/deltas.npy" ] && ok "no final output after the kill" || bad "final output after kill"
else
    bad "could not kill the run in the middle"
fi
expect_fail "no overwrite without --resume" "already holds a run" $DVAL sample "${args[@]}" -o "$T/cut"
$DVAL sample "${args[@]}" -o "$T/cut" --resume || bad "resume"
for f in deltas.npy cards.npy points.npy points.csv; do
    cmp -s "$T/full/$f" "$T/cut/$f" && ok "$f equal after resume" || bad "$f differs after resume"
done
# run.json records the command, whose output directory differs here
sed "s|$T/full|$T/cut|g" "$T/full/run.json" | cmp -s - "$T/cut/run.json" \
    && ok "run.json equal after resume" || bad "run.json differs after resume"

[ ! -f "$T/cut/progress.bin" ] && ok "progress file removed" || bad "progress file left"
# Ctrl-C (SIGINT): the command stops at its next work item with status 1 and
# says how to go on; resumed, the files are those of the uninterrupted run
$DVAL sample "${args[@]}" -o "$T/int" 2>"$T/int.err" &
pid=$!
for i in $(seq 1 600); do
    if [ -f "$T/int/progress.bin" ] && [ "$(tr -d '\000' < "$T/int/progress.bin" | wc -c)" -gt 20 ]; then
        kill -INT $pid
        break
    fi
    sleep 0.02
done
wait $pid
st=$?
[ $st = 1 ] && grep -q "interrupted (finished work is kept; rerun with --resume)" "$T/int.err" \
    && ok "SIGINT: status 1, 'interrupted', how to resume" || bad "SIGINT: status $st: $(cat "$T/int.err")"
$DVAL sample "${args[@]}" -o "$T/int" --resume || bad "resume after SIGINT"
for f in deltas.npy cards.npy points.npy; do
    cmp -s "$T/full/$f" "$T/int/$f" && ok "$f equal after SIGINT and resume" || bad "$f differs after SIGINT"
done
# a second process on a run being sampled is refused, naming the lock; the
# first finishes as if alone
$DVAL sample "${args[@]}" -o "$T/busy" &
pid=$!
for i in $(seq 1 600); do
    [ -f "$T/busy/progress.bin" ] && break
    sleep 0.02
done
if kill -0 $pid 2>/dev/null; then
    expect_fail "a second sampler on a busy run" "being sampled by another process \(pid $pid holds .*\.lock\)" \
        $DVAL sample "${args[@]}" -o "$T/busy" --resume
else
    ok "# skip the busy-run check: the first run ended too soon"
fi
wait $pid && cmp -s "$T/full/deltas.npy" "$T/busy/deltas.npy" && ok "the first sampler finished untouched" \
    || bad "busy run differs"
# a resumed run with different settings is refused and leaves the run alone
cp "$T/cut/deltas.npy" "$T/before.npy"
expect_fail "resume with other settings" "other data or settings" $DVAL sample "${args[@]}" --samples 41 -o "$T/cut" --resume
cmp -s "$T/before.npy" "$T/cut/deltas.npy" && ok "run untouched" || bad "run changed"

# kill -9 during fit and value at several moments: what is left is either
# nothing or a whole file, and the next command gives the same bytes as an
# uninterrupted one
$DVAL fit "$T/full" -o "$T/fit_ref.csv" -q && $DVAL value --from "$T/full" -o "$T/val_ref.csv" 2>/dev/null \
    || bad "reference fit and value"
whole=1
for delay in 0.01 0.03 0.06 0.1; do
    rm -f "$T/full/scaling.csv" "$T/k.csv"
    $DVAL fit "$T/full" -q & p1=$!
    $DVAL value --from "$T/full" -o "$T/k.csv" 2>/dev/null & p2=$!
    sleep $delay
    kill -9 $p1 $p2 2>/dev/null
    wait $p1 $p2 2>/dev/null
    for f in "$T/full/scaling.csv" "$T/k.csv"; do
        [ -e "$f" ] || continue
        ref="$T/fit_ref.csv"; [ "$f" = "$T/k.csv" ] && ref="$T/val_ref.csv"
        cmp -s "$f" "$ref" || whole=0
    done
done
[ $whole -eq 1 ] && ok "kill -9 during fit and value: no half-written file" || bad "a half-written file after kill -9"
rm -f "$T/full"/scaling.csv.tmp* "$T"/k.csv.tmp*
$DVAL value --from "$T/full" -o "$T/after.csv" 2>/dev/null && cmp -s "$T/after.csv" "$T/val_ref.csv" \
    && ok "value after the kills: the same bytes" || bad "value after the kills differs"
finish
