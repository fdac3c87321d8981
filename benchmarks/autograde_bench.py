"""Benchmark: plain serial `nbgrader autograde` versus `python -m grader autograde --workers 2` on the same batch.

The batch: the reference answers, the untouched release and one submission per wrong answer in
tests/wrong_answers/01-tensors, `--submissions` in all (default 12), whole notebooks as students hand them in.
Both graders run as commands, as instructors run them; ours three times: with kernels started cold
(`--no-fork-kernels`); forked from the machine's kernel template (the default) in a first batch, which starts the
template (every template is stopped before it); and forked again in the batch after, which finds the template
warm, as every batch does that follows another within its idle time (the headline ratio). Each is timed `--repeat`
times (default 3) and the fastest counts, as `timeit` advises: on a quiet machine the spread comes from other
processes, which only ever add time; every sample is kept in the result. Prints the wall time of each, their
ratio, whether the scores agree, the grader's fixed cost per batch apart from the grading work (the command's wall
time minus the jobs' own time, from the grader's JSON summary, shared among the workers), and the grader's time
over executing the same notebooks bare with nbclient (serially).
Run: COURSE_PROFILE=quick .venv/bin/python benchmarks/autograde_bench.py [--workers 2] [--submissions 12] [--repeat 3]
The numbers also go to benchmarks/results/autograde/<machine>.json (with the load average before and after).
Numbers are only meaningful on an otherwise idle machine; all are taken in one run, so compare ratios.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("COURSE_PROFILE", "quick")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from answers import total, wrong_answers  # noqa: E402
from grader.authoring.nbgrader_run import make_course_root, nbgrader, venv_path  # noqa: E402
from grader.autograde.gradebook import cell_scores  # noqa: E402
from grader.autograde.template import stop_all  # noqa: E402
from grader.cells import fill_answers, reference_answers  # noqa: E402
from grader.course import COURSE, REPO, SOLUTIONS  # noqa: E402
from machine import device_name, device_slug, load_average  # noqa: E402
import torch  # noqa: E402

A = "01-tensors"


def _read(path: Path):
    return nbformat.read(str(path), as_version=4)


def _write(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def batch(size: int = 12) -> dict:
    """`size` submissions of 01: the reference, the untouched release, then wrong answers that show on a CPU."""
    release = _read(COURSE / A / f"{A}.ipynb")
    ref = reference_answers(_read(SOLUTIONS / A / f"{A}.ipynb"))
    subs = {"reference": fill_answers(release, ref), "untouched": release}
    for w in wrong_answers(A):
        if len(subs) < size and (not w.needs or "cpu" in w.needs):
            subs[f"wrong-{w.name}"] = fill_answers(release, {**ref, w.target: w.source})
    return subs


def timed(run, repeat: int) -> list[float]:
    """The wall times of `repeat` calls of `run`."""
    samples = []
    for _ in range(repeat):
        t = time.monotonic()
        run()
        samples.append(round(time.monotonic() - t, 2))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--submissions", type=int, default=12, help="batch size (default 12)")
    parser.add_argument("--repeat", type=int, default=3, help="times each is measured; the fastest counts (3)")
    parser.add_argument("--out", help="result JSON (default: benchmarks/results/autograde/<machine>.json)")
    args = parser.parse_args()
    cpu = torch.device("cpu")
    out = Path(args.out or REPO / "benchmarks" / "results" / "autograde" / f"{device_slug(cpu)}.json")
    load_before = load_average()
    os.environ["PATH"] = venv_path()
    subs = batch(args.submissions)
    print(f"{len(subs)} submissions of {A}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # 1. bare execution, serially
        def run_bare():
            for nb in subs.values():
                NotebookClient(nbformat.from_dict(nb), timeout=600, kernel_name="python3", allow_errors=True,
                               resources={"metadata": {"path": str(tmp)}}).execute()
        samples = {"bare_nbclient_serial": timed(run_bare, args.repeat)}
        # 2. plain nbgrader autograde, serially (one command, as instructors run it)
        plain_root = make_course_root(tmp / "plain", A)
        nbgrader(plain_root, "generate_assignment", A, "--force")
        for s, nb in subs.items():
            _write(nb, plain_root / "submitted" / s / A / f"{A}.ipynb")
        samples["plain_nbgrader_serial"] = timed(lambda: nbgrader(plain_root, "autograde", A, "--force"), args.repeat)
        plain_scores = {s: total(cell_scores(plain_root / "gradebook.db", A, A, s))[0] for s in subs}
        # 3. the grader, N workers (template cached by a first run, as in repeated use)
        root = tmp / "ours"
        root.mkdir()
        (root / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
        for s, nb in subs.items():
            _write(nb, root / "submitted" / s / A / f"{A}.ipynb")
        # the command line, as instructors run it (and as plain nbgrader ran above); a first run caches the
        # assignment's template and reference run, as in repeated use
        command = [sys.executable, "-m", "grader", "autograde", A, "--root", str(root), "--workers",
                   str(args.workers), "--json", str(root / "summary.json")]
        subprocess.run([*command, "--student", "reference"], check=True, capture_output=True)

        def graded(*more: str) -> None:
            subprocess.run([*command, *more], check=True, capture_output=True)

        def last_scores() -> dict:
            return {s: r["score"] for s, r in json.loads((root / "summary.json").read_text())["students"].items()}

        samples["grader_cold_kernels"] = timed(lambda: graded("--no-fork-kernels"), args.repeat)
        cold_scores = last_scores()

        def first_batch() -> float:
            stop_all()                                   # the first batch of the day starts its own template
            return timed(graded, 1)[0]
        samples["grader_first_batch"] = [first_batch() for _ in range(args.repeat)]
        first_scores = last_scores()
        samples["grader"] = timed(graded, args.repeat)
        summary = json.loads((root / "summary.json").read_text())
    bare, plain, cold, first, ours = (min(samples[k]) for k in (
        "bare_nbclient_serial", "plain_nbgrader_serial", "grader_cold_kernels", "grader_first_batch", "grader"))
    fixed = summary["timing"]["fixed_s"]
    our_scores = {s: r["score"] for s, r in summary["students"].items()}
    same = our_scores == plain_scores == cold_scores == first_scores
    print(f"bare nbclient, serial:          {bare:7.1f} s")
    print(f"plain nbgrader autograde:       {plain:7.1f} s")
    print(f"grader --workers {args.workers}, cold kernels: {cold:7.1f} s")
    print(f"grader --workers {args.workers}, first batch: {first:7.1f} s (starts the kernel template)")
    print(f"grader --workers {args.workers}:             {ours:7.1f} s (kernels forked from the warm template)")
    print(f"speed-up over plain nbgrader:   {plain / ours:7.2f}x")
    print(f"grader's fixed cost per batch:  {fixed:7.1f} s (its last run's {summary['seconds']:.1f} s minus "
          f"{summary['timing']['jobs_s']} s of jobs shared by {summary['workers']} workers)")
    print(f"overhead over bare, per worker: {ours * args.workers / bare:7.2f}x of the serial bare time")
    print(f"same scores: {same}")
    result = {"machine": device_name(cpu), "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"), "assignment": A, "submissions": len(subs), "profile": os.environ["COURSE_PROFILE"],
        "workers": args.workers, "seconds": {"bare_nbclient_serial": round(bare, 1),
                                             "plain_nbgrader_serial": round(plain, 1), "grader": round(ours, 1),
                                             "grader_cold_kernels": round(cold, 1),
                                             "grader_first_batch": round(first, 1),
                                             "grader_fixed_cost": fixed, "grader_jobs": summary["timing"]["jobs_s"]},
        "speedup_over_plain_nbgrader": round(plain / ours, 2),
        "speedup_of_forked_over_cold_kernels": round(cold / ours, 2),
        "speedup_of_first_batch_over_plain_nbgrader": round(plain / first, 2),
        "grader_work_over_bare": round(ours * args.workers / bare, 2), "same_scores": same,
        "repeat": args.repeat, "samples_s": samples,
        "load_average_1min": {"start": round(load_before, 2), "end": round(load_average(), 2)},
        "command": f"COURSE_PROFILE={os.environ['COURSE_PROFILE']} python benchmarks/autograde_bench.py "
                   f"--workers {args.workers} --submissions {args.submissions} --repeat {args.repeat}"}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")
    if not same:
        for s in sorted(subs):
            if our_scores.get(s) != plain_scores.get(s):
                print(f"  {s}: plain {plain_scores.get(s)} ours {our_scores.get(s)}")


if __name__ == "__main__":
    main()
