"""The tasks values are used for, as ``dval eval`` runs them: finding flipped
labels (noisy) and the test metric as the highest- and lowest-valued
points are removed (removal).  The numbers are the library's; the files
written are the command's, byte for byte, but for the seconds column."""

import ctypes
import math
import os

import numpy as np

from . import _call, _data, _lib, _value
from .plot import _opts, _show


class Detection(ctypes.Structure):
    _fields_ = [("f1", ctypes.c_double), ("threshold", ctypes.c_double),
                ("n_predicted", ctypes.c_size_t), ("auroc", ctypes.c_double),
                ("recall", ctypes.c_double)]


_lib.STRUCTS["dv_detection"] = Detection
P = P_ = ctypes.POINTER
for _name, _res, _args in (
        ("dv_flip_labels", ctypes.c_int, [_lib.Dataset, ctypes.c_double, ctypes.c_uint64,
                                          P(ctypes.c_int64), P(ctypes.c_size_t), P(_lib.DvError)]),
        ("dv_detection_eval", ctypes.c_int, [P(ctypes.c_double), P(ctypes.c_ubyte),
                                             ctypes.c_size_t, P(Detection), P(_lib.DvError)]),
        ("dv_removal_curve", ctypes.c_int, [_lib.Dataset, _lib.Dataset, P(_lib.LearnerParams),
                                            ctypes.c_int, P(ctypes.c_double), ctypes.c_size_t,
                                            ctypes.c_size_t, P(ctypes.c_double),
                                            P(ctypes.c_double), P(_lib.DvError)]),
        ("dv_addition_gains", ctypes.c_int, [_lib.Dataset, _lib.Dataset, P(_lib.LearnerParams),
                                             ctypes.c_int, P(ctypes.c_int64), ctypes.c_size_t,
                                             P(ctypes.c_double), ctypes.c_size_t,
                                             ctypes.c_size_t, ctypes.c_size_t, ctypes.c_uint64,
                                             ctypes.c_int, P(ctypes.c_double),
                                             P(_lib.DvError)]),
        ("dv_law_fit_many", ctypes.c_int, [P(ctypes.c_double), P(ctypes.c_int32),
                                           ctypes.c_size_t, ctypes.c_size_t, P(_lib.Law),
                                           ctypes.c_int]),
        ("dv_run_values", None, [ctypes.c_void_p, P(_lib.Law), P(ctypes.c_double),
                                 P(ctypes.c_double), P(ctypes.c_double)])):
    _f = getattr(_lib.lib, _name)
    _f.restype, _f.argtypes = _res, _args


def _dp(a):
    return a.ctypes.data_as(P(ctypes.c_double))


def _g(x):
    """A number as the command writes it (%.17g)."""
    return "%.17g" % x


def _commit(path, text):
    """Writes text to path through a temporary name, as the library does."""
    path = os.fspath(path)
    tmp = "%s.tmp%d" % (path, os.getpid())
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class NoisyResult:
    """What :func:`dval.noisy` returns.

    Attributes
    ----------
    methods : list of str
        The methods, in the order asked.
    f1, auroc, recall : ndarray of float64
        Per method: the F1 of the lower cluster of values (the exact 1-D
        2-means split) as the predicted flips, P(value of a flipped point <
        value of a clean one), and the flips among the |flipped| lowest values.
    predicted, samples : ndarray of int64
    seconds : ndarray of float64
    stopped_by : list of str
        Each method's stopping rule, or ``error`` (then ``errors`` has its
        message and its numbers are NaN).
    values : dict of str to ndarray
        Each method's values of the training points (the flipped labels in).
    is_noisy : ndarray of bool
        Which training labels were flipped.
    """

    def __init__(self, methods, is_noisy):
        self.methods, self.is_noisy = list(methods), is_noisy
        m = len(methods)
        self.f1, self.auroc, self.recall = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
        self.seconds = np.full(m, np.nan)
        self.predicted, self.samples = np.zeros(m, dtype=np.int64), np.zeros(m, dtype=np.int64)
        self.stopped_by, self.values, self.errors = [""] * m, {}, {}

    def __repr__(self):
        return "<dval.NoisyResult %d methods, %d of %d labels flipped>" % (
            len(self.methods), int(self.is_noisy.sum()), self.is_noisy.shape[0])

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame({"method": self.methods, "f1": self.f1, "auroc": self.auroc,
                             "recall": self.recall, "predicted": self.predicted,
                             "seconds": self.seconds, "samples": self.samples,
                             "stopped_by": self.stopped_by})

    def write(self, path="noisy.csv", values_out=None):
        """Writes the command's noisy.csv (and its --values-out file)."""
        rows = ["method,f1,auroc,recall,predicted,seconds,samples,stopped_by"]
        for k, m in enumerate(self.methods):
            if m in self.errors:
                rows.append("%s,,,,,,,error" % m)
            else:
                rows.append("%s,%s,%s,%s,%d,%.6f,%d,%s" % (
                    m, _g(self.f1[k]), _g(self.auroc[k]), _g(self.recall[k]), self.predicted[k],
                    self.seconds[k], self.samples[k], self.stopped_by[k]))
        if values_out is not None:
            ran = [m for m in self.methods if m in self.values]
            lines = ["point,noisy" + "".join("," + m for m in ran)]
            for i in range(self.is_noisy.shape[0]):
                lines.append("%d,%d" % (i, self.is_noisy[i]) +
                             "".join("," + _g(self.values[m][i]) for m in ran))
            _commit(values_out, "\n".join(lines) + "\n")
        _commit(path, "\n".join(rows) + "\n")

    def plot(self, path, *, data=None, width=None, height=None, dpi=None, title=None):
        """``dval plot noisy``: the flips found against the points inspected,
        lowest values first, per method that ran."""
        plot = _lib.plot_lib()
        ran = [m for m in self.methods if m in self.values]
        n = self.is_noisy.shape[0]
        v = np.ascontiguousarray(np.concatenate([self.values[m] for m in ran]))
        noisy = np.ascontiguousarray(self.is_noisy, dtype=np.uint8)
        names = (ctypes.c_char_p * len(ran))(*[m.encode() for m in ran])
        o = _opts(width, height, dpi, title)
        err = _lib.DvError()
        rc = plot.dv_plot_noisy(os.fsencode(path), os.fsencode(data) if data else None,
                                ctypes.byref(o), ctypes.c_size_t(n),
                                noisy.ctypes.data_as(P(ctypes.c_ubyte)),
                                ctypes.c_size_t(len(ran)), names, _dp(v), ctypes.byref(err))
        _lib.check(rc, err)
        return _show(os.fspath(path))


def _method_list(methods):
    if isinstance(methods, str):
        methods = methods.split(",")
    methods = list(methods)
    if not 1 <= len(methods) <= 32:
        raise ValueError("methods: 1 to 32 methods")
    names = _value.method_names()
    for m in methods:
        if m not in names:
            raise ValueError("methods: unknown method %r (methods: %s)" % (m, ", ".join(names)))
    return methods


def noisy(X=None, y=None, X_val=None, y_val=None, *, methods, rho=0.2, noise_seed=0,
          noisy_val=False, data=None, learner=None, progress=None, task="classification",
          standardize=True, label=None, drop_missing=False, val=None, test=None, val_data=None,
          test_data=None, split_seed=0, **options):
    """Noisy-label detection (``dval eval noisy``): flips a fraction rho of
    the training labels, values the points with each method and measures how
    well the low values find the flips.

    Parameters
    ----------
    X, y, X_val, y_val, data, task, standardize, label, ...
        The data, as for :func:`dval.value`.
    methods : list of str, or a comma-separated str
        Methods of :func:`dval.methods`.
    rho : float
        The fraction of training labels flipped, in (0, 1) (default 0.2).
    noise_seed : int
    noisy_val : bool
        Flip the validation labels too (seed noise_seed + 1).
    learner, **options
        The methods' options, as for :func:`dval.value`.

    Returns
    -------
    NoisyResult
    """
    methods = _method_list(methods)
    rho = _value._float("rho", rho)
    if not 0 < rho < 1:
        raise ValueError("rho: %r is not in (0, 1)" % (rho,))
    noise_seed = _value._int("noise_seed", noise_seed, 0, 2**64 - 1)
    params = [_value.value_params(m, learner, options) for m in methods]  # all checked first
    d = _data.load(X, y, X_val, y_val, data=data, task=task, standardize=standardize,
                   label=label, drop_missing=drop_missing, val=val, test=test,
                   val_data=val_data, test_data=test_data, split_seed=split_seed)
    n = d.rows()
    fl = np.zeros(n, dtype=np.int64)
    nf = ctypes.c_size_t()
    err = _lib.DvError()
    _lib.check(_lib.lib.dv_flip_labels(d.train, rho, noise_seed, fl.ctypes.data_as(
        P(ctypes.c_int64)), ctypes.byref(nf), ctypes.byref(err)), err)
    if noisy_val:
        _lib.check(_lib.lib.dv_flip_labels(d.val, rho, (noise_seed + 1) % 2**64, None, None,
                                           ctypes.byref(err)), err)
    is_noisy = np.zeros(n, dtype=bool)
    is_noisy[fl[:nf.value]] = True
    res = NoisyResult(methods, is_noisy)
    noisy8 = np.ascontiguousarray(is_noisy, dtype=np.uint8)
    for k, (m, p) in enumerate(zip(methods, params)):
        v, se = np.empty(n), np.empty(n)
        info, rc, err = _value.compute(d, p, v, se, progress, m)
        if rc == 8:
            _lib.check(rc, err)  # Ctrl-C: KeyboardInterrupt
        if rc:
            res.errors[m] = err.msg.decode("utf-8", "replace")
            res.stopped_by[k] = "error"
            continue
        det = Detection()
        _lib.check(_lib.lib.dv_detection_eval(_dp(v), noisy8.ctypes.data_as(P(ctypes.c_ubyte)),
                                              n, ctypes.byref(det), ctypes.byref(err)), err)
        res.values[m] = v
        res.f1[k], res.auroc[k], res.recall[k] = det.f1, det.auroc, det.recall
        res.predicted[k], res.samples[k] = det.n_predicted, info.samples
        res.seconds[k] = info.seconds
        res.stopped_by[k] = _lib.name_of(_lib.lib.dv_stop_rule_name, info.stop_rule)
    return res


class RemovalResult:
    """What :func:`dval.removal` returns.

    Attributes
    ----------
    method, metric : str
    removed : ndarray of int64
        Training points removed at each step.
    fraction, high, low : ndarray of float64
        The fraction removed, and the test metric after removing that many of
        the highest-valued (high) and of the lowest-valued (low) points.
    majority : float
        The accuracy of always predicting the training split's most frequent
        class (NaN when the metric is not accuracy).
    values : ndarray of float64
    """

    def __repr__(self):
        return "<dval.RemovalResult %s: %d steps, test %s>" % (self.method, len(self.removed),
                                                              self.metric)

    def to_pandas(self):
        import pandas as pd
        cols = {"step": np.arange(len(self.removed)), "removed": self.removed,
                "fraction": self.fraction, "high": self.high, "low": self.low}
        if math.isfinite(self.majority):
            cols["majority"] = np.full(len(self.removed), self.majority)
        return pd.DataFrame(cols)

    def write(self, path="removal.csv"):
        """Writes the command's removal.csv."""
        maj = math.isfinite(self.majority)
        rows = ["step,removed,fraction,high,low" + (",majority" if maj else "")]
        for s in range(len(self.removed)):
            rows.append("%d,%d,%s,%s,%s" % (s, self.removed[s], _g(self.fraction[s]),
                                            _g(self.high[s]), _g(self.low[s]))
                        + ("," + _g(self.majority) if maj else ""))
        _commit(path, "\n".join(rows) + "\n")

    def plot(self, path, *, data=None, width=None, height=None, dpi=None, title=None):
        """``dval plot removal``: the test metric against the fraction removed,
        highest-valued first (solid) and lowest-valued first (dashed)."""
        plot = _lib.plot_lib()
        names = (ctypes.c_char_p * 1)(self.method.encode())
        o = _opts(width, height, dpi, title)
        err = _lib.DvError()
        rc = plot.dv_plot_removal(os.fsencode(path), os.fsencode(data) if data else None,
                                  ctypes.byref(o), ctypes.c_size_t(len(self.removed)),
                                  _dp(self.fraction), ctypes.c_size_t(1), names, _dp(self.high),
                                  _dp(self.low), self.metric.encode(),
                                  ctypes.c_double(self.majority), ctypes.byref(err))
        _lib.check(rc, err)
        return _show(os.fspath(path))


def removal(X=None, y=None, X_val=None, y_val=None, X_test=None, y_test=None, *, method,
            bin=0.05, max_fraction=0.5, data=None, learner=None, metric=None, progress=None,
            task="classification", standardize=True, label=None, drop_missing=False, val=None,
            test=None, val_data=None, test_data=None, split_seed=0, **options):
    """Point removal (``dval eval removal``, Ghorbani & Zou 2019): the test
    metric of the learner refitted as the highest- and the lowest-valued
    training points are removed, a bin at a time.

    Parameters
    ----------
    X, y, X_val, y_val, X_test, y_test, data, ...
        The data, as for :func:`dval.value`; the test split is scored.
    method : str
        The method whose values order the points.
    bin, max_fraction : float
        The fraction removed per step, and the most removed, in (0, 1)
        (default 0.05 and 0.5).
    metric : str, optional
        The test metric (default accuracy for classification, neg_mse for
        regression); also the values' utility, as on the command line.
    learner, **options
        The method's options, as for :func:`dval.value`.

    Returns
    -------
    RemovalResult
    """
    opts = dict(options)
    if metric is not None:
        opts["metric"] = metric
    p = _value.value_params(method, learner, opts)
    bin_ = _value._float("bin", bin)
    mf = _value._float("max_fraction", max_fraction)
    if not (0 < bin_ < 1 and 0 < mf < 1):
        raise ValueError("bin and max_fraction must be in (0, 1)")
    d = _data.load(X, y, X_val, y_val, X_test, y_test, data=data, need_test=True, task=task,
                   standardize=standardize, label=label, drop_missing=drop_missing, val=val,
                   test=test, val_data=val_data, test_data=test_data, split_seed=split_seed)
    clf = _lib.lib.dv_dataset_task(d.train) == 0
    score_metric = p.metric if metric is not None else (1 if clf else 2)  # accuracy, neg_mse
    n = d.rows()
    b = max(1, int(bin_ * n + 0.5))
    steps = int(mf * n) // b
    v = np.empty(n)
    info, rc, err = _value.compute(d, p, v, None, progress, method)
    _lib.check(rc, err)
    hi, lo = np.empty(steps + 1), np.empty(steps + 1)
    rc = _call.run(_lib.lib.dv_removal_curve, d.train, d.test, ctypes.byref(p.learner),
                   score_metric, _dp(v), b, steps, _dp(hi), _dp(lo), ctypes.byref(err))
    _lib.check(rc, err)
    r = RemovalResult()
    r.method, r.values, r.high, r.low = method, v, hi, lo
    r.metric = _lib.name_of(_lib.lib.dv_metric_name, score_metric)
    r.removed = np.arange(steps + 1, dtype=np.int64) * b
    r.fraction = np.array([float(s * b) / float(n) for s in range(steps + 1)])
    r.majority = math.nan
    nt = _lib.lib.dv_dataset_rows(d.test) if d.test else 0
    if clf and score_metric == 1 and nt > 0:
        ytr = np.ctypeslib.as_array(_lib.lib.dv_dataset_targets(d.train), shape=(n,))
        yte = np.ctypeslib.as_array(_lib.lib.dv_dataset_targets(d.test), shape=(nt,))
        K = _lib.lib.dv_dataset_classes(d.train)
        best = int(np.argmax(np.bincount(ytr.astype(np.int64), minlength=K)))  # first of ties
        r.majority = float((yte.astype(np.int64) == best).sum()) / float(nt)
    return r


class AdditionResult:
    """What :func:`dval.addition` returns: per base size and scorer, the mean
    gain of the test metric from adding the chosen candidates, and its
    standard error over the repetitions.

    Attributes
    ----------
    base_size : ndarray of int64
    scores : ndarray of str
        ``law`` (c k^-alpha at the base size), ``law_kK`` (at size K),
        ``mc_mean``, ``random``.
    gain_mean, gain_stderr : ndarray of float64
    reps : int
    kept : dict of int to int
        Per base size, the laws used (the others ranked last).
    """

    def __repr__(self):
        return "<dval.AdditionResult %d base sizes x %d scorers, %d repetitions>" % (
            len(set(self.base_size.tolist())), len(set(self.scores.tolist())), self.reps)

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame({"base_size": self.base_size, "scores": self.scores,
                             "gain_mean": self.gain_mean, "gain_stderr": self.gain_stderr,
                             "reps": np.full(len(self.scores), self.reps)})

    def write(self, path="addition.csv"):
        """Writes the command's addition.csv."""
        rows = ["base_size,scores,gain_mean,gain_stderr,reps"]
        for b, sc, m, e in zip(self.base_size, self.scores, self.gain_mean, self.gain_stderr):
            rows.append("%d,%s,%s,%s,%d" % (b, sc, _g(m), _g(e), self.reps))
        _commit(path, "\n".join(rows) + "\n")

    def plot(self, path, **kw):
        """``dval plot addition``: the mean gains x 100 with +- one standard error."""
        from . import plot
        return plot.addition(self, path, **kw)


def _law_scores(laws, k, use_r2, min_r2):
    """Each candidate's c k^-alpha, NaN (ranked last) for a failed fit or a
    grid run's log-fit R^2 below min_r2 (as the command's)."""
    out, kept = [], 0
    for c, a, st, r2 in zip(laws.c, laws.alpha, laws.status, laws.log_r2):
        ok = st in ("ok", "bound") and (not use_r2 or r2 >= min_r2)
        out.append(float(c) * math.pow(float(k), -float(a)) if ok else math.nan)
        kept += ok
    return np.array(out), kept


def addition(run, sizes, *, add=100, reps=100, min_r2=0.9, score_at=None, data=None,
             learner=None, metric="accuracy", seed=0, threads=None, progress=None,
             **options):
    """Point addition (``dval eval addition``, as the scaling-law paper's
    experiment): the run's points are the candidates; for each base size k,
    the ``add`` best candidates (class-balanced) are added to ``reps`` random
    bases of k other training rows, chosen by the law c k^-alpha, by the law
    at each size of ``score_at``, by the Monte Carlo mean, and at random.

    Parameters
    ----------
    run : dval.Run
        A finished run; its data are loaded as the run did (``data``: the file
        when it has moved), or a run made by :func:`dval.sample` from arrays
        uses them (its test split is scored: give ``X_test``, ``y_test``).
    sizes : list of int
        Base set sizes.
    add, reps : int
        Candidates added (default 100) and repetitions (default 100, >= 2).
    min_r2 : float
        Grid runs: laws whose log fit has R^2 below this rank last.
    learner, metric, seed, threads, **options
        The learner refitted, the test metric (default accuracy) and the
        seed of the bases, as the command's.

    Returns
    -------
    AdditionResult
    """
    from . import _run
    if not isinstance(run, _run.Run):
        run = _run.Run(run)
    sizes = [_value._int("sizes", k, 0, 2**62) for k in np.atleast_1d(sizes)]
    if not sizes:
        raise ValueError("sizes: give base set sizes")
    score_at = [_value._int("score_at", k, 1, 2**62) for k in np.atleast_1d(score_at)] \
        if score_at is not None else []
    add = _value._int("add", add, 1, 2**31 - 1)
    reps = _value._int("reps", reps, 2, 2**31 - 1)
    min_r2 = _value._float("min_r2", min_r2)
    opts = dict(options, metric=metric, seed=seed)
    if threads is not None:
        opts["threads"] = threads
    p = _value.value_params("tmc", learner, opts)
    keep = None
    if data is None and run._data is not None and run._data.path is None:
        train, test = run._data.train, run._data.test
        if not test:
            raise ValueError("run: made from arrays without X_test, y_test; addition scores "
                             "on the test split")
    else:
        tr, va, te = _lib.Dataset(), _lib.Dataset(), _lib.Dataset()
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_run_load_data(run._h, os.fsencode(data) if data else None,
                                             ctypes.byref(tr), ctypes.byref(va),
                                             ctypes.byref(te), ctypes.byref(err)), err)
        keep = _data.Data()
        keep.train, keep.val, keep.test = tr, va, te
        train, test = tr, te
    P, M = run.deltas.shape
    deltas = np.ascontiguousarray(run.deltas)
    cards = np.ascontiguousarray(run.cards)
    raw = (_lib.Law * max(P, 1))()
    _lib.lib.dv_law_fit_many(_dp(deltas), cards.ctypes.data_as(P_(ctypes.c_int32)), P, M, raw,
                             p.n_threads)
    from ._run import Laws
    laws = Laws(raw, run.points, "mle")
    mc = np.empty(max(P, 1))
    _lib.lib.dv_run_values(run._h, raw, None, _dp(mc), None)
    use_r2 = run.info.get("mode") == "grid"
    pts = np.ascontiguousarray(run.points, dtype=np.int64)
    g = np.empty(reps)
    res = AdditionResult()
    res.reps, res.kept = reps, {}
    rows = []
    err = _lib.DvError()
    lawk = [_law_scores(laws, k, use_r2, min_r2)[0] for k in score_at]
    for k in sizes:
        law, kept = _law_scores(laws, k, use_r2, min_r2)
        res.kept[k] = kept
        scorers = [("law", law)] + [("law_k%d" % a, s) for a, s in zip(score_at, lawk)] + \
            [("mc_mean", mc[:P]), ("random", None)]
        for name, sc in scorers:
            scp = np.ascontiguousarray(sc, dtype=np.float64) if sc is not None else None
            rc = _call.run(_lib.lib.dv_addition_gains, train, test, ctypes.byref(p.learner),
                           p.metric, pts.ctypes.data_as(P_(ctypes.c_int64)), P,
                           _dp(scp) if scp is not None else None, k, add, reps, p.seed,
                           p.n_threads, _dp(g), ctypes.byref(err))
            _lib.check(rc, err)
            mean = 0.0
            for x in g.tolist():  # the command's sums, in its order
                mean += x
            mean /= reps
            var = 0.0
            for x in g.tolist():
                var += (x - mean) * (x - mean)
            rows.append((k, name, mean, math.sqrt(var / (reps - 1) / reps)))
            if callable(progress):
                progress(len(rows), len(sizes) * (len(score_at) + 3))
    res.base_size = np.array([r[0] for r in rows], dtype=np.int64)
    res.scores = np.array([r[1] for r in rows])
    res.gain_mean = np.array([r[2] for r in rows])
    res.gain_stderr = np.array([r[3] for r in rows])
    del keep
    return res


class AmipParams(ctypes.Structure):
    _fields_ = [("learner", _lib.LearnerParams), ("coef", ctypes.c_int64),
                ("x", P(ctypes.c_double)), ("goal", ctypes.c_int), ("change", ctypes.c_double),
                ("z", ctypes.c_double), ("max_fraction", ctypes.c_double)]


class AmipResult(ctypes.Structure):
    _fields_ = [("before", ctypes.c_double), ("se_before", ctypes.c_double),
                ("predicted", ctypes.c_double), ("se_predicted", ctypes.c_double),
                ("after", ctypes.c_double), ("se_after", ctypes.c_double),
                ("n_ranked", ctypes.c_size_t), ("n_removed", ctypes.c_size_t),
                ("fraction", ctypes.c_double), ("already", ctypes.c_int),
                ("found", ctypes.c_int), ("confirmed", ctypes.c_int),
                ("n_scan", ctypes.c_size_t), ("after_scan", ctypes.c_double),
                ("se_after_scan", ctypes.c_double)]


_lib.STRUCTS.update(dv_amip_params=AmipParams, dv_amip_result=AmipResult)
for _name, _res, _args in (
        ("dv_amip_params_default", None, [P(AmipParams)]),
        ("dv_amip", ctypes.c_int, [_lib.Dataset, P(AmipParams), P(ctypes.c_int64),
                                   P(ctypes.c_double), P(AmipResult), P(_lib.DvError)]),
        ("dv_amip_write", ctypes.c_int, [ctypes.c_char_p, _lib.Dataset, P(AmipParams),
                                         P(ctypes.c_int64), P(ctypes.c_double), P(AmipResult),
                                         ctypes.c_char_p, P(_lib.DvError)])):
    _f = getattr(_lib.lib, _name)
    _f.restype, _f.argtypes = _res, _args

GOALS = {"sign": 0, "significance": 1, "change": 2}


class SensitivityResult:
    """What :func:`dval.sensitivity` returns.

    Attributes
    ----------
    quantity : str
    before, se_before : float
        The quantity and its standard error on all rows.
    ranking : ndarray of int64
        Training rows whose removal moves the quantity toward the goal, the
        largest first-order move first (at most max_fraction of the rows);
        ``moves`` their moves.
    removed : ndarray of int64
        The first-order set: the fewest of the ranking whose summed moves
        reach the goal (all of the ranking when they do not: ``found`` False).
    predicted : float
        The quantity the first order predicts without them.
    after, se_after : float
        Refitted without them; ``confirmed``: the goal holds there.
    scan_removed : ndarray of int64
        The shortest prefix of the ranking whose refit reaches the goal
        (empty if none), with ``scan_after`` and ``scan_se_after``.
    already : bool
        The goal holds on all rows.
    """

    def __repr__(self):
        return "<dval.SensitivityResult %s: %d rows by first order (%s), %d by refits>" % (
            self.quantity, len(self.removed), "confirmed" if self.confirmed else "not confirmed",
            len(self.scan_removed))

    def write(self, path="sensitivity.csv"):
        """Writes the command's ranking CSV and PATH.json."""
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_amip_write(
            os.fsencode(path), self._data.train, ctypes.byref(self._p),
            self.ranking.ctypes.data_as(P(ctypes.c_int64)), _dp(self.moves),
            ctypes.byref(self._res), self.quantity.encode(), ctypes.byref(err)), err)


def sensitivity(X=None, y=None, X_val=None, y_val=None, X_test=None, y_test=None, *,
                coef=None, predict=None, goal="sign", change=None, z=1.959963984540054,
                learner="ols", max_fraction=0.1, data=None, task=None, standardize=True,
                label=None, drop_missing=False, val=None, test=None, val_data=None,
                test_data=None, split_seed=0, **options):
    """Whether a conclusion survives dropping a few rows (``dval eval
    sensitivity``; AMIP, Broderick, Giordano & Meager 2020).

    Parameters
    ----------
    coef : str or int
        A feature's coefficient (its column name, or index), or
        ``"intercept"``.
    predict : int
        Instead: the prediction (its linear part) at this row of the test split.
    goal : {"sign", "significance", "change"}
        The quantity reaches 0; ols: |quantity| / se falls to z; or it moves
        by ``change`` (signed).
    learner : {"ols", "logreg"}
        ``ols`` needs ``task="regression"`` (the default for it here).
    max_fraction : float
        Drop at most this fraction of the rows.
    **options
        ``C``, ``tol`` of the learner.

    Returns
    -------
    SensitivityResult
    """
    if (coef is None) == (predict is None):
        raise ValueError("coef, predict: give one of them")
    if goal not in GOALS:
        raise ValueError("goal: unknown goal %r (sign, significance, change)" % (goal,))
    if (change is not None) != (goal == "change"):
        raise ValueError("change: goes with goal='change' (and it needs one)")
    unknown = set(options) - {"C", "tol"}
    if unknown:
        raise TypeError("sensitivity: unknown option%s %s" % ("s" if len(unknown) > 1 else "",
                                                             ", ".join(sorted(unknown))))
    if task is None:
        task = "regression" if learner == "ols" else "classification"
    p = AmipParams()
    _lib.lib.dv_amip_params_default(ctypes.byref(p))
    _value.learner_params(p.learner, learner, options, 0)
    p.goal = GOALS[goal]
    if change is not None:
        p.change = _value._float("change", change)
    p.z = _value._float("z", z)
    p.max_fraction = _value._float("max_fraction", max_fraction)
    d = _data.load(X, y, X_val, y_val, X_test, y_test, data=data, task=task,
                   standardize=standardize, label=label, drop_missing=drop_missing, val=val,
                   test=test, val_data=val_data, test_data=test_data, split_seed=split_seed,
                   need_test=predict is not None)
    dim = _lib.lib.dv_dataset_cols(d.train)
    keep = None
    if coef is not None:
        names = [_lib.lib.dv_dataset_col_name(d.train, j).decode() for j in range(dim)]
        if isinstance(coef, str):
            if coef == "intercept":
                p.coef = dim
            elif coef in names:
                p.coef = names.index(coef)
            else:
                raise ValueError("coef: no column %r (the features: %s; or intercept)"
                                 % (coef, ", ".join(names[:20])))
            quantity = "coefficient %s" % coef
        else:
            p.coef = _value._int("coef", coef, 0, dim)
            quantity = "coefficient %s" % (names[p.coef] if p.coef < dim else "intercept")
    else:
        nt = _lib.lib.dv_dataset_rows(d.test) if d.test else 0
        row = _value._int("predict", predict, 0, 2**62)
        if row >= nt:
            raise ValueError("predict: row %d is not a row of the test split (0..%d)"
                             % (row, nt - 1))
        Xt = np.ctypeslib.as_array(_lib.lib.dv_dataset_features(d.test), shape=(nt, dim))
        keep = np.ascontiguousarray(Xt[row])
        p.coef, p.x = -1, _dp(keep)
        quantity = "prediction at test row %d" % row
    n = d.rows()
    rows, moves = np.zeros(n, dtype=np.int64), np.zeros(n)
    res = AmipResult()
    err = _lib.DvError()
    rc = _call.run(_lib.lib.dv_amip, d.train, ctypes.byref(p), rows.ctypes.data_as(
        P(ctypes.c_int64)), _dp(moves), ctypes.byref(res), ctypes.byref(err))
    _lib.check(rc, err)
    r = SensitivityResult()
    r._data, r._p, r._res, r._x = d, p, res, keep
    r.quantity = quantity
    r.ranking, r.moves = rows[:res.n_ranked].copy(), moves[:res.n_ranked].copy()
    r.removed, r.scan_removed = r.ranking[:res.n_removed], r.ranking[:res.n_scan]
    for f in ("before", "se_before", "predicted", "after", "se_after"):
        setattr(r, f, getattr(res, f))
    r.scan_after, r.scan_se_after = res.after_scan, res.se_after_scan
    r.already, r.found, r.confirmed = bool(res.already), bool(res.found), bool(res.confirmed)
    return r
