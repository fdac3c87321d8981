"""Intake (grader/autograde/intake.py): from a student's folder to a notebook nbgrader can grade."""
import copy

import nbformat

from grader.autograde import intake
from grader.cells import grade_id


def test_dedupe_keeps_the_first_copy_of_each_graded_cell():
    graded = {"a": {"grade": False, "solution": True, "locked": False},
              "t": {"grade": True, "solution": False, "locked": True}}
    cell = lambda gid, src: nbformat.v4.new_code_cell(src, metadata={"nbgrader": {"grade_id": gid}})  # noqa: E731
    cells = [cell("a", "first"), cell("t", "test"), cell("a", "second"), cell("t", "test again"),
             nbformat.v4.new_code_cell("x", metadata={"nbgrader": {}}),
             nbformat.v4.new_code_cell("y", metadata={"nbgrader": "not a dict"})]
    out = intake.dedupe(copy.deepcopy(cells), graded)
    assert [c.source for c in out] == ["first", "test", "second", "x", "y"]      # the copied test cell is gone
    assert [grade_id(c) for c in out] == ["a", "t", None, None, None]
    assert "nbgrader" not in out[3].metadata and "nbgrader" not in out[4].metadata   # nbgrader rejects those


def test_find_notebook_names_what_was_odd():
    assert intake.find_notebook({"01.ipynb": b"", "data.csv": b""}, "01.ipynb") == ("01.ipynb", [])
    assert intake.find_notebook({"mine.ipynb": b""}, "01.ipynb") == (
        "mine.ipynb", [("renamed-notebook", "graded mine.ipynb (expected 01.ipynb)")])
    assert intake.find_notebook({"a.ipynb": b"", "b.ipynb": b""}, "01.ipynb")[1][0][0] == "missing-notebook"
    assert intake.find_notebook({}, "01.ipynb") == (None, [("missing-notebook", "no 01.ipynb in the submission")])
    assert intake.find_notebook(None, "01.ipynb")[1][0][1] == "no submission folder for this assignment"


def test_read_submission_refuses_what_is_not_a_notebook():
    assert intake.read_submission(b"  ") == (None, ("invalid-notebook", "the notebook file is empty"))
    nb, problem = intake.read_submission(b'{"cells": [ no')
    assert nb is None and problem[0] == "invalid-notebook" and "cannot be read" in problem[1]
    nb, problem = intake.read_submission(nbformat.writes(nbformat.v4.new_notebook()).encode())
    assert problem is None and nb.cells == []


def test_collect_files_takes_regular_files_only(tmp_path):
    (tmp_path / "01.ipynb").write_text("{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "01.ipynb")
    assert intake.collect_files(tmp_path) == {"01.ipynb": b"{}"}
    assert intake.collect_files(tmp_path / "missing") is None
    assert intake.discover(tmp_path, "x") == {"sub": None}
