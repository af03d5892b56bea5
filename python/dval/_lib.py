"""The shared library libdval through ctypes: finding it, the C structures
the calls take (mirrors of include/dval.h, checked field by field against
the C compiler by the test suite), the prototypes, and errors."""

import ctypes
import os
from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_int,
                    c_int64, c_size_t, c_uint64, c_void_p)

MLP_MAX_HIDDEN = 8


class Error(RuntimeError):
    """A failure reported by the dval library; ``str(e)`` is the library's
    message (it names what was wrong and where) and ``e.code`` its status
    (one of the ``DV_E*`` codes of dval.h)."""

    def __init__(self, message, code=0):
        super().__init__(message)
        self.code = code


class DvError(Structure):
    _fields_ = [("code", c_int), ("msg", c_char * 512)]


PROGRESS = ctypes.CFUNCTYPE(None, c_void_p, c_uint64, c_uint64)


class LearnerParams(Structure):
    _fields_ = [
        ("kind", c_int), ("C", c_double), ("lambda_", c_double), ("tol", c_double),
        ("max_iter", c_int), ("max_depth", c_int), ("min_leaf", c_int),
        ("max_features", c_int), ("seed", c_uint64), ("hidden", c_size_t * MLP_MAX_HIDDEN),
        ("n_hidden", c_size_t), ("epochs", c_int), ("batch_size", c_size_t), ("lr", c_double),
        ("alpha", c_double), ("weight_decay", c_double), ("val_fraction", c_double),
        ("patience", c_int), ("loss_tol", c_double), ("n_iter_no_change", c_int),
        ("neighbors", c_size_t), ("distance_weights", c_int), ("dropout", c_double),
    ]


class ValueParams(Structure):
    _fields_ = [
        ("method", c_int), ("learner", LearnerParams), ("metric", c_int), ("seed", c_uint64),
        ("n_threads", c_int), ("max_samples", c_size_t), ("min_samples", c_size_t),
        ("max_seconds", c_double), ("rhat", c_double), ("rel_stderr", c_double),
        ("chains", c_size_t), ("stderr_tol", c_double), ("rank_tol", c_double),
        ("check_every", c_size_t), ("truncation", c_double), ("beta_a", c_double),
        ("beta_b", c_double), ("knn_k", c_size_t), ("oob_fraction", c_double),
        ("lava_entreg", c_double), ("cg_reps", c_size_t), ("cg_unbalance", c_double),
        ("forgetting_variant", c_int), ("mem_fraction", c_double), ("dvrl_input", c_int),
        ("dvrl_batch", c_size_t), ("gshapley_lr", c_double), ("ts_subset", c_size_t),
        ("groups", POINTER(c_int64)),
        ("n_groups", c_size_t),
        ("progress", PROGRESS), ("progress_user", c_void_p), ("comm", c_void_p),
    ]


class ValueInfo(Structure):
    _fields_ = [
        ("samples", c_size_t), ("utility_calls", c_size_t), ("seconds", c_double),
        ("stop_rule", c_int), ("stop_level", c_double), ("max_stderr", c_double),
        ("value_sd", c_double), ("metric", c_int), ("converged", c_int),
    ]


class CsvOptions(Structure):
    _fields_ = [("label", c_char_p), ("task", c_int), ("drop_missing", c_int),
                ("one_class", c_int)]


class SplitOptions(Structure):
    _fields_ = [("n_val", c_double), ("n_test", c_double), ("seed", c_uint64)]


class LoadOptions(Structure):
    _fields_ = [("path", c_char_p), ("csv", CsvOptions), ("val_path", c_char_p),
                ("test_path", c_char_p), ("split", SplitOptions), ("standardize", c_int),
                ("command", c_char_p)]


class SampleParams(Structure):
    _fields_ = [
        ("learner", LearnerParams), ("metric", c_int), ("mode", c_int), ("n_samples", c_size_t),
        ("min_card", c_int64), ("max_card", c_int64), ("cards", POINTER(c_int64)),
        ("n_cards", c_size_t), ("seed", c_uint64), ("n_threads", c_int), ("batch", c_size_t),
        ("progress", PROGRESS), ("progress_user", c_void_p), ("comm", c_void_p),
        ("shard", c_size_t), ("n_shards", c_size_t),
    ]


class Law(Structure):
    _fields_ = [
        ("c", c_double), ("alpha", c_double), ("sigma", c_double), ("beta", c_double),
        ("nll", c_double), ("log_c", c_double), ("log_alpha", c_double), ("log_r2", c_double),
        ("n_samples", c_size_t), ("status", c_int),
    ]


class AmortizedParams(Structure):
    _fields_ = [
        ("hidden", c_size_t * MLP_MAX_HIDDEN), ("n_hidden", c_size_t), ("epochs", c_int),
        ("batch_size", c_size_t), ("lr", c_double), ("lr_min", c_double), ("warmup", c_int),
        ("weight_decay", c_double), ("clip", c_double), ("val_fraction", c_double),
        ("patience", c_int), ("seed", c_uint64), ("pretrain", c_void_p),
        ("pretrain_epochs", c_int), ("k_ref", c_double),
    ]


class FitParams(Structure):
    _fields_ = [
        ("estimator", c_int), ("n_threads", c_int), ("neighbors", c_size_t),
        ("train", c_void_p), ("data_path", c_char_p), ("amortized", AmortizedParams),
        ("out", c_char_p), ("law_model", c_char_p),
    ]


class Agreement(Structure):
    _fields_ = [("error", c_double), ("expl_var", c_double), ("r2", c_double),
                ("pearson", c_double), ("spearman", c_double), ("sign", c_double)]


class EstimatorsOptions(Structure):
    _fields_ = [("estimators", ctypes.c_uint), ("truth", c_void_p), ("train", c_void_p),
                ("grid", c_void_p), ("eb_neighbors", c_size_t),
                ("amortized", AmortizedParams), ("n_threads", c_int)]


class ReportOpts(Structure):  # dval_plot.h
    _fields_ = [("top", c_size_t), ("data_path", c_char_p), ("n_threads", c_int),
                ("amortized", c_int), ("wrote", c_void_p), ("user", c_void_p)]


# The structures whose layout the tests compare with C's offsetof.
STRUCTS = {"dv_error": DvError, "dv_learner_params": LearnerParams,
           "dv_value_params": ValueParams, "dv_value_info": ValueInfo,
           "dv_csv_options": CsvOptions, "dv_split_options": SplitOptions,
           "dv_load_options": LoadOptions, "dv_sample_params": SampleParams,
           "dv_law": Law, "dv_amortized_params": AmortizedParams,
           "dv_fit_params": FitParams, "dv_report_opts": ReportOpts,
           "dv_agreement": Agreement, "dv_estimators_options": EstimatorsOptions}

Dataset = c_void_p  # dv_dataset *


def _candidates():
    env = os.environ.get("DVAL_LIBRARY")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    try:
        from . import _paths  # written by the build (absolute) and by install (relative)
        out.append(os.path.normpath(os.path.join(here, _paths.LIBDIR, "libdval.so")))
    except ImportError:
        pass
    import ctypes.util
    found = ctypes.util.find_library("dval")
    if found:
        out.append(found)
    return out


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("dval: cannot load libdval.so; tried: %s. Set DVAL_LIBRARY to the "
                      "library's path, or use the package installed with the library "
                      "(make install), or PYTHONPATH=BUILD/python for a build tree"
                      % ("; ".join(tried) or "nothing found"))


lib, path = _load()
_plot = None


def plot_lib():
    """libdval_plot (the figures and the report), loaded on first use from
    beside libdval."""
    global _plot
    if _plot is None:
        name = os.path.join(os.path.dirname(os.path.realpath(path)), "libdval_plot.so")
        try:
            _plot = ctypes.CDLL(name if os.path.exists(name) else "libdval_plot.so")
        except OSError as e:
            raise ImportError("dval: cannot load libdval_plot.so beside %s (%s); the figures "
                              "need it" % (path, e))
        P = POINTER
        for name, res, args in (
                ("dv_report_opts_default", None, [P(ReportOpts)]),
                ("dv_report_write", c_int, [c_void_p, P(Law), c_char_p, P(ReportOpts),
                                            P(DvError)]),
                ("dv_plot_run_law", c_int, [c_char_p, c_char_p, c_void_p, c_void_p, P(Law),
                                            P(c_int64), c_size_t, P(DvError)]),
                ("dv_plot_run_hist", c_int, [c_char_p, c_char_p, c_void_p, c_void_p, P(Law),
                                             P(DvError)]),
                ("dv_plot_run_validation", c_int, [c_char_p, c_char_p, c_void_p, c_void_p,
                                                   P(Law), P(DvError)]),
                ("dv_plot_run_distance", c_int, [c_char_p, c_char_p, c_void_p, c_void_p,
                                                 Dataset, P(c_double), c_char_p, P(DvError)])):
            f = getattr(_plot, name)
            f.restype, f.argtypes = res, args
    return _plot


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = POINTER
_proto("dv_version_string", c_char_p)
_proto("dv_version_number", c_int)
_proto("dv_strerror", c_char_p, c_int)
_proto("dv_interrupt", None)
_proto("dv_interrupt_clear", None)
_proto("dv_interrupted", c_int)
_proto("dv_dataset_from_arrays", c_int, P(Dataset), c_size_t, c_size_t, P(c_double),
       P(c_double), c_int, c_size_t, c_void_p, P(DvError))
_proto("dv_dataset_wrap", c_int, P(Dataset), c_size_t, c_size_t, P(c_double), P(c_double),
       c_int, c_size_t, c_void_p, P(DvError))
_proto("dv_dataset_free", None, Dataset)
_proto("dv_dataset_set_names", c_int, Dataset, c_char_p, P(c_char_p), P(DvError))
_proto("dv_dataset_rows", c_size_t, Dataset)
_proto("dv_dataset_cols", c_size_t, Dataset)
_proto("dv_dataset_classes", c_size_t, Dataset)
_proto("dv_dataset_task", c_int, Dataset)
_proto("dv_dataset_features", P(c_double), Dataset)
_proto("dv_dataset_targets", P(c_double), Dataset)
_proto("dv_dataset_source_rows", P(c_int64), Dataset)
_proto("dv_dataset_col_name", c_char_p, Dataset, c_size_t)
_proto("dv_dataset_class_name", c_char_p, Dataset, c_size_t)
_proto("dv_dataset_standardize", None, Dataset, Dataset, Dataset)
_proto("dv_load_options_default", None, P(LoadOptions))
_proto("dv_csv_options_default", None, P(CsvOptions))
_proto("dv_split_options_default", None, P(SplitOptions))
_proto("dv_data_load", c_int, P(LoadOptions), P(Dataset), P(Dataset), P(Dataset),
       P(c_char_p), P(DvError))
_proto("dv_learner_params_default", None, P(LearnerParams), c_int)
_proto("dv_learner_params_check", c_char_p, P(LearnerParams))
_proto("dv_learner_params_preset", c_int, P(LearnerParams), c_char_p)
_proto("dv_learner_from_name", c_int, c_char_p, P(c_int))
_proto("dv_learner_name", c_char_p, c_int)
_proto("dv_metric_from_name", c_int, c_char_p, P(c_int))
_proto("dv_metric_name", c_char_p, c_int)
_proto("dv_method_from_name", c_int, c_char_p, P(c_int))
_proto("dv_method_name", c_char_p, c_int)
_proto("dv_stop_rule_name", c_char_p, c_int)
_proto("dv_forgetting_variant_from_name", c_int, c_char_p, P(c_int))
_proto("dv_value_params_default", None, P(ValueParams), c_int)
_proto("dv_value_compute", c_int, Dataset, Dataset, P(ValueParams), P(c_double), P(c_double),
       P(ValueInfo), P(DvError))
_proto("dv_values_write", c_int, c_char_p, c_size_t, P(c_double), P(c_double), P(ValueParams),
       P(ValueInfo), c_char_p, P(DvError))
_proto("dv_prices", c_int, P(c_double), P(c_double), c_size_t, c_double, P(c_double),
       P(c_double), P(DvError))
_proto("dv_values_write_priced", c_int, c_char_p, c_size_t, P(c_double), P(c_double),
       P(c_double), P(c_double), c_double, P(ValueParams), P(ValueInfo), c_char_p, P(DvError))
_proto("dv_free", None, c_void_p)
_proto("dv_sample_params_default", None, P(SampleParams))
_proto("dv_run_create", c_int, c_char_p, Dataset, Dataset, P(c_int64), c_size_t,
       P(SampleParams), c_char_p, P(DvError))
_proto("dv_run_execute", c_int, c_char_p, Dataset, Dataset, P(c_int64), c_size_t,
       P(SampleParams), P(DvError))
_proto("dv_run_combine", c_int, c_char_p, P(c_char_p), c_size_t, P(DvError))
_proto("dv_run_open", c_int, P(c_void_p), c_char_p, P(DvError))
_proto("dv_run_free", None, c_void_p)
_proto("dv_run_check_split", c_int, c_void_p, Dataset, P(DvError))
_proto("dv_run_laws", c_int, c_void_p, c_int, P(Law), P(DvError))
_proto("dv_run_write_values", c_int, c_void_p, P(Law), P(c_int64), c_size_t, c_char_p,
       P(DvError))
_proto("dv_amortized_params_default", None, P(AmortizedParams))
_proto("dv_amortized_params_check", c_char_p, P(AmortizedParams))
_proto("dv_fit_params_default", None, P(FitParams))
_proto("dv_fit_estimator_from_name", c_int, c_char_p, P(c_int))
_proto("dv_run_fit_write", c_int, c_void_p, P(FitParams), P(Law), P(DvError))
_proto("dv_law_status_name", c_char_p, c_int)
_proto("dv_estimators_options_default", None, P(EstimatorsOptions))
_proto("dv_estimator_lookup", c_int, c_char_p, P(c_int))
_proto("dv_run_estimator_budgets", c_size_t, c_void_p, c_void_p, P(c_size_t))
_proto("dv_run_estimators", c_int, c_void_p, P(c_size_t), c_size_t, P(EstimatorsOptions),
       P(Agreement), P(Agreement), PROGRESS, c_void_p, P(DvError))
_proto("dv_estimators_write", c_int, c_char_p, P(c_size_t), c_size_t, ctypes.c_uint,
       P(Agreement), c_size_t, P(DvError))
_proto("dv_estimators_by_size_write", c_int, c_char_p, P(c_size_t), c_size_t, ctypes.c_uint,
       P(c_int64), c_size_t, P(Agreement), c_size_t, P(DvError))
_proto("dv_run_load_data", c_int, c_void_p, c_char_p, P(Dataset), P(Dataset), P(Dataset),
       P(DvError))

N_METHODS = 18


def check(rc, err):
    """Raises Error with the library's message when rc is not 0."""
    if rc:
        msg = err.msg.decode("utf-8", "replace") or lib.dv_strerror(rc).decode()
        if rc == 8:  # DV_EINTR
            raise KeyboardInterrupt(msg)
        raise Error(msg, rc)


def name_of(fn, value):
    s = fn(value)
    return s.decode() if s else None
