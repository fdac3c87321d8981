"""Grade a batch, one step after another: find the submissions, prepare the assignment once, grade every
submission in a worker (`pool`, `job`), score the results (`verdict`), write the gradebook and the autograded
notebooks (`gradebook`), then the reports. This module only orders the steps; each lives in its own module.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.authoring.nbgrader_run import venv_path
from grader.autograde import gradebook, intake, isolation, prepare, reports, verdict
from grader.autograde.job import grade_submission, warm_template
from grader.autograde.options import GraderOptions
from grader.autograde.pool import Pool, lost_result
from grader.autograde.results import Recorder, Spool
from grader.course import REPO, SOLUTIONS, notebook_name

REFERENCE = intake.REFERENCE     # an id `intake.refuse_id` refuses for every student folder


def _workers(options: GraderOptions, jobs: int) -> int:
    if options.scheduler:
        return options.workers or os.cpu_count() or 1
    return max(1, min(options.workers or os.cpu_count() or 1, jobs))


def _check_reference(assignment: str, raw: dict, meta: dict) -> tuple[dict, dict]:
    """The reference run's facts and row; an error when the reference itself does not earn full marks."""
    facts = verdict.reference_facts(raw)
    row = verdict.score(raw, meta, facts)
    if row["score"] < row["max"]:
        lost = {g: c["message"] for g, c in row["cells"].items() if not c["passed"]}
        raise RuntimeError(f"the reference solution of {assignment} does not earn full marks under the grader: "
                           f"{json.dumps(lost)} {row['reasons']} {raw.get('error') or ''} {raw.get('run')}")
    return facts, row


def autograde(assignment: str, options: GraderOptions | None = None, *, root: Path = REPO,
              submissions: Path | None = None, students=None, solutions: Path = SOLUTIONS,
              json_path: Path | None = None, reports_dir: Path | None = None, progress: bool = True,
              env: dict | None = None) -> dict:
    """Grade every submission of `assignment` under `submissions` (default ROOT/submitted); write the gradebook,
    the autograded notebooks, the reports and (with `json_path`) the summary as JSON; return the summary.

    `options` default to the course's nbgrader_config.py (`GraderOptions.load(root)`); `students` limits the batch
    to those ids; `env` is added to the kernels' environment."""
    started = time.monotonic()
    os.environ["PATH"] = venv_path()
    root = Path(root).resolve()
    options = options or GraderOptions.load(root)
    submissions = Path(submissions or root / "submitted").resolve()
    folders, refused = intake.survey(submissions, assignment)
    if students:
        folders = {s: f for s, f in folders.items() if s in students}
        refused = {s: why for s, why in refused.items() if s in students}
    device = options.device or os.environ.get("COURSE_DEVICE", "")
    template, reference = prepare.load_template(assignment, solutions, options.cache, device)
    workers = _workers(options, len(folders) + (reference is None))
    threads = max(1, (os.cpu_count() or 1) // workers)
    job_env = {"COURSE_PROFILE": os.environ.get("COURSE_PROFILE", ""), "COURSE_DEVICE": device, **(env or {})}
    # the machine's kernel template imports torch (if none runs already), and the workers start, while the rest is
    # prepared
    if options.fork_kernels and not options.scheduler:
        warm_template(threads, job_env, connect=False)
    pool = Pool(workers, options.scheduler, warm=(warm_template, threads, job_env) if options.fork_kernels else None)
    background = ThreadPoolExecutor(1)           # the parent's own waiting work, done while workers grade
    spool = Spool()                              # every result on disk as it arrives; removed at the end
    meta = template["meta"]
    try:
        try:
            prepare.prepare_data()
            if progress and not options.scheduler:
                isolation.warn_unconfined(options.confine)
            db_url = f"sqlite:///{root / 'gradebook.db'}"
            # the gradebook is made ready while the first jobs run: only the results need it
            sync = background.submit(gradebook.sync_assignment, template["gradebook"], db_url, assignment)
            background.submit(reports.load)      # the reports' plotting library, imported while workers grade
            recorder = Recorder(root, assignment, folders, meta, db_url, spool, background)
            if reference is not None:            # rows are written as results arrive
                recorder.start(reference["facts"])
            hide = isolation.private_places(root, submissions, solutions)

            def spec(student: str, files) -> dict:
                return prepare.job_spec(assignment, student, files, template, options.values(), threads, hide,
                                        root / "nbgrader_config.py", job_env)

            specs, raw = {}, {}
            for s, f in folders.items():
                files = intake.collect_files(f)
                refusal = _oversized(files, notebook_name(assignment), options)
                if refusal:                      # no job: the notebook is too large to grade
                    raw[s] = spool.put(s, {**lost_result(s, ""), "reasons": refusal, "seconds": 0.0})
                    recorder.add(s, raw[s])
                else:
                    specs[s] = spec(s, files)
            if reference is None:
                specs = {REFERENCE: spec(REFERENCE, {notebook_name(assignment): template["reference"].encode()}),
                         **specs}
            raw.update(_grade(pool, specs, progress, f"autograde {assignment}", spool, recorder))
            jobs_s = sum(r.get("seconds", 0.0) for r in raw.values())
            kernels = Counter(r.get("kernel") for r in raw.values() if r.get("kernel"))
            sync.result()                        # its error, if any, stops the batch here
        finally:
            pool.close()
        summary = {"assignment": assignment, "workers": workers, "scheduler": options.scheduler,
                   "max_score": sum(c["points"] for c in meta["cells"].values() if c["grade"]), "refused": refused}
        if reference is None:
            facts, row = _check_reference(assignment, spool.full(REFERENCE), meta)
            reference = {"facts": facts, "row": row}
            if options.cache:
                prepare.save_reference(assignment, reference, solutions, device)
            recorder.start(facts)
        else:
            reference["row"]["cached"] = True
        summary["reference"] = reference["row"]
        summary["students"] = recorder.finish()
    finally:
        background.shutdown(cancel_futures=True)
        spool.close()
    summary["seconds"] = round(time.monotonic() - started, 2)
    reports.write_all(summary, Path(reports_dir or root / "reports" / assignment))
    summary["seconds"] = round(time.monotonic() - started, 2)
    # the batch's own cost: its wall time beyond the grading work the workers shared
    summary["kernels"] = dict(kernels)          # how many were forked from a template, how many started cold
    summary["timing"] = {"jobs_s": round(jobs_s, 2),
                         "fixed_s": round(summary["seconds"] - jobs_s / (workers if not options.scheduler else 1), 2)}
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(summary, indent=1))
    return summary


def _oversized(files: dict | None, expected: str, options: GraderOptions) -> list | None:
    """The reasons of a notebook too large to make a job of (checked again on the worker, before parsing), or None."""
    name, reasons = intake.find_notebook(files, expected)
    problem = name and intake.oversized(files[name], options.max_notebook_bytes, options.max_cells)
    return [*map(list, reasons), list(problem)] if problem else None


def _grade(pool: Pool, specs: dict, progress: bool, label: str, spool: Spool, recorder: Recorder) -> dict:
    """Every spec through the pool (the job function looked up here, so a test can swap it), with a progress bar;
    each result goes to `spool` as it arrives, and each student's to `recorder`."""
    from tqdm import tqdm
    raw = {}
    with tqdm(total=len(specs), desc=label, unit="nb", disable=not progress) as bar:
        def done(student: str, result: dict) -> None:
            raw[student] = spool.put(student, result)
            if student != REFERENCE:
                recorder.add(student, raw[student])
            bar.set_postfix_str(student[:20])
            bar.update()
        pool.run(grade_submission, specs, done)
    return raw
