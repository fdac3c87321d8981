import os
import sys
from pathlib import Path

import pytest

from grader.authoring.nbgrader_run import NbgraderError, make_course_root, nbgrader, venv_path


def test_venv_path_puts_this_interpreters_folder_first():
    assert venv_path("/usr/bin").split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]


def test_venv_path_applied_again_changes_nothing():
    """Every batch sets PATH with it: the second batch of a process must see the first one's PATH (and so share its
    kernel template), not one more copy of the folder."""
    own = str(Path(sys.executable).parent)
    once = venv_path(os.pathsep.join(["/usr/bin", own, "/bin"]))
    assert once.split(os.pathsep) == [own, "/usr/bin", "/bin"]
    assert venv_path(once) == once
    assert venv_path("") == own


def test_course_root_holds_config_and_source(tmp_path):
    root = make_course_root(tmp_path / "root", "01-tensors")
    assert (root / "nbgrader_config.py").is_file()
    assert (root / "solutions" / "01-tensors" / "01-tensors.ipynb").is_file()


def test_a_failing_nbgrader_command_says_what_failed(tmp_path):
    root = make_course_root(tmp_path / "root", "01-tensors")
    with pytest.raises(NbgraderError, match="nbgrader generate_assignment no-such-assignment failed"):
        nbgrader(root, "generate_assignment", "no-such-assignment")
