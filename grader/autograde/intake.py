"""From a student's folder to a notebook nbgrader can grade, and what was odd on the way.

Parent side: `discover` lists the students, `collect_files` reads a folder into plain data for the job.
Worker side: `find_notebook` picks the notebook (renamed or missing), `read_submission` parses it (invalid or
empty), `dedupe` repairs duplicated graded cells, so that damage costs the damaged cells, not the notebook.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from grader.cells import grade_id

MAX_EXTRA_FILE = 20 * 2**20


def discover(submissions: Path, assignment: str) -> dict[str, Path | None]:
    """{student: folder} for every student folder under `submissions` (folder None when the assignment is missing)."""
    if not submissions.is_dir():
        return {}
    out = {}
    for student in sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")):
        folder = student / assignment
        out[student.name] = folder if folder.is_dir() else None
    return out


def collect_files(folder: Path | None) -> dict | None:
    """A student's folder as {name: bytes}: regular files only (no links, no folders), each at most 20 MiB."""
    if folder is None or not folder.is_dir():
        return None
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_EXTRA_FILE}


def find_notebook(files: dict | None, expected: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The name of the notebook to grade among a student's files, and what was odd about it."""
    if files is None:
        return None, [("missing-notebook", "no submission folder for this assignment")]
    if expected in files:
        return expected, []
    candidates = sorted(n for n in files if n.endswith(".ipynb"))
    if len(candidates) == 1:
        return candidates[0], [("renamed-notebook", f"graded {candidates[0]} (expected {expected})")]
    if candidates:
        return None, [("missing-notebook", f"no {expected}, and several other notebooks: {candidates}")]
    return None, [("missing-notebook", f"no {expected} in the submission")]


def read_submission(raw: bytes):
    """The notebook in `raw`, or the reason it cannot be graded."""
    if not raw.strip():
        return None, ("invalid-notebook", "the notebook file is empty")
    try:
        nb = nbformat.reads(raw.decode("utf-8", errors="replace"), as_version=4)
    except Exception as err:  # JSON errors, unknown nbformat
        return None, ("invalid-notebook", f"the notebook cannot be read: {type(err).__name__}: {str(err)[:200]}")
    if not isinstance(nb.get("cells"), list):
        return None, ("invalid-notebook", "the notebook has no cells")
    return nb, None


def dedupe(cells, graded: dict) -> list:
    """The cells with each graded id kept once (the first): later copies of what the assignment (`graded`:
    {grade_id: {"grade", "solution", "locked"}}) has as test or locked cells are dropped, later copies of answer
    cells become plain code cells; an empty or non-dict `nbgrader` block is removed.
    (nbgrader's own DeduplicateIds keeps the last copy and leaves it an empty `nbgrader` metadata that its
    CheckCellMetadata then rejects, failing the whole notebook.)"""
    seen, out = set(), []
    for cell in cells:
        meta = cell.get("metadata", {})
        if isinstance(meta, dict) and "nbgrader" in meta and not (isinstance(meta["nbgrader"], dict)
                                                                  and meta["nbgrader"]):
            meta.pop("nbgrader")
        gid = grade_id(cell)
        if gid is not None and gid in seen:
            info = graded.get(gid, {})
            if info.get("locked") or (info.get("grade") and not info.get("solution")):
                continue
            meta.pop("nbgrader")
        elif gid is not None:
            seen.add(gid)
        out.append(cell)
    return out
