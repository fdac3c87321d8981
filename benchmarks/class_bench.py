"""Benchmark: a class of 200 submissions of 01-tensors graded on this machine's cores, with kernels started cold and
forked from the template (`fork_kernels`), in the same run, with one worker killed mid-batch in each.

The class: the hostile batch of tests/autograde/hostile.py (every fixture of tests/fixtures/submissions, the
broken notebooks: about 15%), then ordinary students up to `--size`: the reference answers, the answers of
tests/right_answers/01-tensors and one wrong answer each from tests/wrong_answers/01-tensors, in turn. One ordinary
student in the middle kills the worker that takes it, once (tests/autograde/faults.py), as the out-of-memory
killer would: that worker's pool breaks and its jobs run again. Checked in each run: every student has exactly one
row; the hostile ones score what hostile.EXPECT says, the right ones full marks, the wrong ones less (the same in
both runs). Reported: wall time, the cost of an ordinary submission (its job's own seconds, median) and of a
hostile one, for cold and forked kernels.
Run: COURSE_PROFILE=quick .venv/bin/python benchmarks/class_bench.py [--size 200] [--workers 2]
Writes benchmarks/results/autograde/class-<machine>.json. Numbers are only meaningful on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "tests" / "autograde")]
os.environ.setdefault("COURSE_PROFILE", "quick")

import nbformat  # noqa: E402

import hostile  # noqa: E402
from answers import right_answers, wrong_answers  # noqa: E402
from grader.autograde import run  # noqa: E402
from grader.cells import fill_answers, reference_answers  # noqa: E402
from grader.course import COURSE, REPO, SOLUTIONS  # noqa: E402
from machine import device_slug, device_name, load_average  # noqa: E402

A = hostile.A
KILLER = "kills-worker-once-ordinary"


def build_class(root: Path, size: int) -> dict:
    """The class under root/submitted; returns {student: "hostile" | "right" | "wrong"}."""
    subs = hostile.build(root)
    kinds = {p.name: "hostile" for p in subs.iterdir()}
    release = hostile.read(COURSE / A / f"{A}.ipynb")
    ref = reference_answers(hostile.read(SOLUTIONS / A / f"{A}.ipynb"))
    ordinary = [("right", {})] + [("right", {r.target: r.source}) for r in right_answers(A)]
    ordinary += [("wrong", {w.target: w.source}) for w in wrong_answers(A) if not w.needs or "cpu" in w.needs]
    i = 0
    while len(kinds) < size:
        kind, answers = ordinary[i % len(ordinary)]
        name = f"student-{i:03d}"
        if len(kinds) == (len(hostile.EXPECT) + size) // 2:       # the killer hands in the reference answers
            name, kind, answers = KILLER, "right", {}
        hostile.put(subs, name, fill_answers(release, {**ref, **answers}))
        kinds[name] = kind
        i += 1
    return kinds


def grade(root: Path, workers: int, fork: bool) -> tuple[dict, float]:
    faults_dir = Path(tempfile.mkdtemp(prefix="class-faults-"))
    import faults
    real = run.grade_submission
    run.grade_submission = faults.grade_or_kill_worker
    try:
        t = time.monotonic()
        summary = run.autograde(A, hostile.options(workers=workers, fork_kernels=fork), root=root,
                                submissions=root / "submitted", progress=False, env={"FAULT_DIR": str(faults_dir)})
        return summary, time.monotonic() - t
    finally:
        run.grade_submission = real


def check(summary: dict, kinds: dict) -> list[str]:
    problems = []
    rows = summary["students"]
    if set(rows) != set(kinds):
        problems.append(f"rows for {len(rows)} students, {len(kinds)} expected")
    for s, kind in kinds.items():
        row = rows.get(s)
        if row is None:
            continue
        if kind == "hostile" and row["score"] != hostile.EXPECT[s][0]:
            problems.append(f"{s}: {row['score']} != {hostile.EXPECT[s][0]}")
        if kind == "right" and row["score"] != summary["reference"]["max"]:
            problems.append(f"{s} (right): {row['score']}")
        if kind == "wrong" and row["score"] >= summary["reference"]["max"]:
            problems.append(f"{s} (wrong): full marks")
    return problems


def costs(summary: dict, kinds: dict) -> dict:
    """Median seconds of an ordinary job and of a hostile one (each row's own job time)."""
    seconds = {"ordinary": [], "hostile": []}
    for s, row in summary["students"].items():
        if s in kinds:
            seconds["hostile" if kinds[s] == "hostile" else "ordinary"].append(row["seconds"])
    return {k: round(statistics.median(v), 2) if v else None for k, v in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import torch
    cpu = torch.device("cpu")
    load_before = load_average()
    result = {"machine": device_name(cpu), "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"), "assignment": A, "workers": args.workers, "profile": os.environ["COURSE_PROFILE"]}
    for fork in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
            kinds = build_class(root, args.size)
            summary, wall = grade(root, args.workers, fork)
            problems = check(summary, kinds)
            label = "forked" if fork else "cold"
            result[label] = {"wall_s": round(wall, 1), "students": len(summary["students"]),
                             "hostile": sum(k == "hostile" for k in kinds.values()),
                             "median_job_s": costs(summary, kinds), "problems": problems}
            print(f"{label:7s} {len(kinds)} students: {wall:6.1f} s; median job {result[label]['median_job_s']}; "
                  f"{'all as expected' if not problems else problems[:5]}")
    result["speedup_forked_over_cold"] = round(result["cold"]["wall_s"] / result["forked"]["wall_s"], 2)
    result["load_average_1min"] = {"start": round(load_before, 2), "end": round(load_average(), 2)}
    result["command"] = (f"COURSE_PROFILE={os.environ['COURSE_PROFILE']} python benchmarks/class_bench.py "
                         f"--size {args.size} --workers {args.workers}")
    out = REPO / "benchmarks" / "results" / "autograde" / f"class-{device_slug(cpu)}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"speed-up {result['speedup_forked_over_cold']}x; wrote {out}")


if __name__ == "__main__":
    main()
