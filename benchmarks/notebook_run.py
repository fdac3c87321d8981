"""Run one solution notebook end to end and report its wall time and what it printed about training.

For the notes on the notebooks (issue #4 asks for accuracy, epochs and time per profile and device):
    COURSE_PROFILE=full COURSE_DEVICE=cpu python benchmarks/notebook_run.py 03-lenet-cifar10
The notebook runs in a real kernel (nbclient), on a scratch copy, in the environment given (COURSE_PROFILE,
COURSE_DEVICE, COURSE_CIFAR); hidden tests run too, so a run that misses the accuracy threshold fails here.
Prints and writes benchmarks/results/notebooks/<assignment>-<profile>-<machine>.json: total seconds, the slowest
cells, and every printed line that mentions epochs, loss or accuracy.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from machine import device_name, device_slug
from grader.course import REPO, SOLUTIONS, notebook_name
from grader.device import pick_device
from grader.authoring.nbgrader_run import venv_path

REPORTED = re.compile(r"epoch|loss|accura|images", re.IGNORECASE)


def printed_lines(cell) -> list[str]:
    return [line for out in cell.get("outputs", []) if out.get("output_type") == "stream"
            for line in out.get("text", "").splitlines()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--out", help="result JSON (default: benchmarks/results/notebooks/...json)")
    args = parser.parse_args(argv)
    os.environ["PATH"] = venv_path()
    profile = os.environ.get("COURSE_PROFILE", "full")
    device = pick_device()
    nb = nbformat.read(str(SOLUTIONS / args.assignment / notebook_name(args.assignment)), as_version=4)
    timings, error = [], None
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                                resources={"metadata": {"path": tmp}}, record_timing=True)
        try:
            client.execute()
        except CellExecutionError as err:
            error = str(err).splitlines()[-1][:500] if str(err) else type(err).__name__
    seconds = time.monotonic() - started
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type == "code" and "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            t0 = datetime.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            t1 = datetime.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            timings.append((round((t1 - t0).total_seconds(), 2), i, cell.get("metadata", {}).get(
                "nbgrader", {}).get("grade_id")))
    reported = [line for cell in nb.cells if cell.cell_type == "code" for line in printed_lines(cell)
                if REPORTED.search(line)]
    result = {
        "assignment": args.assignment, "profile": profile, "device": device_name(device),
        "data": os.environ.get("COURSE_CIFAR", "auto"), "torch": torch.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1), "passed": error is None, "error": error,
        "slowest_cells": [{"seconds": s, "cell": i, "grade_id": g} for s, i, g in sorted(timings, reverse=True)[:5]],
        "reported": reported, "load_average_1min_end": round(os.getloadavg()[0], 2),
    }
    out = Path(args.out or REPO / "benchmarks" / "results" / "notebooks" /
               f"{args.assignment}-{profile}-{device_slug(device)}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return 0 if error is None else 1


if __name__ == "__main__":
    sys.exit(main())
