"""Grade one submission, in a worker process (local or on a Dask worker). Never touches the real gradebook.

The submission is copied into a private temporary course root together with a copy of the assignment's
gradebook (made once per batch by `prepare`), nbgrader's own `autograde` runs there (its sanitizing
preprocessors restore locked cells; `GuardedExecute` runs the notebook in the sandboxed kernel), and the
result comes back as plain data: nbgrader's scores, the checks the test cells recorded (re-judged here, in this
clean process), the reasons found, and the autograded notebook. The parent process writes the gradebook.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import nbformat

from grader.autograde import record, scan

NOBODY = 65534
MAX_EXTRA_FILE = 20 * 2**20


@contextmanager
def _environ(values: dict):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@functools.cache
def can_confine() -> bool:
    """Root with `unshare` and `setpriv` that work here (a container without CAP_SYS_ADMIN refuses `unshare`)."""
    if os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("setpriv")):
        return False
    try:
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "true"], timeout=20,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def kernel_needs() -> list[str]:
    """Folders the grading kernel reads, on this (worker) machine: the Python installation and environment, the
    course repository (the grader package; notebook 04 reads benchmark results), the data folder, and the folders on
    PYTHONPATH (the GPU machine's recipe installs the Jupyter stack into /tmp/site)."""
    import sys
    from grader.course import REPO
    from grader.data import data_root
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.isdir(p)]
    return [sys.prefix, sys.base_prefix, str(REPO), str(data_root()), *extra]


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


def collect_files(folder: Path | None) -> dict | None:
    """A student's folder as {name: bytes}: regular files only (no links, no folders), each at most 20 MiB."""
    if folder is None or not folder.is_dir():
        return None
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_EXTRA_FILE}


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


def _scores(db: Path, assignment: str, notebook: str, student: str) -> dict[str, list]:
    con = sqlite3.connect(str(db))
    try:
        rows = con.execute(
            """SELECT bc.name, g.auto_score, g.manual_score, gc.max_score FROM grade g
               JOIN grade_cells gc ON g.cell_id = gc.id JOIN base_cell bc ON bc.id = gc.id JOIN submitted_notebook sn ON g.notebook_id = sn.id
               JOIN notebook n ON sn.notebook_id = n.id JOIN submitted_assignment sa ON sn.assignment_id = sa.id
               JOIN assignment a ON sa.assignment_id = a.id
               WHERE sa.student_id = ? AND a.name = ? AND n.name = ?""", (student, assignment, notebook)).fetchall()
    finally:
        con.close()
    return {name: [float(auto or 0.0) if manual is None else float(manual), float(mx)] for name, auto, manual, mx in rows}


def _checks_by_cell(nb, records: list[dict], test_ids: set[str]) -> tuple[dict, int]:
    """{grade_id: [{kind, line, ok, message}]} for the test cells, from the records whose caller is that cell."""
    by_sha = {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in test_ids:
            by_sha.setdefault(record.source_sha(cell.source), gid)
    out, foreign = {gid: [] for gid in test_ids}, 0
    for rec in records:
        caller = rec.get("caller", {})
        gid = by_sha.get(caller.get("sha"))
        if gid is None or caller.get("name") != "<module>":
            foreign += 1
            continue
        ok, message = record.judge(rec)
        out[gid].append({"kind": rec.get("kind"), "line": caller.get("line"), "ok": ok, "message": message[:2000],
                         "tampered": list(rec.get("tampered", []))[:20]})
    return out, foreign


def _memory_error(nb) -> str | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and (out.get("ename") == "MemoryError" or
                                                      "can't allocate memory" in str(out.get("evalue", ""))):
                gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
                return f"cell {gid} ran out of memory ({out.get('ename')})"
    return None


def dedupe(cells, graded: dict) -> list:
    """The cells with each graded id kept once (the first): later copies of test or locked cells are dropped,
    later copies of answer cells become plain code cells. (nbgrader's own DeduplicateIds keeps the last copy and
    leaves it an empty `nbgrader` metadata that its CheckCellMetadata then rejects, failing the whole notebook.)"""
    seen, out = set(), []
    for cell in cells:
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader")
        if isinstance(nbg, dict) and not nbg:           # empty nbgrader metadata: rejected by nbgrader
            meta.pop("nbgrader")
            nbg = None
        gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
        if gid is not None and gid in seen:
            info = graded.get(gid, {})
            if info.get("locked") or (info.get("grade") and not info.get("solution")):
                continue
            meta.pop("nbgrader")
        elif gid is not None:
            seen.add(gid)
        out.append(cell)
    return out


def grade_submission(spec: dict) -> dict:
    """Grade one submission described by `spec` (plain data; see `grader.autograde.run.job_spec`)."""
    started = time.monotonic()
    student, assignment = spec["student"], spec["assignment"]
    nb_name = spec["notebook"]
    result = {"student": student, "reasons": [], "nbgrader": {}, "cells": {}, "foreign_records": 0,
              "static_tampering": [], "notebook": None, "run": {}, "error": None}
    files = spec.get("files")
    name, reasons = find_notebook(files, nb_name)
    result["reasons"] += [list(r) for r in reasons]
    nb = None
    if name is not None:
        nb, problem = read_submission(files[name])
        if problem:
            result["reasons"].append(list(problem))
    if nb is None:
        result["seconds"] = time.monotonic() - started
        return result

    template = spec["template"]
    meta = template["meta"]
    result["reasons"] += [list(r) for r in scan.structure(nb.cells, meta["cells"], meta["order"])]
    release_sources = set(meta["release_sources"])
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        locked = gid in meta["cells"] and meta["cells"][gid]["locked"]
        if cell.get("cell_type") == "code" and not locked and cell.source.strip() not in release_sources:
            result["static_tampering"] += [f"cell {gid or '?'}: {t}" for t in scan.tampering(cell.source)]

    nb.cells = dedupe(nb.cells, meta["cells"])
    limits = spec["limits"]
    root = Path(tempfile.mkdtemp(prefix=f"grade-{assignment}-"))
    try:
        os.chmod(root, 0o700)
        work, private = root / "work", root / "private"
        private.mkdir()
        (work / ".home").mkdir(parents=True)
        records_dir = work / ".records"
        records_dir.mkdir()
        (private / "gradebook.db").write_bytes(template["gradebook"])
        source = work / spec["source_dir"] / assignment
        source.mkdir(parents=True)
        for rel, data in template["source"].items():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            (source / rel).write_bytes(data)
        sub = work / "submitted" / student / assignment
        sub.mkdir(parents=True)
        nbformat.write(nb, str(sub / nb_name))
        for extra, data in files.items():
            if not extra.endswith(".ipynb") and "/" not in extra:
                (sub / extra).write_bytes(data)
        out_dir = work / "autograded" / student / assignment
        out_dir.mkdir(parents=True)
        sandbox = {"work": str(work), "cwd_rel": str(out_dir.relative_to(work)), "memory_mb": limits.get("memory_mb"), "cpu_s": limits.get("cpu_s"),
                   "output_bytes": limits.get("output_bytes"),
                   "fsize_mb": limits.get("fsize_mb", 64), "threads": limits.get("threads"),
                   "hide": spec.get("hide", []), "keep": kernel_needs(), "unshare": can_confine(),
                   "confine": spec.get("confine", True)}
        env = {"GRADER_SANDBOX": json.dumps(sandbox), **spec.get("env", {})}
        if limits.get("threads"):
            env.update(OMP_NUM_THREADS=limits["threads"], MKL_NUM_THREADS=limits["threads"])
        result["run"] = _run_nbgrader(spec, work, private / "gradebook.db", env)
        db_scores = _scores(private / "gradebook.db", assignment, nb_name.removesuffix(".ipynb"), student)
        result["nbgrader"] = db_scores
        graded = out_dir / nb_name
        if graded.is_file():
            autograded = nbformat.read(str(graded), as_version=4)
            result["notebook"] = nbformat.writes(autograded)
            records, problems = record.load_records(records_dir)
            if problems:
                result["reasons"].append(["forged-records", "; ".join(problems[:5])])
            test_ids = {g for g, c in meta["cells"].items() if c["grade"] and not c["solution"]}
            result["cells"], result["foreign_records"] = _checks_by_cell(autograded, records, test_ids)
            memory = _memory_error(autograded)
            if memory:
                result["reasons"].append(["memory-limit", memory])
        stop = result["run"].get("stop")
        if stop:
            result["reasons"].append([stop["reason"], stop["detail"]])
        if result["notebook"] is None and not stop:
            log = result["run"].get("log", "")
            result["error"] = log
            result["reasons"].append(["grader-error", f"nbgrader autograde failed: {_cause(log)[:300]}"])
    except Exception as err:  # the batch goes on; the student gets a reason
        result["error"] = "".join(traceback.format_exception(err))[-3000:]
        result["reasons"].append(["grader-error", f"{type(err).__name__}: {err}"[:300]])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    result["seconds"] = time.monotonic() - started
    return result


def _cause(log: str) -> str:
    """The most specific exception line of nbgrader's log (its own NbGraderException only says "see above")."""
    lines = [line.strip() for line in log.splitlines()
             if re.match(r"^\s*[\w.]+(Error|Exception|Exit)\b.*?:", line) and "NbGraderException" not in line]
    if lines:
        return lines[0]
    rest = [line for line in log.strip().splitlines() if line.strip()]
    return rest[-1] if rest else "no autograded notebook"


def _run_nbgrader(spec: dict, work: Path, db: Path, env: dict) -> dict:
    """nbgrader's own `autograde` (through NbGraderAPI) in the private root, with the guarded executor."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from grader.autograde import execute

    config = Config()
    conf_path = Path(spec["config"])
    if conf_path.is_file():
        config.merge(PyFileConfigLoader(conf_path.name, str(conf_path.parent)).load_config())
    limits = spec["limits"]
    config.CourseDirectory.root = str(work)
    config.CourseDirectory.db_url = f"sqlite:///{db}"
    config.CourseDirectory.source_directory = spec["source_dir"]
    config.Autograde.autograde_preprocessors = [execute.GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                                LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    config.GuardedExecute.timeout = int(limits["cell_timeout"])
    config.GuardedExecute.submission_timeout = float(limits["submission_timeout"])
    config.GuardedExecute.max_output_bytes = int(limits["output_bytes"])
    config.GuardedExecute.iopub_timeout = 10
    log = execute.reset_log()
    with _environ(env):
        coursedir = CourseDirectory(config=config)
        api = NbGraderAPI(coursedir=coursedir, config=config)
        outcome = api.autograde(spec["assignment"], spec["student"], force=True, create=True)
    run = {k: v for k, v in log.items() if k in ("stop", "exit", "cells_run", "output_bytes", "events")}
    run["success"] = bool(outcome.get("success"))
    if not outcome.get("success"):
        run["log"] = ((outcome.get("log") or "")[-6000:] + "\n" + (outcome.get("error") or "")[-3000:]).strip()
    return run
