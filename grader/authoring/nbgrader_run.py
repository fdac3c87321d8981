"""Run nbgrader's own command line in a throwaway course root.

The course's real root (this repository) must never be touched by tests or by release builds: its
gradebook and folders belong to the instructor. So every nbgrader run here happens in a temporary root that
holds a copy of `nbgrader_config.py` and of the assignment's source folder.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from grader.course import CONFIG, SOLUTIONS


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


def venv_path(path: str | None = None) -> str:
    """`path` (default: $PATH) with this interpreter's own bin folder first.

    nbgrader shells out to `alembic`, and kernels start `python`: when the grader runs as `.venv/bin/python`
    without the environment activated, those must still come from the same environment."""
    rest = os.environ.get("PATH", "") if path is None else path
    return os.pathsep.join([str(Path(sys.executable).parent), rest])


def make_course_root(root: Path, assignment: str, solutions: Path = SOLUTIONS) -> Path:
    """Lay out a minimal course root in `root` for one assignment and return it."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    shutil.copytree(solutions / assignment, root / "solutions" / assignment,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"), dirs_exist_ok=True)
    return root


def nbgrader(root: Path, *args: str, env: dict | None = None, timeout: float | None = None) -> str:
    """Run `python -m nbgrader ARGS` with `root` as the course root; return its output or raise NbgraderError."""
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = venv_path(full_env.get("PATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--CourseDirectory.root=" + str(root)],
        cwd=root, env=full_env, capture_output=True, text=True, timeout=timeout,
    )
    if proc.returncode != 0:
        raise NbgraderError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout + proc.stderr
