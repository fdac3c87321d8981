"""nbgrader's own `validate`, as a student runs it before submitting."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import COURSE, SOLUTIONS, assignments, notebook_name

VENV_BIN = str(Path(sys.executable).parent)


def validate(notebook: Path, tmp_path: Path) -> str:
    tmp_path.mkdir()
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", copy.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ["PATH"]})
    return proc.stdout


@pytest.mark.parametrize("assignment", assignments()[:1])
def test_validate_passes_the_solution_and_fails_the_release(assignment, tmp_path):
    assert "Success! Your notebook passes all the tests." in validate(
        SOLUTIONS / assignment / notebook_name(assignment), tmp_path / "s")
    out = validate(COURSE / assignment / notebook_name(assignment), tmp_path / "r")
    assert "VALIDATION FAILED ON" in out and "NotImplementedError" in out
