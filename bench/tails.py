#!/usr/bin/env python3
"""How heavy are the tails of a run's marginal contributions?

For each point of a sampling run (RUN_DIR with deltas.npy): the kurtosis of
its marginals, the share of their variance carried by the largest 0.1 % of
squared deviations, and how many of those rare draws an estimate of S
samples sees on average.  A mean of S samples is near normal only when that
count is well above 1; otherwise most estimates see none, their standard
error is too small, and intervals of +-2 standard errors miss.

usage: python3 bench/tails.py RUN_DIR [S]     (S default 200)
"""
import sys
import numpy as np
run = sys.argv[1]
S = int(sys.argv[2]) if len(sys.argv) > 2 else 200
d = np.load(run + '/deltas.npy')
pts = np.load(run + '/points.npy')
print('point,samples,kurtosis,top_0.1%%_variance_share,rare_draws_in_%d' % S)
shares = []
for i in range(d.shape[0]):
    x = d[i].astype(float)
    dev = (x - x.mean()) ** 2
    top = max(1, len(x) // 1000)
    share = np.sort(dev)[::-1][:top].sum() / dev.sum()
    kurt = (dev ** 2).mean() / dev.mean() ** 2
    shares.append(share)
    print('%d,%d,%.1f,%.2f,%.2f' % (pts[i], len(x), kurt, share, S * top / len(x)))
print('median share of the variance in the top 0.1 %%: %.2f' % np.median(shares),
      file=sys.stderr)
