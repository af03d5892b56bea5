"""The README's Python examples run as written (in a fresh directory)."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

from common import SRC


class Readme(unittest.TestCase):
    def test_python_examples_run(self):
        with open(os.path.join(SRC, "README.md")) as f:
            text = f.read()
        part = text[text.index("## From Python"):text.index("## The C API")]
        code = "\n".join(line[4:] for line in part.splitlines()
                         if line.startswith("    ") and not re.match(r"    (export|make) ", line))
        self.assertIn("dval.sample(", code)
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([sys.executable, "-c", code], cwd=d, capture_output=True,
                               text=True, timeout=540)
            self.assertEqual(p.returncode, 0, p.stderr[-2000:])
            for f in ("law.png", "noisy.png", "removal.csv", "addition.png", "acquire.png",
                      "acquire.csv.json",
                      "run/report/report.html", "run/values.csv"):
                self.assertTrue(os.path.exists(os.path.join(d, f)), f)


if __name__ == "__main__":
    unittest.main()
