"""The figures of a run, drawn by the library (cairo) exactly as ``dval plot``
draws them: PNG, SVG or PDF by the file's extension.

Each function returns the figure's path; in a notebook (IPython present and
running) a PNG or SVG is also shown inline.  ``data=FILE.csv`` writes the
numbers the figure draws, as the command's ``--data``.
"""

import ctypes
import os

import numpy as np

from . import _lib, _value

__all__ = ["law", "hist", "validation", "distance", "convergence", "addition", "map"]


class PlotOpts(ctypes.Structure):  # dval_plot.h
    _fields_ = [("width", ctypes.c_double), ("height", ctypes.c_double),
                ("dpi", ctypes.c_double), ("title", ctypes.c_char_p)]


_lib.STRUCTS["dv_plot_opts"] = PlotOpts


def _opts(width, height, dpi, title):
    o = PlotOpts()
    for name, v in (("width", width), ("height", height), ("dpi", dpi)):
        if v is not None:
            x = _value._float(name, v)
            if x <= 0:
                raise ValueError("%s: %r is not positive" % (name, v))
            setattr(o, name, x)
    o.title = title.encode() if title is not None else None
    return o


def _show(path):
    """Displays path inline when running under IPython; returns path."""
    try:
        from IPython import get_ipython
        from IPython.display import SVG, Image, display
    except ImportError:
        return path
    if get_ipython() is None:
        return path
    ext = os.path.splitext(path)[1].lower()
    if ext == ".png":
        display(Image(filename=path))
    elif ext == ".svg":
        display(SVG(filename=path))
    return path


def _draw(name, run, path, data, opts, *args):
    plot = _lib.plot_lib()
    err = _lib.DvError()
    path = os.fspath(path)
    laws = run.laws()
    fn = getattr(plot, name)
    rc = fn(os.fsencode(path), os.fsencode(data) if data is not None else None,
            ctypes.addressof(opts), run._h, laws._raw, *args,
            ctypes.byref(err))
    _lib.check(rc, err)
    return _show(path)


def law(run, path, points=None, *, data=None, width=None, height=None, dpi=None, title=None):
    """``dval plot law``: one panel per point, its samples (k, delta), the
    fitted law c k^-alpha and the band c k^-alpha +- sigma k^(-beta/2).

    Parameters
    ----------
    run : dval.Run
    path : str or path
        The figure (.png, .svg or .pdf).
    points : list of int, optional
        Run points to draw (indices into the run, 1 to 36; default the points
        nearest the 10, 30, 50, 70, 90 and 99 % quantiles of alpha).
    """
    if points is None:
        which, n = None, 0
    else:
        pts = [_value._int("points", p, 0, len(run) - 1) for p in points]
        if not 1 <= len(pts) <= 36:
            raise ValueError("points: 1 to 36 points")
        which, n = (ctypes.c_int64 * len(pts))(*pts), len(pts)
    return _draw("dv_plot_run_law", run, path, data, _opts(width, height, dpi, title), which, n)


def hist(run, path, *, data=None, width=None, height=None, dpi=None, title=None):
    """``dval plot hist``: histograms of alpha, log10|c| and beta over the
    run's points, and alpha against log10|c|."""
    return _draw("dv_plot_run_hist", run, path, data, _opts(width, height, dpi, title))


def validation(run, path, *, data=None, width=None, height=None, dpi=None, title=None):
    """``dval plot validation``: the validation figure of a grid-mode run."""
    if run.info.get("mode") != "grid":
        raise ValueError("run: %s is a %s-mode run; the figure needs a grid-mode run "
                         "(mode='grid')" % (run.path, run.info.get("mode")))
    return _draw("dv_plot_run_validation", run, path, data, _opts(width, height, dpi, title))


_GREEK = {"alpha": "\u03b1", "beta": "\u03b2", "sigma": "\u03c3"}


def distance(run, path, values="alpha", *, run_data=None, data=None, width=None, height=None,
             dpi=None, title=None):
    """``dval plot distance``: a value per point (default each law's alpha)
    against the point's distance to the decision boundary of logistic
    regression fitted on the run's training split.

    values : str or array_like
        A column of the run's laws (``alpha``, ``c``, ``beta``, ...) or one
        number per point of the run.
    run_data : str or path, optional
        The run's data file when it has moved (a run made from arrays uses
        them).
    """
    from . import _data
    if isinstance(values, str):
        laws = run.laws()
        if not hasattr(laws, values):
            raise ValueError("values: %r is not a column of the laws" % (values,))
        label, y = _GREEK.get(values, values), getattr(laws, values)
    else:
        label, y = "value", np.asarray(values, dtype=np.float64)
        if y.shape != (len(run),):
            raise ValueError("values: %d numbers for the run's %d points" % (y.size, len(run)))
    y = np.ascontiguousarray(y, dtype=np.float64)
    keep = None
    if run_data is None and run._data is not None and run._data.path is None:
        train = run._data.train
    else:
        tr, va, te = _lib.Dataset(), _lib.Dataset(), _lib.Dataset()
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_run_load_data(run._h, os.fsencode(run_data) if run_data else
                                             None, ctypes.byref(tr), ctypes.byref(va),
                                             ctypes.byref(te), ctypes.byref(err)), err)
        keep = _data.Data()
        keep.train, keep.val, keep.test = tr, va, te
        train = tr
    err = _lib.DvError()
    o = _opts(width, height, dpi, title)
    rc = _lib.plot_lib().dv_plot_run_distance(
        os.fsencode(path), os.fsencode(data) if data else None, ctypes.byref(o), run._h,
        train, _ptr(y), label.encode(), ctypes.byref(err))
    _lib.check(rc, err)
    del keep
    return _show(os.fspath(path))


def _intern(names, name):
    if name not in names:
        names.append(name)
    return names.index(name)


def _ptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def convergence(estimators, path, *, data=None, width=None, height=None, dpi=None, title=None):
    """``dval plot convergence``: R^2, Pearson and Spearman of each estimator
    against the samples per point.

    estimators : dval.Table (what Run.estimators returns) or the path of an
    estimators.csv.
    """
    from ._run import Table
    t = estimators if isinstance(estimators, Table) else Table(os.fspath(estimators))
    samples = np.asarray(t["samples"], dtype=np.float64)
    budgets = np.unique(samples)
    names = []
    for e in t["estimator"]:
        _intern(names, str(e))
    nb, ne = budgets.shape[0], len(names)
    m = [np.full(ne * nb, np.nan) for _ in range(3)]
    for r in range(len(t)):
        j = int(np.searchsorted(budgets, samples[r]))
        e = names.index(str(t["estimator"][r]))
        for k, col in enumerate(("r2", "pearson", "spearman")):
            m[k][e * nb + j] = float(t[col][r])
    cn = (ctypes.c_char_p * ne)(*[n.encode() for n in names])
    err = _lib.DvError()
    o = _opts(width, height, dpi, title)
    rc = _lib.plot_lib().dv_plot_convergence(
        os.fsencode(path), os.fsencode(data) if data else None, ctypes.byref(o),
        ctypes.c_size_t(nb), _ptr(budgets), ctypes.c_size_t(ne), cn, _ptr(m[0]), _ptr(m[1]),
        _ptr(m[2]), ctypes.byref(err))
    _lib.check(rc, err)
    return _show(os.fspath(path))


def addition(result, path, *, data=None, width=None, height=None, dpi=None, title=None):
    """``dval plot addition``: the mean gains x 100 with +- one standard
    error, grouped by base size, one colour per scorer.

    result : dval.AdditionResult, or the path of an addition.csv.
    """
    if isinstance(result, (str, os.PathLike)):
        from ._run import Table
        t = Table(os.fspath(result))
        base, scores = t["base_size"], t["scores"]
        mean, se = t["gain_mean"], t["gain_stderr"]
    else:
        base, scores, mean, se = (result.base_size, result.scores, result.gain_mean,
                                  result.gain_stderr)
    sizes = np.unique(np.asarray(base, dtype=np.int64))
    names = []
    for sc in scores:
        _intern(names, str(sc))
    nb, ns = sizes.shape[0], len(names)
    mm, ee = np.full(ns * nb, np.nan), np.full(ns * nb, np.nan)
    for r in range(len(scores)):
        j = int(np.searchsorted(sizes, int(base[r])))
        k = names.index(str(scores[r]))
        mm[k * nb + j], ee[k * nb + j] = float(mean[r]), float(se[r])
    cn = (ctypes.c_char_p * ns)(*[n.encode() for n in names])
    err = _lib.DvError()
    o = _opts(width, height, dpi, title)
    rc = _lib.plot_lib().dv_plot_addition(
        os.fsencode(path), os.fsencode(data) if data else None, ctypes.byref(o),
        ctypes.c_size_t(nb), sizes.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
        ctypes.c_size_t(ns), cn, _ptr(mm), _ptr(ee), ctypes.byref(err))
    _lib.check(rc, err)
    return _show(os.fspath(path))


class Map(ctypes.Structure):  # dval_plot.h's dv_map
    _D, _S = ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_size_t)
    _fields_ = [("nx", ctypes.c_size_t), ("ny", ctypes.c_size_t), ("x0", ctypes.c_double),
                ("x1", ctypes.c_double), ("y0", ctypes.c_double), ("y1", ctypes.c_double),
                ("z", _D), ("z_label", ctypes.c_char_p), ("x_label", ctypes.c_char_p),
                ("y_label", ctypes.c_char_p), ("n_points", ctypes.c_size_t), ("px", _D),
                ("py", _D), ("cls", ctypes.POINTER(ctypes.c_int)), ("n_curves", ctypes.c_size_t),
                ("curve_len", _S), ("cx", _D), ("cy", _D),
                ("curve_group", ctypes.POINTER(ctypes.c_int)),
                ("group_names", ctypes.POINTER(ctypes.c_char_p)), ("n_groups", ctypes.c_size_t),
                ("psize", _D)]


_lib.STRUCTS["dv_map"] = Map


def map(z, extent, path, *, points=None, classes=None, curves=None, value_label="value",
        x_label="x", y_label="y", data=None, width=None, height=None, dpi=None, title=None):
    """``dval plot map``: a shaded map of values over a regular 2-D grid, with
    a colour bar (viridis for values of one sign, diverging at 0 for both).

    Parameters
    ----------
    z : array_like, ny x nx
        The values, row 0 at the lowest y; NaN leaves a cell blank.
    extent : (x0, x1, y0, y1)
        The centres of the first and last columns and rows.
    points : array_like, n x 2, optional
        Points to draw, with ``classes`` (non-negative integers) for their
        markers.
    curves : list of array_like (k x 2), optional
        Polylines, e.g. decision boundaries (a NaN vertex breaks one).
    """
    Z = np.ascontiguousarray(z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[0] < 2 or Z.shape[1] < 2:
        raise ValueError("z: a 2-D grid of at least 2 x 2 cells")
    x0, x1, y0, y1 = (float(v) for v in extent)
    m = Map()
    m.ny, m.nx = Z.shape
    m.x0, m.x1, m.y0, m.y1 = x0, x1, y0, y1
    keep = [Z]
    m.z = _ptr(Z)
    m.z_label, m.x_label, m.y_label = value_label.encode(), x_label.encode(), y_label.encode()
    if points is not None:
        Pt = np.asarray(points, dtype=np.float64)
        if Pt.ndim != 2 or Pt.shape[1] < 2:
            raise ValueError("points: n x 2 coordinates")
        px, py = np.ascontiguousarray(Pt[:, 0]), np.ascontiguousarray(Pt[:, 1])
        cls = np.zeros(Pt.shape[0], dtype=np.intc) if classes is None else \
            np.ascontiguousarray(classes, dtype=np.intc)
        if cls.shape != (Pt.shape[0],) or (cls < 0).any():
            raise ValueError("classes: one non-negative integer per point")
        keep += [px, py, cls]
        m.n_points, m.px, m.py = Pt.shape[0], _ptr(px), _ptr(py)
        m.cls = cls.ctypes.data_as(ctypes.POINTER(ctypes.c_int))
    if curves:
        cs = [np.asarray(c, dtype=np.float64).reshape(-1, 2) for c in curves]
        lens = np.array([c.shape[0] for c in cs], dtype=np.uintp)
        allc = np.concatenate(cs)
        qx, qy = np.ascontiguousarray(allc[:, 0]), np.ascontiguousarray(allc[:, 1])
        keep += [lens, qx, qy]
        m.n_curves = len(cs)
        m.curve_len = lens.ctypes.data_as(ctypes.POINTER(ctypes.c_size_t))
        m.cx, m.cy = _ptr(qx), _ptr(qy)
    err = _lib.DvError()
    o = _opts(width, height, dpi, title)
    rc = _lib.plot_lib().dv_plot_map(os.fsencode(path), os.fsencode(data) if data else None,
                                     ctypes.byref(o), ctypes.byref(m), ctypes.byref(err))
    _lib.check(rc, err)
    del keep
    return _show(os.fspath(path))
