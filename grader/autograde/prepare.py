"""What every job of a batch needs, made once: the assignment's gradebook (from `nbgrader generate_assignment`
in a throwaway root), its non-notebook files, the graded cells' metadata, and the reference submission."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import nbformat

from grader.course import CONFIG, SOLUTIONS, notebook_name
from grader.nbgrader_run import make_course_root, nbgrader
from grader.submissions import fill_answers, reference_answers

CACHE_VERSION = "1"


def _nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pytorch-course-grader"


def solutions_key(assignment: str, solutions: Path = SOLUTIONS, config: Path = CONFIG) -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in sorted((solutions / assignment).rglob("*")) + [config]:
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(str(path.relative_to(path.parents[1] if path != config else path.parent)).encode())
            digest.update(path.read_bytes())
    package = Path(__file__).parents[1]     # every module of the grader: kernel-side code changes the reference run
    for module in sorted(package.rglob("*.py")):
        digest.update(str(module.relative_to(package)).encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def build_template(assignment: str, solutions: Path = SOLUTIONS) -> dict:
    """{gradebook: bytes, source: {relpath: bytes}, meta: {...}, reference: notebook json}."""
    name = notebook_name(assignment)
    with tempfile.TemporaryDirectory(prefix=f"template-{assignment}-") as tmp:
        root = make_course_root(Path(tmp), assignment, solutions)
        nbgrader(root, "generate_assignment", assignment, "--force")
        release = nbformat.read(str(root / "course" / assignment / name), as_version=4)
        gradebook = (root / "gradebook.db").read_bytes()
    solution_nb = nbformat.read(str(solutions / assignment / name), as_version=4)
    source = {str(p.relative_to(solutions / assignment)): p.read_bytes()
              for p in sorted((solutions / assignment).rglob("*"))
              if p.is_file() and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts
              and "__pycache__" not in p.parts}
    cells, order = {}, []
    release_by_id = {_nbgrader_meta(c).get("grade_id"): c for c in release.cells if _nbgrader_meta(c).get("grade_id")}
    for cell in solution_nb.cells:
        meta = _nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if not gid or not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            continue
        order.append(gid)
        cells[gid] = {"grade": bool(meta.get("grade")), "solution": bool(meta.get("solution")),
                      "locked": bool(meta.get("locked")), "points": float(meta.get("points", 0) or 0),
                      "source": release_by_id[gid].source if gid in release_by_id else cell.source,
                      "full_source": cell.source}
    reference = fill_answers(release, reference_answers(solution_nb))
    meta = {"cells": cells, "order": order, "release_sources": sorted({c.source.strip() for c in release.cells}),
            "notebook": name}
    return {"gradebook": gradebook, "source": source, "meta": meta, "reference": nbformat.writes(reference),
            "release": nbformat.writes(release)}


def _reference_file(folder: Path, device: str) -> Path:
    """The reference run is recorded per `COURSE_DEVICE`: a test cell may check more on a (simulated) GPU."""
    return folder / f"reference-{device or 'default'}.json"


def load_template(assignment: str, solutions: Path = SOLUTIONS, use_cache: bool = True,
                  device: str = "") -> tuple[dict, dict | None]:
    """The template, and the cached reference grading on `device` (None when it must be graded again)."""
    folder = cache_dir() / f"{assignment}-{solutions_key(assignment, solutions)}"
    if use_cache and (folder / "template.json").is_file():
        data = json.loads((folder / "template.json").read_text())
        data["gradebook"] = (folder / "gradebook.db").read_bytes()
        data["source"] = {k: bytes.fromhex(v) for k, v in data["source"].items()}
        ref = _reference_file(folder, device)
        return data, json.loads(ref.read_text()) if ref.is_file() else None
    data = build_template(assignment, solutions)
    if use_cache:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "gradebook.db").write_bytes(data["gradebook"])
        (folder / "template.json").write_text(json.dumps(
            {**{k: v for k, v in data.items() if k != "gradebook"},
             "source": {k: v.hex() for k, v in data["source"].items()}}))
    return data, None


def save_reference(assignment: str, reference: dict, solutions: Path = SOLUTIONS, device: str = "") -> None:
    folder = cache_dir() / f"{assignment}-{solutions_key(assignment, solutions)}"
    if folder.is_dir():
        _reference_file(folder, device).write_text(json.dumps(reference))
