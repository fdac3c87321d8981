"""Grade one submission, on a worker (a local process or a Dask worker). Never touches the real gradebook.

The submission is copied into a private temporary course root together with a copy of the assignment's
gradebook (made once per batch by `prepare`), nbgrader's own `autograde` runs there (its sanitizing
preprocessors restore locked cells; `GuardedExecute` runs the notebook in the sandboxed kernel), and the
result comes back as plain data: nbgrader's scores, the checks the test cells recorded (re-judged here, in this
clean process), the reasons found, and the autograded notebook. The parent process scores it and writes the
gradebook.
"""
from __future__ import annotations

import gc
import json
import os
import re
import shutil
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import nbformat

from grader.autograde import deadline, intake, isolation, match, scan, verdict
from grader.cells import grade_id

FSIZE_MB = 64             # the largest file a kernel may write
SCRATCH_MB = 256          # all a confined kernel may write in its own folder (a tmpfs)


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


def _errors(nb) -> list[str]:
    """The ids of the cells that show an error (a lesson cell that raised costs no points, but should be seen)."""
    return [c.get("id", "?") for c in nb.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]


def _raised(nb) -> list[str]:
    """The grade ids of the graded cells that show an error (an exception, or a kernel that stopped)."""
    return [grade_id(c) for c in nb.cells if grade_id(c)
            and any(o.get("output_type") == "error" for o in c.get("outputs", []))]


def _memory_error(nb) -> str | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and (out.get("ename") == "MemoryError" or
                                                      "can't allocate memory" in str(out.get("evalue", ""))):
                return f"cell {grade_id(cell) or '?'} ran out of memory ({out.get('ename')})"
    return None


def _static_tampering(nb, meta: dict) -> list[str]:
    """Tampering visible in the source of every code cell the student changed (locked cells are restored)."""
    release_sources, found = set(meta["release_sources"]), []
    for cell in nb.cells:
        gid = grade_id(cell)
        locked = gid in meta["cells"] and meta["cells"][gid]["locked"]
        if cell.get("cell_type") == "code" and not locked and cell.source.strip() not in release_sources:
            found += [f"cell {gid or '?'}: {t}" for t in scan.tampering(cell.source)]
    return found


def _lay_out(root: Path, spec: dict, nb) -> tuple[Path, Path]:
    """The job's folders: `work`, a private nbgrader course root (the assignment's source, the submission, the
    autograded output); `private`, the gradebook copy, the run log, the sandbox settings and the harvested records;
    `kernel`, the kernel's own folder when it runs unconfined (confined, it gets a tmpfs instead). Only the notebook
    and the files the assignment declares (`extra_files`) are taken from the submission: any other file handed in
    beside it could shadow a module the kernel imports."""
    student, assignment, template = spec["student"], spec["assignment"], spec["template"]
    work, private, kernel = root / "work", root / "private", root / "kernel"
    private.mkdir(mode=0o700)
    (private / "gradebook.db").write_bytes(template["gradebook"])
    for sub in (".home", ".records", "work"):
        (kernel / sub).mkdir(parents=True)
    source = work / "solutions" / assignment
    for rel, data in template["source"].items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_bytes(data)
    sub = work / "submitted" / student / assignment
    sub.mkdir(parents=True)
    nbformat.write(nb, str(sub / spec["notebook"]))
    for name in spec["options"].get("extra_files") or []:      # declared by the assignment, taken as data
        data = spec["files"].get(name) if name == os.path.basename(name) and not name.startswith(".") else None
        if isinstance(data, bytes):
            for folder in (private / "files", kernel / "work"):    # confined: the first stage copies them in
                folder.mkdir(exist_ok=True)
                (folder / name).write_bytes(data)
    out_dir = work / "autograded" / student / assignment
    out_dir.mkdir(parents=True)
    return work, out_dir


def _sandbox_settings(spec: dict, root: Path) -> Path:
    """The kernel's settings (read by `grader.autograde.sandbox`), in a file of the private folder: never in the
    environment, which a kernel can read back from /proc."""
    opts, threads = spec["options"], spec["threads"]
    sandbox = {"private": str(root / "private"), "records_out": str(root / "private" / "records"),
               "files": str(root / "private" / "files"),
               "work": str(root / "kernel"), "memory_mb": opts["memory_mb"], "cpu_s": opts["submission_timeout"] + 30,
               "max_output_bytes": opts["max_output_bytes"], "fsize_mb": FSIZE_MB, "scratch_mb": SCRATCH_MB,
               "threads": threads, "hide": spec["hide"] + isolation.worker_private(), "keep": isolation.kernel_needs(),
               "unshare": isolation.confine_command(), "confine": opts["confine"], "fork": opts.get("fork_kernels"),
               "pythonpath": isolation.kernel_pythonpath(), "guard": spec["template"]["meta"].get("guard")}
    path = root / "private" / "sandbox.json"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
        json.dump(sandbox, fh)
    return path


def kernel_env(threads: int, env: dict) -> dict:
    """What the worker adds to the environment the kernel starts from (the sandbox keeps only what it allows)."""
    return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "PYTHONPATH": isolation.kernel_pythonpath(),
            **env}


def warm_template(threads: int, env: dict, wait: bool = False, connect: bool = True) -> None:
    """Have the machine's kernel template (`grader.autograde.template`) for jobs with `threads` and `env` start, if
    none runs; with `connect`, connect this worker to it; with `wait`, until it is ready. The batch's own process
    calls it first (without connecting), the pool once per worker, and a job with `wait` before its time starts."""
    from grader.autograde import template
    full = {**os.environ, **{k: str(v) for k, v in kernel_env(threads, env).items()}}
    if not connect:
        template.start(isolation.kernel_pythonpath(), full)
    else:
        (template.prepare if wait else template.warm)(isolation.kernel_pythonpath(), full)


def grade_submission(spec: dict) -> dict:
    """Grade one submission described by `spec` (plain data; see `grader.autograde.prepare.job_spec`), under one
    wall-clock bound that covers nbgrader's own work too (`deadline.job_bound`): a job past it ends in `timeout`."""
    if not gc.get_freeze_count():
        # the modules a worker imported stay for its life: frozen out of the garbage collector's reach, a full
        # collection no longer walks them (about 0.15 s each time one runs)
        gc.freeze()
    if spec["options"].get("fork_kernels"):
        warm_template(spec["threads"], spec["env"], wait=True)
    started = time.monotonic()
    try:
        with deadline.bound(deadline.job_bound(spec["options"])):
            return _grade_submission(spec)
    except deadline.JobTimeout as err:
        return {"student": spec["student"], "reasons": [["timeout", str(err)]], "nbgrader": {}, "cells": {},
                "static_tampering": [], "notebook": None, "run": {}, "error": None, "errors": [], "raised": [],
                "seconds": time.monotonic() - started}


def _grade_submission(spec: dict) -> dict:
    started = time.monotonic()
    student, assignment, nb_name = spec["student"], spec["assignment"], spec["notebook"]
    result = {"student": student, "reasons": [], "nbgrader": {}, "cells": {}, "static_tampering": [],
              "notebook": None, "run": {}, "error": None, "errors": [], "raised": []}
    name, reasons = intake.find_notebook(spec["files"], nb_name)
    result["reasons"] += [list(r) for r in reasons]
    nb = None
    if name is not None:
        nb, problem = intake.read_submission(spec["files"][name], spec["options"])
        if problem:
            result["reasons"].append(list(problem))
    if nb is None:
        result["seconds"] = time.monotonic() - started
        return result

    meta = spec["template"]["meta"]
    nb, restored = match.restore(nb, meta)        # graded cells that lost their metadata in another editor
    result["reasons"] += [list(r) for r in restored]
    result["reasons"] += [list(r) for r in scan.structure(nb.cells, meta["cells"], meta["order"])]
    nb.cells = intake.dedupe(nb.cells, meta["cells"])
    result["static_tampering"] = _static_tampering(nb, meta)
    root = Path(tempfile.mkdtemp(prefix=f"grade-{assignment}-"))
    try:
        os.chmod(root, 0o700)
        work, out_dir = _lay_out(root, spec, nb)
        db = root / "private" / "gradebook.db"
        from grader.autograde.gradebook import cell_scores, unsynced
        unsynced(db)
        result["run"] = _run_nbgrader(spec, work, db, kernel_env(spec["threads"], spec["env"]), root / "private" / "run.json",
                                      _sandbox_settings(spec, root))
        result["kernel"] = result["run"].get("kernel")      # "forked" from the worker's template, or "cold"
        result["nbgrader"] = {g: list(s) for g, s in cell_scores(db, assignment, nb_name.removesuffix(".ipynb"),
                                                                 student).items()}
        graded = out_dir / nb_name
        if graded.is_file():
            autograded = nbformat.read(str(graded), as_version=4)
            result["notebook"] = nbformat.writes(autograded)
            result["errors"], result["raised"] = _errors(autograded), _raised(autograded)
            from grader.autograde.harvest import load_records     # torch: imported by workers only
            records, problems = load_records(root / "private" / "records")
            if problems:
                result["reasons"].append(["forged-records", "; ".join(problems[:5])])
            test_ids = {g for g, c in meta["cells"].items() if c["grade"] and not c["solution"]}
            result["cells"] = verdict.checks_by_cell(autograded, records, test_ids)
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


def _run_nbgrader(spec: dict, work: Path, db: Path, env: dict, log_path: Path, sandbox: Path) -> dict:
    """nbgrader's own `autograde` (through NbGraderAPI) in the private root, with the guarded executor."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from grader.autograde.execute import GuardedExecute

    config = Config()
    conf_path = Path(spec["config"])
    if conf_path.is_file():
        config.merge(PyFileConfigLoader(conf_path.name, str(conf_path.parent)).load_config())
    opts = spec["options"]
    config.CourseDirectory.root = str(work)
    config.CourseDirectory.db_url = f"sqlite:///{db}"
    config.CourseDirectory.source_directory = "solutions"
    config.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                                LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    config.GuardedExecute.timeout = int(opts["cell_timeout"])
    config.GuardedExecute.limits = {k: opts[k] for k in ("submission_timeout", "max_output_bytes")}
    config.GuardedExecute.log_path = str(log_path)
    config.GuardedExecute.iopub_timeout = 10
    config.GuardedKernelManager.sandbox_file = str(sandbox)
    with _environ(env):
        coursedir = CourseDirectory(config=config)
        api = NbGraderAPI(coursedir=coursedir, config=config)
        outcome = api.autograde(spec["assignment"], spec["student"], force=True, create=True)
    run = json.loads(log_path.read_text()) if log_path.is_file() else {}
    run = {k: v for k, v in run.items() if k in ("stop", "exit", "kernel")}
    run["success"] = bool(outcome.get("success"))
    if not outcome.get("success"):
        run["log"] = ((outcome.get("log") or "")[-6000:] + "\n" + (outcome.get("error") or "")[-3000:]).strip()
    return run
