"""What every job of a batch needs, made once: the assignment's gradebook (from `nbgrader generate_assignment`
in a throwaway root), its non-notebook files, the graded cells' metadata and the reference submission (cached
per content of the solutions and of the whole grader package), the data the kernels read, and the job specs."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat

from grader.authoring.nbgrader_run import generate_assignment, make_course_root
from grader.autograde import guard
from grader.cells import fill_answers, grade_id, is_answer, is_grade, is_locked, points, reference_answers
from grader.course import CONFIG, SOLUTIONS, notebook_name

CACHE_VERSION = "3"
KEPT_VERSIONS = 2      # cache folders kept per assignment (`prune_cache`)


def cache_dir() -> Path:
    """Where templates and reference runs are kept between batches."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pytorch-course-grader"


PACKAGE = Path(__file__).parents[1]


def solutions_key(assignment: str, solutions: Path = SOLUTIONS, config: Path = CONFIG,
                  package: Path = PACKAGE) -> str:
    """The cache key of an assignment's template and reference run: the content of its solution folder, of the
    course's nbgrader_config.py and of every module of the grader package (kernel-side code changes the reference
    run; a module added or removed changes the key too)."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in sorted((solutions / assignment).rglob("*")) + [config]:
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(str(path.relative_to(path.parents[1] if path != config else path.parent)).encode())
            digest.update(path.read_bytes())
    for module in sorted(package.rglob("*.py")):
        digest.update(str(module.relative_to(package)).encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def build_template(assignment: str, solutions: Path = SOLUTIONS) -> dict:
    """{gradebook: bytes, source: {relpath: bytes}, meta: {...}, reference: notebook json}."""
    name = notebook_name(assignment)
    with tempfile.TemporaryDirectory(prefix=f"template-{assignment}-") as tmp:
        root = make_course_root(Path(tmp), assignment, solutions)
        generate_assignment(root, assignment)
        release = nbformat.read(str(root / "course" / assignment / name), as_version=4)
        gradebook = (root / "gradebook.db").read_bytes()
    solution_nb = nbformat.read(str(solutions / assignment / name), as_version=4)
    source = {str(p.relative_to(solutions / assignment)): p.read_bytes()
              for p in sorted((solutions / assignment).rglob("*"))
              if p.is_file() and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts
              and "__pycache__" not in p.parts}
    cells, order = {}, []
    release_by_id = {grade_id(c): c for c in release.cells if grade_id(c)}
    for cell in solution_nb.cells:
        gid = grade_id(cell)
        if not gid or not (is_grade(cell) or is_answer(cell) or is_locked(cell)):
            continue
        order.append(gid)
        cells[gid] = {"grade": is_grade(cell), "solution": is_answer(cell), "locked": is_locked(cell),
                      "points": points(cell), "source": release_by_id[gid].source if gid in release_by_id
                      else cell.source}
    reference = fill_answers(release, reference_answers(solution_nb))
    meta = {"cells": cells, "order": order, "release_sources": sorted({c.source.strip() for c in release.cells}),
            "guard": guard.from_notebook(solution_nb)}
    return {"gradebook": gradebook, "source": source, "meta": meta, "reference": nbformat.writes(reference)}


def _reference_file(folder: Path, device: str) -> Path:
    """The reference run is recorded per `COURSE_DEVICE`: a test cell may check more on a (simulated) GPU."""
    return folder / f"reference-{device or 'default'}.json"


def load_template(assignment: str, solutions: Path = SOLUTIONS, use_cache: bool = True,
                  device: str = "") -> tuple[dict, dict | None]:
    """The template, and the cached reference run on `device`: {"facts": what submissions are compared with,
    "row": the reference's own scores}, or None when it must be graded again."""
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
        prune_cache(assignment)
    return data, None


def prune_cache(assignment: str, keep: int = KEPT_VERSIONS) -> None:
    """Delete all but the `keep` most recently written cache folders of `assignment`: every change of the solutions
    or the grader makes a new one, and nothing else would ever remove the old ones. The one before the newest is
    kept too, for a grader of that version still in use (another course root with older solutions, say)."""
    folders = sorted(cache_dir().glob(f"{assignment}-" + "[0-9a-f]" * 16), key=lambda f: f.stat().st_mtime)
    for old in folders[:max(0, len(folders) - keep)]:
        shutil.rmtree(old, ignore_errors=True)


def save_reference(assignment: str, reference: dict, solutions: Path = SOLUTIONS, device: str = "") -> None:
    """Keep `reference` ({"facts", "row"}) for the next batch of the same solutions, grader and device."""
    folder = cache_dir() / f"{assignment}-{solutions_key(assignment, solutions)}"
    if folder.is_dir():
        _reference_file(folder, device).write_text(json.dumps(reference))


def prepare_data() -> None:
    """Make the CIFAR-10 stand-in of the active profile before grading.

    Kernels run on a read-only file system, so data a notebook would generate on first use must exist already.
    Generating takes seconds once; later calls only check that the files are there."""
    from grader.standin import ensure_standin
    ensure_standin()


def needs_gpu(device: str) -> bool:
    """Whether kernels of `device` need a real GPU (on a cluster: a worker that declares the resource GPU)."""
    return device == "cuda"


def job_spec(assignment: str, student: str, files, template: dict, options: dict, threads: int, hide: list[str],
             config: Path, env: dict) -> dict:
    """Everything one job needs, as plain data (it may travel to a Dask worker on another machine)."""
    return {"assignment": assignment, "student": student, "notebook": notebook_name(assignment), "files": files,
            "template": {k: template[k] for k in ("gradebook", "source", "meta")}, "config": str(config),
            "hide": hide, "options": options, "threads": threads, "env": env,
            "gpu": needs_gpu(env.get("COURSE_DEVICE", ""))}
