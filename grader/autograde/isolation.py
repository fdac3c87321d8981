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


# A mount namespace of its own, and a PID namespace with its own /proc: other processes (other students' kernels,
# the grader) are invisible, so their working folders cannot be reached through /proc/<pid>/cwd either.
_NAMESPACES = ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--mount-proc"]
ROOT_NAMESPACE = ["unshare", *_NAMESPACES]
# Without root: a user namespace of its own, in which the kernel's first stage is root and may mount, as
# `unshare --user --map-root-user` allows any user where the system permits unprivileged user namespaces.
USER_NAMESPACE = ["unshare", "--user", "--map-root-user", *_NAMESPACES]


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run([*command, "--", "true"], timeout=20, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.cache
def confine_command() -> list[str] | None:
    """The command that gives a kernel its own mount namespace here: as root, a mount namespace; otherwise a user
    namespace with one (probed once: a container without CAP_SYS_ADMIN, or a system that forbids unprivileged user
    namespaces, refuses); None when neither works."""
    if not (shutil.which("unshare") and shutil.which("setpriv")):
        return None
    if os.geteuid() == 0 and _works(ROOT_NAMESPACE):
        return ROOT_NAMESPACE
    return USER_NAMESPACE if _works(USER_NAMESPACE) else None


def can_confine() -> bool:
    return confine_command() is not None


def kernel_needs() -> list[str]:
    """Folders the grading kernel reads, on this (worker) machine: the Python installation and environment, the
    course repository (the grader package; notebook 04 reads benchmark results), the data folder, and the folders on
    PYTHONPATH (the GPU machine's recipe installs the Jupyter stack into /tmp/site)."""
    from grader.course import REPO
    from grader.standin import data_root
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.isdir(p)]
    return [sys.prefix, sys.base_prefix, str(REPO), str(data_root()), *extra]


def private_places(root: Path, submissions: Path, solutions: Path, cache: Path) -> list[str]:
    """What no kernel may read: the solutions, every submission, nbgrader's outputs, the gradebook, git history and
    the grader's cache, of the course graded and of the repository the grader runs from (the kernel reads the
    `grader` package there, so it could find that repository's own solutions)."""
    from grader.course import REPO
    places = {solutions.resolve(), submissions.resolve(), cache}
    for course in {root.resolve(), REPO}:
        places |= {course / name for name in ("solutions", "submitted", "autograded", "feedback", "gradebook.db",
                                              ".git", "reports")}
    return sorted(str(p) for p in places)


def warn_unconfined(confine: bool) -> None:
    """Say so when kernels will not be confined: the instructor should know what students can read."""
    if not confine:
        why = "--no-confine was given"
    elif not can_confine():
        why = ("confining needs `unshare` and `setpriv` (util-linux) and either root or unprivileged user namespaces "
               "(Debian: sysctl kernel.unprivileged_userns_clone=1; elsewhere user.max_user_namespaces > 0)")
    else:
        return
    print(f"note: kernels run unconfined ({why}): limits and tamper checks apply, but student code can read "
          f"what this account can read; see docs/grader.md", file=sys.stderr)
