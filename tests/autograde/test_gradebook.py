"""grader/autograde/gradebook.py: the course gradebook keeps what the instructor put there (a due date, a grade
entered by hand in the formgrader) when a batch is graded again, as nbgrader's own autograde does."""
import datetime

from nbgrader.api import Gradebook

from grader.authoring.nbgrader_run import venv_path
from grader.autograde.gradebook import sync_assignment, write_grades

A, NB = "01-tensors", "01-tensors"


def _template(path) -> bytes:
    """What `prepare` keeps of generate_assignment: the assignment with no due date, one notebook, one graded cell."""
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.add_assignment(A)
        gb.add_notebook(NB, A)
        gb.add_grade_cell("test_one_hot", NB, A, max_score=3, cell_type="code")
        gb.add_solution_cell("one_hot", NB, A)
    return path.read_bytes()


def test_a_due_date_and_a_hand_grade_survive_grading_again(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", venv_path())            # nbgrader's gradebook runs alembic by name
    template = _template(tmp_path / "template.db")
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    due = datetime.datetime(2026, 12, 1, 12, 0)
    with Gradebook(url) as gb:
        gb.add_assignment(A, duedate=due)             # set by the instructor (nbgrader's formgrader or db command)
    sync_assignment(template, url, A)
    row = {"student": "alice", "cells": {"test_one_hot": {"score": 0.0}}}
    with Gradebook(url) as gb:
        assert gb.find_assignment(A).duedate == due
        write_grades(gb, A, NB, row, None)
        grade = gb.find_grade("test_one_hot", NB, A, "alice")
        assert grade.score == 0.0 and not grade.needs_manual_grade
        grade.manual_score = 2.0                       # the instructor grades it by hand
        gb.db.commit()
    sync_assignment(template, url, A)                  # the batch is graded again
    with Gradebook(url) as gb:
        write_grades(gb, A, NB, row, None)
        grade = gb.find_grade("test_one_hot", NB, A, "alice")
        assert gb.find_assignment(A).duedate == due
        assert grade.manual_score == 2.0 and grade.score == 2.0 and grade.needs_manual_grade
