"""One wall-clock bound for a whole job, including nbgrader's own Python work before and after the kernel.

`GuardedExecute` bounds the kernel (it kills it at `submission_timeout`), but nbgrader's sanitizing, its
gradebook writes and the re-judging of records run in the worker's own Python code, where no kernel limit reaches:
on a notebook large enough, that work alone could hold a worker for minutes. `bound(seconds)` raises `JobTimeout`
in the worker when the job's time is up.

It uses `signal.setitimer` and SIGALRM, which only the main thread of a process can receive. A local worker (a
process of the grader's process pool) runs each job on its main thread; a Dask worker runs tasks on threads, so
there, and wherever SIGALRM is not available, `bound` does nothing and the kernel limits are all that hold.
"""
from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

# What nbgrader's own work may add to `submission_timeout`: sanitizing, copying the gradebook, writing the
# autograded notebook and re-judging the records take a few seconds on an ordinary notebook.
MARGIN_S = 30


class JobTimeout(BaseException):
    """The job ran past its bound. A BaseException, like KeyboardInterrupt: nbgrader catches and logs every
    Exception of a conversion (`capture_log`), which would turn the timeout into an unexplained failure."""


def available() -> bool:
    """Whether `bound` can work here: SIGALRM exists and this is the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def bound(seconds: float | None):
    """Raise `JobTimeout` inside the block once `seconds` of wall-clock time have passed (None or <= 0: no bound).
    Restores the previous SIGALRM handler and timer on exit; does nothing where `available()` is False."""
    if not seconds or seconds <= 0 or not available():
        yield
        return
    started = time.monotonic()

    def expire(signum, frame):
        raise JobTimeout(f"the job ran past its bound of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    outer = signal.getitimer(signal.ITIMER_REAL)[0]              # a bound set around this one, if any
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:                                                 # give an outer bound what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer - (time.monotonic() - started)))


def job_bound(options: dict) -> float | None:
    """The bound of one job from the grader's options: `submission_timeout` plus MARGIN_S (None: no limit)."""
    limit = float(options.get("submission_timeout") or 0)
    return limit + MARGIN_S if limit > 0 else None
