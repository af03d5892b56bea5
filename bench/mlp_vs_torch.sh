#!/bin/sh
# The mlp learner's time per epoch against PyTorch's (Debian's python3-torch),
# same layer sizes, batch and float64, one thread each, in one run.
# usage: sh bench/mlp_vs_torch.sh BUILD_DIR [ROWS FEATURES HIDDEN EPOCHS BATCH]
B=${1:-build}
shift 2>/dev/null
set -- "${1:-10000}" "${2:-50}" "${3:-32,32,32}" "${4:-25}" "${5:-1280}"
a=$(OMP_NUM_THREADS=1 "$B/bench_mlp" "$@") || exit 1
b=$(OMP_NUM_THREADS=1 /usr/bin/python3 "$(dirname "$0")/mlp_torch.py" "$@") || exit 1
echo "$a"
echo "$b"
da=$(echo "$a" | awk '{print $2}'); tb=$(echo "$b" | awk '{print $2}')
awk -v a="$da" -v b="$tb" 'BEGIN { printf "rows %s, features %s, hidden %s, epochs %s, batch %s: torch / dval = %.2f\n", ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], b / a }' "$@"
