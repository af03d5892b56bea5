#!/usr/bin/env python3
"""The Python layer's cost: dval.value against `dval value` doing the same
work (KNN-Shapley on 1,000 training x 1,000 validation rows, and a larger
call), and what handing a 1,000,000 x 50 float64 array to the library costs
in time and peak memory.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py build/dval

Each time is the best of --reps runs (default 5)."""

import argparse
import ctypes
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

import dval
from dval import _data, _lib


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
    ap.add_argument("--handover", choices=("as-is", "standardized"), help=argparse.SUPPRESS)
    ap.add_argument("--only-handover", action="store_true",
                    help="skip the calls; only the large array")
    a = ap.parse_args()
    if a.handover:
        return handover(a.handover)
    if not a.only_handover:
        with tempfile.TemporaryDirectory() as d:
            calls(a, d)
    # handing over a large array, each in a fresh process (the peak resident
    # set only grows): borrowed as it is, and standardized (one copy)
    print("\n| 1,000,000 x 50 float64 (400 MB) to library datasets | s | peak memory (MB) | copied |")
    print("|---|---|---|---|")
    for std in (False, True):
        subprocess.run([sys.executable, __file__, a.dval, "--handover",
                        "standardized" if std else "as-is"], check=True)


def calls(a, d):
    """dval.value against dval value on the same data, three calls."""
    rng = np.random.default_rng(0)
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


def handover(how):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1_000_000, 50))
    y = (X[:, 0] > 0).astype(np.int64)
    Xv, yv = X[:1000].copy(), y[:1000].copy()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    data = _data.from_arrays(X, y, Xv, yv, standardize=how == "standardized")
    t1 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    same = _lib.lib.dv_dataset_features(data.train)
    copied = ctypes.cast(same, ctypes.c_void_p).value != X.ctypes.data
    print("| %s | %.2f | +%.0f | %s |" % (
        "as it is (standardize=False)" if how == "as-is" else "standardize=True",
        t1 - t0, (after - before) / 1024, "yes" if copied else "no (borrowed)"))
    del data


if __name__ == "__main__":
    sys.exit(main())
