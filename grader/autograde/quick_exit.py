"""The worker pool's forkserver leaves at once when its batch's process has gone (`pool.PRELOAD` imports this module
last; it acts only there).

The forkserver has imported torch and nbgrader for the workers it forks. When the batch's process exits, the
forkserver exits too, and an ordinary interpreter exit spends a good part of a second taking those modules apart
while it still holds the command's stdout and stderr: whoever reads the command's output (a CI log,
`subprocess.run`, `$(...)`) waits that long after the command finished. The forkserver has nothing to save and only
its own streams to flush, so it leaves with `os._exit` as soon as Python's exit handlers start. (The workers it
forks already end that way: multiprocessing calls `os._exit` for them.) Imported anywhere else, the module does
nothing.
"""
from __future__ import annotations

import atexit
import multiprocessing.forkserver
import os
import sys

INSTALLED = False     # True in the forkserver (and in the workers forked from it, which inherit it)


def _leave() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


def _imported_by_forkserver() -> bool:
    """Whether this import runs inside `multiprocessing.forkserver.main` (its preload), not in any other process."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code is multiprocessing.forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


if _imported_by_forkserver():
    atexit.register(_leave)
    INSTALLED = True
