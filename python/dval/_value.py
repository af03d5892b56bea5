"""dval.value: every method of ``dval value --method``, with the command's
options as keyword arguments and the command's defaults."""

import ctypes
import math

import numpy as np

from . import _call, _data, _lib

_INT_OPTS = {  # option: (field, lowest, highest), the command's ranges
    "threads": ("n_threads", 1, 4096), "max_samples": ("max_samples", 1, 2**63 - 1),
    "min_samples": ("min_samples", 0, 2**63 - 1), "chains": ("chains", 2, 64),
    "check_every": ("check_every", 1, 2**63 - 1), "k": ("knn_k", 1, 2**63 - 1),
    "dvrl_batch": ("dvrl_batch", 1, 2**31 - 1), "ts_subset": ("ts_subset", 2, 2**31 - 1),
}
_FLOAT_OPTS = {  # option: field; none may be negative
    "max_seconds": "max_seconds", "rhat": "rhat", "rel_stderr": "rel_stderr",
    "stderr": "stderr_tol", "rank_tol": "rank_tol", "truncation": "truncation",
    "beta_a": "beta_a", "beta_b": "beta_b", "entreg": "lava_entreg",
    "gshapley_lr": "gshapley_lr",
}
_TREE_OPTS = {"C", "lambda_", "tol", "max_depth", "min_leaf", "max_features"}
_OTHER_OPTS = {"metric", "seed", "variant", "dvrl_input", "mem_fraction"}
DVRL_INPUTS = {"xyr": 0, "xp": 1, "x": 2}
FORGETTING, MEMORIZATION = 13, 14


def _int(name, v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise ValueError("%s: %r is not an integer" % (name, v))
    if not lo <= int(v) <= hi:
        raise ValueError("%s: %d is not in %d..%d" % (name, v, lo, hi))
    return int(v)


def _float(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValueError("%s: %r is not a number" % (name, v))
    if not math.isfinite(float(v)):
        raise ValueError("%s: %r is not finite" % (name, v))
    return float(v)


def _enum(kind, fn, name):
    out = ctypes.c_int()
    if fn(str(name).encode(), ctypes.byref(out)):
        raise ValueError("%s: unknown %s %r" % (kind, kind, name))
    return out.value


def method_names():
    """The names of the methods of dval.value, in the library's order."""
    return [_lib.name_of(_lib.lib.dv_method_name, k) for k in range(_lib.N_METHODS)]


def _mlp_apply(o, lp):
    """The learner options on lp (the command's cli_mlp_apply)."""
    if "mlp_preset" in o:  # checked whatever the learner, applied to an mlp
        preset = _lib.LearnerParams()
        if _lib.lib.dv_learner_params_preset(ctypes.byref(preset), str(o["mlp_preset"]).encode()):
            raise ValueError("mlp_preset: unknown preset %r (reference, sklearn-1000)"
                             % (o["mlp_preset"],))
        if lp.kind == 4:
            preset.seed = lp.seed
            ctypes.memmove(ctypes.addressof(lp), ctypes.addressof(preset), ctypes.sizeof(lp))
    if "hidden" in o:
        h = o["hidden"]
        h = [h] if isinstance(h, (int, np.integer)) else list(h)
        if len(h) > _lib.MLP_MAX_HIDDEN:
            raise ValueError("hidden: at most %d layers" % _lib.MLP_MAX_HIDDEN)
        for l, s in enumerate(h):
            lp.hidden[l] = _int("hidden", s, 1, 1000000)
        for l in range(len(h), _lib.MLP_MAX_HIDDEN):
            lp.hidden[l] = 0
        lp.n_hidden = len(h)
    if "epochs" in o:
        lp.epochs = _int("epochs", o["epochs"], 1, 1000000)
    if "mlp_batch" in o:
        lp.batch_size = _int("mlp_batch", o["mlp_batch"], 1, 2**31 - 1)
    for opt, field in (("lr", "lr"), ("alpha", "alpha"), ("weight_decay", "weight_decay"),
                       ("early_stop", "val_fraction")):
        if opt in o:
            setattr(lp, field, _float(opt, o[opt]))
    if "patience" in o:
        lp.patience = _int("patience", o["patience"], 1, 1000000)
    if "loss_tol" in o:
        lp.loss_tol = _float("loss_tol", o["loss_tol"])
        if lp.loss_tol < 0:
            raise ValueError("loss_tol: %r is not a number >= 0" % (o["loss_tol"],))
    if "n_iter_no_change" in o:
        lp.n_iter_no_change = _int("n_iter_no_change", o["n_iter_no_change"], 1, 1000000)
    if "dropout" in o:
        lp.dropout = _float("dropout", o["dropout"])
        if not 0 <= lp.dropout < 1:
            raise ValueError("dropout: %r is not in [0, 1)" % (o["dropout"],))
    if "neighbors" in o:
        lp.neighbors = _int("neighbors", o["neighbors"], 1, 2**31 - 1)
    if "knn_weights" in o:
        if o["knn_weights"] not in ("uniform", "distance"):
            raise ValueError("knn_weights: %r is neither uniform nor distance" % (o["knn_weights"],))
        lp.distance_weights = 1 if o["knn_weights"] == "distance" else 0


MLP_OPTS = {"hidden", "epochs", "mlp_batch", "lr", "alpha", "weight_decay", "early_stop",
            "patience", "mlp_preset", "neighbors", "knn_weights", "loss_tol",
            "n_iter_no_change", "dropout"}


def learner_params(lp, lname, o, seed, tree=False):
    """lp as the command completes a learner (cli_learner, then with tree
    the tree options of dval value, the seed and cli_mlp_apply); returns lp."""
    kind = _enum("learner", _lib.lib.dv_learner_from_name, lname)
    _lib.lib.dv_learner_params_default(ctypes.byref(lp), kind)
    for opt, field in (("C", "C"), ("lambda_", "lambda_"), ("tol", "tol")):
        if opt in o:
            setattr(lp, field, _float(opt, o[opt]))
    _check_learner(lp, lname)
    if tree:
        lp.max_depth = _int("max_depth", o.get("max_depth", 0), 0, 1000)
        lp.min_leaf = _int("min_leaf", o.get("min_leaf", 1), 1, 2**31 - 1)
        lp.max_features = _int("max_features", o.get("max_features", 0), 0, 2**31 - 1)
    lp.seed = seed
    _mlp_apply(o, lp)
    _check_learner(lp, lname)
    return lp


def _check_learner(lp, name):
    why = _lib.lib.dv_learner_params_check(ctypes.byref(lp))
    if why:
        raise ValueError("learner %s: %s" % (name, why.decode()))


def value_params(method, learner, options):
    """The dv_value_params the command builds for ``dval value --method
    METHOD [--learner LEARNER] --OPTION VALUE...`` (cli_method_opts_finish)."""
    names = method_names()
    if method not in names:
        raise ValueError("method: unknown method %r (methods: %s)" % (method, ", ".join(names)))
    m = names.index(method)
    unknown = set(options) - set(_INT_OPTS) - set(_FLOAT_OPTS) - _TREE_OPTS - MLP_OPTS - _OTHER_OPTS
    if unknown:
        raise TypeError("value: unknown option%s %s" % ("s" if len(unknown) > 1 else "",
                                                       ", ".join(sorted(unknown))))
    o = options
    p = _lib.ValueParams()
    _lib.lib.dv_value_params_default(ctypes.byref(p), 3)  # the command starts from tmc's
    p.max_samples = 0  # each method's own default
    p.method = m
    if "metric" in o:
        p.metric = _enum("metric", _lib.lib.dv_metric_from_name, o["metric"])
    if "seed" in o:
        p.seed = _int("seed", o["seed"], 0, 2**64 - 1)
    for opt, (field, lo, hi) in _INT_OPTS.items():
        if opt in o:
            setattr(p, field, _int(opt, o[opt], lo, hi))
    for opt, field in _FLOAT_OPTS.items():
        if opt in o:
            setattr(p, field, _float(opt, o[opt]))
            if getattr(p, field) < 0:
                raise ValueError("%s: stopping tolerances and budgets must not be negative" % opt)
    if "variant" in o:
        p.forgetting_variant = _enum("forgetting variant",
                                     _lib.lib.dv_forgetting_variant_from_name, o["variant"])
    if "dvrl_input" in o:
        if o["dvrl_input"] not in DVRL_INPUTS:
            raise ValueError("dvrl_input: unknown input %r (xyr, xp, x)" % (o["dvrl_input"],))
        p.dvrl_input = DVRL_INPUTS[o["dvrl_input"]]
    if "mem_fraction" in o:
        p.mem_fraction = _float("mem_fraction", o["mem_fraction"])
        if not 0 < p.mem_fraction < 1:
            raise ValueError("mem_fraction: %r is not in (0, 1)" % (o["mem_fraction"],))
    # the learner, as the command completes it
    lp = learner_params(p.learner, learner if learner is not None else "logreg", o, p.seed,
                        tree=True)
    if learner is None and m in (FORGETTING, MEMORIZATION):
        # the method's own learner, with the learner options given (lp is a
        # view of p.learner: its tree settings are read before it changes)
        tree = (lp.max_depth, lp.min_leaf, lp.max_features)
        d = _lib.ValueParams()
        _lib.lib.dv_value_params_default(ctypes.byref(d), m)
        p.learner = d.learner
        p.learner.seed = p.seed
        if m == MEMORIZATION:
            p.learner.max_depth, p.learner.min_leaf, p.learner.max_features = tree
        else:
            _mlp_apply(o, p.learner)
    return p


def compute(d, params, values, stderr, progress, desc):
    """dv_value_compute on d's splits in a worker thread (Ctrl-C stops it),
    progress reported; returns (info, status, error)."""
    info = _lib.ValueInfo()
    err = _lib.DvError()
    prog = _call.Progress(progress, desc)
    params.progress = prog.c_fn
    dp = ctypes.POINTER(ctypes.c_double)
    try:
        rc = _call.run(_lib.lib.dv_value_compute, d.train, d.val, ctypes.byref(params),
                       values.ctypes.data_as(dp),
                       stderr.ctypes.data_as(dp) if stderr is not None else None,
                       ctypes.byref(info), ctypes.byref(err))
    finally:
        prog.close()
        params.progress = _lib.PROGRESS()
    return info, rc, err


def _groups(groups, data):
    """Dense group numbers (by first appearance) per training row; for data
    read from a file, groups are per row of the file (as --groups FILE)."""
    g = np.asarray(groups)
    if g.ndim != 1 or not (np.issubdtype(g.dtype, np.integer) or g.dtype == bool):
        raise ValueError("groups: expected a 1-D array of non-negative integers")
    if (g < 0).any():
        raise ValueError("groups: row %d has a negative group" % int(np.argmax(g < 0)))
    n = data.rows()
    if data.path is not None:
        src = np.ctypeslib.as_array(_lib.lib.dv_dataset_source_rows(data.train), shape=(n,))
        if src.max() >= g.shape[0]:
            raise ValueError("groups: %d groups but the data file has row %d"
                             % (g.shape[0], int(src.max()) + 1))
        g = g[src]
    elif g.shape[0] != n:
        raise ValueError("groups: %d entries for %d training rows" % (g.shape[0], n))
    _, first, inv = np.unique(g, return_index=True, return_inverse=True)
    rank = np.empty(first.shape[0], dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.shape[0])
    return np.ascontiguousarray(rank[inv], dtype=np.int64)


class Result:
    """What dval.value returns.

    Attributes
    ----------
    values : ndarray of float64
        One value per training row (or per group), higher = more valuable.
    stderr : ndarray of float64
        Their standard errors; NaN where the method has none.
    method, learner, metric : str
        The method, the learner behind the utility, the utility's metric.
    samples, utility_calls : int
        Permutations, subsets or models used, and utility evaluations.
    seconds : float
    stop_rule : str
        What stopped a sampling method (``samples``, ``seconds``, ``rhat``, ...).
    converged : bool or None
        True: exact, or stopped by a precision rule; False: the budget ran out
        before the values were resolved; None: a budget stop of a method
        without standard errors, which nothing can judge.
    """

    def __init__(self, params, info, values, stderr, groups, data_path):
        self._params, self._info, self._groups = params, info, groups
        self._data_path = data_path
        self.values, self.stderr = values, stderr
        self.method = _lib.name_of(_lib.lib.dv_method_name, params.method)
        self.learner = _lib.name_of(_lib.lib.dv_learner_name, params.learner.kind)
        self.metric = _lib.name_of(_lib.lib.dv_metric_name, info.metric)
        self.samples, self.utility_calls = int(info.samples), int(info.utility_calls)
        self.seconds = float(info.seconds)
        self.stop_rule = _lib.name_of(_lib.lib.dv_stop_rule_name, info.stop_rule)
        self.stop_level = float(info.stop_level)
        self.max_stderr, self.value_sd = float(info.max_stderr), float(info.value_sd)
        self.converged = {1: True, 0: False}.get(info.converged)
        self.groups = groups is not None
        self.price = self.payments = self.payment_stderr = None

    def __len__(self):
        return self.values.shape[0]

    def __repr__(self):
        return ("<dval.Result %s: %d %s, %s samples, stopped by %s, converged=%s>"
                % (self.method, len(self), "groups" if self.groups else "points", self.samples,
                   self.stop_rule, self.converged))

    def to_pandas(self):
        """A DataFrame with columns point (or group), value, stderr, as values.csv."""
        import pandas as pd
        key = "group" if self.groups else "point"
        cols = {key: np.arange(len(self)), "value": self.values, "stderr": self.stderr}
        if self.payments is not None:
            cols.update(payment=self.payments, payment_stderr=self.payment_stderr)
        return pd.DataFrame(cols)

    def write(self, path):
        """Writes PATH (CSV) and PATH.json exactly as ``dval value -o PATH`` does."""
        import os
        err = _lib.DvError()
        dp = self._data_path.encode() if self._data_path else None
        d = ctypes.POINTER(ctypes.c_double)
        v, se = self.values.ctypes.data_as(d), self.stderr.ctypes.data_as(d)
        if self.payments is not None:
            rc = _lib.lib.dv_values_write_priced(
                os.fsencode(path), len(self), v, se, self.payments.ctypes.data_as(d),
                self.payment_stderr.ctypes.data_as(d), self.price, ctypes.byref(self._params),
                ctypes.byref(self._info), dp, ctypes.byref(err))
        else:
            rc = _lib.lib.dv_values_write(os.fsencode(path), len(self), v, se,
                                          ctypes.byref(self._params), ctypes.byref(self._info),
                                          dp, ctypes.byref(err))
        _lib.check(rc, err)


def value(X=None, y=None, X_val=None, y_val=None, *, data=None, method="tmc", learner=None,
          groups=None, price=None, candidates=None, utility=None, points=None, explain=None,
          X_test=None,
          y_test=None, progress=None, task="classification", standardize=True, label=None,
          drop_missing=False, val=None, test=None, val_data=None, test_data=None, split_seed=0,
          **options):
    """Values every training point (or group) with one method.

    Parameters
    ----------
    X, y : array_like, or pandas DataFrame and Series
        The training features (rows x features, any numeric dtype) and labels.
    X_val, y_val : array_like
        The validation split, on which the utility is scored.
    data : str or path, optional
        Instead of arrays: a CSV (or CSV.gz) file with a header row, read and
        split as ``dval value --data`` does, with ``label``, ``task``,
        ``drop_missing``, ``val``, ``test``, ``val_data``, ``test_data``,
        ``split_seed`` and ``standardize`` as the command's data options.
    method : str
        One of :func:`dval.methods` (default ``"tmc"``).
    learner : str, optional
        ``logreg`` (default), ``ridge``, ``ols``, ``tree``, ``mlp``, ``knn``;
        forgetting and memorization default to their own learners.
    groups : array_like of int, optional
        A group per training row (per row of the file with ``data``); values
        are then per group, numbered by first appearance.
    price : float, optional
        Pay this total to the points (or groups: data sources) by their
        values: shares proportional to the positive values, 0 to values <= 0
        (``dval value --price``).  The result then has ``payments`` and
        ``payment_stderr`` (the error of each source's own value; the error
        of the sum of the values is left out).
    candidates : str or path, or a pair (X, y) of arrays, optional
        Rows that are not in the data, each valued as added to it (``dval
        value --candidates``): by ``loo`` (add-one), ``tmc``, ``beta``,
        ``banzhaf``, ``exact`` (the candidates as players), ``forgetting``,
        ``memorization``, or the out-of-distribution scores ``ood-ensemble``
        and ``ood-dropout``.  A file is read like the data (its label
        column, standardized with the training statistics); arrays likewise.
        Returns a :class:`CandidateResult`.
    utility : {"accuracy", "boundary-mae"}, optional
        With candidates and loo or a game method: the validation accuracy
        (default), or the share of validation rows whose label moves from
        the model on the data alone.
    points : array_like of int, optional
        With ``method="pairwise"``: the training rows whose pairwise values
        are computed (``max_samples`` subsets, default 100).  Returns a
        :class:`PairwiseResult`.
    explain : int, optional
        With ``method="influence"``: explain the prediction of this row of the
        test split (``X_test``, ``y_test``, or the file's): each training
        point's influence on its loss.  Returns an :class:`Explanation`.
    progress : callable or bool, optional
        ``progress(done, total)`` as the work advances, or True for a tqdm bar
        (when tqdm is installed).
    task : {"classification", "regression"}
    standardize : bool
        Standardize the features with the training mean and standard
        deviation (default True, as the command).
    **options
        The command's options with ``_`` for ``-``: ``seed``, ``threads``,
        ``metric``, ``max_samples``, ``min_samples``, ``max_seconds``, ``rhat``,
        ``rel_stderr``, ``chains``, ``stderr``, ``rank_tol``, ``check_every``,
        ``truncation``, ``beta_a``, ``beta_b``, ``k``, ``entreg``, ``variant``,
        ``dvrl_input``, ``dvrl_batch``, ``mem_fraction``, and the learner's
        ``C``, ``lambda_``, ``tol``, ``max_depth``, ``min_leaf``,
        ``max_features``, ``hidden``, ``epochs``, ``mlp_batch``, ``lr``,
        ``alpha``, ``weight_decay``, ``early_stop``, ``patience``,
        ``mlp_preset``, ``neighbors``, ``knn_weights``, ``loss_tol``,
        ``n_iter_no_change``, ``dropout``.

    Returns
    -------
    Result
        The values, their standard errors and how they were obtained; the same
        numbers as ``dval value`` for the same data and options.

    Raises
    ------
    ValueError
        A bad array or option, naming it.
    dval.Error
        A failure in the library, with its message.
    KeyboardInterrupt
        Ctrl-C: the library stops at its next work item.

    Examples
    --------
    >>> import numpy as np, dval
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = (X[:, 0] > 0).astype(int)
    >>> r = dval.value(X[:150], y[:150], X[150:], y[150:], method="knn")
    >>> r.values.shape
    (150,)
    """
    from . import _study
    if (method == "pairwise") != (points is not None):
        raise ValueError("points: goes with method='pairwise' (and it needs them)")
    if method in _study.OOD and candidates is None:
        raise ValueError("method: %s scores rows that are not in the data: give candidates"
                         % method)
    if utility is not None and candidates is None:
        raise ValueError("utility: goes with candidates (the methods' own utility is metric)")
    if price is not None and (candidates is not None or points is not None or
                              explain is not None):
        raise ValueError("price: pays the training points or groups by their values; not with "
                         "candidates, pairwise or explain")
    if price is not None:
        price = _float("price", price)
        if price < 0:
            raise ValueError("price: %r is not an amount >= 0" % (price,))
    if explain is not None and method != "influence":
        raise ValueError("explain: needs method='influence'")
    if groups is not None and (candidates is not None or points is not None):
        raise ValueError("groups: values single rows with candidates and pairwise")
    if method == "pairwise" or candidates is not None:
        # the options are checked before any data is read, as for the others
        value_params("random" if method in _study.OOD or method == "pairwise" else method,
                     learner, options)
    else:
        params = value_params(method, learner, options)
    d = _data.load(X, y, X_val, y_val, X_test, y_test, data=data, task=task,
                   standardize=standardize, label=label, drop_missing=drop_missing, val=val,
                   test=test, val_data=val_data, test_data=test_data, split_seed=split_seed,
                   need_test=explain is not None)
    if explain is not None:
        return _study.explain(learner, options, d, explain)
    if method == "pairwise":
        return _study.pairwise(learner, options, d, points, progress)
    if candidates is not None:
        return _study.candidates(method, learner, options, d, candidates, utility, label,
                                 drop_missing, progress)
    g = None
    if groups is not None:
        g = _groups(groups, d)
        params.groups = g.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))
        params.n_groups = int(g.max()) + 1
    n = params.n_groups if g is not None else d.rows()
    values = np.empty(n)
    stderr = np.empty(n)
    info, rc, err = compute(d, params, values, stderr, progress, method)
    _lib.check(rc, err)
    r = Result(params, info, values, stderr, g, d.path)
    if price is not None:
        r.price, r.payments, r.payment_stderr = price, np.empty(n), np.empty(n)
        dp = ctypes.POINTER(ctypes.c_double)
        _lib.check(_lib.lib.dv_prices(values.ctypes.data_as(dp), stderr.ctypes.data_as(dp), n,
                                      price, r.payments.ctypes.data_as(dp),
                                      r.payment_stderr.ctypes.data_as(dp), ctypes.byref(err)),
                   err)
    return r
