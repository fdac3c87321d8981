"""What a grading kernel may see: whether it can be confined here, the folders it needs, the places covered.

The confinement itself happens in the kernel's process (`grader.autograde.sandbox`); this module decides its
inputs, on the machine where the job runs (a Dask worker may be another machine).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path


@functools.cache
def can_confine() -> bool:
    """Root with `unshare` and `setpriv` that work here (a container without CAP_SYS_ADMIN refuses `unshare`)."""
    if os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("setpriv")):
        return False
    try:
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "true"], timeout=20,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def kernel_needs() -> list[str]:
    """Folders the grading kernel reads, on this (worker) machine: the Python installation and environment, the
    course repository (the grader package; notebook 04 reads benchmark results), the data folder, and the folders on
    PYTHONPATH (the GPU machine's recipe installs the Jupyter stack into /tmp/site)."""
    from grader.course import REPO
    from grader.standin import data_root
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.isdir(p)]
    return [sys.prefix, sys.base_prefix, str(REPO), str(data_root()), *extra]


def private_places(root: Path, submissions: Path, solutions: Path, cache: Path) -> list[str]:
    """What no kernel may read: the solutions, every submission, nbgrader's outputs, the gradebook, git history
    and the grader's cache."""
    root = root.resolve()
    return sorted({str(p) for p in (solutions.resolve(), submissions.resolve(), root / "autograded",
                                    root / "feedback", root / "gradebook.db", root / ".git", root / "solutions",
                                    cache)})


def warn_unconfined(confine: bool) -> None:
    """Say so when kernels will not be confined: the instructor should know what students can read."""
    if not confine:
        why = "--no-confine was given"
    elif not can_confine():
        why = "confining needs root and a working `unshare --mount`"
    else:
        return
    print(f"note: kernels run unconfined ({why}): limits and tamper checks apply, but student code can read "
          f"what this account can read; see docs/grader.md", file=sys.stderr)
