"""The Python package against the command and the C compiler: the ctypes
mirrors of dval.h's structures have C's layout; dval.value writes the bytes
``dval value`` writes for the same data and options (arrays and files,
every method, groups); bad arrays and options raise ValueError naming them,
library failures dval.Error with the library's message; Ctrl-C stops a long
call; progress arrives in order."""

import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np

import dval
from common import DVAL, SRC, read, write, write_csv
from dval import _lib


class Layout(unittest.TestCase):
    def test_structs_match_c(self):
        """sizeof and every field's offsetof, from the C compiler."""
        lines = ["#include <dval_plot.h>", "#include <stddef.h>", "#include <stdio.h>",
                 "int main(void) {"]
        for cname, S in _lib.STRUCTS.items():
            lines.append('printf("%%s %%zu\\n", "%s", sizeof(%s));' % (cname, cname))
            for fname, _ in S._fields_:
                cf = "lambda" if fname == "lambda_" else fname
                lines.append('printf("%%s.%%s %%zu\\n", "%s", "%s", offsetof(%s, %s));'
                             % (cname, fname, cname, cf))
        lines.append("return 0; }")
        with tempfile.TemporaryDirectory() as d:
            c, exe = os.path.join(d, "l.c"), os.path.join(d, "l")
            write(c, "\n".join(lines))
            subprocess.run(["cc", "-I", os.path.join(SRC, "include"), c, "-o", exe], check=True)
            out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        want = {}
        for line in out.splitlines():
            k, v = line.split()
            want[k] = int(v)
        for cname, S in _lib.STRUCTS.items():
            self.assertEqual(want[cname], __import__("ctypes").sizeof(S), cname)
            for fname, _ in S._fields_:
                self.assertEqual(want["%s.%s" % (cname, fname)], getattr(S, fname).offset,
                                 "%s.%s" % (cname, fname))


class SameAsCommand(unittest.TestCase):
    """dval.value(...).write(path) and `dval value ... -o path` write the same bytes."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        rng = np.random.default_rng(5)
        X = rng.normal(size=(130, 4)) * [1, 3, 0.5, 10] + [0, 1, -2, 5]
        y = (X[:, 0] + 0.3 * X[:, 1] + rng.normal(size=130) > 0.5).astype(int)
        cls.X, cls.y = X[:70], y[:70]
        cls.Xv, cls.yv = X[70:100], y[70:100]
        cls.Xt, cls.yt = X[100:], y[100:]
        cls.files = [os.path.join(d, n) for n in ("train.csv", "val.csv", "test.csv")]
        for p, (A, b) in zip(cls.files, ((cls.X, cls.y), (cls.Xv, cls.yv), (cls.Xt, cls.yt))):
            write_csv(p, A, b)
        full = os.path.join(d, "all.csv")
        write_csv(full, X, y)
        cls.full = full

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def cli(self, out, method, args):
        cmd = [DVAL, "value", "--method", method, "--data", self.files[0], "--val-data",
               self.files[1], "--test-data", self.files[2], "-o", out, "-q"] + args
        subprocess.run(cmd, check=True)
        return read(out)

    def check(self, method, args=(), **kw):
        d = self.tmp.name
        a, b = os.path.join(d, "cli_%s.csv" % method), os.path.join(d, "py_%s.csv" % method)
        want = self.cli(a, method, list(args))
        r = dval.value(self.X, self.y, self.Xv, self.yv, method=method, **kw)
        r.write(b)
        self.assertEqual(read(b), want, method)
        with open(a) as f:
            rows = list(csv.DictReader(f))
        np.testing.assert_array_equal(r.values, [float(x["value"]) for x in rows])
        return r

    def test_methods(self):
        cases = [
            ("loo", [], {}),
            ("tmc", ["--max-samples", "30", "--seed", "3"], dict(max_samples=30, seed=3)),
            ("beta", ["--max-samples", "20", "--threads", "2"], dict(max_samples=20, threads=2)),
            ("banzhaf", ["--max-samples", "200", "--seed", "1"], dict(max_samples=200, seed=1)),
            ("knn", ["--k", "7"], dict(k=7)),
            ("oob", ["--max-samples", "40"], dict(max_samples=40)),
            ("ame", ["--max-samples", "200"], dict(max_samples=200)),
            ("influence", ["--C", "0.5"], dict(C=0.5)),
            ("lava", [], {}),
            ("cg", [], {}),
            ("random", ["--seed", "9"], dict(seed=9)),
            ("forgetting", ["--max-samples", "2", "--epochs", "4", "--variant", "simple"],
             dict(max_samples=2, epochs=4, variant="simple")),
            ("memorization", ["--max-samples", "30", "--max-depth", "4"],
             dict(max_samples=30, max_depth=4)),
            ("dvrl", ["--max-samples", "20", "--dvrl-input", "xp", "--learner", "mlp",
                      "--hidden", "8", "--epochs", "3"],
             dict(max_samples=20, dvrl_input="xp", learner="mlp", hidden=8, epochs=3)),
            ("loo", ["--learner", "mlp", "--mlp-preset", "reference", "--epochs", "2", "--seed", "4"],
             dict(learner="mlp", mlp_preset="reference", epochs=2, seed=4)),
            ("tmc", ["--learner", "tree", "--max-samples", "10", "--metric", "neg_logloss"],
             dict(learner="tree", max_samples=10, metric="neg_logloss")),
            ("gshapley", ["--max-samples", "30", "--seed", "2"], dict(max_samples=30, seed=2)),
            ("gshapley", ["--max-samples", "10", "--gshapley-lr", "0.05"],
             dict(max_samples=10, gshapley_lr=0.05)),
            ("ts-shapley", ["--max-samples", "20", "--ts-subset", "30", "--seed", "3"],
             dict(max_samples=20, ts_subset=30, seed=3)),
        ]
        for method, args, kw in cases:
            with self.subTest(method=method, args=args):
                self.check(method, args, **kw)

    def test_exact_on_a_few_rows(self):
        X, y = self.X[:10], self.y[:10]
        d = self.tmp.name
        write_csv(os.path.join(d, "ten.csv"), X, y)
        a, b = os.path.join(d, "ex_cli.csv"), os.path.join(d, "ex_py.csv")
        subprocess.run([DVAL, "value", "--method", "exact", "--data", os.path.join(d, "ten.csv"),
                        "--val-data", self.files[1], "--test-data", self.files[2], "-o", a, "-q"],
                       check=True)
        dval.value(X, y, self.Xv, self.yv, method="exact").write(b)
        self.assertEqual(read(a), read(b))

    def test_file_and_groups(self):
        """data=FILE splits as the command does; groups per row of the file."""
        d = self.tmp.name
        groups = np.arange(130) % 7
        gpath = os.path.join(d, "groups.txt")
        write(gpath, "\n".join(str(g) for g in groups) + "\n")
        a, b = os.path.join(d, "g_cli.csv"), os.path.join(d, "g_py.csv")
        subprocess.run([DVAL, "value", "--method", "tmc", "--data", self.full, "--val", "25",
                        "--test", "25", "--split-seed", "4", "--groups", gpath,
                        "--max-samples", "20", "-o", a, "-q"], check=True)
        r = dval.value(data=self.full, val=25, test=25, split_seed=4, groups=groups,
                       method="tmc", max_samples=20)
        r.write(b)
        self.assertEqual(read(a), read(b))
        self.assertEqual(len(r), 7)
        self.assertTrue(r.groups)
        # paid by source: the command's file, payments summing to the total
        subprocess.run([DVAL, "value", "--method", "tmc", "--data", self.full, "--val", "25",
                        "--test", "25", "--split-seed", "4", "--groups", gpath,
                        "--max-samples", "20", "--price", "500", "-o", a, "-q"], check=True)
        r = dval.value(data=self.full, val=25, test=25, split_seed=4, groups=groups,
                       method="tmc", max_samples=20, price=500)
        r.write(b)
        self.assertEqual(read(a), read(b))
        self.assertAlmostEqual(r.payments.sum(), 500, places=9)
        self.assertTrue((r.payments[r.values <= 0] == 0).all())
        self.assertEqual(list(r.to_pandas().columns)[-2:], ["payment", "payment_stderr"])

    def test_pandas(self):
        import pandas as pd
        cols = ["a", "b", "c", "d"]
        r1 = dval.value(pd.DataFrame(self.X, columns=cols), pd.Series(self.y),
                        pd.DataFrame(self.Xv, columns=cols), pd.Series(self.yv), method="knn")
        r2 = dval.value(self.X, self.y, self.Xv, self.yv, method="knn")
        np.testing.assert_array_equal(r1.values, r2.values)
        df = r1.to_pandas()
        self.assertEqual(list(df.columns), ["point", "value", "stderr"])
        np.testing.assert_array_equal(df["value"].to_numpy(), r1.values)

    def test_labels_any_order_and_type(self):
        """String labels map to classes in sorted order, as the CSV reader's."""
        names = np.array(["no", "yes"])
        r1 = dval.value(self.X, names[self.y], self.Xv, names[self.yv], method="knn")
        r2 = dval.value(self.X, self.y, self.Xv, self.yv, method="knn")
        np.testing.assert_array_equal(r1.values, r2.values)


class BadInput(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(1)
        self.X = rng.normal(size=(40, 3))
        self.y = (self.X[:, 0] > 0).astype(int)

    def raises(self, exc, pattern, **kw):
        args = dict(X=self.X, y=self.y, X_val=self.X, y_val=self.y, method="knn")
        args.update(kw)
        with self.assertRaisesRegex(exc, pattern):
            dval.value(**args)

    def test_arrays(self):
        Xn = self.X.copy()
        Xn[5, 2] = np.nan
        self.raises(ValueError, r"^X: row 5, column 2 is nan", X=Xn)
        self.raises(ValueError, r"^X_val: 2 columns, but the training features have 3",
                    X_val=np.ascontiguousarray(self.X[:, :2]))
        self.raises(ValueError, r"^X: expected a 2-D array", X=self.X[:, 0])
        self.raises(ValueError, r"^X: the features must be numbers",
                    X=self.X.astype(str).astype(object))
        self.raises(ValueError, r"^X: a strided view", X=np.vstack([self.X, self.X])[::2])
        self.raises(ValueError, r"^y: 39 labels for 40 rows", y=self.y[:-1])
        self.raises(ValueError, r"^y_val: row 0 has the label 7", y_val=np.full(40, 7))
        self.raises(ValueError, r"^y: a single class", y=np.zeros(40, dtype=int))

    def test_options(self):
        self.raises(ValueError, r"^method: unknown method 'tmcc'", method="tmcc")
        self.raises(TypeError, r"unknown option max_sample\b", max_sample=3)
        self.raises(ValueError, r"^threads: 0 is not in 1\.\.4096", threads=0)
        self.raises(ValueError, r"^rhat: stopping tolerances", rhat=-1.0)
        self.raises(ValueError, r"^learner: unknown learner 'svm'", learner="svm")
        self.raises(ValueError, r"^metric: unknown metric", metric="f1")

    def test_library_errors(self):
        """The library's own message, as dval.Error; the file named."""
        with self.assertRaises(dval.Error) as cm:
            dval.value(self.X, self.y, self.X, self.y, method="exact")
        self.assertIn("exact", str(cm.exception))
        self.assertEqual(cm.exception.code, 2)
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "bad.csv")
            write(p, "a,b,label\n1,2,0\n3,x,1\n")
            with self.assertRaisesRegex(dval.Error, "bad.csv"):
                dval.value(data=p, method="knn")
            with self.assertRaisesRegex(dval.Error, "missing.csv"):
                dval.value(data=os.path.join(d, "missing.csv"), method="knn")


class Calls(unittest.TestCase):
    def test_progress_in_order(self):
        rng = np.random.default_rng(2)
        X = rng.normal(size=(60, 3))
        y = (X[:, 0] > 0).astype(int)
        seen = []
        dval.value(X, y, X, y, method="tmc", max_samples=25, min_samples=25,
                   progress=lambda done, total: seen.append((done, total)))
        self.assertEqual([d for d, _ in seen], list(range(1, 26)))
        self.assertTrue(all(t == 25 for _, t in seen))

    def test_ctrl_c_stops_a_long_call(self):
        """SIGINT during a long call: KeyboardInterrupt within a second or so,
        and the next call works."""
        code = (
            "import time, numpy as np, dval\n"
            "rng = np.random.default_rng(0); X = rng.normal(size=(400, 5)); y = (X[:, 0] > 0).astype(int)\n"
            "print('start', flush=True)\n"
            "t0 = time.time()\n"
            "try:\n"
            "    dval.value(X, y, X, y, method='tmc', max_samples=100000, min_samples=100000, threads=1)\n"
            "    print('finished')\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted %.2f' % (time.time() - t0), flush=True)\n"
            "r = dval.value(X[:50], y[:50], X, y, method='knn')\n"
            "print('after', r.values.shape[0])\n")
        p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        self.assertEqual(p.stdout.readline().strip(), "start")
        time.sleep(1.0)
        t = time.time()
        p.send_signal(signal.SIGINT)
        out = p.communicate(timeout=60)[0].split("\n")
        self.assertTrue(out[0].startswith("interrupted"), out)
        self.assertLess(time.time() - t, 10)
        self.assertEqual(out[1], "after 50")


if __name__ == "__main__":
    unittest.main()
