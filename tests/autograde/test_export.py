"""The per-exercise export (`grader/autograde/export.py`): its row building on hand-made input, and nbgrader's own
`nbgrader export --exporter grader.autograde.export.ExerciseExportPlugin` on the hostile batch, row by row against
the grader's scores and reasons."""
import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.authoring.nbgrader_run import venv_path
from grader.autograde.export import destination, exercise_points, reason_codes
from grader.cells import exercise_of, grade_id, is_answer
from hostile import A, EXPECT

EXERCISES = ["freeze", "freeze_first_children", "loss"]


def test_exercise_points_sum_each_exercise_s_test_cells():
    scores = {"test_freeze": 1.0, "test_freeze_shape": 0.5, "test_freeze_first_children": 2.0, "test_other": 7.0}
    assert exercise_points(scores, EXERCISES) == {"freeze": 1.5, "freeze_first_children": 2.0, "loss": 0.0}
    assert list(exercise_points({}, EXERCISES)) == EXERCISES        # every column, in the exercises' order


def test_reason_codes():
    report = {"reasons": [["timeout", "cell 3"], ["tampering", "a"], ["tampering", "b"], "junk", []]}
    assert reason_codes(report) == "timeout; tampering"
    assert reason_codes({"score": 1}) == reason_codes(None) == ""


@pytest.mark.parametrize("to, expected", [("", "exercises-01-tensors.csv"), ("marks", "marks-01-tensors.csv"),
                                          ("out/marks.csv", "out/marks-01-tensors.csv")])
def test_destination_is_one_file_per_assignment(to, expected):
    assert destination(to, A) == Path(expected)


def test_nbgrader_export_with_the_plugin(hostile_batch):
    root, summary = hostile_batch
    env = {**os.environ, "PATH": venv_path()}
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--exporter",
                           "grader.autograde.export.ExerciseExportPlugin", f"--CourseDirectory.root={root}"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(root / f"exercises-{A}.csv", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    release = nbformat.read(str(root / "course" / A / f"{A}.ipynb"), as_version=4)
    exercises = [grade_id(c) for c in release.cells if is_answer(c)]
    assert header == ["assignment", "student_id", *exercises, "total", "max_score", "reasons"]
    table = {row[1]: dict(zip(header, row)) for row in rows}
    assert len(table) == len(rows) and set(table) == set(summary["students"]) == set(EXPECT)
    for student, report in summary["students"].items():
        row = table[student]
        assert row["assignment"] == A
        for exercise in exercises:
            earned = sum(c["score"] for g, c in report["cells"].items() if exercise_of(g, exercises) == exercise)
            assert float(row[exercise]) == pytest.approx(earned), (student, exercise)
        assert float(row["total"]) == pytest.approx(report["score"]), student
        assert float(row["max_score"]) == pytest.approx(report["max"]), student
        named = row["reasons"].split("; ") if row["reasons"] else []
        assert len(named) == len(set(named)) and set(named) == {r[0] for r in report["reasons"]}, student
        assert set(EXPECT[student][1]) <= set(named), student
