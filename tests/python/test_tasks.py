"""The tasks from Python against the command: dval.noisy and dval.removal
compute what ``dval eval noisy`` and ``dval eval removal`` compute and write
the same files (but for the seconds a method took); their figures are
``dval plot``'s, byte for byte; bad calls raise naming the argument."""

import os
import subprocess
import tempfile
import unittest

import numpy as np

import dval
from common import DVAL, cli, read, write_csv


def without_seconds(path):
    with open(path) as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    j = rows[0].index("seconds")
    return [r[:j] + r[j + 1:] for r in rows]


class Tasks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        rng = np.random.default_rng(8)
        X = rng.normal(size=(190, 3))
        y = np.where(X[:, 0] + 0.5 * X[:, 2] + 0.3 * rng.normal(size=190) > 0, "b", "a")
        cls.parts = [(X[:110], y[:110]), (X[110:150], y[110:150]), (X[150:], y[150:])]
        cls.files = [os.path.join(d, n) for n in ("tr.csv", "va.csv", "te.csv")]
        for p, (A, b) in zip(cls.files, cls.parts):
            write_csv(p, A, b)
        cls.data = ["--data", cls.files[0], "--val-data", cls.files[1], "--test-data",
                    cls.files[2]]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def p(self, name):
        return os.path.join(self.tmp.name, name)

    def test_poison_as_the_command(self):
        cli("eval", "poison", *self.data, "--methods", "knn,loo", "--rho", "0.1",
            "--target", "b", "--trigger", "x2", "--poison-seed", "4", "-o", self.p("po.csv"),
            "--injected-out", self.p("pi.csv"))
        (X, y), (Xv, yv), (Xt, yt) = self.parts
        r = dval.poison(X, y, Xv, yv, Xt, yt, methods=["knn", "loo"], rho=0.1, target="b",
                        trigger=["x2"], poison_seed=4)
        r.write(self.p("ppo.csv"), injected_out=self.p("ppi.csv"))
        self.assertEqual(without_seconds(self.p("ppo.csv")), without_seconds(self.p("po.csv")))
        self.assertEqual(read(self.p("ppi.csv")), read(self.p("pi.csv")))
        self.assertEqual([row["method"] for row in r.rows], ["injected", "knn", "loo"] * 3)
        # the flips: rows of class a relabelled b, 11 of them
        self.assertEqual(int(r.poisoned["flip"].sum()), 11)
        self.assertEqual(len(r.to_pandas()), 9)
        with self.assertRaisesRegex(ValueError, "target: no class 'c'"):
            dval.poison(X, y, Xv, yv, Xt, yt, methods="knn", target="c")
        with self.assertRaisesRegex(ValueError, "trigger: no column 'zz'"):
            dval.poison(X, y, Xv, yv, Xt, yt, methods="knn", attacks=["backdoor"], trigger="zz")
        with self.assertRaisesRegex(ValueError, "attacks"):
            dval.poison(X, y, Xv, yv, Xt, yt, methods="knn", attacks=["trojan"])

    def test_acquire_as_the_command(self):
        args = ["--initial", "20", "--batch", "5", "--rounds", "3", "--reps", "2", "--seed", "6",
                "--scorers", "random,margin,distance,ood,oracle"]
        cli("eval", "acquire", *self.data, *args, "-o", self.p("ac.csv"))
        cli("plot", "acquire", self.p("ac.csv"), "-o", self.p("ac.svg"))
        (X, y), (Xv, yv), (Xt, yt) = self.parts
        r = dval.acquire(X, y, Xv, yv, Xt, yt, initial=20, batch=5, rounds=3, reps=2, seed=6,
                         scorers="random,margin,distance,ood,oracle")
        r.write(self.p("pac.csv"))
        self.assertEqual(read(self.p("pac.csv")), read(self.p("ac.csv")))
        self.assertEqual(read(self.p("pac.csv.json")), read(self.p("ac.csv.json")))
        r.plot(self.p("pac.svg"))
        self.assertEqual(read(self.p("pac.svg")), read(self.p("ac.svg")))
        self.assertEqual(r.accuracy.shape, (5, 2, 4))
        self.assertEqual(list(r.labels), [0, 5, 10, 15])
        # every scorer of a repetition starts from the same labelled rows
        self.assertTrue((r.accuracy[:, :, 0] == r.accuracy[0, :, 0]).all())
        # a pool file: the training split is labelled; bad calls are named
        r2 = dval.acquire(X, y, Xv, yv, Xt, yt, pool=self.files[1], batch=4, rounds=2, reps=1,
                          scorers=["random", "entropy"])
        self.assertEqual(r2.chosen.shape, (2, 1, 8))
        with self.assertRaisesRegex(ValueError, "a batch of 50 is larger than the pool of 40"):
            dval.acquire(X, y, Xv, yv, Xt, yt, pool=self.files[1], batch=50)
        with self.assertRaisesRegex(ValueError, "scorers"):
            dval.acquire(X, y, Xv, yv, Xt, yt, scorers="random,bald")
        with self.assertRaisesRegex(ValueError, "law_model"):
            dval.acquire(X, y, Xv, yv, Xt, yt, scorers="random,law")

    def test_noisy_as_the_command(self):
        # status 1: one method failed (its row says so), the others are written
        st = subprocess.run([DVAL, "eval", "noisy"] + self.data + [
            "--methods", "knn,loo,exact,tmc", "--rho", "0.25", "--noise-seed", "3",
            "--noisy-val", "--max-samples", "20", "--seed", "2", "-o", self.p("n.csv"),
            "--values-out", self.p("nv.csv")], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode
        self.assertEqual(st, 1)
        (X, y), (Xv, yv) = self.parts[0], self.parts[1]
        r = dval.noisy(X, y, Xv, yv, methods="knn,loo,exact,tmc", rho=0.25, noise_seed=3,
                       noisy_val=True, max_samples=20, seed=2)
        r.write(self.p("pn.csv"), values_out=self.p("pnv.csv"))
        self.assertEqual(read(self.p("pnv.csv")), read(self.p("nv.csv")))
        self.assertEqual(without_seconds(self.p("pn.csv")), without_seconds(self.p("n.csv")))
        # exact Shapley on 110 points is refused: an error row, the others go on
        self.assertIn("exact", r.errors)
        self.assertEqual(r.stopped_by[2], "error")
        self.assertTrue(np.isnan(r.f1[2]))
        self.assertEqual(int(r.is_noisy.sum()), round(0.25 * 110))
        # the flips are the library's: labels in the values file that differ
        self.assertEqual(list(r.values), ["knn", "loo", "tmc"])
        # an independent check of AUROC: P(noisy value < clean value), ties 1/2
        v = r.values["knn"]
        a, b = v[r.is_noisy], v[~r.is_noisy]
        auc = ((a[:, None] < b[None, :]).sum() + 0.5 * (a[:, None] == b[None, :]).sum()) / (
            a.size * b.size)
        self.assertAlmostEqual(r.auroc[0], auc, places=12)
        self.assertEqual(r.plot(self.p("pn.svg")), self.p("pn.svg"))
        cli("plot", "noisy", self.p("nv.csv"), "-o", self.p("n.svg"))
        self.assertEqual(read(self.p("pn.svg")), read(self.p("n.svg")))
        df = r.to_pandas()
        self.assertEqual(list(df["method"]), ["knn", "loo", "exact", "tmc"])

    def test_removal_as_the_command(self):
        cli("eval", "removal", *self.data, "--method", "knn", "--bin", 0.1, "--max-fraction",
            0.6, "-o", self.p("r.csv"))
        (X, y), (Xv, yv), (Xt, yt) = self.parts
        r = dval.removal(X, y, Xv, yv, Xt, yt, method="knn", bin=0.1, max_fraction=0.6)
        r.write(self.p("pr.csv"))
        self.assertEqual(read(self.p("pr.csv")), read(self.p("r.csv")))
        self.assertEqual(r.metric, "accuracy")
        self.assertEqual(list(r.removed), [0, 11, 22, 33, 44, 55, 66])
        # step 0 removes nothing: both curves start at the full model's accuracy
        self.assertEqual(r.high[0], r.low[0])
        counts = np.bincount(np.searchsorted(["a", "b"], y), minlength=2)
        self.assertEqual(r.majority, np.mean(np.searchsorted(["a", "b"], yt) == counts.argmax()))
        r.plot(self.p("pr.svg"))
        cli("plot", "removal", self.p("r.csv"), "--names", "knn", "--metric-name", "accuracy",
            "-o", self.p("r.svg"))
        self.assertEqual(read(self.p("pr.svg")), read(self.p("r.svg")))
        # from the file with a metric: the values' utility and the test score
        cli("eval", "removal", *self.data, "--method", "loo", "--metric", "neg_logloss", "-o",
            self.p("r2.csv"))
        r2 = dval.removal(data=self.files[0], val_data=self.files[1], test_data=self.files[2],
                          method="loo", metric="neg_logloss")
        r2.write(self.p("pr2.csv"))
        self.assertEqual(read(self.p("pr2.csv")), read(self.p("r2.csv")))
        self.assertTrue(np.isnan(r2.majority))

    def test_candidates_as_the_command(self):
        """Rows added to the data, valued as dval value --candidates values them
        (from a file and from arrays: the same bytes)."""
        rng = np.random.default_rng(4)
        Xc = rng.normal(size=(5, 3))
        yc = np.array(["a", "b", "b", "a", "b"])
        cand = self.p("cand.csv")
        write_csv(cand, Xc, yc)
        (X, y), (Xv, yv), _ = self.parts
        cases = [("loo", [], {}), ("loo", ["--utility", "boundary-mae"],
                                   dict(utility="boundary-mae")),
                 ("tmc", ["--max-samples", 20, "--seed", 4], dict(max_samples=20, seed=4)),
                 ("memorization", ["--max-samples", 3], dict(max_samples=3)),
                 ("forgetting", ["--learner", "mlp", "--epochs", 3, "--hidden", 8],
                  dict(learner="mlp", epochs=3, hidden=8)),
                 ("ood-ensemble", ["--max-samples", 3, "--epochs", 2, "--hidden", 8],
                  dict(max_samples=3, epochs=2, hidden=8)),
                 ("ood-dropout", ["--max-samples", 4, "--epochs", 2, "--hidden", 8],
                  dict(max_samples=4, epochs=2, hidden=8))]
        for method, args, kw in cases:
            with self.subTest(method=method, args=args):
                want = self.p("c_%s.csv" % method)
                cli("value", "--method", method, *self.data, "--candidates", cand, "-o", want,
                    "-q", *args)
                r = dval.value(X, y, Xv, yv, method=method, candidates=cand, **kw)
                r.write(self.p("pc.csv"))
                self.assertEqual(read(self.p("pc.csv")), read(want))
                r2 = dval.value(X, y, Xv, yv, method=method, candidates=(Xc, yc), **kw)
                np.testing.assert_array_equal(r2.values, r.values)
                self.assertEqual(r.method, method)
        # a candidate's add-one value is its leave-one-out value once appended
        # to the data (unstandardized, so that appending changes nothing else):
        # a far, mislabelled row costs accuracy
        got = []
        for c, lab in (([6.0, 0, 6], "a"), ([3.0, 0, 3], "a"), ([-3.0, 0, -3], "a")):
            r = dval.value(X[:20], y[:20], Xv, yv, method="loo",
                           candidates=(np.array([c]), [lab]), standardize=False)
            full = dval.value(np.vstack([X[:20], [c]]), np.concatenate([y[:20], [lab]]), Xv, yv,
                              method="loo", metric="accuracy", standardize=False)
            self.assertAlmostEqual(r.values[0], full.values[-1], places=12)
            got.append(r.values[0])
        self.assertLess(got[0], -0.2)  # not a comparison of zeros

    def test_pairwise_as_the_command(self):
        pts = [3, 10, 11, 40, 41]
        want = self.p("pairs.csv")
        cli("value", "--method", "pairwise", *self.data, "--points", "3,10,11,40,41",
            "--max-samples", 30, "--seed", 2, "-o", want, "-q")
        (X, y), (Xv, yv), _ = self.parts
        r = dval.value(X, y, Xv, yv, method="pairwise", points=pts, max_samples=30, seed=2)
        r.write(self.p("ppairs.csv"))
        self.assertEqual(read(self.p("ppairs.csv")), read(want))
        self.assertEqual(read(self.p("ppairs.npy")), read(self.p("pairs.npy")))
        np.testing.assert_array_equal(r.values, r.values.T)
        self.assertEqual(sorted(r.order().tolist()), list(range(5)))
        # the figure over the raw coordinates of the training file's rows
        r.plot(self.p("ppairs.svg"), X, np.searchsorted(["a", "b"], y))
        cli("plot", "pairs", want, "--source", self.files[0], "-o", self.p("pairs.svg"))
        self.assertEqual(read(self.p("ppairs.svg")), read(self.p("pairs.svg")))

    def test_explain_as_the_command(self):
        cli("value", "--method", "influence", *self.data, "--explain", 7, "-o", self.p("ex.csv"),
            "-q")
        (X, y), (Xv, yv), (Xt, yt) = self.parts
        e = dval.value(X, y, Xv, yv, method="influence", explain=7, X_test=Xt, y_test=yt)
        e.write(self.p("pex.csv"))
        self.assertEqual(read(self.p("pex.csv")), read(self.p("ex.csv")))
        helped, hurt = e.top(3)
        self.assertGreater(e.influence[helped[0]], e.influence[hurt[0]])
        with self.assertRaises(ValueError):
            dval.value(X, y, Xv, yv, method="influence", explain=40, X_test=Xt, y_test=yt)
        with self.assertRaises(ValueError):
            dval.value(X, y, Xv, yv, method="knn", explain=1, X_test=Xt, y_test=yt)

    def test_sensitivity_as_the_command(self):
        rng = np.random.default_rng(3)
        X = rng.normal(size=(90, 3))
        yr = 1 + 0.8 * X[:, 0] - 0.05 * X[:, 1] + rng.normal(size=90)
        X[:2, 1], yr[:2] = [6, 7], [9, 10]
        files = [self.p(n) for n in ("str.csv", "sva.csv", "ste.csv")]
        for f, sl in zip(files, (slice(0, 70), slice(70, 80), slice(80, 90))):
            write_csv(f, X[sl], yr[sl])
        d = ["--data", files[0], "--val-data", files[1], "--test-data", files[2], "--task",
             "regression"]
        for args, kw in (([ "--coef", "x1"], dict(coef="x1")),
                         (["--coef", "x0", "--goal", "significance"],
                          dict(coef="x0", goal="significance")),
                         (["--predict", 3, "--goal", "change", "--change", -0.3],
                          dict(predict=3, goal="change", change=-0.3))):
            with self.subTest(args=args):
                cli("eval", "sensitivity", *d, *args, "-o", self.p("s.csv"), "-q")
                r = dval.sensitivity(X[:70], yr[:70], X[70:80], yr[70:80], X[80:], yr[80:],
                                     **kw)
                r.write(self.p("ps.csv"))
                self.assertEqual(read(self.p("ps.csv")), read(self.p("s.csv")))
                self.assertEqual(read(self.p("ps.csv.json")), read(self.p("s.csv.json")))
        r = dval.sensitivity(X[:70], yr[:70], X[70:80], yr[70:80], coef="x1",
                             standardize=False)
        self.assertGreater(r.before, 0)
        self.assertLessEqual(r.scan_after, 0)  # the two far rows turn it
        self.assertEqual(sorted(r.scan_removed.tolist()), [0, 1])
        with self.assertRaises(ValueError):
            dval.sensitivity(X[:70], yr[:70], X[70:80], yr[70:80], coef="zz")
        with self.assertRaises(ValueError):
            dval.sensitivity(X[:70], yr[:70], X[70:80], yr[70:80], coef="x0", goal="change")

    def test_map_as_the_command(self):
        xs, ys = np.linspace(-1, 2, 7), np.linspace(0, 1, 5)
        Z = np.outer(ys, xs) - 0.3
        Z[2, 3] = np.nan
        with open(self.p("grid.csv"), "w") as f:
            f.write("x,y,value\n")
            for j, yv in enumerate(ys):
                for i, xv in enumerate(xs):
                    f.write("%r,%r,%s\n" % (xv, yv, "" if np.isnan(Z[j, i]) else repr(Z[j, i])))
        pts = np.array([[0.0, 0.5], [1.5, 0.2], [-0.5, 0.9]])
        with open(self.p("pts.csv"), "w") as f:
            f.write("x,y,class\n" + "".join("%r,%r,%d\n" % (a, b, c)
                                             for (a, b), c in zip(pts, [0, 1, 1])))
        curves = [np.array([[0, 0], [1, 1]]), np.array([[-1, 0.5], [0, 0.6], [2, 0.4]])]
        with open(self.p("curves.csv"), "w") as f:
            f.write("curve,x,y\n" + "".join("%d,%r,%r\n" % (k, float(a), float(b))
                                             for k, c in enumerate(curves) for a, b in c))
        cli("plot", "map", self.p("grid.csv"), "--points", self.p("pts.csv"), "--curves",
            self.p("curves.csv"), "--value-label", "v", "-o", self.p("map.svg"))
        dval.plot.map(Z, (xs[0], xs[-1], ys[0], ys[-1]), self.p("pmap.svg"), points=pts,
                      classes=[0, 1, 1], curves=curves, value_label="v")
        self.assertEqual(read(self.p("pmap.svg")), read(self.p("map.svg")))

    def test_bad_calls(self):
        (X, y), (Xv, yv), _ = self.parts
        for fn, kw, exc, msg in (
                (dval.noisy, dict(methods="knn", rho=1.0), ValueError, "rho: 1.0 is not in"),
                (dval.noisy, dict(methods="knn,shap"), ValueError, "unknown method 'shap'"),
                (dval.noisy, dict(methods=[]), ValueError, "1 to 32 methods"),
                (dval.noisy, dict(methods="knn", k=0), ValueError, "k: 0 is not in"),
                (dval.removal, dict(method="knn"), ValueError, "X_test, y_test"),
                (dval.removal, dict(method="knn", bin=0, X_test=X, y_test=y), ValueError,
                 "bin and max_fraction"),
                (dval.removal, dict(method="knn", X_test=X, y_test=y, groups=[1]), TypeError,
                 "unknown option groups"),
                (dval.noisy, dict(methods="knn", label="y"), ValueError,
                 "label: a data file's option"),
                (dval.value, dict(method="pairwise"), ValueError, "points: goes with"),
                (dval.value, dict(method="knn", points=[1, 2]), ValueError, "points: goes with"),
                (dval.value, dict(method="pairwise", points=[1]), ValueError, "at least 2"),
                (dval.value, dict(method="pairwise", points=[1, 500]), ValueError,
                 "500 is not a row"),
                (dval.value, dict(method="ood-ensemble"), ValueError, "give candidates"),
                (dval.value, dict(method="loo", utility="accuracy"), ValueError,
                 "utility: goes with candidates"),
                (dval.value, dict(method="knn", candidates=(X[:2], y[:2])), dval.Error,
                 "does not value added rows"),
                (dval.value, dict(method="loo", candidates=(X[:2], ["a", "c"])), ValueError,
                 "the label 'c'"),
                (dval.value, dict(method="loo", candidates=(X[:2],)), ValueError,
                 "a pair (X, y)"),
                (dval.value, dict(method="loo", candidates=(X[:2], y[:2]), utility="mse"),
                 ValueError, "unknown utility")):
            with self.subTest(msg=msg):
                with self.assertRaises(exc) as cm:
                    fn(X, y, Xv, yv, **kw)
                self.assertIn(msg, str(cm.exception))


if __name__ == "__main__":
    unittest.main()
