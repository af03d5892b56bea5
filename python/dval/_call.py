"""Running a long library call: in a worker thread (ctypes releases the GIL
for it), so that Ctrl-C in the calling thread asks the library to stop
(dv_interrupt) and the call returns cleanly; progress through a Python
callable, or tqdm when it is installed."""

import signal
import threading
import time

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
    """fn(*args) in a worker thread; Ctrl-C here interrupts it.  The worker
    uses memory the caller owns, so this returns only once it has finished:
    SIGINT is blocked from before the thread starts until the wait is inside
    the handler (a KeyboardInterrupt any earlier would unwind the caller
    while the library still reads its arrays)."""
    box = {}
    # The end is an Event's flag, polled: a KeyboardInterrupt inside
    # Thread.join (or a Condition's wait) can leave is_alive() False while
    # the thread still runs (CPython 3.11), and a lock half-restored.
    done = threading.Event()

    def target():
        try:
            box["out"] = fn(*args)
        except BaseException as e:  # pragma: no cover - ctypes itself failing
            box["exc"] = e
        finally:
            done.set()

    main = threading.current_thread() is threading.main_thread()
    _lib.lib.dv_interrupt_clear()
    t = threading.Thread(target=target, name="dval", daemon=True)
    # raises here, before any work, for a Ctrl-C already pending
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if main else None
    try:
        t.start()
    except BaseException:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        raise
    interrupted, restore = False, old is not None
    while True:
        try:
            if restore:
                restore = False
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
            while not done.is_set():  # no lock held here, whatever interrupts
                time.sleep(0.02)
            break
        except KeyboardInterrupt:
            _lib.lib.dv_interrupt()
            interrupted = True
    _lib.lib.dv_interrupt_clear()
    t.join()  # its last steps after done.set()
    if "exc" in box:
        raise box["exc"]
    if interrupted:
        raise KeyboardInterrupt("dval: interrupted; the library stopped at its next work item")
    return box["out"]
