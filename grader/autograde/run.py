"""Grade a batch: jobs out to worker processes (or a Dask cluster), results back, the gradebook written here.

Only this process writes the gradebook (nbgrader's API, one transaction per student), so parallel grading cannot
corrupt it; `nbgrader export` and the formgrader read it as usual.
"""
from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from grader.autograde import prepare
from grader.autograde.job import collect_files, grade_submission
from grader.course import REPO, SOLUTIONS, notebook_name
from grader.nbgrader_run import venv_path

REFERENCE = "__reference__"
TAMPER_IGNORED = ()


@dataclass
class Options:
    workers: int = 0
    cell_timeout: int = 120
    submission_timeout: int = 600
    memory_mb: int = 12288
    output_bytes: int = 2_000_000
    scheduler: str | None = None
    root: Path = REPO
    submissions: Path | None = None
    solutions: Path = SOLUTIONS
    json_path: Path | None = None
    reports: Path | None = None
    progress: bool = True
    use_cache: bool = True
    env: dict = field(default_factory=dict)
    students: list | None = None
    confine: bool = True        # False: never the mount-namespace sandbox (what a non-root grader gets anyway)
    device: str | None = None   # COURSE_DEVICE for the kernels (cpu, cuda, cuda-sim); None: this process's own


def job_spec(assignment: str, student: str, files, template: dict, opts: Options, threads: int) -> dict:
    root = Path(opts.root).resolve()
    hide = [str(p) for p in {Path(opts.solutions).resolve(), (opts.submissions or root / "submitted").resolve(),
                             root / "autograded", root / "feedback", root / "gradebook.db", root / ".git",
                             root / "solutions", prepare.cache_dir()}]
    return {
        "assignment": assignment, "student": student, "notebook": notebook_name(assignment), "files": files,
        "template": {k: template[k] for k in ("gradebook", "source", "meta")},
        "config": str(root / "nbgrader_config.py"), "source_dir": "solutions", "hide": sorted(hide),
        "limits": {"cell_timeout": opts.cell_timeout, "submission_timeout": opts.submission_timeout,
                   "memory_mb": opts.memory_mb, "cpu_s": opts.submission_timeout + 30,
                   "output_bytes": opts.output_bytes, "fsize_mb": 64, "threads": threads},
        "confine": opts.confine,
        "env": {"COURSE_PROFILE": os.environ.get("COURSE_PROFILE", ""),
                "COURSE_DEVICE": opts.device or os.environ.get("COURSE_DEVICE", ""), **opts.env},
    }


# ------------------------------------------------------------------------------------------------- verdicts
def signatures(result: dict) -> dict[str, list]:
    return {gid: [[c["kind"], c["line"]] for c in checks] for gid, checks in result.get("cells", {}).items()}


def runtime_tampering(result: dict, ignored: set) -> list[str]:
    names = {name for checks in result.get("cells", {}).values() for c in checks for name in c.get("tampered", [])}
    return sorted(names - ignored)


def finalize(result: dict, meta: dict, reference: dict) -> dict:
    """Scores per graded cell: full points only when nbgrader saw the test cell pass AND every check it should
    have made was recorded and passes again in the clean process."""
    reasons = [list(r) for r in result.get("reasons", [])]
    tamper = list(result.get("static_tampering", []))
    tamper += [f"changed at run time: {n}" for n in runtime_tampering(result, set(reference.get("tampered", [])))]
    tamper += [f"forged records: {r[1]}" for r in reasons if r[0] == "forged-records"]
    if tamper:
        reasons.append(["tampering", "; ".join(tamper[:8])])
    cells, nbg = {}, result.get("nbgrader", {})
    for gid, cell in meta["cells"].items():
        if not cell["grade"]:
            continue
        out_of = cell["points"]
        got_nb = nbg.get(gid, [0.0, out_of])[0]
        if cell["solution"]:                      # manually graded answer: nbgrader's own handling
            cells[gid] = {"score": got_nb, "max": out_of, "passed": got_nb >= out_of, "message": ""}
            continue
        checks = result.get("cells", {}).get(gid, [])
        expected = reference.get("signatures", {}).get(gid)
        failed = [c for c in checks if not c["ok"]]
        if result.get("notebook") is None:
            message = "not graded: " + "; ".join(r[1] for r in reasons[:1]) if reasons else "not graded"
        elif failed:
            message = failed[0]["message"]
        elif expected is not None and [[c["kind"], c["line"]] for c in checks] != expected:
            message = (f"only {len(checks)} of the {len(expected)} checks of this cell ran and were recorded"
                       if len(checks) < len(expected) else "the checks that ran are not the ones this cell makes")
        elif got_nb < out_of:
            message = "the test cell raised an error (see its output)"
        else:
            message = ""
        passed = not message and not tamper
        if tamper and not message:
            message = "tampering: " + tamper[0]
        cells[gid] = {"score": out_of if passed else 0.0, "max": out_of, "passed": passed, "message": message}
    missing = [g for g, c in cells.items() if not c["passed"] and c["message"].startswith("only")]
    if missing and result.get("notebook") is not None and not any(r[0] == "tampering" for r in reasons):
        if any(nbg.get(g, [0, 1])[0] >= cells[g]["max"] for g in missing):
            reasons.append(["unverified-checks", f"test cells passed in the kernel but their checks were not all "
                                                 f"recorded: {missing}"])
    score = sum(c["score"] for c in cells.values())
    return {"student": result["student"], "score": score, "max": sum(c["max"] for c in cells.values()),
            "cells": cells, "reasons": reasons, "seconds": round(result.get("seconds", 0.0), 2),
            "nbgrader_score": sum(v[0] for g, v in nbg.items() if g in cells)}


# ------------------------------------------------------------------------------------------------- gradebook
def sync_assignment(template_db: bytes, db_url: str, assignment: str) -> None:
    """Put the assignment's notebooks and cells into the course gradebook (what generate_assignment records)."""
    import tempfile
    from nbgrader.api import Gradebook
    with tempfile.NamedTemporaryFile(suffix=".db") as tmp:
        tmp.write(template_db)
        tmp.flush()
        with Gradebook(f"sqlite:///{tmp.name}") as src, Gradebook(db_url) as dst:
            a = src.find_assignment(assignment)
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


def write_grades(gb, assignment: str, notebook: str, final: dict, timestamp: str | None) -> None:
    if True:
        gb.update_or_create_student(final["student"])
        kwargs = {"timestamp": timestamp} if timestamp else {}
        gb.update_or_create_submission(assignment, final["student"], **kwargs)
        for gid, cell in final["cells"].items():
            grade = gb.find_grade(gid, notebook, assignment, final["student"])
            grade.auto_score = cell["score"]
            grade.needs_manual_grade = False
            grade.manual_score = None
        gb.db.commit()


def verdict_output(cell_result: dict) -> NotebookNode:
    return NotebookNode(output_type="stream", name="stderr",
                        text=f"[grader] {'passed' if cell_result['passed'] else 'FAILED'} "
                             f"({cell_result['score']:g} / {cell_result['max']:g})"
                             + (f": {cell_result['message']}" if cell_result["message"] else "") + "\n")


def save_autograded(root: Path, assignment: str, result: dict, final: dict) -> Path | None:
    """The autograded notebook in nbgrader's place, each test cell followed by the grader's verdict."""
    if not result.get("notebook"):
        return None
    nb = nbformat.reads(result["notebook"], as_version=4)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in final["cells"] and cell.cell_type == "code":
            cell.outputs.append(verdict_output(final["cells"][gid]))
    path = root / "autograded" / final["student"] / assignment / notebook_name(assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


# ------------------------------------------------------------------------------------------------- executors
def _executor(opts: Options, workers: int):
    if opts.scheduler:
        from distributed import Client
        client = Client(opts.scheduler, set_as_default=False)
        return client.get_executor(pure=False), client
    return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")), None


def lost_result(student: str, why: str) -> dict:
    """The result of a job that produced none: the student keeps a row, 0 points and the reason."""
    return {"student": student, "reasons": [["grader-error", why[:300]]], "nbgrader": {}, "cells": {},
            "notebook": None}


def _one_round(specs: dict, opts: Options, workers: int, bar) -> tuple[dict, dict]:
    """Run `specs` on one executor: (results, specs lost with a broken process pool)."""
    results, lost = {}, {}
    executor, client = _executor(opts, workers)
    try:
        futures = {executor.submit(grade_submission, spec): s for s, spec in specs.items()}
        for fut in cf.as_completed(futures):
            s = futures[fut]
            try:
                results[s] = fut.result()
            except BrokenProcessPool:       # a worker died; every job not finished on that pool is lost
                lost[s] = specs[s]
                continue
            except Exception as err:        # the batch goes on; the student still gets a row and a reason
                results[s] = lost_result(s, f"{type(err).__name__}: {err}")
            bar.set_postfix_str(s[:20])
            bar.update()
    finally:
        executor.shutdown(wait=True)
        if client is not None:
            client.close()
    return results, lost


def run_jobs(specs: dict, opts: Options, workers: int, label: str) -> dict:
    """Grade every spec; survive the loss of worker processes.

    A worker that dies (the OOM killer, a crash in the grader's own process; student code runs in a separate
    kernel) breaks a local process pool and fails every job not yet finished on it. Those jobs run again on a
    fresh pool; if that pool breaks too, each remaining job runs alone in a pool of its own, twice if need be (a
    job lost with a broken pool may never have started, so its first solo run can be its first run at all), so
    that only a submission that kills its worker by itself, every time, gets `grader-error`."""
    from tqdm import tqdm
    bar = tqdm(total=len(specs), desc=label, unit="nb", disable=not opts.progress)
    results, pending, rounds = {}, dict(specs), 0
    while pending:
        rounds += 1
        if rounds <= 2:
            done, pending = _one_round(pending, opts, max(1, min(workers, len(pending))), bar)
            results.update(done)
            continue
        for s, spec in pending.items():
            for _ in range(2):
                done, lost = _one_round({s: spec}, opts, 1, bar)
                results.update(done)
                if not lost:
                    break
            if lost:
                results[s] = lost_result(s, "the grader's worker process died while grading this submission, "
                                            "also when it ran alone (killed for memory?); rerun it with "
                                            "--student and a smaller --memory")
                bar.update()
        pending = {}
    bar.close()
    return results


def discover(submissions: Path, assignment: str) -> dict[str, Path | None]:
    """{student: folder} for every student folder under `submissions` (folder None when the assignment is missing)."""
    if not submissions.is_dir():
        return {}
    out = {}
    for student in sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")):
        folder = student / assignment
        out[student.name] = folder if folder.is_dir() else None
    return out


def warn_unconfined(opts: Options) -> None:
    """Say so when kernels will not be confined: the instructor should know what students can read."""
    from grader.autograde.job import can_confine
    if not opts.confine:
        why = "--no-confine was given"
    elif not can_confine():
        why = "confining needs root and a working `unshare --mount`"
    else:
        return
    print(f"note: kernels run unconfined ({why}): limits and tamper checks apply, but student code can read "
          f"what this account can read; see the README's grader section", file=sys.stderr)


def prepare_data() -> None:
    """Make the CIFAR-10 stand-in of the active profile before grading.

    Kernels run on a read-only file system, so data a notebook would generate on first use must exist already.
    Generating takes seconds once; later calls only verify the checksums.
    """
    from grader.data import load_standin
    for train in (True, False):
        load_standin(train)


def autograde(assignment: str, opts: Options) -> dict:
    """Grade every submission of `assignment`; write the gradebook, reports and JSON; return the summary."""
    started = time.monotonic()
    os.environ["PATH"] = venv_path()
    root = Path(opts.root).resolve()
    submissions = Path(opts.submissions or root / "submitted").resolve()
    students = discover(submissions, assignment)
    if opts.students:
        students = {s: f for s, f in students.items() if s in opts.students}
    device = opts.device or os.environ.get("COURSE_DEVICE", "")
    template, reference = prepare.load_template(assignment, opts.solutions, opts.use_cache, device)
    prepare_data()
    if opts.progress and not opts.scheduler:
        warn_unconfined(opts)
    meta = template["meta"]
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    sync_assignment(template["gradebook"], db_url, assignment)
    workers = opts.workers or os.cpu_count() or 1
    jobs = len(students) + (reference is None)
    workers = max(1, min(workers, jobs)) if not opts.scheduler else workers
    threads = max(1, (os.cpu_count() or 1) // workers)

    specs = {s: job_spec(assignment, s, collect_files(f), template, opts, threads) for s, f in students.items()}
    if reference is None:
        specs = {REFERENCE: job_spec(assignment, REFERENCE, {notebook_name(assignment): template["reference"].encode()},
                                     template, opts, threads), **specs}
    raw = run_jobs(specs, opts, workers, f"autograde {assignment}")
    if reference is None:
        ref = raw.pop(REFERENCE)
        reference = {"signatures": signatures(ref), "tampered": runtime_tampering(ref, set())}
        ref_final = finalize(ref, meta, reference)
        if ref_final["score"] < ref_final["max"]:
            raise RuntimeError(f"the reference solution of {assignment} does not earn full marks under the grader: "
                               f"{json.dumps({g: c['message'] for g, c in ref_final['cells'].items() if not c['passed']})}"
                               f" {ref_final['reasons']} {ref.get('error') or ''} {ref.get('run')}")
        if opts.use_cache:
            prepare.save_reference(assignment, reference, opts.solutions, device)

    nb_id = notebook_name(assignment).removesuffix(".ipynb")
    finals = {}
    from nbgrader.api import Gradebook
    gb = Gradebook(db_url)
    for s in sorted(raw):
        try:
            final = finalize(raw[s], meta, reference)
        except Exception as err:  # a result the grader cannot read: a zero row that says why, never a crash
            final = finalize({"student": s, "nbgrader": {}, "cells": {}, "notebook": None, "reasons": [
                ["grader-error", f"{type(err).__name__}: {err}"[:300]]]}, meta, reference)
            raw[s] = {"notebook": None}
        folder = students.get(s)
        stamp = (folder / "timestamp.txt").read_text().strip() if folder and (folder / "timestamp.txt").is_file() \
            else None
        try:
            write_grades(gb, assignment, nb_id, final, stamp)
        except Exception as err:
            gb.db.rollback()
            final["reasons"].append(["gradebook-error", f"{type(err).__name__}: {err}"[:300]])
        save_autograded(root, assignment, raw[s], final)
        finals[s] = final
    gb.close()
    summary = {"assignment": assignment, "students": finals, "workers": workers,
               "scheduler": opts.scheduler, "seconds": round(time.monotonic() - started, 2),
               "max_score": sum(c["points"] for c in meta["cells"].values() if c["grade"])}
    from grader.autograde import reports
    reports.write_all(summary, Path(opts.reports or root / "reports" / assignment))
    if opts.json_path:
        Path(opts.json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(opts.json_path).write_text(json.dumps(summary, indent=1))
    return summary
