"""The figures of a run, drawn by the library (cairo) exactly as ``dval plot``
draws them: PNG, SVG or PDF by the file's extension.

Each function returns the figure's path; in a notebook (IPython present and
running) a PNG or SVG is also shown inline.  ``data=FILE.csv`` writes the
numbers the figure draws, as the command's ``--data``.
"""

import ctypes
import os

from . import _lib, _value

__all__ = ["law", "hist", "validation"]


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
