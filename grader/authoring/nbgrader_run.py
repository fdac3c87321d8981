"""Run nbgrader's own command line in a throwaway course root.

The course's real root (this repository) must never be touched by tests or by release builds: its
gradebook and folders belong to the instructor. So every nbgrader run here happens in a temporary root that
holds a copy of `nbgrader_config.py` and of the assignment's source folder.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.course import CONFIG, SOLUTIONS


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


def venv_path(path: str | None = None) -> str:
    """`path` (default: $PATH) with this interpreter's own bin folder first, and only there.

    nbgrader shells out to `alembic`, and kernels start `python`: when the grader runs as `.venv/bin/python`
    without the environment activated, those must still come from the same environment. Applying it again changes
    nothing: every batch sets it, and a PATH that grew with each batch of a long-lived process would give each batch
    a kernel environment of its own, and so a kernel template of its own (`template_socket.fingerprint`)."""
    own = str(Path(sys.executable).parent)
    rest = os.environ.get("PATH", "") if path is None else path
    return os.pathsep.join([own, *(p for p in rest.split(os.pathsep) if rest and p != own)])


@functools.cache
def empty_gradebook() -> bytes:
    """An empty nbgrader gradebook, made once per process: nbgrader stamps every new gradebook with the schema
    version it asks `alembic` for in a subprocess (two seconds), so new course roots start from a copy."""
    from nbgrader.api import Gradebook
    with tempfile.TemporaryDirectory() as tmp:
        path = os.environ["PATH"]
        os.environ["PATH"] = venv_path(path)
        try:
            Gradebook(f"sqlite:///{tmp}/gradebook.db").close()
        finally:
            os.environ["PATH"] = path
        return (Path(tmp) / "gradebook.db").read_bytes()


def make_course_root(root: Path, assignment: str, solutions: Path = SOLUTIONS) -> Path:
    """Lay out a minimal course root in `root` for one assignment and return it (with an empty gradebook)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    if not (root / "gradebook.db").exists():
        (root / "gradebook.db").write_bytes(empty_gradebook())
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


def generate_assignment(root: Path, assignment: str) -> Path:
    """nbgrader's own `generate_assignment`, in this process (through `NbGraderAPI`, as the formgrader calls it):
    the release of `assignment` in `root/course/` and its cells in `root/gradebook.db`. The same converter as the
    command line, without the two seconds a fresh `python -m nbgrader` spends importing nbgrader."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (root / "nbgrader_config.py").is_file():
        config.merge(PyFileConfigLoader("nbgrader_config.py", str(root)).load_config())
    config.CourseDirectory.root = str(root)
    path = os.environ["PATH"]
    os.environ["PATH"] = venv_path(path)          # nbgrader runs `alembic` for a new gradebook
    try:
        outcome = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config).generate_assignment(
            assignment, force=True)
    finally:
        os.environ["PATH"] = path
    if not outcome.get("success"):
        raise NbgraderError(f"nbgrader generate_assignment {assignment} failed:\n{outcome.get('log', '')}"
                            f"{outcome.get('error', '')}")
    return root / "course" / assignment
