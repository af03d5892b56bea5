#!/bin/sh
# Reading a large CSV: dval against pandas.read_csv (Debian's python3-pandas),
# in one run.  Writes ROWS (default 1,000,000) rows of 50 standard-normal
# features with 6 decimals and a 0/1 label (numpy, seed 0; 477 MB for the
# default) and a gzip -1 copy, then times, best of 3 each: pandas.read_csv
# inside Python, and the dval command that reads the file and stops --
# `dval sample --points <more than the rows>` loads the data (parse, split,
# standardization, the file's SHA-256 for the manifest) and exits when it
# checks --points.  Prints seconds, the ratio dval / pandas and dval's peak
# memory (max RSS) for the plain and the compressed file (GZ=0: plain only).
# usage: sh bench/csv_read.sh [DVAL] [ROWS]      (DVAL defaults to build/dval)
DVAL=${1:-build/dval}
ROWS=${2:-1000000}
GZ=${GZ:-1}
[ -x "$DVAL" ] || { echo "csv_read.sh: no dval binary at $DVAL" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "# $(date -u +%Y-%m-%d) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$ROWS" "$W/d.csv" <<'PYEOF' || exit 1
import sys
import numpy as np
import pandas as pd
rows, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
X = rng.standard_normal((rows, 50))
y = (X[:, :5].sum(1) + rng.standard_normal(rows) > 0).astype(np.int8)
df = pd.DataFrame(X, columns=[f"x{j}" for j in range(50)])
df["label"] = y
df.to_csv(path, index=False, float_format="%.6f")
PYEOF
if [ "$GZ" != 0 ]; then
    gzip -1 -c "$W/d.csv" >"$W/d.csv.gz" || exit 1
fi
/usr/bin/python3 - "$DVAL" "$W" <<'PYEOF'
import os, subprocess, sys, time
import pandas as pd
dval, w = sys.argv[1:]
run = os.path.join(w, "run")
files = [os.path.join(w, f) for f in ("d.csv", "d.csv.gz") if os.path.exists(os.path.join(w, f))]

def pandas_s(path):
    t = time.perf_counter()
    df = pd.read_csv(path)
    return time.perf_counter() - t, df.shape

def dval_s(path):
    # More --points than rows: dval stops right after loading the data.
    # Its max RSS comes from /usr/bin/time: a child forked from this
    # process would inherit pandas' resident size as its high-water mark.
    cmd = ["/usr/bin/time", "-f", "maxrss %M", dval, "sample", "--data", path, "-o", run,
           "--points", "999999999999", "-q"]
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    el = time.perf_counter() - t
    if "is more than the" not in p.stderr:
        sys.exit("dval did not read %s: %s" % (path, p.stderr.strip()))
    return el, int(p.stderr.split("maxrss ")[-1]) * 1024 / 1e6  # MB

print("%-8s %8s %10s %8s %8s %12s" % ("file", "MB", "pandas s", "dval s", "ratio", "dval RSS MB"))
for f in files:
    pt, shape = min(pandas_s(f) for _ in range(3))
    runs = [dval_s(f) for _ in range(3)]
    dt, rss = min(runs)[0], max(r[1] for r in runs)
    kind = "csv.gz" if f.endswith(".gz") else "csv"
    print("%-8s %8.1f %10.2f %8.2f %8.2f %12.0f" % (kind, os.path.getsize(f) / 1e6, pt, dt,
                                                   dt / pt, rss))
print("rows %d, columns %d (best of 3 each; ratio = dval / pandas)" % shape)
PYEOF
