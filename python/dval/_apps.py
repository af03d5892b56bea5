"""What values are used for beyond cleaning labels, as ``dval eval`` runs
it: finding poisoned rows (poison).  The numbers are the library's; the
files written are the command's, byte for byte, but for the seconds
column."""

import ctypes
import os
import types

import numpy as np

from . import _data, _lib, _value
from ._tasks import Detection, _commit, _dp, _g, _method_list

P = ctypes.POINTER
ATTACKS = ("flip", "backdoor", "watermark")


class PoisonParams(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("fraction", ctypes.c_double),
                ("target", ctypes.c_size_t), ("source", ctypes.c_int64),
                ("features", P(ctypes.c_size_t)), ("n_features", ctypes.c_size_t),
                ("trigger_z", ctypes.c_double), ("watermark_amp", ctypes.c_double),
                ("seed", ctypes.c_uint64)]


_lib.STRUCTS["dv_poison_params"] = PoisonParams
_VP = P(ctypes.c_void_p)
for _name, _res, _args in (
        ("dv_poison_params_default", None, [P(PoisonParams)]),
        ("dv_poison_inject", ctypes.c_int, [_lib.Dataset, P(PoisonParams), _VP,
                                            P(ctypes.c_ubyte), P(_lib.DvError)]),
        ("dv_poison_probes", ctypes.c_int, [_lib.Dataset, _lib.Dataset, P(PoisonParams), _VP,
                                            P(_lib.DvError)]),
        ("dv_poison_score", ctypes.c_int, [_lib.Dataset, P(_lib.LearnerParams),
                                           P(ctypes.c_double), ctypes.c_size_t, _lib.Dataset,
                                           _lib.Dataset, ctypes.c_size_t, P(ctypes.c_double),
                                           P(ctypes.c_double), P(_lib.DvError)]),
        ("dv_poison_write", ctypes.c_int, [ctypes.c_char_p, _lib.Dataset, P(PoisonParams),
                                           P(ctypes.c_int), ctypes.c_size_t, P(_lib.DvError)])):
    _f = getattr(_lib.lib, _name)
    _f.restype, _f.argtypes = _res, _args

_COLUMNS = ("attack,method,f1,auroc,recall,predicted,removed,success_clean,success_poisoned,"
            "success_after,accuracy_clean,accuracy_poisoned,accuracy_after,seconds,samples,"
            "stopped_by")


class PoisonResult:
    """What :func:`dval.poison` returns: one row per attack and method (the
    first of each attack, ``injected``, removes exactly the poisoned rows).

    Attributes
    ----------
    rows : list of dict
        attack, method, f1, auroc, recall, predicted, removed, success_clean,
        success_poisoned, success_after, accuracy_clean, accuracy_poisoned,
        accuracy_after, seconds, samples, stopped_by (``error`` when the
        method failed; its message is in ``errors``).
    poisoned : dict of str to ndarray of bool
        Per attack, which training rows it poisoned.
    values : dict of (str, str) to ndarray
        Per (attack, method), the values of the poisoned training rows.
    """

    def __repr__(self):
        return "<dval.PoisonResult %d attacks x %d methods>" % (len(self.poisoned),
                                                                len(self.methods))

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame(self.rows)

    def write(self, path="poison.csv", injected_out=None):
        """Writes the command's poison.csv (and its --injected-out file)."""
        lines = [_COLUMNS]
        for r in self.rows:
            if r["stopped_by"] == "error":
                lines.append("%s,%s,,,,,,,,,,,,,,error" % (r["attack"], r["method"]))
                continue
            lines.append("%s,%s,%s,%s,%s,%d,%d,%s,%s,%s,%s,%s,%s,%.6f,%d,%s" % (
                r["attack"], r["method"], _g(r["f1"]), _g(r["auroc"]), _g(r["recall"]),
                r["predicted"], r["removed"], _g(r["success_clean"]), _g(r["success_poisoned"]),
                _g(r["success_after"]), _g(r["accuracy_clean"]), _g(r["accuracy_poisoned"]),
                _g(r["accuracy_after"]), r["seconds"], r["samples"], r["stopped_by"]))
        if injected_out is not None:
            kinds = (ctypes.c_int * len(self._kinds))(*self._kinds)
            err = _lib.DvError()
            _lib.check(_lib.lib.dv_poison_write(os.fsencode(injected_out), self._data.train,
                                                ctypes.byref(self._p), kinds, len(self._kinds),
                                                ctypes.byref(err)), err)
        _commit(path, "\n".join(lines) + "\n")


def _class(d, v, what):
    """The class index of label v (as the data names it) in d's training split."""
    K = _lib.lib.dv_dataset_classes(d.train)
    names = [_lib.lib.dv_dataset_class_name(d.train, c).decode() for c in range(K)]
    s = str(v)
    if s not in names:
        raise ValueError("%s: no class %r (the classes: %s)" % (what, v, ", ".join(names)))
    return names.index(s)


def poison(X=None, y=None, X_val=None, y_val=None, X_test=None, y_test=None, *, methods,
           attacks=ATTACKS, rho=0.1, target=None, source=None, trigger=None, trigger_z=3.0,
           watermark_amp=1.0, poison_seed=0, remove=None, data=None, learner=None,
           progress=None, standardize=True, label=None, drop_missing=False, val=None, test=None,
           val_data=None, test_data=None, split_seed=0, **options):
    """Poisoning and backdoor detection (``dval eval poison``): each attack
    poisons a fraction rho of the training rows; each method values the
    poisoned rows; the lowest values are scored against the poisoned rows
    (F1, AUROC, recall) and removed to see whether the attack still works.

    Parameters
    ----------
    methods : list of str, or a comma-separated str
    attacks : list of {"flip", "backdoor", "watermark"}
    rho : float
        The poisoned fraction of the training rows, in (0, 1).
    target, source : class labels
        The class the poisoned rows are given (default: the first class);
        flip: the class they are taken from (default: every other class).
    trigger : list of str or int
        backdoor: the trigger's columns (default: the three least correlated
        with the label).
    trigger_z, watermark_amp : float
        The trigger's value (mean + z sd) and the watermark's size (sd).
    poison_seed : int
    remove : float
        The fraction of the rows removed, the lowest-valued (default rho).
    learner, **options
        The methods' options, as for :func:`dval.value`; the learner is also
        the model the attacks are measured on.

    Returns
    -------
    PoisonResult
    """
    methods = _method_list(methods)
    if isinstance(attacks, str):
        attacks = attacks.split(",")
    attacks = list(attacks)
    if not 1 <= len(attacks) <= 3 or any(a not in ATTACKS for a in attacks):
        raise ValueError("attacks: 1 to 3 of flip, backdoor, watermark, not %r" % (attacks,))
    rho = _value._float("rho", rho)
    if not 0 < rho < 1:
        raise ValueError("rho: %r is not in (0, 1)" % (rho,))
    if remove is not None:
        remove = _value._float("remove", remove)
        if not 0 < remove < 1:
            raise ValueError("remove: %r is not in (0, 1)" % (remove,))
    params = [_value.value_params(m, learner, options) for m in methods]  # all checked first
    lp = _value.value_params("loo", learner, options).learner  # the command's --learner
    d = _data.load(X, y, X_val, y_val, X_test, y_test, data=data, task="classification",
                   standardize=standardize, label=label, drop_missing=drop_missing, val=val,
                   test=test, val_data=val_data, test_data=test_data, split_seed=split_seed,
                   need_test=True)
    n, dim = d.rows(), _lib.lib.dv_dataset_cols(d.train)
    p = PoisonParams()
    _lib.lib.dv_poison_params_default(ctypes.byref(p))
    p.fraction, p.seed = rho, _value._int("poison_seed", poison_seed, 0, 2**64 - 1)
    p.trigger_z = _value._float("trigger_z", trigger_z)
    p.watermark_amp = _value._float("watermark_amp", watermark_amp)
    if target is not None:
        p.target = _class(d, target, "target")
    if source is not None:
        p.source = _class(d, source, "source")
        if p.source == p.target:
            raise ValueError("source: %r is the target class" % (source,))
    feats = None
    if trigger is not None:
        names = [_lib.lib.dv_dataset_col_name(d.train, j).decode() for j in range(dim)]
        if isinstance(trigger, str):
            trigger = trigger.split(",")
        idx = []
        for t in trigger:
            if isinstance(t, str):
                if t not in names:
                    raise ValueError("trigger: no column %r (the columns: %s)"
                                     % (t, ", ".join(names[:20])))
                idx.append(names.index(t))
            else:
                idx.append(_value._int("trigger", t, 0, dim - 1))
        feats = (ctypes.c_size_t * len(idx))(*idx)
        p.features, p.n_features = feats, len(idx)
    n_remove = int((remove if remove is not None else rho) * n + 0.5)
    res = PoisonResult()
    res._data, res._p, res._feats = d, p, feats
    res._kinds = [ATTACKS.index(a) for a in attacks]
    res.methods, res.rows, res.poisoned, res.values, res.errors = methods, [], {}, {}, {}
    err = _lib.DvError()
    for a in attacks:
        p.kind = ATTACKS.index(a)
        pz, pr = ctypes.c_void_p(), ctypes.c_void_p()
        isp = np.zeros(n, dtype=np.uint8)
        try:
            _lib.check(_lib.lib.dv_poison_inject(d.train, ctypes.byref(p), ctypes.byref(pz),
                                                 isp.ctypes.data_as(P(ctypes.c_ubyte)),
                                                 ctypes.byref(err)), err)
            _lib.check(_lib.lib.dv_poison_probes(d.train, d.test, ctypes.byref(p),
                                                 ctypes.byref(pr), ctypes.byref(err)), err)
            ctx = {"isp": isp, "pz": pz, "pr": pr, "test": d.test, "lp": lp, "target": p.target}
            ctx["clean"] = _score(ctx, d.train, None, 0)
            ctx["poisoned"] = _score(ctx, pz, None, 0)
            res.poisoned[a] = isp.astype(bool)
            # the injected rows themselves, every one valued below every clean one
            res.rows.append(_row(ctx, a, "injected", np.where(isp, -1.0, 0.0), int(isp.sum()),
                                 None))
            split = types.SimpleNamespace(train=pz, val=d.val)
            for m, vp in zip(methods, params):
                v, se = np.empty(n), np.empty(n)
                info, rc, e = _value.compute(split, vp, v, se, progress, m)
                if rc == 8:
                    _lib.check(rc, e)  # Ctrl-C: KeyboardInterrupt
                if rc:
                    res.errors[(a, m)] = e.msg.decode("utf-8", "replace")
                    res.rows.append({"attack": a, "method": m, "stopped_by": "error"})
                    continue
                res.values[(a, m)] = v
                res.rows.append(_row(ctx, a, m, v, n_remove, info))
        finally:
            _lib.lib.dv_dataset_free(pz)
            _lib.lib.dv_dataset_free(pr)
    return res


def _score(ctx, ds, values, k):
    """The attack's success and the test accuracy of the learner fitted on
    ds without its k lowest-valued rows."""
    err = _lib.DvError()
    s, acc = ctypes.c_double(), ctypes.c_double()
    _lib.check(_lib.lib.dv_poison_score(ds, ctypes.byref(ctx["lp"]),
                                        _dp(values) if values is not None else None, k,
                                        ctx["test"], ctx["pr"], ctx["target"], ctypes.byref(s),
                                        ctypes.byref(acc), ctypes.byref(err)), err)
    return s.value, acc.value


def _row(ctx, a, m, v, k, info):
    """One row of the table: detection by the values, the attack after removal."""
    err = _lib.DvError()
    det = Detection()
    isp = ctx["isp"]
    _lib.check(_lib.lib.dv_detection_eval(_dp(v), isp.ctypes.data_as(P(ctypes.c_ubyte)),
                                          isp.shape[0], ctypes.byref(det), ctypes.byref(err)),
               err)
    s, acc = _score(ctx, ctx["pz"], v, k)
    return {"attack": a, "method": m, "f1": det.f1, "auroc": det.auroc, "recall": det.recall,
            "predicted": det.n_predicted, "removed": k, "success_clean": ctx["clean"][0],
            "success_poisoned": ctx["poisoned"][0], "success_after": s,
            "accuracy_clean": ctx["clean"][1], "accuracy_poisoned": ctx["poisoned"][1],
            "accuracy_after": acc, "seconds": info.seconds if info else 0.0,
            "samples": info.samples if info else 0,
            "stopped_by": _lib.name_of(_lib.lib.dv_stop_rule_name, info.stop_rule)
            if info else "none"}
