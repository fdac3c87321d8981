"""Grading on a real Dask cluster on loopback: a scheduler and worker processes started with the same commands as
on real machines (`dask scheduler`, `dask worker [--resources GPU=1]`, see docs/grader.md), so jobs and results
cross process boundaries. A worker killed mid-batch costs nothing (Dask runs its job again elsewhere; every
student is in the gradebook once), and jobs that need a GPU go only to a worker that declares one."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import faults
from grader.authoring.nbgrader_run import venv_path
from grader.autograde import autograde, prepare, run
from grader.autograde.gradebook import cell_scores
from hostile import A, FULL, options

distributed = pytest.importorskip("distributed")
HERE = Path(__file__).parent
DASK = str(Path(sys.executable).parent / "dask")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "PATH": venv_path(),
           "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([DASK, *args], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(scheduler address, processes): a scheduler and two single-threaded worker processes under nannies, `cpu-0`
    and `gpu-0` (which declares the resource GPU=1)."""
    where = tmp_path_factory.mktemp("dask")
    file = where / "scheduler.json"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
                     str(file)], where / "scheduler.log")]
    for name, extra in (("cpu-0", []), ("gpu-0", ["--resources", "GPU=1"])):
        procs.append(_start(["worker", "--scheduler-file", str(file), "--nthreads", "1", "--name", name,
                             "--no-dashboard", *extra], where / f"{name}.log"))
    try:
        deadline = time.monotonic() + 120
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _course(root: Path, hostile_root: Path, students: dict) -> Path:
    """A course root holding copies of hostile-batch submissions under new names: {new name: batch name}."""
    root.mkdir()
    shutil.copy(hostile_root / "nbgrader_config.py", root / "nbgrader_config.py")
    for new, old in students.items():
        shutil.copytree(hostile_root / "submitted" / old, root / "submitted" / new)
    return root


def test_a_killed_worker_costs_nothing(cluster, tmp_path, monkeypatch, hostile_batch):
    hostile_root, local = hostile_batch
    root = _course(tmp_path / "course", hostile_root, {"reference": "reference", "kills-worker-once": "reference"})
    fault_dir = tmp_path / "faults"
    fault_dir.mkdir()
    monkeypatch.setattr(run, "grade_submission", faults.grade_or_kill_worker)
    summary = autograde(A, options(scheduler=cluster), root=root, progress=False, env={"FAULT_DIR": str(fault_dir)})
    assert (fault_dir / "kills-worker-once").exists(), "the fault was never triggered: the test proves nothing"
    rows = summary["students"]
    assert set(rows) == {"reference", "kills-worker-once"}
    assert rows["reference"]["score"] == local["students"]["reference"]["score"] == FULL, rows["reference"]["reasons"]
    assert rows["kills-worker-once"]["score"] == FULL and not rows["kills-worker-once"]["reasons"]
    assert {r["worker"] for r in rows.values()} <= {"cpu-0", "gpu-0"}
    for student, row in rows.items():                       # once each in nbgrader's gradebook, with our score
        assert sum(s for s, _ in cell_scores(root / "gradebook.db", A, A, student).values()) == row["score"]


def test_jobs_that_need_a_gpu_go_only_to_gpu_workers(cluster, tmp_path, monkeypatch, hostile_batch):
    hostile_root, _ = hostile_batch
    root = _course(tmp_path / "course", hostile_root, {f"student-{i}": "reference" for i in range(2)})
    monkeypatch.setattr(prepare, "needs_gpu", lambda device: True)   # as if graded with --device cuda
    summary = autograde(A, options(scheduler=cluster), root=root, progress=False)
    assert {s: r["worker"] for s, r in summary["students"].items()} == {f"student-{i}": "gpu-0" for i in range(2)}
    assert all(r["score"] == FULL for r in summary["students"].values())
