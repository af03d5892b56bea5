"""Running a long library call: in a worker thread (ctypes releases the GIL
for it), so that Ctrl-C in the calling thread asks the library to stop
(dv_interrupt) and the call returns cleanly; progress through a Python
callable, or tqdm when it is installed."""

import threading

from . import _lib


class Progress:
    """Calls ``fn(done, total)`` from the library's progress reports; with
    ``fn=True`` draws a tqdm bar when tqdm is installed (else nothing)."""

    def __init__(self, fn, desc):
        self.fn, self.bar, self.desc = None, None, desc
        if callable(fn):
            self.fn = fn
        elif fn:
            try:
                import tqdm  # optional
                self.bar = tqdm.tqdm(desc=desc, total=None, leave=False)
            except ImportError:
                pass
        self.c_fn = _lib.PROGRESS(self._report) if (self.fn or self.bar) else _lib.PROGRESS()

    def _report(self, user, done, total):
        try:
            if self.fn:
                self.fn(int(done), int(total))
            elif self.bar is not None:
                if self.bar.total != total:
                    self.bar.total = int(total)
                self.bar.n = int(done)
                self.bar.refresh()
        except BaseException:  # never unwind through C
            pass

    def close(self):
        if self.bar is not None:
            self.bar.close()


def run(fn, *args):
    """fn(*args) -> (rc, ...) in a worker thread; Ctrl-C here interrupts it."""
    box = {}

    def target():
        try:
            box["out"] = fn(*args)
        except BaseException as e:  # pragma: no cover - ctypes itself failing
            box["exc"] = e

    _lib.lib.dv_interrupt_clear()
    t = threading.Thread(target=target, name="dval", daemon=True)
    t.start()
    interrupted = False
    while t.is_alive():
        try:
            t.join(0.05)
        except KeyboardInterrupt:
            _lib.lib.dv_interrupt()
            interrupted = True
    _lib.lib.dv_interrupt_clear()
    if "exc" in box:
        raise box["exc"]
    if interrupted:
        raise KeyboardInterrupt("dval: interrupted; the library stopped at its next work item")
    return box["out"]
