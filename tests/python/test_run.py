"""The scaling-law pipeline from Python against the command: dval.sample
writes the run directory ``dval sample`` writes; a run begun on one side
and interrupted is finished by the other, with the bytes of an
uninterrupted run; Run.fit, Run.values, Run.report and dval.plot write what
``dval fit``, ``dval value --from``, ``dval report`` and ``dval plot`` write;
the samples are memory-mapped; bad calls raise naming what is wrong."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import numpy as np

import dval
from common import DVAL, cli, read, write_csv
from dval import _lib

RUN_FILES = ("deltas.npy", "cards.npy", "points.npy", "points.csv")


def manifest_without_command(path):
    with open(os.path.join(path, "run.json")) as f:
        m = json.load(f)
    m.pop("command", None)
    return m


class Pipeline(unittest.TestCase):
    """One small data file; runs made by the command are the reference."""

    # a small run: 30 points in batches of 4, coalitions of 10 to 60 rows
    SMALL = dict(samples=8, points=30, min_card=10, max_card=60, batch=4, seed=2)
    SMALL_ARGS = ["--samples", 8, "--points", 30, "--min-card", 10, "--max-card", 60,
                  "--batch", 4, "--seed", 2]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        rng = np.random.default_rng(11)
        n = 260
        X = rng.normal(size=(n, 3)) * [1, 2, 0.5] + [0, 1, 3]
        y = np.where(X[:, 0] - 0.4 * X[:, 1] + rng.normal(size=n) > 0, "yes", "no")
        cls.X, cls.y = X, y
        cls.data = os.path.join(d, "data.csv")
        write_csv(cls.data, X, y)
        cls.ref = os.path.join(d, "ref")
        cli("sample", "--data", cls.data, "-o", cls.ref, "-q", *cls.SMALL_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        p = os.path.join(self.tmp.name, name)
        shutil.rmtree(p, ignore_errors=True)
        return p

    def assertSameRun(self, a, b):
        for f in RUN_FILES:
            self.assertEqual(read(os.path.join(a, f)), read(os.path.join(b, f)), f)

    def test_sample_writes_the_commands_run(self):
        out = self.path("py")
        run = dval.sample(data=self.data, out=out, **self.SMALL)
        self.assertSameRun(out, self.ref)
        # run.json: the same settings and data; the command says who made it
        a, b = manifest_without_command(out), manifest_without_command(self.ref)
        self.assertEqual(a, b)
        self.assertTrue(run.info["command"].startswith("dval.sample("))
        # the samples, memory-mapped from the run directory
        self.assertIsInstance(run.deltas, np.memmap)
        self.assertEqual(run.deltas.filename, os.path.abspath(os.path.join(out, "deltas.npy")))
        np.testing.assert_array_equal(run.deltas, np.load(os.path.join(self.ref, "deltas.npy")))
        np.testing.assert_array_equal(run.cards, np.load(os.path.join(self.ref, "cards.npy")))
        self.assertEqual(run.deltas.shape, (30, 8))
        self.assertTrue(((run.cards >= 10) & (run.cards <= 60)).all())
        np.testing.assert_array_equal(run.points, np.arange(30))
        self.assertFalse(run.deltas.flags.writeable)

    def test_shards_combined_are_the_run(self):
        """Shards from Python and from the command, combined, are the run."""
        s0, s1, s2 = self.path("sh0"), self.path("sh1"), self.path("sh2")
        self.assertIsNone(dval.sample(data=self.data, out=s0, shard=(0, 3), **self.SMALL))
        dval.sample(data=self.data, out=s2, shard=(2, 3), **self.SMALL)
        cli("sample", "--data", self.data, "-o", s1, "-q", "--shard", "1/3", *self.SMALL_ARGS)
        out = self.path("combined")
        run = dval.combine(out, [s2, s1, s0])
        self.assertSameRun(out, self.ref)
        np.testing.assert_array_equal(run.deltas, np.load(os.path.join(self.ref, "deltas.npy")))
        with self.assertRaisesRegex(dval.Error, "shard 1 of 3 missing"):
            dval.combine(self.path("partial"), [s0, s2])
        with self.assertRaisesRegex(ValueError, "shard"):
            dval.sample(data=self.data, out=self.path("bad"), shard=(3, 3), **self.SMALL)

    def test_arrays_are_the_file(self):
        """The same rows as arrays and as files (train/val/test), the same run."""
        files = [os.path.join(self.tmp.name, n) for n in ("tr.csv", "va.csv", "te.csv")]
        parts = [(self.X[:150], self.y[:150]), (self.X[150:210], self.y[150:210]),
                 (self.X[210:], self.y[210:])]
        for p, (A, b) in zip(files, parts):
            write_csv(p, A, b)
        want = self.path("files")
        cli("sample", "--data", files[0], "--val-data", files[1], "--test-data", files[2],
            "-o", want, "-q", *self.SMALL_ARGS)
        out = self.path("arrays")
        run = dval.sample(parts[0][0], parts[0][1], parts[1][0], parts[1][1], out=out,
                          **self.SMALL)
        for f in ("deltas.npy", "cards.npy", "points.npy"):
            self.assertEqual(read(os.path.join(out, f)), read(os.path.join(want, f)), f)
        # the amortized estimator uses the arrays themselves (no file to load)
        laws = run.fit("amortized", epochs=3)
        cli("fit", want, "--estimator", "amortized", "--epochs", 3, "-q")
        self.assertEqual(read(os.path.join(out, "scaling.csv")),
                         read(os.path.join(want, "scaling.csv")))
        self.assertEqual(laws.estimator, "amortized")

    def test_grid_mode_and_points(self):
        want = self.path("grid_cli")
        out = self.path("grid_py")
        rows = np.array([3, 1, 40, 7])
        with open(os.path.join(self.tmp.name, "rows.txt"), "w") as f:
            f.write("\n".join(str(r) for r in rows) + "\n")
        # regression: the first feature from the others
        reg = os.path.join(self.tmp.name, "reg.csv")
        write_csv(reg, self.X[:, 1:], self.X[:, 0])
        cli("sample", "--data", reg, "--label", "label", "--task", "regression", "-o", want,
            "-q", "--mode", "grid", "--cards", "12,30,70", "--samples", 3, "--seed", 4,
            "--learner", "ridge", "--lambda", 0.5, "--points-file",
            os.path.join(self.tmp.name, "rows.txt"))
        dval.sample(data=reg, label="label", task="regression", out=out, mode="grid",
                    cards=[12, 30, 70], samples=3, seed=4, learner="ridge", lambda_=0.5,
                    points=rows)
        self.assertSameRun(out, want)
        run = dval.Run(out)
        self.assertEqual(run.deltas.shape, (4, 9))
        self.assertEqual(sorted(set(run.cards.ravel().tolist())), [12, 30, 70])

    def test_fit_values_report_plots_as_the_command(self):
        a, b = self.path("fa"), self.path("fb")
        shutil.copytree(self.ref, a)
        shutil.copytree(self.ref, b)
        run = dval.Run(a)
        for est, py_kw, args in (("mle", {}, []),
                                 ("law_eb", dict(neighbors=3), ["--neighbors", 3]),
                                 ("amortized", dict(epochs=4, seed=3, k_ref="mid"),
                                  ["--epochs", 4, "--seed", 3, "--k-ref", "mid"])):
            with self.subTest(estimator=est):
                laws = run.fit(est, **py_kw)
                cli("fit", b, "--estimator", est, "-q", *args)
                for f in ("scaling.csv", "scaling.json"):  # which names its directory
                    self.assertEqual(read(os.path.join(a, f)).replace(a.encode(), b"RUN"),
                                     read(os.path.join(b, f)).replace(b.encode(), b"RUN"), f)
                # the arrays are the file's numbers
                with open(os.path.join(b, "scaling.csv")) as f:
                    head = f.readline().strip().split(",")
                    rows = [line.strip().split(",") for line in f]
                for col in ("c", "alpha", "sigma", "beta"):
                    j = head.index(col)
                    np.testing.assert_array_equal(getattr(laws, col),
                                                  [float(r[j]) for r in rows])
                self.assertEqual(list(laws.status), [r[head.index("status")] for r in rows])
        self.assertEqual(read(os.path.join(a, "law_model.bin")),
                         read(os.path.join(b, "law_model.bin")))
        run.fit()  # back to the per-point fits
        cli("fit", b, "-q")
        v = run.values(at=[20, 50])
        cli("value", "--from", b, "--at", "20,50")
        self.assertEqual(read(os.path.join(a, "values.csv")), read(os.path.join(b, "values.csv")))
        laws = run.laws()
        np.testing.assert_array_equal(v["psi_20"], [float(x) for x in v.to_pandas()["psi_20"]])
        np.testing.assert_allclose(v["psi_50"], laws.psi(50), rtol=1e-15)
        np.testing.assert_array_equal(v["mc_mean"], np.asarray(run.deltas).mean(axis=1))
        for name, fn, args in (("law", lambda p: dval.plot.law(run, p, points=[0, 5]),
                                ["--points", "0,5"]),
                               ("hist", lambda p: dval.plot.hist(run, p), [])):
            with self.subTest(figure=name):
                p, q = os.path.join(a, name + ".svg"), os.path.join(b, name + ".svg")
                self.assertEqual(fn(p), p)
                cli("plot", name, b, "-o", q, *args)
                self.assertEqual(read(p), read(q))
        p, q = os.path.join(a, "dist.svg"), os.path.join(b, "dist.svg")
        dval.plot.distance(run, p)
        cli("plot", "distance", b, "--data", self.data, "-o", q)
        self.assertEqual(read(p), read(q))
        with self.assertRaises(ValueError):
            dval.plot.distance(run, p, values=[1.0, 2.0])
        page = run.report(os.path.join(a, "rep"))
        cli("report", b, "-o", os.path.join(b, "rep"), "-q")
        self.assertEqual(page, os.path.join(a, "rep", "report.html"))
        for f in ("law.svg", "hist.svg", "report.html"):  # the page names its run
            self.assertEqual(read(os.path.join(a, "rep", f)).replace(a.encode(), b"RUN"),
                             read(os.path.join(b, "rep", f)).replace(b.encode(), b"RUN"), f)

    def test_estimators_as_the_command(self):
        a = self.path("ea")
        shutil.copytree(self.ref, a)
        run = dval.Run(a)
        grid = self.path("eg")
        cli("sample", "--data", self.data, "-o", grid, "-q", "--mode", "grid", "--cards",
            "10,25,60", "--samples", 2, "--points", 30, "--batch", 4, "--seed", 2)
        t = run.estimators(budgets=[2, 4, 6], estimators="mc_mean,law,law_eb,amortized",
                           neighbors=3, epochs=2, grid=grid, out=os.path.join(a, "e.csv"))
        cli("eval", "estimators", self.ref, "--budgets", "2,4,6", "--estimators",
            "mc_mean,law,law_eb,amortized", "--neighbors", 3, "--epochs", 2, "--grid", grid,
            "-o", os.path.join(a, "c.csv"), "-q")
        for f in ("e", "e_by_size"):
            self.assertEqual(read(os.path.join(a, f + ".csv")),
                             read(os.path.join(a, f.replace("e", "c", 1) + ".csv")), f)
        self.assertEqual(list(t["samples"]), [2] * 4 + [4] * 4 + [6] * 4)
        # the Monte Carlo mean of all 8 samples is the truth: at 6 of them, an
        # independent computation of its mean squared error
        M = np.asarray(run.deltas)
        want = np.mean((M[:, :6].mean(axis=1) - M.mean(axis=1)) ** 2)
        row = [i for i in range(len(t)) if t["samples"][i] == 6 and t["estimator"][i] == "mc_mean"]
        self.assertAlmostEqual(t["error"][row[0]] / want, 1.0, places=12)
        p, q = os.path.join(a, "conv.svg"), os.path.join(a, "conv_cli.svg")
        self.assertEqual(dval.plot.convergence(t, p), p)
        cli("plot", "convergence", os.path.join(a, "c.csv"), "-o", q)
        self.assertEqual(read(p), read(q))
        with self.assertRaises(ValueError):
            run.estimators(budgets=[2, 8])  # the run is its own truth: below 8
        with self.assertRaises(ValueError):
            run.estimators(estimators="median")

    def test_addition_as_the_command(self):
        a = self.path("add")
        cli("eval", "addition", "--from", self.ref, "--data", self.data, "--sizes", "20,40",
            "--add", 6, "--reps", 3, "--score-at", 30, "--seed", 1, "-o",
            os.path.join(a + "c.csv"))
        r = dval.addition(self.ref, [20, 40], add=6, reps=3, score_at=[30], seed=1)
        r.write(a + "p.csv")
        self.assertEqual(read(a + "p.csv"), read(a + "c.csv"))
        self.assertEqual(list(r.scores[:4]), ["law", "law_k30", "mc_mean", "random"])
        self.assertEqual(r.kept, {20: 30, 40: 30})  # a uniform run: no law left out by R^2
        r.plot(a + "p.svg")
        cli("plot", "addition", a + "c.csv", "-o", a + "c.svg")
        self.assertEqual(read(a + "p.svg"), read(a + "c.svg"))
        self.assertEqual(dval.plot.addition(a + "c.csv", a + "f.svg"), a + "f.svg")
        self.assertEqual(read(a + "f.svg"), read(a + "c.svg"))
        # a run from arrays scores on the test split given with it
        X, y = self.X, self.y
        run = dval.sample(X[:150], y[:150], X[150:200], y[150:200], out=self.path("add_arr"),
                          samples=4, points=20, min_card=10, max_card=40, batch=4)
        with self.assertRaises(ValueError) as cm:
            dval.addition(run, [20], add=4, reps=2)
        self.assertIn("X_test", str(cm.exception))
        run = dval.sample(X[:150], y[:150], X[150:200], y[150:200], X_test=X[200:],
                          y_test=y[200:], out=self.path("add_arr2"), samples=4, points=20,
                          min_card=10, max_card=40, batch=4)
        r = dval.addition(run, [20], add=4, reps=2)
        self.assertEqual(len(r.scores), 3)
        self.assertTrue(np.isfinite(r.gain_mean).all())

    def test_python_run_resumed_by_the_command(self):
        """Interrupted from Python (the library's stop flag, raised by a
        progress callback), finished by dval sample --resume."""
        out = self.path("py_cut")
        seen = []

        def stop(done, total):
            seen.append(done)
            if done >= 5:
                _lib.lib.dv_interrupt()

        with self.assertRaises(KeyboardInterrupt) as cm:
            dval.sample(data=self.data, out=out, progress=stop, threads=1, **self.SMALL)
        self.assertIn("resume=True", str(cm.exception))
        self.assertFalse(os.path.exists(os.path.join(out, "deltas.npy")))
        with self.assertRaises(dval.Error) as cm:
            dval.Run(out)
        self.assertIn("the run is not complete", str(cm.exception))
        done = sum(read(os.path.join(out, "progress.bin")))
        total = 8 * 8  # samples x batches
        self.assertTrue(0 < done < total, done)
        cli("sample", "--data", self.data, "-o", out, "--resume", "-q", *self.SMALL_ARGS)
        self.assertSameRun(out, self.ref)

    def test_command_run_resumed_by_python(self):
        """Stopped by SIGINT, finished by dval.sample(resume=True)."""
        big = ["--samples", 200, "--points", 60, "--min-card", 20, "--max-card", 150,
               "--batch", 1, "--seed", 5, "--threads", 1]
        kw = dict(samples=200, points=60, min_card=20, max_card=150, batch=1, seed=5,
                  threads=1)
        out = self.path("cli_cut")
        p = subprocess.Popen([DVAL, "sample", "--data", self.data, "-o", out, "-q"]
                             + [str(a) for a in big], stderr=subprocess.PIPE)
        prog = os.path.join(out, "progress.bin")
        cut = False
        for _ in range(2000):
            if os.path.exists(prog) and sum(read(prog)) > 0:
                p.send_signal(signal.SIGINT)
                cut = True
                break
            if p.poll() is not None:
                break
            time.sleep(0.005)
        err = p.communicate()[1].decode()
        self.assertTrue(cut and p.returncode == 1, "could not stop the command mid-run: %s"
                        % err)
        self.assertIn("--resume", err)
        done = sum(read(prog))
        self.assertTrue(0 < done < 200 * 60, done)
        dval.sample(data=self.data, out=out, resume=True, **kw)
        want = self.path("cli_full")
        cli("sample", "--data", self.data, "-o", want, "-q", *big)
        self.assertSameRun(out, want)
        with open(os.path.join(out, "timing.txt")) as f:
            self.assertIn("dval.sample resume:", f.read())

    def test_bad_calls(self):
        out = self.path("bad")
        shutil.copytree(self.ref, out)
        cases = [
            (ValueError, "already holds a run", dict(out=out)),
            (ValueError, "no run to resume", dict(out=self.path("none"), resume=True)),
            (ValueError, "points: row 999", dict(out=self.path("b1"), points=[1, 999])),
            (ValueError, "points: 5000 is more than", dict(out=self.path("b2"), points=5000)),
            (ValueError, "cards: needs mode='grid'", dict(out=self.path("b3"), cards=[5])),
            (ValueError, "mode: unknown mode", dict(out=self.path("b4"), mode="log")),
            (ValueError, "batch: 300 is not in 1..256", dict(out=self.path("b5"), batch=300)),
            (ValueError, "learner: unknown learner", dict(out=self.path("b6"), learner="svm")),
            (TypeError, "unknown option max_samples", dict(out=self.path("b7"), max_samples=3)),
        ]
        for exc, msg, kw in cases:
            with self.subTest(msg=msg):
                args = dict(self.SMALL)
                args.update(kw)
                with self.assertRaises(exc) as cm:
                    dval.sample(data=self.data, **args)
                self.assertIn(msg, str(cm.exception))
        # resumed with other settings: the library's refusal
        args = dict(self.SMALL, seed=3)
        with self.assertRaises(dval.Error) as cm:
            dval.sample(data=self.data, out=out, resume=True, **args)
        self.assertIn("started with other data or settings", str(cm.exception))
        self.assertSameRun(out, self.ref)  # left untouched
        run = dval.Run(out)
        for kw, msg in ((dict(estimator="ols"), "unknown estimator"),
                        (dict(epochs=3), "the amortized estimator's option"),
                        (dict(estimator="mle", neighbors=2), "law_eb's option"),
                        (dict(estimator="amortized", k_ref=0.5), "k_ref")):
            with self.subTest(msg=msg):
                with self.assertRaises(ValueError) as cm:
                    run.fit(**kw)
                self.assertIn(msg, str(cm.exception))
        # the amortized estimator needs the run's data: moved away
        with self.assertRaises(dval.Error) as cm:
            run.fit("amortized", data=os.path.join(self.tmp.name, "gone.csv"), epochs=2)
        self.assertIn("gone.csv", str(cm.exception))
        with self.assertRaises(ValueError):
            dval.plot.validation(run, os.path.join(out, "v.png"))
        with self.assertRaises(dval.Error) as cm:
            dval.Run(self.path("nothing"))
        self.assertIn("nothing", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
