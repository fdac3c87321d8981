"""What the simulated GPU costs: each solution notebook, hidden tests included, run on the CPU and under cuda-sim.

    python benchmarks/cuda_sim_cost.py                  # every notebook, quick profile, the CIFAR-10 stand-in
    python benchmarks/cuda_sim_cost.py 05-freezing-finetuning --repeat 2

Both runs of a notebook happen back to back in fresh kernels (nbclient), in the same environment apart from
COURSE_DEVICE, so their ratio is measured in one run. The load average is recorded before and after: a run that
starts on a busy machine (1-minute load above half the cores) is flagged `"quiet": false`. Writes
benchmarks/results/cuda-sim/<machine>.json (the CPU named as benchmarks/gpu_ladder.py names it).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient

from machine import device_name, device_slug, is_quiet
from grader.course import REPO, SOLUTIONS, assignments, notebook_name
from grader.authoring.nbgrader_run import venv_path


def run_once(assignment: str, device: str) -> float:
    nb = nbformat.read(str(SOLUTIONS / assignment / notebook_name(assignment)), as_version=4)
    os.environ["COURSE_DEVICE"] = device
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": tmp}}).execute()
    return time.monotonic() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="default: every notebook")
    parser.add_argument("--repeat", type=int, default=1, help="runs per device; the fastest counts (default 1)")
    parser.add_argument("--out", help="result JSON (default benchmarks/results/cuda-sim/<machine>.json)")
    args = parser.parse_args(argv)
    os.environ["PATH"] = venv_path()
    os.environ.setdefault("COURSE_PROFILE", "quick")
    os.environ.setdefault("COURSE_CIFAR", "standin")
    load_before = os.getloadavg()[0]
    rows = {}
    for name in args.assignments or assignments():
        cpu = min(run_once(name, "cpu") for _ in range(args.repeat))
        sim = min(run_once(name, "cuda-sim") for _ in range(args.repeat))
        rows[name] = {"cpu_s": round(cpu, 1), "cuda_sim_s": round(sim, 1), "added_s": round(sim - cpu, 1),
                      "ratio": round(sim / cpu, 2)}
        print(f"{name:26} cpu {cpu:6.1f} s   cuda-sim {sim:6.1f} s   x{sim / cpu:.2f}", flush=True)
    load_after = os.getloadavg()[0]
    cpu_device = torch.device("cpu")
    result = {"machine": device_name(cpu_device), "torch": torch.__version__,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "profile": os.environ["COURSE_PROFILE"], "repeat": args.repeat,
              "load_average_1min": {"before": round(load_before, 2), "after": round(load_after, 2)},
              "quiet": is_quiet(load_before), "notebooks": rows}
    out = Path(args.out or REPO / "benchmarks" / "results" / "cuda-sim" / f"{device_slug(cpu_device)}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}" + ("" if result["quiet"] else " (the machine was busy: rerun on a quiet one)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
