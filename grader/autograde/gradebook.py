"""nbgrader's places for results: the gradebook and the autograded notebooks. Only the batch's parent process
writes them (one transaction per student), so parallel grading can never corrupt the gradebook, and
`nbgrader export` and the formgrader read it as usual."""
from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from grader.cells import grade_id
from grader.course import notebook_name


_UNSYNCED: set[str] = set()        # the job gradebooks of this (worker) process: private copies, thrown away


def unsynced(db: Path) -> None:
    """Let SQLite skip flushing to disk for the job's private copy of the gradebook at `db`: nbgrader commits once per
    graded cell, and on a disk each commit waits for it (about a tenth of a forked job's time). The copy is thrown
    away after the job, so a crash loses nothing; every other gradebook (the course's own) keeps SQLite's defaults."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    if not _UNSYNCED:
        event.listen(Engine, "connect", _pragmas)
    _UNSYNCED.add(str(db))


def _pragmas(connection, _record) -> None:
    if type(connection).__module__.startswith("sqlite3"):
        if connection.execute("PRAGMA database_list").fetchone()[2] in _UNSYNCED:
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA journal_mode = MEMORY")


def cell_scores(db: Path, assignment: str, notebook: str, student: str) -> dict[str, tuple[float, float]]:
    """`{grade_id: (score, max_score)}` for every graded cell of one student's notebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{db}") as gb:
        nb = gb.find_submission_notebook(notebook, assignment, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in nb.grades}


def sync_assignment(template_db: bytes, db_url: str, assignment: str) -> None:
    """Put the assignment's notebooks and cells into the course gradebook (what generate_assignment records)."""
    from nbgrader.api import Gradebook
    with tempfile.NamedTemporaryFile(suffix=".db") as tmp:
        tmp.write(template_db)
        tmp.flush()
        with Gradebook(f"sqlite:///{tmp.name}") as src, Gradebook(db_url) as dst:
            a = src.find_assignment(assignment)
            if assignment not in {x.name for x in dst.assignments}:    # an instructor's due date stays
                dst.update_or_create_assignment(assignment, duedate=a.duedate)
            for nb in a.notebooks:
                dst.update_or_create_notebook(nb.name, assignment, kernelspec=nb.kernelspec)
                for c in nb.grade_cells:
                    dst.update_or_create_grade_cell(c.name, nb.name, assignment, max_score=c.max_score,
                                                    cell_type=c.cell_type)
                for c in nb.solution_cells:
                    dst.update_or_create_solution_cell(c.name, nb.name, assignment)
                for c in nb.task_cells:
                    dst.update_or_create_task_cell(c.name, nb.name, assignment, max_score=c.max_score,
                                                   cell_type=c.cell_type)
                for c in nb.source_cells:
                    dst.update_or_create_source_cell(c.name, nb.name, assignment, source=c.source,
                                                     cell_type=c.cell_type, locked=c.locked, checksum=c.checksum)


def write_grades(gb, assignment: str, notebook: str, row: dict, timestamp: str | None) -> None:
    """One student's row into the open gradebook `gb`, as nbgrader's autograde would leave it."""
    gb.update_or_create_student(row["student"])
    gb.update_or_create_submission(assignment, row["student"], **({"timestamp": timestamp} if timestamp else {}))
    for gid, cell in row["cells"].items():
        grade = gb.find_grade(gid, notebook, assignment, row["student"])
        grade.auto_score = cell["score"]
        # as nbgrader's SaveAutoGrades: a grade entered by hand in the formgrader stays, flagged for review
        grade.needs_manual_grade = grade.manual_score is not None
    gb.db.commit()


def verdict_output(cell: dict) -> NotebookNode:
    verdict = "passed" if cell["passed"] else "FAILED"
    return NotebookNode(output_type="stream", name="stderr",
                        text=f"[grader] {verdict} ({cell['score']:g} / {cell['max']:g})"
                             + (f": {cell['message']}" if cell["message"] else "") + "\n")


def save_autograded(root: Path, assignment: str, notebook: str | None, row: dict) -> Path | None:
    """The autograded notebook in nbgrader's place, each test cell followed by the grader's verdict."""
    if not notebook:
        return None
    nb = nbformat.reads(notebook, as_version=4)
    for cell in nb.cells:
        if grade_id(cell) in row["cells"] and cell.cell_type == "code":
            cell.outputs.append(verdict_output(row["cells"][grade_id(cell)]))
    path = root / "autograded" / row["student"] / assignment / notebook_name(assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
