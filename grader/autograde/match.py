"""Give graded cells back the nbgrader metadata another editor took away, by matching their content.

nbgrader knows a graded cell only by its `nbgrader` metadata. Colab replaces every cell's metadata with its own
(`id`, `colab`, `outputId`) and other editors do similar things, so a notebook that went through one of them has no
graded cells left: nbgrader grades nothing and the student scores 0, whatever the answers. The content survives,
so `restore` runs on the worker right after the notebook is parsed, before the structure scan and nbgrader, and
re-attaches the assignment's metadata to the cells that hold the assignment's content:

- a cell that still carries the metadata of a graded cell of this assignment keeps it (and claims its grade id);
- a code cell whose source is, up to whitespace, the release's source of a test or locked cell gets that cell's
  metadata (the first such cell; nbgrader then restores the full test, hidden part included);
- a code cell that binds, at its top level, the name of an answer cell (the course's contract: an answer cell's
  grade_id is the name it defines) gets that answer's metadata (the first such cell; later ones stay plain code,
  as `intake.dedupe` does for copies of an answer).

Nothing is invented and nothing moves: a test cell the student deleted or edited is not re-created (it is then a
deleted graded cell, 0 points, as in Jupyter), and every other cell stays where the student put it, so the student's
code runs in the student's order. Only cells without a grade id of their own are candidates: a cell whose metadata
names another grade id is left to nbgrader and the structure scan, which judge it as they always have.
"""
from __future__ import annotations

import ast
import re

import nbformat

from grader.cells import grade_id

REASON = "restored-metadata"
# Cell metadata keys nbformat's schema types. An editor that writes one with another type makes the cell invalid,
# which nbgrader's reading and writing of the notebook may reject; every other editor key is harmless and stays.
TYPED_KEYS = {"collapsed": bool, "deletable": bool, "editable": bool, "format": str, "name": str, "jupyter": dict,
              "execution": dict, "tags": list, "scrolled": (bool, str)}


def normalise(source) -> str:
    """The source as compared: line endings unified, trailing spaces of each line and blank edges dropped (editors
    differ in exactly these)."""
    if not isinstance(source, str):
        return ""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _parse(source: str):
    """The cell's syntax tree, or None. IPython magics and shell lines (`%time`, `!pip`) are not Python; they are
    blanked out rather than making the whole cell unreadable."""
    for text in (source, re.sub(r"(?m)^\s*[%!].*$", "", source)):
        try:
            return ast.parse(text)
        except Exception:  # SyntaxError, and RecursionError or MemoryError on a hostile cell
            continue
    return None


def _bound_names(body) -> set[str]:
    """The names statements bind at module level: def, class, assignments, also inside top-level if/try/with."""
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        for block in ("body", "orelse", "finalbody", "handlers"):
            if isinstance(node, (ast.If, ast.Try, ast.With, ast.ExceptHandler)) and hasattr(node, block):
                names |= _bound_names(getattr(node, block))
    return names


def top_level_names(source: str) -> set[str]:
    """The names a cell binds at its top level (none when it is not Python)."""
    tree = _parse(source)
    return _bound_names(tree.body) if tree is not None else set()


def defines(source: str, name: str) -> bool:
    """Whether the cell binds `name` at its top level (a cheap text test first: most cells never mention it)."""
    return name in source and name in top_level_names(source)


def nbgrader_block(gid: str, info: dict) -> dict:
    """The cell's nbgrader metadata, rebuilt from the assignment's (`meta["cells"][gid]`), as the release has it."""
    block = {"schema_version": 3, "grade": bool(info["grade"]), "grade_id": gid, "locked": bool(info["locked"]),
             "solution": bool(info["solution"]), "task": False, "cell_type": "code"}
    if block["grade"]:
        block["points"] = info["points"]
    return block


def _cell_id(gid: str, taken: set[str]) -> str:
    """A cell id valid for nbformat 4.5 and unused in the notebook: the grade id, as the release has it."""
    base = re.sub(r"[^A-Za-z0-9_-]", "-", gid)[:58] or "cell"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _attach(nb, cell, gid: str, info: dict, taken: set[str]) -> None:
    metadata = cell.get("metadata")
    if not isinstance(metadata, dict):
        metadata = cell["metadata"] = nbformat.from_dict({})
    for key, kind in TYPED_KEYS.items():
        if key in metadata and not isinstance(metadata[key], kind):
            del metadata[key]
    metadata["nbgrader"] = nbformat.from_dict(nbgrader_block(gid, info))
    minor = nb.get("nbformat_minor")
    if nb.get("nbformat") == 4 and isinstance(minor, int) and minor >= 5:    # ids exist from 4.5 on, only there
        taken.discard(cell.get("id"))
        cell["id"] = _cell_id(gid, taken)
        taken.add(cell["id"])


def restore(nb, meta: dict) -> tuple[object, list[tuple[str, str]]]:
    """Re-attach the assignment's nbgrader metadata (`meta`: the template's, with `cells` and `release_sources`) to
    the cells of `nb` that lost it, in place; returns (nb, reasons): one `restored-metadata` reason naming the grade
    ids matched, or none when every graded cell kept its metadata."""
    graded = meta["cells"]
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    claimed = {grade_id(c) for c in cells} & set(graded)
    candidates = [c for c in cells if c.get("cell_type") == "code" and grade_id(c) is None]
    if claimed == set(graded) or not candidates:
        return nb, []
    taken = {c.get("id") for c in cells if isinstance(c.get("id"), str)}
    used, matched = set(), []

    by_source = {}                 # test and locked cells, by their release source (two alike: in release order)
    for gid, info in graded.items():
        if gid not in claimed and (info["locked"] or (info["grade"] and not info["solution"])):
            by_source.setdefault(normalise(info["source"]), []).append(gid)
    for cell in candidates:
        gid = next(iter(by_source.get(normalise(cell.get("source")), [])), None)
        if gid is not None:
            by_source[normalise(cell.get("source"))].remove(gid)
            _attach(nb, cell, gid, graded[gid], taken)
            claimed.add(gid)
            used.add(id(cell))
            matched.append(gid)

    # a lesson cell as released is not an answer, whatever it defines; an answer's own stub is
    stubs = {normalise(i["source"]) for i in graded.values() if i["solution"]}
    lessons = {normalise(s) for s in meta.get("release_sources", [])} - stubs
    names = {}                     # id(cell) -> the names it binds, each cell parsed once at most
    for gid, info in graded.items():
        if gid in claimed or not info["solution"]:
            continue
        for cell in candidates:
            source = cell.get("source") if isinstance(cell.get("source"), str) else ""
            if id(cell) in used or gid not in source or normalise(source) in lessons:
                continue
            if id(cell) not in names:
                names[id(cell)] = top_level_names(source)
            if gid in names[id(cell)]:
                _attach(nb, cell, gid, info, taken)
                claimed.add(gid)
                used.add(id(cell))
                matched.append(gid)
                break

    if not matched:
        return nb, []
    order = {g: i for i, g in enumerate(meta.get("order", graded))}
    matched.sort(key=lambda g: order.get(g, len(order)))
    return nb, [(REASON, f"{len(matched)} graded cells had lost their nbgrader metadata (edited outside Jupyter?) "
                         f"and were matched by content: {matched}")]
