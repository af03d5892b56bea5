"""What the Python suites share: the command under test, and small file
helpers."""

import os
import subprocess

DVAL = os.environ.get("DVAL", "dval")
SRC = os.environ.get("DV_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def write_csv(path, X, y):
    """X (rows x features) and labels y as a CSV with columns x0, x1, ..., label."""
    with open(path, "w") as f:
        f.write(",".join("x%d" % j for j in range(X.shape[1])) + ",label\n")
        for row, t in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + ",%s\n" % t)


def cli(*args):
    """Runs dval with args (any type), quietly; raises when it fails."""
    subprocess.run([DVAL] + [str(a) for a in args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
