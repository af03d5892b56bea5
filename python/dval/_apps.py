"""What values are used for beyond cleaning labels, as ``dval eval`` runs
it: finding poisoned rows (poison).  The numbers are the library's; the
files written are the command's, byte for byte, but for the seconds
column."""

import ctypes
import os
import types

import numpy as np

from . import _call, _data, _lib, _value
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


SCORERS = ("random", "margin", "entropy", "distance", "ood", "law", "oracle")


class AcqParams(ctypes.Structure):
    _fields_ = [("learner", _lib.LearnerParams), ("ood_learner", _lib.LearnerParams),
                ("ood_members", ctypes.c_size_t), ("metric", ctypes.c_int),
                ("batch", ctypes.c_size_t), ("rounds", ctypes.c_size_t),
                ("seed", ctypes.c_uint64), ("laws", P(_lib.Law)),
                ("law_heads", ctypes.c_size_t), ("n_threads", ctypes.c_int)]


class AcqSummary(ctypes.Structure):
    _fields_ = [("final_mean", ctypes.c_double), ("final_ci", ctypes.c_double),
                ("n_final", ctypes.c_size_t), ("labels_mean", ctypes.c_double),
                ("labels_ci", ctypes.c_double), ("reached", ctypes.c_size_t),
                ("saved_mean", ctypes.c_double), ("saved_ci", ctypes.c_double),
                ("pairs", ctypes.c_size_t)]


_lib.STRUCTS["dv_acq_params"] = AcqParams
_lib.STRUCTS["dv_acq_summary"] = AcqSummary
_D = P(ctypes.c_double)
for _name, _res, _args in (
        ("dv_acq_params_default", None, [P(AcqParams)]),
        ("dv_acquire", ctypes.c_int, [_lib.Dataset, _lib.Dataset, _lib.Dataset, _lib.Dataset,
                                      ctypes.c_int, P(AcqParams), _D, P(ctypes.c_int64),
                                      P(_lib.DvError)]),
        ("dv_acquire_split", ctypes.c_int, [_lib.Dataset, ctypes.c_size_t, ctypes.c_uint64, _VP,
                                            _VP, P(_lib.DvError)]),
        ("dv_acquire_laws", ctypes.c_int, [ctypes.c_void_p, _lib.Dataset, P(_lib.Law),
                                           P(ctypes.c_size_t), P(_lib.DvError)]),
        ("dv_acq_summarize", ctypes.c_int, [P(ctypes.c_int), ctypes.c_size_t, ctypes.c_size_t,
                                            ctypes.c_size_t, ctypes.c_size_t, _D, _D,
                                            P(AcqSummary), _D, P(_lib.DvError)]),
        ("dv_acquire_write", ctypes.c_int, [ctypes.c_char_p, P(ctypes.c_int), ctypes.c_size_t,
                                            ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t,
                                            ctypes.c_size_t, _D, ctypes.c_double,
                                            P(_lib.DvError)]),
        ("dv_acq_curve_means", None, [_D, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t,
                                      _D, _D]),
        ("dv_law_model_read", ctypes.c_int, [ctypes.c_char_p, _VP, P(_lib.DvError)]),
        ("dv_law_model_free", None, [ctypes.c_void_p])):
    _f = getattr(_lib.lib, _name)
    _f.restype, _f.argtypes = _res, _args


class AcquireResult:
    """What :func:`dval.acquire` returns.

    Attributes
    ----------
    scorers : list of str
    accuracy : ndarray, shape (scorers, reps, rounds + 1)
        The test accuracy after each round (round 0: the labelled rows alone).
    chosen : ndarray of int64, shape (scorers, reps, rounds * batch)
        The pool rows bought, in order (indices into each repetition's pool).
    labels : ndarray of int64
        The labels bought after each round.
    target : float
    summary : dict of str to dict
        Per scorer: final_mean, final_ci, reached, labels_mean, labels_ci,
        saved_mean, saved_ci, pairs (95 % Student's t half-widths).
    labels_to_target : ndarray, shape (scorers, reps)
        NaN where the curve never reaches the target.
    """

    def __repr__(self):
        return "<dval.AcquireResult %d scorers x %d repetitions, target %.4f>" % (
            len(self.scorers), self.accuracy.shape[1], self.target)

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame([dict(scorer=s, **v) for s, v in self.summary.items()])

    def write(self, path="acquire.csv"):
        """Writes the command's curves CSV and PATH.json."""
        ns, reps, t1 = self.accuracy.shape
        codes = (ctypes.c_int * ns)(*[SCORERS.index(s) for s in self.scorers])
        acc = np.ascontiguousarray(self.accuracy)
        err = _lib.DvError()
        _lib.check(_lib.lib.dv_acquire_write(os.fsencode(path), codes, ns, reps, t1 - 1,
                                             self._batch, self._pool, _dp(acc),
                                             self._target_given, ctypes.byref(err)), err)

    def plot(self, path, *, data=None, width=None, height=None, dpi=None, title=None):
        """``dval plot acquire``: the mean curves with their 95 % intervals."""
        from .plot import _opts, _show
        ns, reps, t1 = self.accuracy.shape
        acc, mean, half = np.ascontiguousarray(self.accuracy), np.empty((ns, t1)), np.empty((ns, t1))
        _lib.lib.dv_acq_curve_means(_dp(acc), ns, reps, t1 - 1, _dp(mean), _dp(half))
        labels = np.ascontiguousarray(self.labels, dtype=np.float64)
        names = (ctypes.c_char_p * ns)(*[s.encode() for s in self.scorers])
        o = _opts(width, height, dpi, title)
        err = _lib.DvError()
        rc = _lib.plot_lib().dv_plot_acquire(
            os.fsencode(path), os.fsencode(data) if data else None, ctypes.byref(o),
            ctypes.c_size_t(t1), _dp(labels), ctypes.c_size_t(ns), names, _dp(mean), _dp(half),
            ctypes.c_double(self.target), ctypes.byref(err))
        _lib.check(rc, err)
        return _show(os.fspath(path))


def acquire(X=None, y=None, X_val=None, y_val=None, X_test=None, y_test=None, *,
            scorers=("random", "margin", "entropy", "distance"), pool=None, initial=50,
            batch=10, rounds=20, reps=5, target_acc=None, law_model=None, ood_members=5,
            metric=None, learner=None, seed=0, threads=None, data=None, standardize=True,
            label=None, drop_missing=False, val=None, test=None, val_data=None, test_data=None,
            split_seed=0, **options):
    """Active acquisition (``dval eval acquire``): rounds that buy the labels
    of the pool rows a scorer ranks first and refit the learner.

    Parameters
    ----------
    scorers : list of str, or a comma-separated str
        Of random, margin, entropy, distance, ood, law, oracle.
    pool : str or (X, y)
        A pool (the training split is then the labelled set); default: the
        training split but ``initial`` rows drawn per repetition.
    initial, batch, rounds, reps : int
    target_acc : float
        Default: random's final accuracy, averaged over the repetitions.
    law_model : str
        The law scorer's model (``dval fit --estimator amortized --law-model``).
    metric : {"neg_logloss", "accuracy"}
        The oracle's utility on the validation split (default neg_logloss).
    learner, seed, threads, **options
        The learner refitted each round, as for :func:`dval.value`.

    Returns
    -------
    AcquireResult
    """
    if isinstance(scorers, str):
        scorers = scorers.split(",")
    scorers = list(scorers)
    if not 1 <= len(scorers) <= 16 or any(s not in SCORERS for s in scorers):
        raise ValueError("scorers: 1 to 16 of %s, not %r" % (", ".join(SCORERS), scorers))
    if ("law" in scorers) != (law_model is not None):
        raise ValueError("law_model: the law scorer needs it, and it goes with the law scorer")
    if target_acc is None and "random" not in scorers:
        raise ValueError("target_acc: the default is random's final accuracy; add random to "
                         "scorers or give target_acc")
    if target_acc is not None:
        target_acc = _value._float("target_acc", target_acc)
        if not 0 < target_acc <= 1:
            raise ValueError("target_acc: %r is not an accuracy in (0, 1]" % (target_acc,))
    initial = _value._int("initial", initial, 1, 2**31 - 1)
    batch = _value._int("batch", batch, 1, 2**31 - 1)
    rounds = _value._int("rounds", rounds, 1, 100000)
    reps = _value._int("reps", reps, 1, 10000)
    opts = dict(options, seed=seed)
    if threads is not None:
        opts["threads"] = threads
    vp = _value.value_params("loo", learner, opts)  # the command's --learner, --seed, --threads
    if metric not in (None, "neg_logloss", "accuracy"):
        raise ValueError("metric: the oracle's utility is neg_logloss or accuracy")
    p = AcqParams()
    _lib.lib.dv_acq_params_default(ctypes.byref(p))
    p.learner, p.batch, p.rounds = vp.learner, batch, rounds
    p.metric = 1 if metric == "accuracy" else 0
    p.ood_members = _value._int("ood_members", ood_members, 2, 1000)
    p.n_threads = vp.n_threads
    d = _data.load(X, y, X_val, y_val, X_test, y_test, data=data, task="classification",
                   standardize=standardize, label=label, drop_missing=drop_missing, val=val,
                   test=test, val_data=val_data, test_data=test_data, split_seed=split_seed,
                   need_test=True)
    from ._study import _candidate_rows
    fixed = _candidate_rows(pool, d, label, drop_missing) if pool is not None else None
    n = d.rows()
    if fixed is None and initial >= n:
        raise ValueError("initial: %d labelled rows leave no pool in a training split of %d"
                         % (initial, n))
    np_rows = _lib.lib.dv_dataset_rows(fixed.train) if fixed is not None else n - initial
    if batch > np_rows:
        raise ValueError("batch: a batch of %d is larger than the pool of %d rows"
                         % (batch, np_rows))
    if batch * rounds > np_rows:
        raise ValueError("rounds: %d rounds of %d buy %d labels but the pool has %d rows"
                         % (rounds, batch, batch * rounds, np_rows))
    err = _lib.DvError()
    lm = ctypes.c_void_p()
    if law_model is not None:
        _lib.check(_lib.lib.dv_law_model_read(os.fsencode(law_model), ctypes.byref(lm),
                                              ctypes.byref(err)), err)
    ns = len(scorers)
    acc = np.zeros((ns, reps, rounds + 1))
    chosen = np.zeros((ns, reps, rounds * batch), dtype=np.int64)
    K = _lib.lib.dv_dataset_classes(d.train)
    try:
        for r in range(reps):
            lab, pl = ctypes.c_void_p(), ctypes.c_void_p()
            if fixed is None:
                _lib.check(_lib.lib.dv_acquire_split(d.train, initial, (vp.seed + r) % 2**64,
                                                     ctypes.byref(lab), ctypes.byref(pl),
                                                     ctypes.byref(err)), err)
            try:
                L, P_ = (d.train, fixed.train) if fixed is not None else (lab, pl)
                laws = None
                if lm:
                    laws = (_lib.Law * (np_rows * K))()
                    heads = ctypes.c_size_t()
                    _lib.check(_lib.lib.dv_acquire_laws(lm, P_, laws, ctypes.byref(heads),
                                                        ctypes.byref(err)), err)
                    p.laws, p.law_heads = laws, heads.value
                p.seed = (vp.seed + r) % 2**64
                for k, s in enumerate(scorers):
                    a = np.zeros(rounds + 1)
                    c = np.zeros(rounds * batch, dtype=np.int64)
                    rc = _call.run(_lib.lib.dv_acquire, L, P_, d.val, d.test, SCORERS.index(s),
                                   ctypes.byref(p), _dp(a), c.ctypes.data_as(P(ctypes.c_int64)),
                                   ctypes.byref(err))
                    _lib.check(rc, err)
                    acc[k, r], chosen[k, r] = a, c
            finally:
                if fixed is None:
                    _lib.lib.dv_dataset_free(lab)
                    _lib.lib.dv_dataset_free(pl)
    finally:
        if lm:
            _lib.lib.dv_law_model_free(lm)
    res = AcquireResult()
    res.scorers, res.accuracy, res.chosen = scorers, acc, chosen
    res.labels = np.arange(rounds + 1, dtype=np.int64) * batch
    res._batch, res._pool = batch, np_rows
    res._target_given = target_acc if target_acc is not None else float("nan")
    target = ctypes.c_double(res._target_given)
    S = (AcqSummary * ns)()
    need = np.zeros((ns, reps))
    codes = (ctypes.c_int * ns)(*[SCORERS.index(s) for s in scorers])
    _lib.check(_lib.lib.dv_acq_summarize(codes, ns, reps, rounds, batch, _dp(acc),
                                         ctypes.byref(target), S, _dp(need), ctypes.byref(err)),
               err)
    res.target, res.labels_to_target = target.value, need
    res.summary = {s: {f: getattr(S[k], f) for f, _ in AcqSummary._fields_}
                   for k, s in enumerate(scorers)}
    return res
