#!/usr/bin/env python3
"""How alike and how typical are the points point addition selects?

For a grid-mode run (RUN_DIR, with scaling.csv from `dval fit`), its data
file and its values (`dval value --from RUN_DIR -o VALUES.csv`): the 50 best
candidates of each class by the law at 500, by the law at 5,000 (laws with
log-fit R^2 below 0.9 last, as `dval eval addition`) and by the Monte Carlo
mean, against 200 random class-balanced sets of 100.  Prints the mean
pairwise distance, the mean distance to the nearest other selected point
and the mean distance from the centre, in standardized features.

usage: python3 bench/addition_spread.py RUN_DIR DATA.csv VALUES.csv
"""
import csv, sys
import numpy as np
run, data, vals = sys.argv[1], sys.argv[2], sys.argv[3]
X = np.genfromtxt(data, delimiter=',', skip_header=1)[:, :-1]
X = (X - X.mean(0)) / X.std(0)
pts = list(csv.DictReader(open(run + '/points.csv')))
src = np.array([int(r['source_row']) for r in pts]); lab = np.array([int(r['label']) for r in pts])
law = list(csv.DictReader(open(run + '/scaling.csv')))
c = np.array([float(r['c']) for r in law]); a = np.array([float(r['alpha']) for r in law])
ok = np.array([(r['status'] in ('ok', 'bound')) and float(r['log_r2']) >= 0.9 for r in law])
mc = np.array([float(r['mc_mean']) for r in csv.DictReader(open(vals))])
F = X[src]
def top(score, per=50):
    s = np.where(np.isfinite(score), score, -np.inf)
    sel = []
    for cl in (0, 1):
        idx = np.where(lab == cl)[0]
        sel += list(idx[np.argsort(-s[idx], kind='stable')[:per]])
    return np.array(sel)
def spread(sel):
    D = np.sqrt(((F[sel, None, :] - F[None, sel, :]) ** 2).sum(-1))
    iu = np.triu_indices(len(sel), 1)
    return D[iu].mean()
def nn_to_base(sel):  # mean distance from each selected point to its nearest other selected point
    D = np.sqrt(((F[sel, None, :] - F[None, sel, :]) ** 2).sum(-1)); np.fill_diagonal(D, np.inf)
    return D.min(1).mean()
rng = np.random.default_rng(0)
rows = []
for name, sc in (('law at 500', np.where(ok, c * 500.0 ** -a, np.nan)), ('law at 5000', np.where(ok, c * 5000.0 ** -a, np.nan)), ('MC mean', mc)):
    sel = top(sc)
    rows.append((name, spread(sel), nn_to_base(sel)))
rs = [(spread(s), nn_to_base(s)) for s in (np.concatenate([rng.choice(np.where(lab == 0)[0], 50, replace=False), rng.choice(np.where(lab == 1)[0], 50, replace=False)]) for _ in range(200))]
rs = np.array(rs)
for r in rows: print('%-12s mean pairwise distance %.3f, mean nearest-neighbour distance %.3f' % r)
print('random (200 draws) mean pairwise %.3f +- %.3f, nearest neighbour %.3f +- %.3f' % (rs[:,0].mean(), rs[:,0].std(), rs[:,1].mean(), rs[:,1].std()))
norm = np.sqrt((F ** 2).sum(1))
for name, sc in (('law at 500', np.where(ok, c * 500.0 ** -a, np.nan)), ('law at 5000', np.where(ok, c * 5000.0 ** -a, np.nan)), ('MC mean', mc)):
    print('%-12s mean distance from the centre %.3f' % (name, norm[top(sc)].mean()))
print('random: %.3f' % norm.mean())
