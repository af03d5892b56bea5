#!/bin/sh
# Runs every libFuzzer harness of BUILD_DIR (made with `make fuzz-build`).
#   sh fuzz/run.sh BUILD_DIR SECONDS   each harness for SECONDS, growing the
#                                      corpus kept in BUILD_DIR/corpus/NAME
#   sh fuzz/run.sh BUILD_DIR -runs N   each harness for N inputs from the
#                                      seed corpus, with a fixed seed (the
#                                      short, repeatable run of `make test`)
# Inputs that crash are saved as BUILD_DIR/crashes/NAME-*; the script then
# fails.  Once fixed, such an input goes to fuzz/regress/NAME/, where the
# ordinary test suite replays it.
B=${1:?build dir}
shift
SRC=$(cd "$(dirname "$0")" && pwd)
if [ "$1" = "-runs" ]; then
    LIMIT="-runs=${2:?count} -seed=1"
    KEEP=0
else
    LIMIT="-max_total_time=${1:-300}"
    KEEP=1
fi
mkdir -p "$B/crashes"
status=0
printf '%-11s %10s %8s %6s %8s\n' harness inputs seconds cov corpus
for exe in "$B"/fuzz/fuzz_*; do
    name=${exe##*/fuzz_}
    work="$B/corpus/$name"
    [ "$KEEP" = 1 ] || rm -rf "$work"
    mkdir -p "$work"
    log="$B/fuzz_$name.log"
    start=$(date +%s)
    # Runs one input at a time in this process; 2 GB for the allocations
    # of a damaged file is a failure too (-malloc_limit_mb).
    OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1 \
        "$exe" "$work" "$SRC/corpus/$name" $LIMIT -rss_limit_mb=2560 -malloc_limit_mb=2048 \
        -timeout=20 -artifact_prefix="$B/crashes/$name-" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    printf '%-11s %10s %8s %6s %8s\n' "$name" "${runs:-?}" "$secs" "${cov:-?}" \
        "$(ls "$work" | wc -l)"
    if [ $rc -ne 0 ]; then
        echo "fuzz_$name failed (exit $rc); its log: $log" >&2
        grep -E 'ERROR|check failed|SUMMARY' "$log" | head -5 >&2
        status=1
    fi
done
exit $status
