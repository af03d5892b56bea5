"""The scaling-law pipeline: dval.sample makes (or resumes) a run directory
exactly as ``dval sample`` does, and a Run reads one: its samples
memory-mapped, its laws (``dval fit``), its values (``dval value RUN_DIR``)
and its report (``dval report``)."""

import csv
import ctypes
import json
import math
import os
import time

import numpy as np

from . import _call, _data, _lib, _value

MODES = {"uniform": 0, "grid": 1}


def _sample_params(learner, samples, min_card, max_card, mode, cards, grid_count, seed, threads,
                   batch, metric, options):
    """The dv_sample_params ``dval sample`` builds from the same options."""
    p = _lib.SampleParams()
    _lib.lib.dv_sample_params_default(ctypes.byref(p))
    if metric is not None:
        p.metric = _value._enum("metric", _lib.lib.dv_metric_from_name, metric)
    p.n_samples = _value._int("samples", samples, 1, 100000000)
    p.min_card = _value._int("min_card", min_card, 1, 2**31 - 1)
    p.max_card = _value._int("max_card", max_card, 1, 2**31 - 1)
    if mode not in MODES:
        raise ValueError("mode: unknown mode %r (uniform or grid)" % (mode,))
    p.mode = MODES[mode]
    p.n_cards = _value._int("grid_count", grid_count, 1, 100000)
    p.seed = _value._int("seed", seed, 0, 2**64 - 1)
    if threads is not None:
        p.n_threads = _value._int("threads", threads, 1, 4096)
    p.batch = _value._int("batch", batch, 1, 256)
    keep = None
    if cards is not None:
        if mode != "grid":
            raise ValueError("cards: needs mode='grid'")
        keep = np.array([_value._int("cards", k, 1, 2**31 - 1) for k in np.atleast_1d(cards)],
                        dtype=np.int64)
        if keep.shape[0] == 0:
            raise ValueError("cards: empty")
        p.cards = keep.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))
        p.n_cards = keep.shape[0]
    unknown = set(options) - {"C", "lambda_", "tol"} - _value.MLP_OPTS
    if unknown:
        raise TypeError("sample: unknown option%s %s" % ("s" if len(unknown) > 1 else "",
                                                        ", ".join(sorted(unknown))))
    _value.learner_params(p.learner, learner, options, p.seed)
    return p, keep


def _points(points, n_train):
    """None (every row), the first N rows, or the rows listed."""
    if points is None:
        return None
    if isinstance(points, (int, np.integer)) and not isinstance(points, bool):
        n = _value._int("points", points, 1, 2**63 - 1)
        if n > n_train:
            raise ValueError("points: %d is more than the %d training rows" % (n, n_train))
        return np.arange(n, dtype=np.int64)
    a = np.asarray(points)
    if a.ndim != 1 or a.shape[0] == 0 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError("points: expected a count or a non-empty 1-D array of training rows")
    bad = (a < 0) | (a >= n_train)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError("points: row %d is not a training row (the training split has %d "
                         "rows)" % (int(a[i]), n_train))
    return np.ascontiguousarray(a, dtype=np.int64)


def _command(args):
    """How a run made from Python records its command."""
    return "dval.sample(%s)" % ", ".join("%s=%r" % kv for kv in args)


def sample(X=None, y=None, X_val=None, y_val=None, *, out, X_test=None, y_test=None,
           data=None, resume=False,
           learner="logreg", samples=100, points=None, min_card=100, max_card=1000,
           mode="uniform", cards=None, grid_count=10, seed=0, threads=None, batch=128,
           metric=None, progress=None, task="classification", standardize=True, label=None,
           drop_missing=False, val=None, test=None, val_data=None, test_data=None,
           split_seed=0, shard=None, **options):
    """Samples marginal contributions into a run directory (``dval sample``).

    Each point's samples are U(S + z) - U(S) over random class-balanced
    coalitions S of sizes k in [min_card, max_card] (z never in S), U the
    validation score of the learner fitted on S.  The run directory is the
    command's: ``dval fit``, ``dval value``, ``dval report`` read it, and a
    run started here can be finished by ``dval sample --resume`` (and the
    other way round) when both are given the same data and options.

    Parameters
    ----------
    X, y, X_val, y_val : array_like, or pandas objects
        The training and validation splits (as for :func:`dval.value`).
    X_test, y_test : array_like, optional
        A test split, kept with the run for :func:`dval.addition`.
    out : str or path
        The run directory (created when missing).
    data : str or path, optional
        Instead of arrays, a CSV file read and split as ``dval sample --data``
        does, with ``label``, ``task``, ``drop_missing``, ``val``, ``test``,
        ``val_data``, ``test_data``, ``split_seed`` and ``standardize``.
    resume : bool
        Continue the run in ``out`` (else ``out`` must not hold a run).
    learner : str
        ``logreg`` (default), ``ridge``, ``ols``, ``tree``, ``mlp``, ``knn``.
    samples : int
        Samples per point (per point and size in grid mode); default 100.
    points : int or array_like of int, optional
        Value the first N training rows, or the rows listed (default all).
    min_card, max_card : int
        The coalition sizes, inclusive (default 100 and 1000).
    mode : {"uniform", "grid"}
        k uniform in [min_card, max_card], or ``samples`` samples at each of
        ``cards`` (default: a geometric grid of ``grid_count`` sizes).
    seed, threads, batch, metric
        As the command's ``--seed``, ``--threads``, ``--batch``, ``--metric``;
        the results do not depend on ``threads``.
    progress : callable or bool, optional
        ``progress(done, total)`` in work items, or True for a tqdm bar.
    shard : (int, int), optional
        ``(i, n)``: only shard i of n of the run's work items, into ``out``
        (``dval sample --shard i/n``); :func:`dval.combine` makes the run.
    **options
        The learner's options: ``C``, ``lambda_``, ``tol`` and the mlp and
        knn options of :func:`dval.value` (``hidden``, ``epochs``, ...).

    Returns
    -------
    Run or None
        The finished run (None for a shard, which is not a run).

    Raises
    ------
    KeyboardInterrupt
        Ctrl-C: the finished work is kept; call again with ``resume=True``.
    """
    p, keep_cards = _sample_params(learner, samples, min_card, max_card, mode, cards,
                                   grid_count, seed, threads, batch, metric, options)
    if shard is not None:
        try:
            i, n = shard
        except (TypeError, ValueError):
            raise ValueError("shard: %r is not (i, n)" % (shard,)) from None
        p.n_shards = _value._int("shard n", n, 1, 1000000)
        p.shard = _value._int("shard i", i, 0, p.n_shards - 1)
    out = os.fspath(out)
    have = os.path.exists(os.path.join(out, "run.json"))
    if have and not resume:
        raise ValueError("out: %s already holds a run; pass resume=True to continue it, or "
                         "choose another directory" % out)
    if resume and not have:
        raise ValueError("out: %s: no run to resume (no run.json)" % out)
    manifest = ctypes.c_char_p()
    cmd = None
    if data is not None:
        cmd = _command([("data", os.fspath(data)), ("out", out), ("learner", learner),
                        ("samples", samples), ("min_card", min_card), ("max_card", max_card),
                        ("mode", mode), ("seed", seed)] + sorted(options.items()))
    d = _data.load(X, y, X_val, y_val, X_test, y_test, data=data, command=cmd,
                   manifest=manifest, task=task,
                   standardize=standardize, label=label, drop_missing=drop_missing, val=val,
                   test=test, val_data=val_data, test_data=test_data, split_seed=split_seed)
    try:
        pts = _points(points, d.rows())
        pp = pts.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)) if pts is not None else None
        n_pts = pts.shape[0] if pts is not None else 0
        err = _lib.DvError()
        rc = _lib.lib.dv_run_create(os.fsencode(out), d.train, d.val, pp, n_pts,
                                    ctypes.byref(p), manifest.value, ctypes.byref(err))
        _lib.check(rc, err)
    finally:
        if manifest.value is not None:
            _lib.lib.dv_free(manifest)
    prog = _call.Progress(progress, "sample")
    p.progress = prog.c_fn
    t0 = time.monotonic()
    try:
        rc = _call.run(_lib.lib.dv_run_execute, os.fsencode(out), d.train, d.val, pp, n_pts,
                       ctypes.byref(p), ctypes.byref(err))
    finally:
        prog.close()
    p.progress = _lib.PROGRESS()
    del keep_cards  # held until here: p.cards points into it
    if rc == 8:  # DV_EINTR
        raise KeyboardInterrupt("%s (finished work is kept; call again with resume=True)"
                                % err.msg.decode())
    _lib.check(rc, err)
    with open(os.path.join(out, "timing.txt"), "a") as f:  # as the command, read by the report
        f.write("dval.sample%s: %.2f s (%s)\n" % (
            " resume" if resume else "", time.monotonic() - t0,
            "%d threads" % p.n_threads if p.n_threads > 0 else "all cores"))
    if shard is not None:
        return None
    run = Run(out)
    run._data = d  # the splits, for the amortized estimator of a run made from arrays
    return run


def combine(out, shards):
    """The run of the shards of one run (``dval combine OUT SHARD...``).

    Parameters
    ----------
    out : str or path
        The run directory to make (it must not hold a run).
    shards : sequence of str or path
        The directories of the shards, each made by :func:`dval.sample` with
        ``shard=(i, n)`` or ``dval sample --shard i/n``, in any order.

    Returns
    -------
    Run
        The run, with the files one process would have written.

    Raises
    ------
    dval.Error
        A shard missing, given twice, unfinished or of another run (named).
    """
    dirs = [os.fsencode(os.fspath(d)) for d in shards]
    if not dirs:
        raise ValueError("shards: none given")
    arr = (ctypes.c_char_p * len(dirs))(*dirs)
    err = _lib.DvError()
    _lib.check(_lib.lib.dv_run_combine(os.fsencode(os.fspath(out)), arr, len(dirs),
                                       ctypes.byref(err)), err)
    return Run(os.fspath(out))


class Laws:
    """The laws of a run's points: delta ~ N(c k^-alpha, sigma^2 k^-beta).

    Attributes
    ----------
    c, alpha, sigma, beta, nll, log_c, log_alpha, log_r2 : ndarray of float64
        The fitted law, its mean negative log-likelihood, and the log
        estimator's c, alpha and R^2.
    n_samples : ndarray of int64
    status : ndarray of str
        ``ok``, ``no_samples``, ``one_card``, ``all_zero``, ``nonfinite``,
        ``bound``.
    points : ndarray of int64
        Each point's training row.
    """

    FIELDS = ("c", "alpha", "sigma", "beta", "nll", "log_c", "log_alpha", "log_r2")

    def __init__(self, raw, points, estimator):
        self._raw, self.points, self.estimator = raw, points, estimator
        dt = np.dtype({"names": [f for f, _ in _lib.Law._fields_],
                       "formats": [np.dtype(t) for _, t in _lib.Law._fields_],
                       "offsets": [getattr(_lib.Law, f).offset for f, _ in _lib.Law._fields_],
                       "itemsize": ctypes.sizeof(_lib.Law)})
        a = np.frombuffer(raw, dtype=dt, count=points.shape[0])
        for f in self.FIELDS:
            setattr(self, f, np.array(a[f], dtype=np.float64))
        self.n_samples = np.array(a["n_samples"], dtype=np.int64)
        self.status = np.array([_lib.name_of(_lib.lib.dv_law_status_name, int(s))
                                for s in a["status"]], dtype=str)

    def __len__(self):
        return self.points.shape[0]

    def __repr__(self):
        return "<dval.Laws %s: %d points, %d ok>" % (self.estimator, len(self),
                                                     int((self.status == "ok").sum()))

    def psi(self, k):
        """c k^-alpha: each point's expected contribution to a data set of size k."""
        return self.c * np.power(float(k), -self.alpha)

    def to_pandas(self):
        """A DataFrame with a row per point and the columns of scaling.csv."""
        import pandas as pd
        cols = {"point": self.points}
        cols.update((f, getattr(self, f)) for f in self.FIELDS)
        cols.update(n_samples=self.n_samples, status=self.status)
        return pd.DataFrame(cols)


class Table:
    """A CSV written by the library, read back with exact numbers: columns as
    numpy arrays (``t["law_value"]``, ``t.columns``), ``.to_pandas()``."""

    def __init__(self, path):
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        self.path, self.columns = path, rows[0]
        self._cols = {}
        for j, name in enumerate(self.columns):
            vals = [r[j] for r in rows[1:]]
            try:
                a = np.array([int(v) for v in vals], dtype=np.int64)
            except ValueError:
                try:  # an empty number is NaN, as the command reads it
                    a = np.array([float(v) if v != "" else math.nan for v in vals])
                except ValueError:
                    a = np.array(vals)
            self._cols[name] = a

    def __getitem__(self, name):
        return self._cols[name]

    def __len__(self):
        return len(next(iter(self._cols.values()))) if self._cols else 0

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame({c: self._cols[c] for c in self.columns})


def _fsencode(p):
    return os.fsencode(p) if p is not None else None


class Run:
    """A finished run directory (``dval sample``'s), opened for reading.

    Attributes
    ----------
    path : str
    info : dict
        run.json: the settings, the data and how the run was made.
    deltas : ndarray of float64, points x samples, memory-mapped read-only
        Each point's sampled marginal contributions.
    cards : ndarray of int32, points x samples, memory-mapped
        The coalition size of each sample.
    points : ndarray of int64
        The training row of each point.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._data = None
        h = ctypes.c_void_p()
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_run_open(ctypes.byref(h), os.fsencode(self.path),
                                        ctypes.byref(err)), err)
        self._h = h
        with open(os.path.join(self.path, "run.json")) as f:
            self.info = json.load(f)
        self.deltas = np.load(os.path.join(self.path, "deltas.npy"), mmap_mode="r")
        self.cards = np.load(os.path.join(self.path, "cards.npy"), mmap_mode="r")
        self.points = np.load(os.path.join(self.path, "points.npy"))

    def __del__(self):
        h = getattr(self, "_h", None)
        if h:
            _lib.lib.dv_run_free(h)

    def __len__(self):
        return self.points.shape[0]

    def __repr__(self):
        return "<dval.Run %s: %d points x %d samples, %s>" % (
            self.path, self.deltas.shape[0], self.deltas.shape[1], self.info["learner"]["name"])

    def _laws_array(self):
        return (_lib.Law * max(len(self), 1))()

    def fit(self, estimator="mle", *, threads=None, neighbors=0, data=None, epochs=None, seed=0,
            held_out=0.0, k_ref=1.0, out=None, law_model=None):
        """Fits every point's law and writes scaling.csv (``dval fit RUN_DIR``).

        Parameters
        ----------
        estimator : {"mle", "law_eb", "amortized"}
            A maximum-likelihood fit per point (default); empirical Bayes,
            for few samples per point; or one network from each point's
            features to its law (it also writes the network, ``law_model``).
        neighbors : int
            law_eb: shrink toward the mean of the K nearest same-class points
            (default 0: the class mean).
        data : str or path, optional
            amortized and law_eb with neighbours: the run's data file when it
            has moved.  A run made by :func:`dval.sample` from arrays uses
            those arrays.
        epochs, seed, held_out, k_ref
            amortized: as ``dval fit``'s ``--epochs``, ``--seed``,
            ``--held-out`` and ``--k-ref`` (a size >= 1, or ``"mid"``).
        out, law_model : str or path, optional
            Where the laws and the network go (default RUN_DIR/scaling.csv and
            RUN_DIR/law_model.bin).

        Returns
        -------
        Laws
        """
        fp = _lib.FitParams()
        _lib.lib.dv_fit_params_default(ctypes.byref(fp))
        e = ctypes.c_int()
        if _lib.lib.dv_fit_estimator_from_name(str(estimator).encode(), ctypes.byref(e)):
            raise ValueError("estimator: unknown estimator %r (mle, law_eb, amortized)"
                             % (estimator,))
        fp.estimator = e.value
        if threads is not None:
            fp.n_threads = _value._int("threads", threads, 1, 4096)
        fp.neighbors = _value._int("neighbors", neighbors, 0, 1000000)
        if fp.neighbors and estimator != "law_eb":
            raise ValueError("neighbors: law_eb's option (estimator='law_eb')")
        amortized = estimator == "amortized"
        for name, v, dflt in (("epochs", epochs, None), ("seed", seed, 0),
                              ("held_out", held_out, 0.0), ("k_ref", k_ref, 1.0),
                              ("law_model", law_model, None)):
            if v != dflt and not amortized:
                raise ValueError("%s: the amortized estimator's option (estimator="
                                 "'amortized')" % name)
        ap = fp.amortized
        if epochs is not None:
            ap.epochs = _value._int("epochs", epochs, 1, 1000000)
        ap.seed = _value._int("seed", seed, 0, 2**64 - 1)
        ap.val_fraction = _value._float("held_out", held_out)
        if not 0 <= ap.val_fraction < 1:
            raise ValueError("held_out: %r is not a fraction in [0, 1)" % (held_out,))
        ap.k_ref = self._k_ref(k_ref)
        keep = [_fsencode(data), _fsencode(out), _fsencode(law_model)]
        fp.data_path, fp.out, fp.law_model = keep
        if data is None and self._data is not None and self._data.path is None:
            fp.train = self._data.train
        laws = self._laws_array()
        err = _lib.DvError()
        rc = _call.run(_lib.lib.dv_run_fit_write, self._h, ctypes.byref(fp), laws,
                       ctypes.byref(err))
        _lib.check(rc, err)
        return Laws(laws, self.points, estimator)

    def laws(self):
        """The laws of RUN_DIR/scaling.csv (fitted by :meth:`fit` first when it
        is missing)."""
        laws = self._laws_array()
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_run_laws(self._h, 0, laws, ctypes.byref(err)), err)
        est = "mle"
        rec = os.path.join(self.path, "scaling.json")
        if os.path.exists(rec):
            with open(rec) as f:
                est = json.load(f).get("estimator", est)
        return Laws(laws, self.points, est)

    def values(self, at=None, *, laws=None, out=None):
        """Each point's values, written to RUN_DIR/values.csv (``dval value
        --from RUN_DIR``) and returned as a :class:`Table`.

        Columns: point, label, psi_K = c K^-alpha for each K of ``at``
        (default the run's min_card and max_card), law_value (the mean of
        c k^-alpha over the run's sizes) and its standard error law_stderr,
        mc_mean and mc_stderr (the mean of the point's samples and its
        standard error), n_samples, status.

        Parameters
        ----------
        at : int or list of int, optional
        laws : Laws, optional
            The laws to use (default :meth:`laws`).
        out : str or path, optional
        """
        if laws is None:
            laws = self.laws()
        if at is None:
            lo, hi = int(self.info["min_card"]), int(self.info["max_card"])
            at = [lo] if lo == hi else [lo, hi]
        k = np.array([_value._int("at", v, 1, 2**62) for v in np.atleast_1d(at)], dtype=np.int64)
        path = os.fspath(out) if out is not None else os.path.join(self.path, "values.csv")
        err = _lib.DvError()
        rc = _lib.lib.dv_run_write_values(self._h, laws._raw, k.ctypes.data_as(
            ctypes.POINTER(ctypes.c_int64)), k.shape[0], os.fsencode(path), ctypes.byref(err))
        _lib.check(rc, err)
        return Table(path)

    def estimators(self, *, truth=None, budgets=None, estimators=None, neighbors=0, data=None,
                   epochs=None, seed=0, held_out=0.0, k_ref=1.0, grid=None, threads=None,
                   out=None, progress=None):
        """How fast each estimator's values converge to the truth as the samples
        per point grow (``dval eval estimators``); writes estimators.csv (and,
        with ``grid``, estimators_by_size.csv beside it) and returns it as a
        :class:`Table` (columns samples, estimator, error, expl_var, r2,
        pearson, spearman, sign, points).

        Parameters
        ----------
        truth : Run or path, optional
            A longer run over the same points whose means are the truth
            (default: this run's own means; budgets must then be below its
            samples per point).
        budgets : list of int, optional
            Increasing sample counts from 2 (default 5, 10, 20, ... as many as
            the run offers).
        estimators : list of str, optional
            ``mc_mean``, ``law``, ``law_eb``, ``amortized`` (default the first
            three).
        neighbors, data, epochs, seed, held_out, k_ref
            law_eb's neighbours and the amortized law's settings, as for
            :meth:`fit`.
        grid : Run or path, optional
            A grid-mode run over the same points: the agreement of each law at
            each of its sizes.
        """
        eo = _lib.EstimatorsOptions()
        _lib.lib.dv_estimators_options_default(ctypes.byref(eo))
        mask = 0
        if estimators is not None:
            names = estimators.split(",") if isinstance(estimators, str) else list(estimators)
            for name in names:
                e = ctypes.c_int()
                if _lib.lib.dv_estimator_lookup(str(name).encode(), ctypes.byref(e)):
                    raise ValueError("estimators: unknown estimator %r (mc_mean, law, law_eb, "
                                     "amortized)" % (name,))
                mask |= 1 << e.value
            if not mask:
                raise ValueError("estimators: no estimator given")
            eo.estimators = mask
        mask = eo.estimators
        eo.eb_neighbors = _value._int("neighbors", neighbors, 0, 100000)
        if epochs is not None:
            eo.amortized.epochs = _value._int("epochs", epochs, 1, 1000000)
        eo.amortized.seed = _value._int("seed", seed, 0, 2**64 - 1)
        eo.amortized.val_fraction = _value._float("held_out", held_out)
        if not 0 <= eo.amortized.val_fraction < 1:
            raise ValueError("held_out: %r is not a fraction in [0, 1)" % (held_out,))
        eo.amortized.k_ref = self._k_ref(k_ref)
        if threads is not None:
            eo.n_threads = _value._int("threads", threads, 1, 4096)
        truth = truth if truth is None or isinstance(truth, Run) else Run(truth)
        grid = grid if grid is None or isinstance(grid, Run) else Run(grid)
        if len(self) < 2:
            raise ValueError("run: %s has %d point; the metrics need at least 2"
                             % (self.path, len(self)))
        M = self.deltas.shape[1]
        avail = M if truth is not None else M - 1
        if budgets is None:
            buf = (ctypes.c_size_t * 32)()
            nb = _lib.lib.dv_run_estimator_budgets(self._h, truth._h if truth else None, buf)
            if nb == 0:
                raise ValueError("budgets: %s has %d samples per point, fewer than the smallest "
                                 "default budget (5); give budgets" % (self.path, M))
            b = np.array(buf[:nb], dtype=np.uintp)
        else:
            b = np.array([_value._int("budgets", v, 2, avail) for v in np.atleast_1d(budgets)],
                         dtype=np.uintp)
            if (np.diff(b.astype(np.int64)) <= 0).any():
                raise ValueError("budgets: must be increasing")
        nb = b.shape[0]
        sz = ctypes.POINTER(ctypes.c_size_t)
        # the points' features, for the amortized law and law_eb's neighbours
        keep = []
        if mask >> 3 & 1 or eo.eb_neighbors:
            if data is None and self._data is not None and self._data.path is None:
                eo.train = self._data.train
            else:
                tr, va, te = _lib.Dataset(), _lib.Dataset(), _lib.Dataset()
                err = _lib.DvError()
                rc = _lib.lib.dv_run_load_data(self._h, _fsencode(data), ctypes.byref(tr),
                                               ctypes.byref(va), ctypes.byref(te),
                                               ctypes.byref(err))
                _lib.check(rc, err)
                loaded = _data.Data()
                loaded.train, loaded.val, loaded.test = tr, va, te
                keep.append(loaded)
                eo.train = tr
        eo.truth = truth._h if truth is not None else None
        eo.grid = grid._h if grid is not None else None
        res = (_lib.Agreement * (nb * 4))()
        C = len(grid.info["cards"]) if grid is not None else 0
        by = (_lib.Agreement * max(1, nb * 4 * C))() if grid is not None else None
        prog = _call.Progress(progress, "estimates")
        err = _lib.DvError()
        try:
            rc = _call.run(_lib.lib.dv_run_estimators, self._h, b.ctypes.data_as(sz), nb,
                           ctypes.byref(eo), res, by, prog.c_fn, None, ctypes.byref(err))
        finally:
            prog.close()
        _lib.check(rc, err)
        path = os.fspath(out) if out is not None else os.path.join(self.path, "estimators.csv")
        rc = _lib.lib.dv_estimators_write(os.fsencode(path), b.ctypes.data_as(sz), nb, mask, res,
                                          len(self), ctypes.byref(err))
        _lib.check(rc, err)
        if grid is not None:
            stem = path[:-4] if path.endswith(".csv") and len(path) > 4 else path
            cards = np.array(grid.info["cards"], dtype=np.int64)
            rc = _lib.lib.dv_estimators_by_size_write(
                os.fsencode(stem + "_by_size.csv"), b.ctypes.data_as(sz), nb, mask,
                cards.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), C, by, len(self),
                ctypes.byref(err))
            _lib.check(rc, err)
        return Table(path)

    def _k_ref(self, k_ref):
        if isinstance(k_ref, str) and k_ref == "mid":
            return math.sqrt(float(self.info["min_card"]) * float(self.info["max_card"]))
        k = _value._float("k_ref", k_ref)
        if k < 1:
            raise ValueError("k_ref: %r is neither 'mid' nor a size >= 1" % (k_ref,))
        return k

    def report(self, out=None, *, data=None, top=10, amortized=False, threads=None):
        """Writes the run's HTML report (``dval report``) and returns its path.

        The page, self-contained, has the command and settings, the data,
        the timing, the most and least valuable points and every figure
        that applies (also written beside it as PNG and SVG).  Laws and
        values are made first when scaling.csv or values.csv is missing.
        """
        plot = _lib.plot_lib()
        laws = self.laws()
        if not os.path.exists(os.path.join(self.path, "values.csv")):
            self.values(laws=laws)
        o = _lib.ReportOpts()
        plot.dv_report_opts_default(ctypes.byref(o))
        o.top = _value._int("top", top, 1, 1000)
        keep = _fsencode(data)
        o.data_path = keep
        o.amortized = 1 if amortized else 0
        if threads is not None:
            o.n_threads = _value._int("threads", threads, 1, 4096)
        d = os.fspath(out) if out is not None else os.path.join(self.path, "report")
        err = _lib.DvError()
        rc = _call.run(plot.dv_report_write, self._h, laws._raw, os.fsencode(d),
                       ctypes.byref(o), ctypes.byref(err))
        _lib.check(rc, err)
        return os.path.join(d, "report.html")

