"""dval from Python: the value of each training point.

numpy arrays (or pandas objects) in, numpy arrays out, over the shared
library libdval (ctypes): the same computations, bit for bit, as the ``dval``
command with the same inputs and options.

>>> import dval
>>> r = dval.value(X, y, X_val, y_val, method="tmc", max_samples=500)
>>> r.values, r.stderr, r.converged

The scaling-law pipeline (Covert et al. 2024), on the command's run
directory:

>>> run = dval.sample(X, y, X_val, y_val, out="run", samples=100)
>>> laws = run.fit()                     # or estimator="law_eb", "amortized"
>>> run.values(at=[100, 1000])["law_value"]
>>> run.report()                         # run/report/report.html

Long calls run with the GIL released; Ctrl-C stops them at the library's
next work item; ``progress=`` reports how far they are.
"""

from ._lib import Error
from ._value import Result, method_names as _method_names, value
from ._run import Laws, Run, Table, combine, sample
from ._study import CandidateResult, Explanation, PairwiseResult
from ._tasks import (AdditionResult, NoisyResult, RemovalResult, SensitivityResult, addition,
                     noisy, removal, sensitivity)
from ._apps import AcquireResult, PoisonResult, acquire, poison
from . import plot
from . import _lib

__all__ = ["Error", "Result", "CandidateResult", "PairwiseResult", "Explanation", "value", "sample", "combine", "Run", "Laws", "Table", "plot", "noisy",
           "NoisyResult", "removal", "RemovalResult", "addition", "AdditionResult",
           "sensitivity", "SensitivityResult", "poison", "PoisonResult", "acquire",
           "AcquireResult", "methods", "library_version",
           "__version__"]

__version__ = _lib.lib.dv_version_string().decode()


def methods():
    """The method names dval.value accepts (as ``dval value --method``)."""
    return _method_names() + ["pairwise", "ood-ensemble", "ood-dropout"]


def library_version():
    """The version of the libdval actually loaded, and its path."""
    return _lib.lib.dv_version_string().decode(), _lib.path
