"""dval from Python: the value of each training point.

numpy arrays (or pandas objects) in, numpy arrays out, over the shared
library libdval (ctypes): the same computations, bit for bit, as the ``dval``
command with the same inputs and options.

>>> import dval
>>> r = dval.value(X, y, X_val, y_val, method="tmc", max_samples=500)
>>> r.values, r.stderr, r.converged

Long calls run with the GIL released; Ctrl-C stops them at the library's
next work item; ``progress=`` reports how far they are.
"""

from ._lib import Error
from ._value import Result, method_names as _method_names, value
from . import _lib

__all__ = ["Error", "Result", "value", "methods", "library_version", "__version__"]

__version__ = _lib.lib.dv_version_string().decode()


def methods():
    """The method names dval.value accepts (as ``dval value --method``)."""
    return _method_names()


def library_version():
    """The version of the libdval actually loaded, and its path."""
    return _lib.lib.dv_version_string().decode(), _lib.path
