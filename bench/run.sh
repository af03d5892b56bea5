#!/bin/sh
# Runs the benchmarks; results go to stdout (record them in BENCHMARKS.md
# with the machine and date).  Usage: sh bench/run.sh BUILD_DIR
B=${1:-build}
echo "# $(date -u +%Y-%m-%d) $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "## sampler (bench_sampler 2048 points x 20 samples)"
"$B/bench_sampler" 2048 20 1 2
echo "## maximum-likelihood fits (bench_mle)"
"$B/bench_mle"
echo "## KNN-Shapley (bench_knn: 50,000 x 1,000, d = 10, K = 10)"
"$B/bench_knn"
