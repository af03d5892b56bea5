#!/usr/bin/env bash
# The failure matrix's surroundings (docs/RELIABILITY.md): a file-size limit,
# a full file system, a read-only output directory and an address-space
# limit.  Every command must fail with the system's reason naming the path,
# exit non-zero, leave an existing output as it was and no temporary file;
# a sampling run stopped by a full disk resumes to the same bytes.
. "$(dirname "$0")/lib.inc"
set -u
$DVAL synth linear-clf -o "$T/in.csv" --rows 400 --seed 1 2>/dev/null
SAMPLE=(--data "$T/in.csv" --points 30 --samples 6 --min-card 20 --max-card 80 -q)
$DVAL sample "${SAMPLE[@]}" -o "$T/run" || bad "sample"
$DVAL fit "$T/run" -q || bad "fit"

# check_kept NAME FILE: FILE still holds "old", and no temporary file is
# left beside it.
check_kept() {
    if [ "$(cat "$2")" != old ]; then
        bad "$1: the existing $2 was changed"
    elif ls -a "$(dirname "$2")" | grep -q 'tmp'; then
        bad "$1: a temporary file is left: $(ls -a "$(dirname "$2")" | grep tmp)"
    else
        ok "$1: the existing output is kept"
    fi
}

# The writers of each kind of output: CSV (synth, fit, value), a figure,
# and the sampler's memory-mapped arrays.
writers() {
    local dir=$1
    echo "synth linear-clf -o $dir/out.csv"
    echo "fit $T/run -q -o $dir/out.csv"
    echo "value --from $T/run -o $dir/out.csv"
    echo "plot law $T/run -o $dir/out.csv.png"
}

# 1. A file-size limit (RLIMIT_FSIZE) with SIGXFSZ ignored: writes fail
#    with EFBIG, as on a quota.
mkdir "$T/fsize"
while read -r args; do
    out=$(echo "$args" | grep -o "$T/fsize/[^ ]*")
    echo old >"$out"
    # shellcheck disable=SC2086
    expect_fail "file-size limit: dval ${args%% *}" "$out.*File too large" \
        bash -c 'ulimit -f 1; trap "" XFSZ; exec "$@"' _ $DVAL $args
    check_kept "file-size limit: dval ${args%% *}" "$out"
    rm -f "$out"
done < <(writers "$T/fsize")
expect_fail "file-size limit: dval sample" "deltas.npy.partial.*File too large" \
    bash -c 'ulimit -f 1; trap "" XFSZ; exec "$@"' _ $DVAL sample "${SAMPLE[@]}" -o "$T/fsize/run"

# 2-3. A full file system and a read-only one: a small tmpfs, where the
#    system lets this test mount one (root in most containers).
M="$T/mnt"
mkdir "$M"
if mount -t tmpfs -o size=64k tmpfs "$M" 2>/dev/null; then
    trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT
    while read -r args; do
        out=$(echo "$args" | grep -o "$M/[^ ]*")
        echo old >"$out"
        head -c 1M /dev/zero >"$M/filler" 2>/dev/null # until full
        # shellcheck disable=SC2086
        expect_fail "full file system: dval ${args%% *}" "$out.*No space left on device" \
            $DVAL $args
        check_kept "full file system: dval ${args%% *}" "$out"
        rm -f "$out" "$M/filler"
    done < <(writers "$M")
    # The sampler's arrays are mapped into memory: without a reservation
    # of their blocks a full disk would end it with SIGBUS.  Room for the
    # small files (a page each), not for the arrays.
    head -c 40k /dev/zero >"$M/filler"
    expect_fail "full file system: dval sample" "partial.*No space left on device" \
        $DVAL sample "${SAMPLE[@]}" -o "$M/run" --samples 200
    rm -f "$M/filler"
    mount -o remount,size=4m "$M"
    if $DVAL sample "${SAMPLE[@]}" -o "$M/run" --samples 200 --resume &&
        $DVAL sample "${SAMPLE[@]}" -o "$T/run200" --samples 200 &&
        cmp -s "$M/run/deltas.npy" "$T/run200/deltas.npy" &&
        cmp -s "$M/run/cards.npy" "$T/run200/cards.npy"; then
        ok "full file system: --resume after space is freed gives the same bytes"
    else
        bad "full file system: --resume after space is freed"
    fi
    echo old >"$M/kept.csv"
    mount -o remount,ro "$M"
    expect_fail "read-only file system: dval synth" "$M/kept.csv.*Read-only file system" \
        $DVAL synth linear-clf -o "$M/kept.csv"
    expect_fail "read-only file system: dval sample" "$M/ro_run.*Read-only file system" \
        $DVAL sample "${SAMPLE[@]}" -o "$M/ro_run"
    check_kept "read-only file system" "$M/kept.csv"
    umount "$M"
else
    echo "# skipped: a full and a read-only file system (this system does not let the test mount a tmpfs)"
fi

# 3b. A directory the user may not write to (as root, by running dval as
#     nobody: root ignores permissions).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    chmod 755 "$T"
    mkdir -m 755 "$T/ro"
    echo old >"$T/ro/out.csv"
    chmod 644 "$T/ro/out.csv" "$T/in.csv"
    AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    expect_fail "directory not writable: dval synth" "$T/ro/out.csv.*Permission denied" \
        "${AS_NOBODY[@]}" $DVAL synth linear-clf -o "$T/ro/out.csv"
    expect_fail "directory not writable: dval sample" "$T/ro/run.*Permission denied" \
        "${AS_NOBODY[@]}" $DVAL sample "${SAMPLE[@]}" -o "$T/ro/run"
    check_kept "directory not writable" "$T/ro/out.csv"
else
    echo "# skipped: an unwritable directory (needs root and setpriv to run dval as another user)"
fi

# 4. An address-space limit: allocations that fail are reported, not a
#    crash.  (OpenBLAS's start-up needs OMP_NUM_THREADS=1 under a limit, and
#    the sanitizers' shadow memory cannot run under one.)
if [ -z "${DV_SANITIZED:-}" ]; then
    LIMIT='ulimit -v 600000; export OMP_NUM_THREADS=1; exec "$@"'
    expect_fail "address-space limit: dval synth" "out of memory" \
        bash -c "$LIMIT" _ $DVAL synth linear-clf --rows 100000000 -o "$T/big.csv"
    expect_fail "address-space limit: dval value --method ame" "out of memory for 100000000" \
        bash -c "$LIMIT" _ $DVAL value --method ame --max-samples 100000000 --data "$T/in.csv" \
        -o "$T/ame.csv"
    if [ -e "$T/big.csv" ] || [ -e "$T/ame.csv" ]; then
        bad "address-space limit: an output was written"
    else
        ok "address-space limit: no output"
    fi
else
    echo "# skipped under the sanitizers: an address-space limit"
fi
finish
