"""Points per exercise, as an nbgrader export plugin: `nbgrader export --exporter
grader.autograde.export.ExerciseExportPlugin [--to exercises.csv] [--assignment ...] [--student ...]`.

nbgrader's own CSV (`nbgrader export`, grades.csv) gives one total per student and assignment; instructors also
ask on which exercise the points were lost, and why the grader took them. This plugin's one job is that table,
read from the gradebook through nbgrader's export interface, so it takes nbgrader's options like the CSV export.

Format: one CSV per assignment, because its exercise columns only mean something within that assignment. `--to`
(default `exercises.csv`) names them: `exercises.csv` writes `exercises-<assignment>.csv`, one per exported
assignment, relative to the current folder (as nbgrader's CSV export). Columns:

    assignment, student_id, <one per exercise, in notebook order>, total, max_score, reasons

An exercise's points are the sum of the scores of its test cells (`grader.cells.exercise_of`; the exercises are
the notebook's answer cells, nbgrader's solution cells, in the order nbgrader recorded them, which is the
notebook's); a test cell of no exercise counts only in `total`, the gradebook's score. If an assignment has
several notebooks, an exercise column is named `<notebook>:<exercise>`. `reasons` joins the distinct reason codes
of the grader's report (`<course root>/reports/<assignment>/students/<student>.json`) with "; ", and is empty
without a report. A student with no submission gets a row of zeros, as in nbgrader's CSV.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from grader.cells import exercise_of


def exercise_points(scores: dict[str, float], exercises: list[str]) -> dict[str, float]:
    """`{exercise: points}` for every exercise, from `{test cell grade_id: score}`."""
    points = dict.fromkeys(exercises, 0.0)
    for gid, score in scores.items():
        owner = exercise_of(gid, exercises)
        if owner is not None:
            points[owner] += score
    return points


def reason_codes(report: dict | None) -> str:
    """The distinct reason codes of a grader report, in its order, joined with "; " ("" without a report)."""
    codes = [r[0] for r in (report or {}).get("reasons", []) if isinstance(r, (list, tuple)) and r]
    return "; ".join(dict.fromkeys(str(c) for c in codes))


def fmt(x: float) -> str:
    return f"{float(x):g}"


def destination(to: str, assignment: str) -> Path:
    """`exercises.csv` -> `exercises-<assignment>.csv` (in the same folder)."""
    path = Path(to or "exercises.csv")
    return path.with_name(f"{path.stem}-{assignment}{path.suffix or '.csv'}")


class ExerciseExportPlugin(ExportPlugin):
    """One CSV per assignment: each student's points per exercise, total, maximum and the grader's reasons."""

    def course_root(self) -> Path:
        coursedir = getattr(self.parent, "coursedir", None)
        return Path(coursedir.root if coursedir is not None else ".")

    def report(self, assignment: str, student: str) -> dict | None:
        path = self.course_root() / "reports" / assignment / "students" / f"{student}.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    @staticmethod
    def scores(gradebook: Gradebook, assignment: str, notebook: str, student: str) -> dict[str, float]:
        """`{grade_id: score}` of one submitted notebook ({} when it was not submitted)."""
        try:
            return {g.name: g.score for g in gradebook.find_submission_notebook(notebook, assignment, student).grades}
        except MissingEntry:
            return {}

    def export(self, gradebook: Gradebook) -> None:
        assignments, students = [str(a) for a in self.assignment], [str(s) for s in self.student]
        for assignment in gradebook.assignments:
            if assignments and assignment.name not in assignments:
                continue
            many = len(assignment.notebooks) > 1
            exercises = {nb.name: [c.name for c in nb.solution_cells] for nb in assignment.notebooks}
            columns = [f"{nb}:{ex}" if many else ex for nb, exs in exercises.items() for ex in exs]
            dest = destination(self.to, assignment.name)
            self.log.info("Exporting points per exercise of %s to %s", assignment.name, dest)
            with open(dest, "w", newline="") as fh:
                out = csv.writer(fh)
                out.writerow(["assignment", "student_id", *columns, "total", "max_score", "reasons"])
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    out.writerow(self.row(gradebook, assignment, exercises, student.id))

    def row(self, gradebook: Gradebook, assignment, exercises: dict[str, list[str]], student: str) -> list[str]:
        points = []
        for nb, exs in exercises.items():
            points += exercise_points(self.scores(gradebook, assignment.name, nb, student), exs).values()
        try:
            total = gradebook.find_submission(assignment.name, student).score
        except MissingEntry:
            total = 0.0
        return [assignment.name, student, *map(fmt, points), fmt(total), fmt(assignment.max_score),
                reason_codes(self.report(assignment.name, student))]
