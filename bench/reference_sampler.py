#!/usr/bin/python3
"""Python/scikit-learn re-implementation of the reference distributional sampler.

What this is
------------
A speed baseline for dval's C sampler (bench/bench_sampler.c).  It re-implements,
in plain Python + scikit-learn, the marginal-contribution sampler of Covert, Ji,
Hashimoto & Zou, "Scaling Laws for the Value of Individual Data Points in Machine
Learning" (ICML 2024; iancovert/data-scaling, ``DistributionalSampler``), on the
reference ``lm_clf`` setting. 
The number it prints (samples/s) is what BENCHMARKS.md compares dval against.
It is NOT part of the test suite and nothing in the build depends on it.

What it does
------------
* Data (lm_clf): n = 12000, d = 50, x ~ N(0, I), coef ~ N(0, I),
  y = 1[x . coef + 0.1 * eps > 0], all drawn from numpy ``default_rng(0)``.
  A seeded random split gives 10000 train / 1000 validation / 1000 test;
  all three are standardized with the training mean and standard deviation.
* For each of the first P training points z and M samples each:
  k ~ uniform integer in [100, 1000] (inclusive); S = class-stratified subset
  of the training set of size k, drawn without replacement from the training
  points other than z (per-class count = round(class share * k), the remainder,
  possibly negative, goes to the majority class; class shares are those of the
  whole training set); a fresh ``sklearn.linear_model.LogisticRegression()``
  (defaults: C=1, lbfgs, max_iter=100, intercept) is fitted on S and another
  on S + {z}; the utility is U = -log_loss(y_val, predict_proba(X_val)) on the
  1000-point validation split (``sklearn.metrics.log_loss``, natural log);
  the sample is delta = U(S + z) - U(S).
  Nothing is skipped: a single-class subset would make sklearn raise, which
  cannot happen here (k >= 100, roughly balanced classes).
* Runs single-threaded (OMP/OpenBLAS/MKL threads = 1, set before numpy is
  imported).  Only the sampling loop is timed; data set-up is reported apart.

Differences from the reference code (deliberate)
------------------------------------------------
* Utility: the reference computes ``-torch.nn.functional.cross_entropy`` on the
  predicted *probabilities* (a softmax-of-probabilities cross entropy).  dval's default utility is the plain log-loss, so this
  baseline uses the plain log-loss.  The cost of either is negligible next to
  the two fits, so the timing is unaffected.
* k range: the reference draws k with ``np.random.randint(100, 1000)``, i.e. in
  [100, 999]; here (as in dval's benchmark) k is in [100, 1000] inclusive.
* The reference does not exclude z from S; here it is excluded (as in dval).
* The reference seeds the data with ``torch.manual_seed(42)`` and splits without
  a seed, and patches sklearn with sklearnex (Intel oneDAL); here the data use
  numpy ``default_rng(0)``, the split is seeded, and sklearn is stock.
None of these changes the amount of work per sample (two lbfgs fits on
~550 x 50 rows plus two predict_proba calls on 1000 rows).

How to run
----------
    apt-get install -y python3-sklearn      # Debian's numpy/scipy/sklearn
    /usr/bin/python3 bench/reference_sampler.py --points 20 --samples 10
    /usr/bin/python3 bench/reference_sampler.py --points 20 --samples 10 --out deltas.npy

(Use /usr/bin/python3: Debian's numpy and sklearn live there.)  ``--out``
saves the deltas as a float64 array of shape (points, samples), row p being
training point p.
"""

import os

# Single-threaded BLAS/OpenMP: must be set before numpy/scipy/sklearn load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

N_TOTAL = 12000
DIM = 50
N_TRAIN = 10000
N_VAL = 1000
N_TEST = 1000
MIN_CARD = 100
MAX_CARD = 1000  # inclusive
DATA_SEED = 0


def make_lm_clf(seed=DATA_SEED):
    """lm_clf data: x ~ N(0, I), coef ~ N(0, I), y = 1[x.coef + 0.1 eps > 0]."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N_TOTAL, DIM))
    coef = rng.standard_normal(DIM)
    eps = rng.standard_normal(N_TOTAL)
    y = (x @ coef + 0.1 * eps > 0).astype(np.int64)
    return x, y


def split_and_standardize(x, y, seed):
    """Seeded 10000/1000/1000 split, standardized with train statistics."""
    perm = np.random.default_rng(seed).permutation(len(y))
    tr = perm[:N_TRAIN]
    va = perm[N_TRAIN:N_TRAIN + N_VAL]
    te = perm[N_TRAIN + N_VAL:N_TRAIN + N_VAL + N_TEST]
    mean = x[tr].mean(axis=0)
    std = x[tr].std(axis=0)
    std[std == 0] = 1.0
    xs = (x - mean) / std
    return (xs[tr], y[tr]), (xs[va], y[va]), (xs[te], y[te])


def stratified_counts(class_share, k):
    """Per-class counts round(share * k); the remainder goes to the majority class."""
    counts = np.round(class_share * k).astype(np.int64)
    counts[np.argmax(class_share)] += k - counts.sum()
    return counts


def sample_subset(rng, class_pools, class_share, k, exclude):
    """Class-stratified subset of size k, without replacement, never containing `exclude`."""
    counts = stratified_counts(class_share, k)
    parts = []
    for pool, c in zip(class_pools, counts):
        pool = pool[pool != exclude]
        parts.append(rng.choice(pool, size=int(c), replace=False))
    return np.concatenate(parts)


def utility(x_fit, y_fit, x_val, y_val):
    """Negative validation log-loss of a fresh default LogisticRegression."""
    model = LogisticRegression()
    model.fit(x_fit, y_fit)
    return -log_loss(y_val, model.predict_proba(x_val), labels=model.classes_)


def run_sampler(train, val, points, samples, seed):
    x_tr, y_tr = train
    x_va, y_va = val
    rng = np.random.default_rng(seed)
    classes = np.unique(y_tr)
    class_pools = [np.flatnonzero(y_tr == c) for c in classes]
    class_share = np.array([len(p) for p in class_pools], dtype=np.float64) / len(y_tr)

    deltas = np.empty((points, samples), dtype=np.float64)
    cards = np.empty((points, samples), dtype=np.int64)
    for i in range(points):
        for j in range(samples):
            k = int(rng.integers(MIN_CARD, MAX_CARD, endpoint=True))
            s = sample_subset(rng, class_pools, class_share, k, exclude=i)
            u_without = utility(x_tr[s], y_tr[s], x_va, y_va)
            s_with = np.append(s, i)
            u_with = utility(x_tr[s_with], y_tr[s_with], x_va, y_va)
            deltas[i, j] = u_with - u_without
            cards[i, j] = k
    return deltas, cards


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=20,
                    help="number of training points valued (the first P; default 20)")
    ap.add_argument("--samples", type=int, default=10,
                    help="samples (delta draws) per point (default 10)")
    ap.add_argument("--seed", type=int, default=0,
                    help="seed of the split and of the sampler (default 0)")
    ap.add_argument("--out", metavar="FILE.npy",
                    help="save the (points, samples) array of deltas here")
    args = ap.parse_args(argv)
    if args.points < 1 or args.points > N_TRAIN or args.samples < 1:
        ap.error("need 1 <= points <= %d and samples >= 1" % N_TRAIN)

    t0 = time.perf_counter()
    x, y = make_lm_clf()
    train, val, _test = split_and_standardize(x, y, args.seed)
    t_setup = time.perf_counter() - t0

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        t0 = time.perf_counter()
        c0 = time.process_time()
        deltas, cards = run_sampler(train, val, args.points, args.samples, args.seed + 1)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
    n_conv = sum(issubclass(w.category, ConvergenceWarning) for w in caught)

    n = deltas.size
    print("reference sampler (Python/sklearn), lm_clf n_train=%d n_val=%d d=%d, "
          "LogisticRegression() defaults, k in [%d,%d], utility = -log_loss"
          % (len(train[1]), len(val[1]), DIM, MIN_CARD, MAX_CARD))
    print("python %s, numpy %s, sklearn %s (%s)"
          % (platform.python_version(), np.__version__, sklearn.__version__, sys.executable))
    print("points=%d samples=%d seed=%d" % (args.points, args.samples, args.seed))
    print("setup: %.3f s" % t_setup)
    print("samples: %d (%d fits)" % (n, 2 * n))
    print("wall: %.3f s  (cpu %.3f s)" % (wall, cpu))
    print("samples/s: %.2f" % (n / wall))
    print("mean k: %.1f  mean delta: %.3e  convergence warnings: %d"
          % (cards.mean(), deltas.mean(), n_conv))
    if args.out:
        np.save(args.out, deltas)
        print("deltas saved to %s, shape %s" % (args.out, deltas.shape))
    return 0


if __name__ == "__main__":
    sys.exit(main())
