"""The one home of nbgrader's cell metadata: which cells are answers, tests or locked, their ids and points,
which exercise a test cell belongs to, and a release filled with answers.

Every other module asks here. Submissions are untrusted, so every lookup survives damaged metadata (a missing
or non-dict `nbgrader` block reads as no metadata). The rules are nbgrader's own (`nbgrader.utils.is_grade`,
`is_solution`, `is_locked`: a test cell is locked unless it is also an answer); they are restated rather than
imported because importing nbgrader costs two seconds, and the kernel-free tools that read cells do not need it.
"""
from __future__ import annotations

import copy
import re

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def nbgrader_meta(cell) -> dict:
    """The cell's `nbgrader` metadata, or {} when it has none or it is not a dict."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def is_answer(cell) -> bool:
    """An autograded answer cell (nbgrader: a solution cell)."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_grade(cell) -> bool:
    """A cell that carries points: a test cell, or a manually graded answer."""
    return bool(nbgrader_meta(cell).get("grade"))


def is_test(cell) -> bool:
    """An autograded test cell: graded, not an answer."""
    return is_grade(cell) and not is_answer(cell)


def is_locked(cell) -> bool:
    """A cell nbgrader restores from the release when grading (test cells always, answers never)."""
    if is_answer(cell):
        return False
    return is_grade(cell) or bool(nbgrader_meta(cell).get("locked"))


def points(cell) -> float:
    return float(nbgrader_meta(cell).get("points", 0) or 0)


def exercise_of(test_id: str, exercises) -> str | None:
    """The exercise a test cell belongs to: `test_<name>` or `test_<name>_<aspect>`, longest name first
    (so `test_freeze_first_children` belongs to `freeze_first_children`, not to `freeze`)."""
    for name in sorted(exercises, key=len, reverse=True):
        if test_id == f"test_{name}" or test_id.startswith(f"test_{name}_"):
            return name
    return None


def strip_solution_markers(source: str) -> str:
    """The solution as a student would have typed it: without nbgrader's BEGIN/END SOLUTION lines."""
    return "\n".join(ln for ln in source.splitlines() if not SOLUTION_MARKER.match(ln))


def reference_answers(solution_nb) -> dict[str, str]:
    """The instructor's answer for every answer cell, keyed by grade_id."""
    return {grade_id(c): strip_solution_markers(c.source) for c in solution_nb.cells if is_answer(c)}


def fill_answers(release_nb, answers: dict[str, str]):
    """A copy of the released notebook whose answer cells hold `answers` (keyed by grade_id)."""
    nb = copy.deepcopy(release_nb)
    unknown = set(answers) - {grade_id(c) for c in nb.cells if is_answer(c)}
    if unknown:
        raise KeyError(f"no answer cell with grade_id {sorted(unknown)} in the notebook")
    for cell in nb.cells:
        if is_answer(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb
