"""Read scores out of nbgrader's gradebook, per graded cell."""
from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook


def cell_scores(db: Path, assignment: str, notebook: str, student: str) -> dict[str, tuple[float, float]]:
    """`{grade_id: (score, max_score)}` for every graded cell of one student's notebook."""
    with Gradebook(f"sqlite:///{db}") as gb:
        nb = gb.find_submission_notebook(notebook, assignment, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in nb.grades}


def total(scores: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """(points earned, points possible) over a `cell_scores` result."""
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


def exercise_of(test_id: str, exercises) -> str | None:
    """The exercise a test cell belongs to: `test_<name>` or `test_<name>_<aspect>`, longest name first
    (so `test_freeze_first_children` belongs to `freeze_first_children`, not to `freeze`)."""
    for name in sorted(exercises, key=len, reverse=True):
        if test_id == f"test_{name}" or test_id.startswith(f"test_{name}_"):
            return name
    return None


def exercise_scores(scores: dict[str, tuple[float, float]], exercise: str, exercises) -> dict[str, tuple[float, float]]:
    """The scores of the test cells that belong to `exercise` (see `exercise_of`)."""
    return {k: v for k, v in scores.items() if exercise_of(k, exercises) == exercise}
