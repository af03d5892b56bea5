#!/usr/bin/env python3
"""The Python layer's cost: dval.value against `dval value` doing the same
work (KNN-Shapley on 1,000 training x 1,000 validation rows, and a larger
call), and what handing a 1,000,000 x 50 float64 array to the library costs
in time and peak memory.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py build/dval

Each time is the best of --reps runs (default 5)."""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

import dval
from dval import _data


def best(fn, reps):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def write_csv(path, X, y):
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.17g",
               header=",".join(["x%d" % j for j in range(X.shape[1])] + ["label"]), comments="")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dval")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as d:
        print("| call | library's own time (s) | Python (s) | command (s) | Python / command |")
        print("|---|---|---|---|---|")
        for n, nv, dim, method, opts in ((1000, 1000, 20, "knn", []),
                                         (1000, 1000, 20, "tmc", ["--max-samples", "100"]),
                                         (20000, 2000, 20, "knn", [])):
            X = rng.normal(size=(n + nv, dim))
            y = (X[:, 0] + rng.normal(size=n + nv) > 0).astype(int)
            files = [os.path.join(d, f) for f in ("tr.csv", "va.csv")]
            write_csv(files[0], X[:n], y[:n])
            write_csv(files[1], X[n:], y[n:])
            kw = {"max_samples": int(opts[1])} if opts else {}
            own = []
            tp = best(lambda: own.append(dval.value(X[:n], y[:n], X[n:], y[n:], method=method,
                                                    threads=2, **kw).seconds), a.reps)
            cmd = [a.dval, "value", "--method", method, "--data", files[0], "--val-data",
                   files[1], "--test-data", files[1], "--threads", "2", "-q",
                   "-o", os.path.join(d, "v.csv")] + opts
            tc = best(lambda: subprocess.run(cmd, check=True), a.reps)
            print("| %s, %d x %d train, %d validation | %.3f | %.3f | %.3f | %.2f |"
                  % (method, n, dim, nv, min(own), tp, tc, tp / tc))
    # handing over a large array: dv_dataset_from_arrays copies it once
    X = rng.normal(size=(1_000_000, 50))
    y = (X[:, 0] > 0).astype(np.int64)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    data = _data.from_arrays(X, y, X[:1000], y[:1000], standardize=False)
    t1 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("\n1,000,000 x 50 float64 (%.0f MB) to a library dataset: %.2f s, peak memory +%.0f MB"
          % (X.nbytes / 1e6, t1 - t0, (after - before) / 1024))
    del data


if __name__ == "__main__":
    sys.exit(main())
