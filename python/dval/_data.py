"""Data for the library: numpy arrays (or pandas objects) checked and handed
over as dv_dataset handles, or a CSV file read and split by the library
exactly as the command does (dv_data_load)."""

import ctypes
import os

import numpy as np

from . import _lib

TASKS = {"classification": 0, "regression": 1}


def _features(name, X, n_rows=None, n_cols=None):
    cols = None
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):  # a pandas DataFrame
        cols = [str(c) for c in X.columns]
        X = X.to_numpy()
    A = np.asarray(X)
    if A.dtype == object or not (np.issubdtype(A.dtype, np.number) or A.dtype == bool):
        raise ValueError("%s: the features must be numbers (got dtype %s)" % (name, A.dtype))
    if np.issubdtype(A.dtype, np.complexfloating):
        raise ValueError("%s: complex features are not supported" % name)
    if A.ndim != 2:
        raise ValueError("%s: expected a 2-D array (rows x features), got %d-D with shape %s"
                         % (name, A.ndim, A.shape))
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError("%s: empty (shape %s)" % (name, A.shape))
    if n_cols is not None and A.shape[1] != n_cols:
        raise ValueError("%s: %d columns, but the training features have %d"
                         % (name, A.shape[1], n_cols))
    if not (A.flags.c_contiguous or A.flags.f_contiguous):
        raise ValueError("%s: a strided view (not contiguous in memory); pass "
                         "np.ascontiguousarray(%s)" % (name, name))
    A = np.ascontiguousarray(A, dtype=np.float64)  # no copy for C-ordered float64
    step = max(1, (1 << 20) // A.shape[1])  # in blocks: no n x d mask at once
    for r in range(0, A.shape[0], step):
        bad = ~np.isfinite(A[r:r + step])
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise ValueError("%s: row %d, column %d is %r (the features must be finite)"
                             % (name, r + i, j, A[r + i, j]))
    return A, cols


def _targets(name, y, n):
    if hasattr(y, "to_numpy"):  # a pandas Series
        y = y.to_numpy()
    a = np.asarray(y)
    if a.ndim == 2 and 1 in a.shape:
        a = a.reshape(-1)
    if a.ndim != 1:
        raise ValueError("%s: expected a 1-D array of labels, got shape %s" % (name, a.shape))
    if a.shape[0] != n:
        raise ValueError("%s: %d labels for %d rows" % (name, a.shape[0], n))
    return a


def _class_name(v):
    """A class's name: the text of the label (integral floats as integers)."""
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "replace")
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


class Data:
    """The train, validation and test parts as library datasets (freed with
    the object), with the class labels in the library's order."""

    def __init__(self):
        self.train = self.val = self.test = None
        self.arrays = []  # features the datasets borrow (dv_dataset_wrap)
        self.classes = None
        self.path = None

    def __del__(self):
        for ds in (self.train, self.val, self.test):
            if ds:
                _lib.lib.dv_dataset_free(ds)

    def rows(self):
        return _lib.lib.dv_dataset_rows(self.train)


def _dataset(X, y, task, n_classes, cols):
    err = _lib.DvError()
    out = _lib.Dataset()
    names = None
    if cols:
        names = (ctypes.c_char_p * len(cols))(*[c.encode() for c in cols])
    rc = _lib.lib.dv_dataset_wrap(  # borrows X: the caller keeps it (Data.arrays)
        ctypes.byref(out), X.shape[0], X.shape[1],
        X.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
        y.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), task, n_classes,
        ctypes.cast(names, ctypes.c_void_p) if names is not None else None, ctypes.byref(err))
    _lib.check(rc, err)
    return out


def from_arrays(X, y, X_val, y_val, X_test=None, y_test=None, task="classification",
                standardize=True):
    """Datasets from arrays: classes are the sorted distinct training labels
    (as the CSV reader orders integer labels)."""
    if task not in TASKS:
        raise ValueError("task: %r is neither 'classification' nor 'regression'" % (task,))
    if X_val is None or y_val is None:
        raise ValueError("X_val, y_val: the validation split is required (the utility is "
                         "scored on it)")
    A, cols = _features("X", X)
    parts = [("X", "y", A, _targets("y", y, A.shape[0]))]
    for xn, yn, Xp, yp in (("X_val", "y_val", X_val, y_val), ("X_test", "y_test", X_test, y_test)):
        if Xp is None and yp is None:
            continue
        if Xp is None or yp is None:
            raise ValueError("%s and %s go together" % (xn, yn))
        B, _ = _features(xn, Xp, n_cols=A.shape[1])
        parts.append((xn, yn, B, _targets(yn, yp, B.shape[0])))
    d = Data()
    K = 0
    if task == "classification":
        ytr = parts[0][3]
        classes = np.unique(ytr)
        if classes.shape[0] < 2:
            raise ValueError("y: a single class (%r); classification needs at least two"
                             % (classes[0],))
        d.classes = classes
        K = classes.shape[0]
        coded = []
        for xn, yn, B, yp in parts:
            idx = np.searchsorted(classes, yp)
            idx[idx >= K] = 0
            miss = classes[idx] != yp
            if miss.any():
                i = int(np.argmax(miss))
                raise ValueError("%s: row %d has the label %r, which the training labels do not "
                                 "have" % (yn, i, yp[i]))
            coded.append(idx.astype(np.float64))
    else:
        coded = []
        for xn, yn, B, yp in parts:
            t = np.asarray(yp, dtype=np.float64)
            if not np.isfinite(t).all():
                raise ValueError("%s: row %d is not finite" % (yn, int(np.argmax(~np.isfinite(t)))))
            coded.append(t)
    d.arrays = [B for xn, yn, B, yp in parts]
    sets = [_dataset(B, np.ascontiguousarray(t), TASKS[task], K, cols)
            for (xn, yn, B, yp), t in zip(parts, coded)]
    d.train, d.val = sets[0], sets[1]  # freed with d from here on
    d.test = sets[2] if len(sets) > 2 else None
    # the labels' own names, as a file with these labels would give them
    lname = getattr(y, "name", None)
    lname = lname.encode() if isinstance(lname, str) and lname else None
    names = None
    if K:
        names = (ctypes.c_char_p * K)(*[_class_name(c).encode() for c in classes])
    for ds in sets:
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_dataset_set_names(ds, lname, names, ctypes.byref(err)), err)
    if standardize:
        _lib.lib.dv_dataset_standardize(d.train, d.val, d.test)
    return d


def from_csv(path, label=None, task="classification", drop_missing=False, val=None, test=None,
             val_data=None, test_data=None, split_seed=0, standardize=True, command=None,
             manifest=None):
    """Datasets read from a CSV (or CSV.gz) by the library, with the command's
    data options (--label, --task, --drop-missing, --val, --test, --val-data,
    --test-data, --split-seed, --no-standardize); manifest, a c_char_p, when
    given receives the JSON description of the data (free with dv_free), with
    command recorded in it."""
    if task not in TASKS:
        raise ValueError("task: %r is neither 'classification' nor 'regression'" % (task,))
    if (val_data is None) != (test_data is None):
        raise ValueError("val_data and test_data go together (both files or neither)")
    o = _lib.LoadOptions()
    _lib.lib.dv_load_options_default(ctypes.byref(o))
    keep = [os.fsencode(path)]
    o.path = keep[0]
    if label is not None:
        keep.append(str(label).encode())
        o.csv.label = keep[-1]
    o.csv.task = TASKS[task]
    o.csv.drop_missing = 1 if drop_missing else 0
    for field, v in (("n_val", val), ("n_test", test)):
        if v is not None:
            if not (isinstance(v, (int, float)) and v > 0 and (v < 1 or float(v).is_integer())):
                raise ValueError("%s: %r is neither a count nor a fraction in (0, 1)"
                                 % (field[2:], v))
            setattr(o.split, field, float(v))
    o.split.seed = int(split_seed)
    if val_data is not None:
        keep += [os.fsencode(val_data), os.fsencode(test_data)]
        o.val_path, o.test_path = keep[-2], keep[-1]
    o.standardize = 1 if standardize else 0
    if command is not None:
        keep.append(command.encode())
        o.command = keep[-1]
    d = Data()
    err = _lib.DvError()
    tr, va, te = _lib.Dataset(), _lib.Dataset(), _lib.Dataset()
    rc = _lib.lib.dv_data_load(ctypes.byref(o), ctypes.byref(tr), ctypes.byref(va),
                               ctypes.byref(te), ctypes.byref(manifest) if manifest is not None
                               else None, ctypes.byref(err))
    _lib.check(rc, err)
    d.train, d.val, d.test = tr, va, te
    d.path = os.fspath(path)
    if task == "classification":
        K = _lib.lib.dv_dataset_classes(tr)
        d.classes = np.array([_lib.lib.dv_dataset_class_name(tr, c).decode() for c in range(K)])
    return d


DATA_OPTS = ("task", "standardize", "label", "drop_missing", "val", "test", "val_data",
             "test_data", "split_seed")


def load(X, y, X_val, y_val, X_test=None, y_test=None, data=None, command=None, manifest=None,
         need_test=False, **opts):
    """The splits from arrays or from a file (data=), as every entry point
    takes them; opts are DATA_OPTS."""
    unknown = set(opts) - set(DATA_OPTS)
    if unknown:
        raise TypeError("unknown option%s %s" % ("s" if len(unknown) > 1 else "",
                                                ", ".join(sorted(unknown))))
    if data is not None:
        if any(a is not None for a in (X, y, X_val, y_val, X_test, y_test)):
            raise ValueError("data: give a file or arrays, not both")
        return from_csv(data, command=command, manifest=manifest, **opts)
    if X is None or y is None:
        raise ValueError("X, y: give the training arrays (or data=FILE)")
    file_only = [k for k in ("label", "val", "test", "val_data", "test_data") if
                 opts.get(k) is not None] + [k for k in ("drop_missing", "split_seed")
                                             if opts.get(k)]
    if file_only:
        raise ValueError("%s: a data file's option (data=FILE)" % file_only[0])
    if need_test and (X_test is None or y_test is None):
        raise ValueError("X_test, y_test: the test split is required (the task scores on it)")
    return from_arrays(X, y, X_val, y_val, X_test, y_test, task=opts.get("task",
                       "classification"), standardize=opts.get("standardize", True))
