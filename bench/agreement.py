"""Helpers of the benchmark scripts: a value column of dval's CSVs and the
Pearson and Spearman (average ranks for ties) correlations of two."""
import csv

import numpy as np


def values(path):
    return np.array([float(r["value"]) for r in csv.DictReader(open(path))])


def ranks(a):
    o = np.argsort(a, kind="stable")
    r = np.empty(len(a))
    r[o] = np.arange(len(a))
    for v in np.unique(a):  # ties share their mean rank
        r[a == v] = r[a == v].mean()
    return r


def pearson_spearman(a, b):
    return np.corrcoef(a, b)[0, 1], np.corrcoef(ranks(a), ranks(b))[0, 1]
