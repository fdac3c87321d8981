"""From a student's folder to a notebook nbgrader can grade, and what was odd on the way.

Parent side: `survey` lists the students and refuses ids that are not plain folder names (`refuse_id`), and folders
that are links; `collect_files` reads a folder into plain data for the job, never following a link the student
planted; `oversized` refuses a notebook too large to grade before a job is made.
Worker side: `find_notebook` picks the notebook (renamed or missing), `read_submission` parses it (invalid, empty
or oversized), `dedupe` repairs duplicated graded cells, so that damage costs the damaged cells, not the notebook.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import nbformat

from grader.cells import grade_id

MAX_EXTRA_FILE = 20 * 2**20
# The grader's own runs are graded as jobs too, under ids that `refuse_id` refuses for every student folder.
REFERENCE = "__reference__"
RESERVED = frozenset({REFERENCE})
# A student id is a plain folder name: it becomes a path (autograded/<id>/, reports/students/<id>.json), a
# gradebook key and a job id, so it must not be hidden, relative, or one of the grader's own names.
ID_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")
MAX_ID = 64


def refuse_id(name: str) -> str | None:
    """Why `name` cannot be a student id (None: it can): reserved names in any case, then the rule ID_RULE
    (first a letter or digit, then letters, digits, `.`, `_`, `-`, `@`, `+`), at most MAX_ID characters."""
    if name.casefold() in {r.casefold() for r in RESERVED}:
        return "the name is reserved for the grader's own runs"
    if len(name) > MAX_ID:
        return f"the name is longer than {MAX_ID} characters"
    if not ID_RULE.fullmatch(name):
        return ("the name is not a plain folder name (a letter or digit, then letters, digits, '.', '_', '-', "
                "'@' or '+')")
    return None


assert refuse_id(REFERENCE), "the grader's own runs must use an id no student folder can take"


def survey(submissions: Path, assignment: str) -> tuple[dict[str, Path | None], dict[str, str]]:
    """({student: folder}, {entry: why it is refused}) for the entries of `submissions`; folder is None when the
    student has no folder for the assignment. Links are refused, not followed: a student folder, or its
    assignment folder, that is a symbolic link could point the grader at any path of the grading machine."""
    if not submissions.is_dir():
        return {}, {}
    folders, refused = {}, {}
    for entry in sorted(os.scandir(submissions), key=lambda e: e.name):
        why = refuse_id(entry.name)
        if why is None and entry.is_symlink():
            why = "the student folder is a symbolic link"
        elif why is None and not entry.is_dir(follow_symlinks=False):
            why = "not a folder"
        folder = Path(entry.path) / assignment
        if why is None and folder.is_symlink():
            why = f"its {assignment} folder is a symbolic link"
        if why is not None:
            refused[entry.name] = why
        else:
            folders[entry.name] = folder if folder.is_dir() else None
    return folders, refused


def discover(submissions: Path, assignment: str) -> dict[str, Path | None]:
    """{student: folder} for every valid student folder under `submissions` (`survey` without the refused)."""
    return survey(submissions, assignment)[0]


_SKIP = object()


def _read_regular(name: str, dir_fd: int | None, limit: int):
    """The bytes of `name` when it is a regular file of at most `limit` bytes, None when it is a larger regular
    file, _SKIP otherwise (a link, a folder, a FIFO: opened without following or blocking, then checked)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return _SKIP
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _SKIP
        if info.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)


def collect_files(folder: Path | None) -> dict | None:
    """A student's folder as {name: bytes}: regular files only (no links, no folders), each at most 20 MiB; a
    larger notebook is kept as {name: None}, so that it is refused as oversized rather than missing."""
    if folder is None:
        return None
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        files = {}
        for name in sorted(os.listdir(dir_fd)):
            data = _read_regular(name, dir_fd, MAX_EXTRA_FILE)
            if data is not _SKIP and (data is not None or name.endswith(".ipynb")):
                files[name] = data
        return files
    finally:
        os.close(dir_fd)


def read_small(path: Path, limit: int = 4096) -> bytes | None:
    """A small file the student handed in (timestamp.txt), or None: never through a link."""
    data = _read_regular(str(path), None, limit)
    return data if isinstance(data, bytes) else None


def oversized(raw: bytes | None, max_bytes: int, max_cells: int) -> tuple[str, str] | None:
    """The reason to refuse a notebook before parsing it, or None: more than `max_bytes` bytes, or more than
    `max_cells` cells counted in the raw JSON (every cell has a "cell_type" key; an escaped key is caught by the
    exact count after parsing in `read_submission`). 0 turns a limit off."""
    if raw is None:
        return "oversized-notebook", f"the notebook is larger than {MAX_EXTRA_FILE} bytes, the largest file read"
    if max_bytes and len(raw) > max_bytes:
        return "oversized-notebook", f"the notebook has {len(raw)} bytes, more than the limit of {max_bytes}"
    if max_cells and raw.count(b'"cell_type"') > max_cells:
        return "oversized-notebook", f"the notebook has more than {max_cells} cells"
    return None


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


def read_submission(raw: bytes | None, limits: dict | None = None):
    """The notebook in `raw`, or the reason it cannot be graded. `limits` (the grader's options) are checked
    before and after parsing: a notebook of 150,000 tiny cells is a valid notebook that costs nbgrader minutes."""
    max_bytes, max_cells = (int((limits or {}).get(k) or 0) for k in ("max_notebook_bytes", "max_cells"))
    problem = oversized(raw, max_bytes, max_cells) if limits or raw is None else None
    if problem:
        return None, problem
    if not raw.strip():
        return None, ("invalid-notebook", "the notebook file is empty")
    try:
        nb = nbformat.reads(raw.decode("utf-8", errors="replace"), as_version=4)
    except Exception as err:  # JSON errors, unknown nbformat
        return None, ("invalid-notebook", f"the notebook cannot be read: {type(err).__name__}: {str(err)[:200]}")
    if not isinstance(nb.get("cells"), list):
        return None, ("invalid-notebook", "the notebook has no cells")
    if max_cells and len(nb.cells) > max_cells:
        return None, ("oversized-notebook", f"the notebook has {len(nb.cells)} cells, more than {max_cells}")
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
