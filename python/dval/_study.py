"""Values beyond one per training row, as ``dval value`` computes them: of
candidate rows added to the data (``--candidates``, with the
out-of-distribution scores) and the pairwise value matrix of chosen rows
(``--method pairwise --points``)."""

import ctypes
import os

import numpy as np

from . import _call, _data, _lib, _value

OOD = {"ood-ensemble": 1, "ood-dropout": 2}
P = ctypes.POINTER


class CandidateParams(ctypes.Structure):
    _fields_ = [("vp", _lib.ValueParams), ("ood", ctypes.c_int), ("boundary_mae", ctypes.c_int)]


_lib.STRUCTS["dv_candidate_params"] = CandidateParams
for _name, _res, _args in (
        ("dv_candidate_params_default", None, [P(CandidateParams)]),
        ("dv_value_candidates", ctypes.c_int, [_lib.Dataset, _lib.Dataset, P(ctypes.c_double),
                                               P(ctypes.c_double), ctypes.c_size_t,
                                               P(CandidateParams), P(ctypes.c_double),
                                               P(_lib.ValueInfo), P(_lib.DvError)]),
        ("dv_candidates_write", ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t,
                                               P(ctypes.c_double), P(_lib.DvError)]),
        ("dv_dataset_read_like", ctypes.c_int, [P(_lib.Dataset), ctypes.c_char_p, _lib.Dataset,
                                                P(_lib.CsvOptions), P(_lib.DvError)]),
        ("dv_dataset_std_mean", P(ctypes.c_double), [_lib.Dataset]),
        ("dv_dataset_std_scale", P(ctypes.c_double), [_lib.Dataset]),
        ("dv_dataset_standardize_by", ctypes.c_int, [_lib.Dataset, P(ctypes.c_double),
                                                     P(ctypes.c_double)]),
        ("dv_pairwise_values", ctypes.c_int, [_lib.Dataset, P(_lib.LearnerParams),
                                              P(ctypes.c_int64), ctypes.c_size_t,
                                              ctypes.c_size_t, ctypes.c_uint64,
                                              P(ctypes.c_double), P(ctypes.c_double),
                                              ctypes.c_int, _lib.PROGRESS, ctypes.c_void_p,
                                              P(_lib.DvError)]),
        ("dv_influence_explain", ctypes.c_int, [_lib.Dataset, P(_lib.LearnerParams),
                                                P(ctypes.c_double), ctypes.c_double,
                                                P(ctypes.c_double), P(_lib.DvError)]),
        ("dv_pairwise_order", ctypes.c_int, [P(ctypes.c_double), ctypes.c_size_t,
                                             P(ctypes.c_size_t), P(_lib.DvError)]),
        ("dv_pairwise_write", ctypes.c_int, [ctypes.c_char_p, _lib.Dataset, P(ctypes.c_int64),
                                             ctypes.c_size_t, P(ctypes.c_double),
                                             P(ctypes.c_double), P(_lib.DvError)])):
    _f = getattr(_lib.lib, _name)
    _f.restype, _f.argtypes = _res, _args


def _dp(a):
    return a.ctypes.data_as(P(ctypes.c_double))


class CandidateResult(_value.Result):
    """What :func:`dval.value` returns with ``candidates``: ``values[c]`` is
    candidate c's value (the first row is 0); ``stderr`` is NaN."""

    def __repr__(self):
        return "<dval.CandidateResult %s: %d candidates>" % (self.method, len(self))

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame({"candidate": np.arange(len(self)), "value": self.values})

    def write(self, path):
        """Writes PATH (candidate, value) as ``dval value --candidates -o PATH``."""
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_candidates_write(os.fsencode(path), len(self), _dp(self.values),
                                                ctypes.byref(err)), err)


def _candidate_rows(candidates, d, label, drop_missing):
    """The candidates as a library dataset of the training data's kind: a
    file read like the data (dv_dataset_read_like), or (X, y) arrays coded
    with the training classes and standardized with its statistics."""
    keep = _data.Data()
    if isinstance(candidates, (str, os.PathLike)):
        co = _lib.CsvOptions()
        _lib.lib.dv_csv_options_default(ctypes.byref(co))
        lab = str(label).encode() if label is not None else None
        co.label = lab
        co.drop_missing = 1 if drop_missing else 0
        out = _lib.Dataset()
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_dataset_read_like(ctypes.byref(out), os.fsencode(candidates),
                                                 d.train, ctypes.byref(co), ctypes.byref(err)),
                   err)
        keep.train = out
        return keep
    try:
        Xc, yc = candidates
    except (TypeError, ValueError):
        raise ValueError("candidates: a CSV file, or a pair (X, y) of arrays")
    A, _ = _data._features("candidates X", Xc, n_cols=_lib.lib.dv_dataset_cols(d.train))
    t = _data._targets("candidates y", yc, A.shape[0])
    idx = np.searchsorted(d.classes, t)
    idx[idx >= d.classes.shape[0]] = 0
    miss = d.classes[idx] != t
    if miss.any():
        i = int(np.argmax(miss))
        raise ValueError("candidates y: row %d has the label %r, which the training labels do "
                         "not have" % (i, t[i]))
    keep.arrays = [A]
    keep.train = _data._dataset(A, np.ascontiguousarray(idx, dtype=np.float64), 0,
                                d.classes.shape[0], None)
    mean = _lib.lib.dv_dataset_std_mean(d.train)
    if mean:
        _lib.check(_lib.lib.dv_dataset_standardize_by(keep.train, mean,
                                                      _lib.lib.dv_dataset_std_scale(d.train)),
                   _lib.DvError())
    return keep


def candidates(method, learner, options, d, candidates, utility, label, drop_missing,
               progress):
    """dval.value(..., candidates=...): the library's dv_value_candidates."""
    ood = OOD.get(method, 0)
    if utility not in (None, "accuracy", "boundary-mae"):
        raise ValueError("utility: unknown utility %r (accuracy, boundary-mae)" % (utility,))
    vp = _value.value_params("random" if ood else method, learner, options)
    cp = CandidateParams()
    _lib.lib.dv_candidate_params_default(ctypes.byref(cp))
    if ood and learner is None:  # an ensemble of one-solve fits would agree with itself
        lp = _lib.LearnerParams()
        _lib.lib.dv_learner_params_default(ctypes.byref(lp), 4)
        lp.seed = vp.seed
        lp.batch_size = 128  # as the command's mlp for the candidate methods
        _value._mlp_apply(options, lp)
        _value._check_learner(lp, "mlp")
        vp.learner = lp
    cp.vp, cp.ood = vp, ood
    cp.boundary_mae = 1 if utility == "boundary-mae" else 0
    rows = _candidate_rows(candidates, d, label, drop_missing)
    nc = _lib.lib.dv_dataset_rows(rows.train)
    cx = _lib.lib.dv_dataset_features(rows.train)
    cy = _lib.lib.dv_dataset_targets(rows.train)
    values = np.empty(max(nc, 1))
    info = _lib.ValueInfo()
    err = _lib.DvError()
    prog = _call.Progress(progress, method)
    cp.vp.progress = prog.c_fn
    try:
        rc = _call.run(_lib.lib.dv_value_candidates, d.train, d.val, cx, cy, nc,
                       ctypes.byref(cp), _dp(values), ctypes.byref(info), ctypes.byref(err))
    finally:
        prog.close()
    cp.vp.progress = _lib.PROGRESS()
    _lib.check(rc, err)
    r = CandidateResult(cp.vp, info, values[:nc], np.full(nc, np.nan), None, d.path)
    r.method = method
    return r


class PairwiseResult:
    """What :func:`dval.value` returns with ``method="pairwise"``.

    Attributes
    ----------
    points : ndarray of int64
        The training rows valued.
    values, stderr : ndarray of float64, m x m
        The pairwise value of each pair of the points (symmetric; the
        diagonal is each point's own removal value) and its standard error.
    samples : int
        Subsets drawn.
    """

    def __init__(self, points, pv, se, samples, train):
        self.points, self.values, self.stderr, self.samples = points, pv, se, samples
        self._train = train  # the Data holding the training split

    def __repr__(self):
        return "<dval.PairwiseResult %d points, %d subsets>" % (len(self.points), self.samples)

    def order(self):
        """The points in the order of a clustering of the matrix's rows (as the
        figure shows them)."""
        m = len(self.points)
        out = (ctypes.c_size_t * m)()
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_pairwise_order(_dp(self.values), m, out, ctypes.byref(err)), err)
        return np.array(out[:], dtype=np.int64)

    def write(self, path):
        """Writes PATH (FILE.csv, one row per pair) and FILE.npy (the matrix)
        as ``dval value --method pairwise -o PATH``."""
        err = _lib.DvError()
        pts = np.ascontiguousarray(self.points, dtype=np.int64)
        _lib.check(_lib.lib.dv_pairwise_write(os.fsencode(path), self._train.train,
                                              pts.ctypes.data_as(P(ctypes.c_int64)),
                                              len(pts), _dp(self.values), _dp(self.stderr),
                                              ctypes.byref(err)), err)

    def plot(self, path, X, y=None, *, top=None, data=None, width=None, height=None, dpi=None,
             title=None):
        """``dval plot pairs``: the matrix ordered by a clustering of its rows,
        and the strongest pairs drawn as segments over the data.

        X : array_like, rows x 2 or more
            The coordinates to draw (the first two columns), one row per row
            of the data the values' points index, e.g. the unstandardized
            training features.
        y : array_like of int, optional
            Class indices of those rows (the markers' colours).
        top : int, optional
            Pairs drawn (default 10).
        """
        from .plot import _opts, _show
        A = np.asarray(X, dtype=np.float64)
        if A.ndim != 2 or A.shape[1] < 2:
            raise ValueError("X: the pairs figure needs two feature columns")
        if int(self.points.max()) >= A.shape[0]:
            raise ValueError("X: %d rows, but the points include row %d"
                             % (A.shape[0], int(self.points.max())))
        m, n = len(self.points), A.shape[0]
        ax, ay = np.ascontiguousarray(A[:, 0]), np.ascontiguousarray(A[:, 1])
        px, py = np.ascontiguousarray(ax[self.points]), np.ascontiguousarray(ay[self.points])
        cls = np.zeros(n, dtype=np.intc) if y is None else np.ascontiguousarray(y, dtype=np.intc)
        order = np.ascontiguousarray(self.order(), dtype=np.uintp)
        ids = np.ascontiguousarray(self.points, dtype=np.int64)
        pp = PairsPlot(m, _dp(self.values), order.ctypes.data_as(P(ctypes.c_size_t)), _dp(px),
                       _dp(py), ids.ctypes.data_as(P(ctypes.c_int64)), n, _dp(ax), _dp(ay),
                       cls.ctypes.data_as(P(ctypes.c_int)),
                       _value._int("top", top, 1, 100000) if top is not None else 0)
        o = _opts(width, height, dpi, title)
        err = _lib.DvError()
        rc = _lib.plot_lib().dv_plot_pairs(os.fsencode(path), os.fsencode(data) if data else None,
                                           ctypes.byref(o), ctypes.byref(pp), ctypes.byref(err))
        _lib.check(rc, err)
        return _show(os.fspath(path))


class PairsPlot(ctypes.Structure):  # dval_plot.h's dv_pairs_plot
    _fields_ = [("m", ctypes.c_size_t), ("pv", P(ctypes.c_double)), ("order", P(ctypes.c_size_t)),
                ("px", P(ctypes.c_double)), ("py", P(ctypes.c_double)),
                ("ids", P(ctypes.c_int64)), ("n_all", ctypes.c_size_t),
                ("ax", P(ctypes.c_double)), ("ay", P(ctypes.c_double)),
                ("acls", P(ctypes.c_int)), ("n_strong", ctypes.c_size_t)]


_lib.STRUCTS["dv_pairs_plot"] = PairsPlot


def pairwise(learner, options, d, points, progress):
    """dval.value(..., method="pairwise", points=...): dv_pairwise_values."""
    vp = _value.value_params("random", learner, options)
    pts = np.asarray(points)
    if pts.ndim != 1 or not np.issubdtype(pts.dtype, np.integer):
        raise ValueError("points: a 1-D list of training rows")
    m, n = pts.shape[0], d.rows()
    if m < 2:
        raise ValueError("points: give at least 2 rows")
    bad = (pts < 0) | (pts >= n)
    if bad.any():
        raise ValueError("points: %d is not a row of the training split (0..%d)"
                         % (int(pts[np.argmax(bad)]), n - 1))
    pts = np.ascontiguousarray(pts, dtype=np.int64)
    S = vp.max_samples if vp.max_samples else 100
    pv, se = np.empty((m, m)), np.empty((m, m))
    err = _lib.DvError()
    prog = _call.Progress(progress, "pairwise")
    try:
        rc = _call.run(_lib.lib.dv_pairwise_values, d.train, ctypes.byref(vp.learner),
                       pts.ctypes.data_as(P(ctypes.c_int64)), m, S, vp.seed, _dp(pv), _dp(se),
                       vp.n_threads, prog.c_fn, None, ctypes.byref(err))
    finally:
        prog.close()
    _lib.check(rc, err)
    return PairwiseResult(pts, pv, se, S, d)


class Explanation:
    """What :func:`dval.value` returns with ``explain=ROW``: ``influence[i]``,
    the first-order change of test row ROW's loss when training row i is
    removed (positive: row i helped that prediction)."""

    def __init__(self, row, influence, source_rows):
        self.row, self.influence, self.source_rows = row, influence, source_rows

    def __repr__(self):
        return "<dval.Explanation of test row %d: %d training points>" % (
            self.row, len(self.influence))

    def top(self, k=10):
        """The k training points that helped the prediction most, then the k
        that hurt it most (ties by point)."""
        order = sorted(range(len(self.influence)), key=lambda i: (-self.influence[i], i))
        return np.array(order[:k]), np.array(order[::-1][:k])

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame({"point": np.arange(len(self.influence)),
                             "source_row": self.source_rows, "influence": self.influence})

    def write(self, path):
        """Writes PATH (point, source_row, influence) as ``dval value --method
        influence --explain ROW -o PATH``."""
        from ._tasks import _commit, _g
        lines = ["point,source_row,influence"] + [
            "%d,%d,%s" % (i, s, _g(v)) for i, (s, v) in
            enumerate(zip(self.source_rows.tolist(), self.influence.tolist()))]
        _commit(path, "\n".join(lines) + "\n")


def explain(learner, options, d, row):
    """dval.value(method="influence", explain=ROW): dv_influence_explain."""
    vp = _value.value_params("influence", learner, options)
    if not d.test:
        raise ValueError("explain: needs the test split (X_test, y_test, or a data file)")
    nt = _lib.lib.dv_dataset_rows(d.test)
    row = _value._int("explain", row, 0, 2**62)
    if row >= nt:
        raise ValueError("explain: row %d is not a row of the test split (0..%d)" % (row, nt - 1))
    n, dim = d.rows(), _lib.lib.dv_dataset_cols(d.train)
    x = _lib.lib.dv_dataset_features(d.test)
    y = _lib.lib.dv_dataset_targets(d.test)[row]
    v = np.empty(n)
    err = _lib.DvError()
    xp = ctypes.cast(ctypes.addressof(x.contents) + row * dim * 8, P(ctypes.c_double))
    _lib.check(_lib.lib.dv_influence_explain(d.train, ctypes.byref(vp.learner), xp, y, _dp(v),
                                             ctypes.byref(err)), err)
    src = np.ctypeslib.as_array(_lib.lib.dv_dataset_source_rows(d.train), shape=(n,)).copy()
    return Explanation(row, v, src)
