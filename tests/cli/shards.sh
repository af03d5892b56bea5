#!/usr/bin/env bash
# dval sample --shard I/N and dval combine: the shards, combined in any
# order, give the run of one process byte for byte (grid mode too, and a
# shard killed and resumed); a missing, duplicated, unfinished or foreign
# shard is refused, named, with nothing written.
. "$(dirname "$0")/lib.inc"
set -u
$DVAL synth linear-clf -o "$T/d.csv" --rows 1500 --features 12 --noise 0.5 --seed 3 2>/dev/null
args=(--data "$T/d.csv" --samples 9 --points 700 --min-card 50 --max-card 400 --seed 4 --batch 16 -q)

same_run() { # same_run ONE RUN SHARD0 NAME: RUN holds ONE's files; its command is SHARD0's
    local f
    for f in deltas.npy cards.npy points.npy points.csv; do
        cmp -s "$1/$f" "$2/$f" || { bad "$4: $f differs"; return; }
    done
    # (run.json records the command: its directory and threads differ here)
    local norm='s/ --threads [0-9]*//'
    sed "s|-o $1|-o $3|; $norm" "$1/run.json" | cmp -s - <(sed "$norm" "$2/run.json") \
        || { bad "$4: run.json differs"; return; }
    ok "$4: the files of one process, byte for byte"
}

$DVAL sample "${args[@]}" -o "$T/one" --threads 2 || bad "one process"
for i in 0 1 2; do
    $DVAL sample "${args[@]}" -o "$T/s$i" --shard $i/3 --threads 1 || bad "shard $i/3"
done
grep -q '"shard": {"index": 1, "count": 3}' "$T/s1/run.json" && ok "a shard's run.json says which" \
    || bad "shard manifest: $(head -5 "$T/s1/run.json")"
$DVAL combine "$T/run" "$T/s0" "$T/s1" "$T/s2" -q || bad "combine 0 1 2"
same_run "$T/one" "$T/run" "$T/s0" "combined in order"
$DVAL combine "$T/run2" "$T/s2" "$T/s0" "$T/s1" -q || bad "combine 2 0 1"
same_run "$T/one" "$T/run2" "$T/s2" "combined in another order"
# the combined run is a run: dval fit reads it
$DVAL fit "$T/run2" -q >/dev/null 2>&1 && ok "dval fit reads the combined run" || bad "fit of the combined run"
expect_fail "a shard is not a run" "one shard of a run.*dval combine" $DVAL fit "$T/s1"

# one shard, and more shards than items of some: 1 shard, 5 shards
$DVAL sample "${args[@]}" -o "$T/only" --shard 0/1 || bad "shard 0/1"
$DVAL combine "$T/run1" "$T/only" -q || bad "combine one shard"
same_run "$T/one" "$T/run1" "$T/only" "one shard of 1"

# grid mode, shards killed and resumed
gargs=(--data "$T/d.csv" --mode grid --grid-count 3 --samples 4 --points 500 --min-card 50 --max-card 400 --seed 2 --batch 8 -q)
$DVAL sample "${gargs[@]}" -o "$T/gone" || bad "grid: one process"
for i in 0 1; do $DVAL sample "${gargs[@]}" -o "$T/g$i" --shard $i/2 --threads 1 || bad "grid shard $i"; done
$DVAL combine "$T/grun" "$T/g1" "$T/g0" -q || bad "grid combine"
same_run "$T/gone" "$T/grun" "$T/g1" "grid mode, 2 shards"

big=(--data "$T/d.csv" --samples 60 --points 800 --min-card 100 --max-card 800 --seed 8 --batch 8 -q --threads 2)
$DVAL sample "${big[@]}" -o "$T/bfull" || bad "big: one process"
$DVAL sample "${big[@]}" -o "$T/b1" --shard 1/2 || bad "shard 1/2"
$DVAL sample "${big[@]}" -o "$T/b0" --shard 0/2 &
pid=$!
killed=0
for i in $(seq 1 1500); do
    if [ -f "$T/b0/progress.bin" ] && [ "$(tr -d '\000' < "$T/b0/progress.bin" | wc -c)" -gt 20 ]; then
        kill -9 $pid && killed=1
        break
    fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.02
done
wait $pid 2>/dev/null
[ $killed = 1 ] && ok "shard 0/2 killed mid-run" || bad "could not kill the shard mid-run"
expect_fail "an unfinished shard is refused, named" "b0: shard 0 of 2 is not finished" \
    $DVAL combine "$T/bnot" "$T/b0" "$T/b1"
[ ! -e "$T/bnot/run.json" ] && [ ! -e "$T/bnot/deltas.npy" ] && ok "nothing written for the refused combine" \
    || bad "the refused combine wrote files"
expect_fail "resume as another shard is refused" "another shard" \
    $DVAL sample "${big[@]}" -o "$T/b0" --shard 1/2 --resume
$DVAL sample "${big[@]}" -o "$T/b0" --shard 0/2 --resume || bad "resume shard 0/2"
$DVAL combine "$T/brun" "$T/b1" "$T/b0" -q || bad "combine after resume"
same_run "$T/bfull" "$T/brun" "$T/b1" "a shard killed and resumed"

# refusals
expect_fail "missing shard named" "shard 1 of 3 missing" $DVAL combine "$T/x1" "$T/s0" "$T/s2"
expect_fail "missing shards listed" "shards 1, 2 of 3 missing" $DVAL combine "$T/x2" "$T/s0"
expect_fail "duplicated shard named" "s1 and .*s1b? are both shard 1 of 3" \
    $DVAL combine "$T/x3" "$T/s0" "$T/s1" "$T/s1" "$T/s2"
$DVAL sample "${args[@]}" --seed 5 -o "$T/f1" --shard 1/3 || bad "foreign shard"
expect_fail "foreign shard named" "f1: a shard of another run" \
    $DVAL combine "$T/x4" "$T/s0" "$T/f1" "$T/s2"
$DVAL sample "${args[@]}" -o "$T/c4" --shard 1/4 || bad "shard 1/4"
expect_fail "shard of another count named" "c4 is shard 1 of 4, but .*s0 is of 3" \
    $DVAL combine "$T/x5" "$T/s0" "$T/c4" "$T/s2"
expect_fail "a whole run is not a shard" "one: a whole run, not a shard" \
    $DVAL combine "$T/x6" "$T/s0" "$T/one"
expect_fail "a directory without a run" "nothing: not a shard of a run" \
    $DVAL combine "$T/x7" "$T/s0" "$T/nothing"
expect_fail "combine into an existing run refused" "already holds a run" \
    $DVAL combine "$T/run" "$T/s0" "$T/s1" "$T/s2"
for x in x1 x2 x3 x4 x5 x6 x7; do
    [ -e "$T/$x/run.json" ] || [ -e "$T/$x/deltas.npy" ] || [ -e "$T/$x/deltas.npy.partial" ] \
        && bad "$x: files written by a refused combine"
done
ok "refused combines write nothing"
same_run "$T/one" "$T/run" "$T/s0" "the existing run untouched"
expect_fail "bad --shard" "not I/N" $DVAL sample "${args[@]}" -o "$T/y" --shard 3
expect_fail "--shard I out of range" "--shard I" $DVAL sample "${args[@]}" -o "$T/y" --shard 3/3
expect_fail "combine needs shards" "shard directories" $DVAL combine "$T/y"
finish
