"""Intake (grader/autograde/intake.py): from a student's folder to a notebook nbgrader can grade."""
import copy
import os

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


def test_student_ids_are_plain_folder_names_and_never_the_graders_own():
    for good in ["alice", "one_hot.allclose_patch", "to_image.os_exit", "renamed_duplicated_edited", "a@b.edu",
                 "x+y-1", "0042"]:
        assert intake.refuse_id(good) is None, good
    for bad in [intake.REFERENCE, "__REFERENCE__", "__Reference__", ".hidden", "_x", "-x", "a b", "a/b", "é",
                "x" * (intake.MAX_ID + 1), "a\nb", ""]:
        assert intake.refuse_id(bad), bad


def test_survey_refuses_bad_ids_and_links_with_a_reason(tmp_path):
    subs, outside = tmp_path / "submitted", tmp_path / "elsewhere"
    (outside / "x").mkdir(parents=True)
    for student in ["alice", intake.REFERENCE, ".hidden", "bob"]:
        (subs / student / "x").mkdir(parents=True)
    (subs / "linked").symlink_to(outside)                       # a student folder that is a link
    (subs / "carol").mkdir()
    (subs / "carol" / "x").symlink_to(outside / "x")            # an assignment folder that is a link
    (subs / "dave").mkdir()                                     # no assignment folder: graded as missing
    (subs / "notes.txt").write_text("")
    folders, refused = intake.survey(subs, "x")
    assert folders == {"alice": subs / "alice" / "x", "bob": subs / "bob" / "x", "dave": None}
    assert set(refused) == {intake.REFERENCE, ".hidden", "linked", "carol", "notes.txt"}
    assert "reserved" in refused[intake.REFERENCE] and "link" in refused["linked"] and "link" in refused["carol"]
    assert intake.discover(subs, "x") == folders


def test_collect_files_never_follows_a_link_or_opens_a_fifo(tmp_path):
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "01.ipynb").write_text("{}")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    assert intake.collect_files(tmp_path / "link") is None
    os.mkfifo(tmp_path / "target" / "pipe")
    (tmp_path / "target" / "big.ipynb").write_bytes(b" " * (intake.MAX_EXTRA_FILE + 1))
    assert intake.collect_files(tmp_path / "target") == {"01.ipynb": b"{}", "big.ipynb": None}
    assert intake.read_submission(None)[1][0] == "oversized-notebook"


def test_oversized_notebooks_are_refused_before_and_after_parsing():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x") for _ in range(50)])
    raw = nbformat.writes(nb).encode()
    limits = {"max_notebook_bytes": 10 * len(raw), "max_cells": 40}
    assert intake.oversized(raw, len(raw) - 1, 0)[0] == "oversized-notebook"
    assert intake.oversized(raw, 0, 49)[0] == "oversized-notebook"
    assert intake.oversized(raw, len(raw), 50) is None
    assert intake.read_submission(raw, limits)[1][0] == "oversized-notebook"
    assert intake.read_submission(raw, {"max_cells": 50})[1] is None
    escaped = raw.replace(b'"cell_type"', b'"\\u0063ell_type"')       # hides the cells from the byte count
    assert intake.oversized(escaped, 0, 40) is None
    assert intake.read_submission(escaped, limits)[1] == ("oversized-notebook",
                                                          "the notebook has 50 cells, more than 40")
