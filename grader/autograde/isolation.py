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

import grader


# A mount namespace of its own; a PID namespace with its own /proc: other processes (other students' kernels, the
# grader) are invisible, so their working folders cannot be reached through /proc/<pid>/cwd either; and a network
# namespace with nothing in it: no connection out (nothing to send what it read to, no Dask scheduler or Jupyter
# server on loopback to talk to). The kernel talks to the grader through Unix sockets in its job folder instead.
_NAMESPACES = ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--mount-proc", "--net"]
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
    """The command that gives a kernel its own namespaces here: as root, a mount namespace; otherwise a user
    namespace with one (probed once: a container without CAP_SYS_ADMIN, or a system that forbids unprivileged user
    namespaces, refuses); without a network namespace where only that is refused; None when nothing works."""
    if not (shutil.which("unshare") and shutil.which("setpriv")):
        return None
    for command in ([ROOT_NAMESPACE] if os.geteuid() == 0 else []) + [USER_NAMESPACE]:
        for candidate in (command, [a for a in command if a != "--net"]):
            if _works(candidate):
                return candidate
    return None


def can_confine() -> bool:
    return confine_command() is not None


def kernel_needs() -> list[str]:
    """Folders the grading kernel reads, on this (worker) machine, and no more: the Python installation and
    environment with its site folders (a .pth file may add one from elsewhere), the `grader` package, the data
    folder, the benchmark results notebook 04 shows, and the folders on PYTHONPATH (the GPU machine's recipe installs
    the Jupyter stack into /tmp/site). Never a whole repository: the sandbox hides those and binds these back."""
    from grader.standin import data_root
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    sites = [p for p in sys.path if p and os.path.isdir(p)
             and (Path(p).name in ("site-packages", "dist-packages") or any(_inside(p, q) for q in prefixes))]
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.isdir(p)]
    package = Path(grader.__file__).resolve().parent
    return sorted({*prefixes, *sites, *extra, str(package), str(package.parent / "benchmarks" / "results"),
                   str(data_root())})


def kernel_pythonpath() -> str:
    """PYTHONPATH of the kernel: the folder holding the `grader` package this process runs comes first, so that the
    kernel imports the same grader (an editable install may point elsewhere; the sandbox binds back only the package
    from that folder)."""
    here = str(Path(grader.__file__).resolve().parent.parent)
    return os.pathsep.join([here, *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]])


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def private_places(root: Path, submissions: Path, solutions: Path) -> list[str]:
    """What no kernel may see of the course graded: the whole course root (solutions, every submission, nbgrader's
    outputs, the gradebook, git history), and the solutions and submissions wherever they lie."""
    return sorted({str(p.resolve()) for p in (root, submissions, solutions)})


def worker_private() -> list[str]:
    """What no kernel may see on the machine that runs it: the grading account's home folder (SSH keys, cloud
    credentials, other courses' solutions; the kernel gets a home of its own), the grader's cache, the sockets of
    the kernel templates (which fork kernels on request), and the repository the grader runs from when it is a
    course repository (found through `grader.__file__`, it holds its own solutions). What the kernel needs inside
    them (a Python installed in the home folder, say) is bound back."""
    from grader.autograde.prepare import cache_dir
    from grader.autograde.template_socket import folder
    from grader.course import CONFIG, REPO
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError):      # no HOME and no entry in the password database
        home = Path("/")
    homes = [str(home)] if home.is_dir() and home != Path(home.anchor) else []
    return [*homes, str(cache_dir()), str(folder(create=False)), *([str(REPO)] if CONFIG.is_file() else [])]


def warn_unconfined(confine: bool) -> None:
    """Say so when kernels will not be confined, or not cut off from the network: the instructor should know what
    student code can reach."""
    if not confine:
        why = "--no-confine was given"
    elif not can_confine():
        why = ("confining needs `unshare` and `setpriv` (util-linux) and either root or unprivileged user namespaces "
               "(Debian: sysctl kernel.unprivileged_userns_clone=1; elsewhere user.max_user_namespaces > 0)")
    elif "--net" not in confine_command():
        print("note: kernels are confined but keep the network (this system refuses them a network namespace): "
              "student code can connect to servers on this machine and beyond; see docs/grader.md", file=sys.stderr)
        return
    else:
        return
    print(f"note: kernels run unconfined ({why}): limits and tamper checks apply, but student code can read "
          f"what this account can read; see docs/grader.md", file=sys.stderr)
