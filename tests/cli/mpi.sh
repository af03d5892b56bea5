#!/usr/bin/env bash
# mpirun -n R: dval sample writes the run of one process, byte for byte,
# for R = 1, 2, 3 (oversubscribed on a small machine), also when a process
# is killed mid-run and the run resumed with another R; the sampling
# methods of dval value and knn give the values of one process; commands
# that run on one process refuse several.
. "$(dirname "$0")/lib.inc"
set -u
if ! command -v mpirun >/dev/null; then
    echo "ok - skipped: no mpirun (Debian's openmpi-bin)"
    finish
    exit
fi
# Root may run Open MPI's mpirun when told so; more processes than cores;
# shared memory only.  LeakSanitizer reports Open MPI's own plugins.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
[ -n "${DV_SANITIZED:-}" ] && export ASAN_OPTIONS=detect_leaks=0
mpi() { local r=$1; shift; mpirun -n "$r" "$DVAL" "$@" </dev/null; }

$DVAL synth linear-clf -o "$T/d.csv" --rows 1500 --features 12 --noise 0.5 --seed 3 2>/dev/null
if mpi 2 synth linear-clf -o "$T/x.csv" --rows 10 2>"$T/x.err" || ! grep -q "runs on one process" "$T/x.err"; then
    if grep -q "built without MPI" "$T/x.err"; then
        ok "skipped: this dval was built without MPI (and says so under mpirun)"
        finish
        exit
    fi
    bad "dval synth on 2 processes: not refused: $(cat "$T/x.err")"
else
    ok "a command that runs on one process refuses mpirun -n 2, saying so"
fi
[ -e "$T/x.csv" ] && bad "the refused command wrote its output" || ok "the refused command wrote nothing"

same_run() { # same_run A B NAME: the files of runs A and B are equal
    local f
    for f in deltas.npy cards.npy points.npy points.csv; do
        cmp -s "$1/$f" "$2/$f" || { bad "$3: $f differs"; return; }
    done
    # (run.json records the command: its directory and threads differ here)
    sed "s|$1|$2|g; s/--threads [0-9]*//" "$1/run.json" | cmp -s - <(sed "s/--threads [0-9]*//" "$2/run.json") \
        || { bad "$3: run.json differs"; return; }
    [ ! -e "$2/progress.bin" ] || { bad "$3: progress.bin left"; return; }
    ok "$3: the files of one process, byte for byte"
}

args=(--data "$T/d.csv" --samples 12 --points 700 --min-card 50 --max-card 400 --seed 5 --batch 16 -q)
$DVAL sample "${args[@]}" -o "$T/one" --threads 2 || bad "one process"
for r in 1 2 3; do
    mpi $r sample "${args[@]}" -o "$T/r$r" --threads 1 || bad "mpirun -n $r"
    same_run "$T/one" "$T/r$r" "sample on $r processes, 1 thread each"
done
mpi 2 sample "${args[@]}" -o "$T/r2t2" --threads 2 || bad "mpirun -n 2 --threads 2"
same_run "$T/one" "$T/r2t2" "sample on 2 processes, 2 threads each"
grep -q "x 2 processes" "$T/r2t2/timing.txt" && ok "timing.txt names the processes" \
    || bad "timing.txt: $(cat "$T/r2t2/timing.txt")"

# A process killed mid-run (kill -9): mpirun ends the others; --resume on
# another number of processes finishes the same files.
big=(--data "$T/d.csv" --samples 60 --points 800 --min-card 100 --max-card 800 --seed 8 --batch 8 -q)
$DVAL sample "${big[@]}" -o "$T/full" --threads 2 || bad "uninterrupted run"
mpirun -n 2 "$DVAL" sample "${big[@]}" -o "$T/cut" --threads 1 </dev/null 2>/dev/null &
mp=$!
killed=0
for i in $(seq 1 1500); do
    if [ -f "$T/cut/progress.bin" ]; then
        n=$(tr -d '\000' < "$T/cut/progress.bin" | wc -c)
        if [ "$n" -gt 30 ]; then
            victim=$(pgrep -P $mp -f "dval sample" | tail -1)
            [ -n "$victim" ] && kill -9 $victim && killed=1
            break
        fi
    fi
    kill -0 $mp 2>/dev/null || break
    sleep 0.02
done
wait $mp 2>/dev/null
st=$?
if [ $killed -eq 1 ] && [ $st -ne 0 ] && [ -f "$T/cut/progress.bin" ]; then
    ok "a process killed mid-run ($n items done): mpirun failed ($st), the run is partial"
else
    bad "could not kill a process mid-run (killed $killed, status $st)"
fi
sleep 0.5 # (the processes mpirun ended release the run's lock)
mpi 3 sample "${big[@]}" -o "$T/cut" --threads 1 --resume || bad "resume on 3 processes"
same_run "$T/full" "$T/cut" "killed on 2 processes, resumed on 3"

# The sampling methods of dval value, and knn, on 1 and on 2 or 3 processes.
head -301 "$T/d.csv" > "$T/s.csv"
vargs=(--data "$T/s.csv" -q)
for m in tmc beta banzhaf ame oob memorization gshapley ts-shapley forgetting knn loo; do
    extra=(--max-samples 120)
    case $m in
        knn|loo) extra=() ;;
        ame) extra=(--max-samples 200) ;;
        forgetting) extra=(--max-samples 5 --learner mlp --hidden 8 --epochs 4) ;;
    esac
    $DVAL value --method $m "${vargs[@]}" "${extra[@]}" -o "$T/v1_$m.csv" --threads 2 || bad "$m: one process"
    for r in 2 3; do
        mpi $r value --method $m "${vargs[@]}" "${extra[@]}" -o "$T/v${r}_$m.csv" --threads 1 \
            || bad "$m: mpirun -n $r"
    done
    if cmp -s "$T/v1_$m.csv" "$T/v2_$m.csv" && cmp -s "$T/v1_$m.csv" "$T/v3_$m.csv"; then
        ok "value --method $m: the values of one process on 2 and 3 processes"
    else
        bad "value --method $m: the values differ on several processes"
    fi
done
# tmc's stopping rules see the samples in order: a rule that stops early
# stops at the same sample
$DVAL value --method tmc "${vargs[@]}" --max-samples 2000 --min-samples 50 --check-every 25 \
    --rhat 1.05 --rel-stderr 0 -o "$T/rule1.csv" --threads 2 2>/dev/null || bad "tmc rule: one process"
mpi 3 value --method tmc "${vargs[@]}" --max-samples 2000 --min-samples 50 --check-every 25 \
    --rhat 1.05 --rel-stderr 0 -o "$T/rule3.csv" --threads 1 2>/dev/null || bad "tmc rule: 3 processes"
s1=$(grep -o '"samples": [0-9]*' "$T/rule1.csv.json")
s3=$(grep -o '"samples": [0-9]*' "$T/rule3.csv.json")
# (it stops after the first check, at a sample other than the budget's)
if [ -n "$s1" ] && [ "$s1" = "$s3" ] && [ "$s1" != '"samples": 2000' ] && [ "$s1" != '"samples": 50' ] \
    && cmp -s "$T/rule1.csv" "$T/rule3.csv"; then
    ok "tmc stopped by R-hat at the same sample ($s1) with the same values on 3 processes"
else
    bad "tmc's rule: one process $s1, three $s3"
fi

# an error every process meets is said once, by process 0, and ends the job
if mpi 3 sample --data "$T/none.csv" -o "$T/none" -q 2>"$T/none.err"; then
    bad "a missing data file on 3 processes: exited 0"
else
    n=$(grep -c "none.csv: cannot open" "$T/none.err")
    [ "$n" = 1 ] && ok "a missing data file on 3 processes: one message, the job ended" \
        || bad "a missing data file on 3 processes: $n messages: $(cat "$T/none.err")"
fi
[ ! -e "$T/none/run.json" ] && ok "nothing written for it" || bad "a run was created"
expect_fail "dval fit refuses several processes" "runs on one process" mpi 2 fit "$T/one"
expect_fail "value --from refuses several processes" "runs on one process" \
    mpi 2 value --from "$T/one"
finish
