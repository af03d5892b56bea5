#!/bin/sh
# Strong scaling of `dval sample` from 1 to R MPI processes of one thread
# each, on Adult (48,842 rows, 108 features after encoding; from
# ../shared/data, else the bundled 4,000-row sample): the same run on 1
# process and under mpirun -n R, its wall time (timing.txt: dval_run_execute
# alone, without reading the data), the time of the set-up (a run of one
# sample: the full-data fit and the warm-start fits), the seconds per work
# item after it, and a byte comparison of the outputs.
#
# Usage: sh bench/mpi_scaling.sh [build/dval] [R] [SAMPLES] [POINTS]
set -eu
DVAL=${1:-build/dval}
R=${2:-2}
M=${3:-60}
P=${4:-2048}
DATA=../shared/data/adult.csv.gz
[ -f "$DATA" ] || DATA=data/adult_4000.csv.gz
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
secs() { sed -n 's/^dval sample: \([0-9.]*\) s.*/\1/p' "$1/timing.txt"; }
args="--data $DATA --points $P --min-card 100 --max-card 1000 --threads 1 -q"
B=$(( (P + 127) / 128 ))
echo "data $DATA, $P points (batches of 128: $B), k in [100, 1000], 1 thread per process"
for n in 1 $R; do
    if [ $n = 1 ]; then run() { "$DVAL" "$@"; }; else run() { mpirun -n $n "$DVAL" "$@" </dev/null; }; fi
    run sample $args --samples 1 -o "$T/setup$n"
    run sample $args --samples "$M" -o "$T/run$n"
    s0=$(secs "$T/setup$n")
    s=$(secs "$T/run$n")
    echo "$n process(es): $M samples $s s (set-up alone $s0 s); $(echo "$s $s0 $B $M" | \
        awk '{printf "%.1f ms per item after the set-up (%d items), %.0f items/s", 1000*($1-$2)/($3*($4-1)), $3*$4, $3*($4-1)/($1-$2)}')"
done
cmp "$T/run1/deltas.npy" "$T/run$R/deltas.npy" && cmp "$T/run1/cards.npy" "$T/run$R/cards.npy" \
    && echo "outputs identical on 1 and $R processes"
