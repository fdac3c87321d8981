"""`python -m grader autograde --scheduler tcp://...` sends the same jobs to a Dask cluster (here a LocalCluster
with one in-process worker thread on 127.0.0.1) and gives the same scores as the local workers of the hostile
batch: a clean submission and one whose kernel dies half way."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from grader.authoring.nbgrader_run import venv_path
from hostile import A, LIMITS

STUDENTS = ["reference", "to_image.os_exit"]


def test_dask_scheduler_gives_the_same_scores(tmp_path, monkeypatch, hostile_batch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("PATH", venv_path())         # the in-process worker's nbgrader finds `alembic` there
    root, summary = hostile_batch
    shutil.copy(root / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    for student in STUDENTS:
        shutil.copytree(root / "submitted" / student, tmp_path / "submitted" / student)
    out = tmp_path / "dask.json"
    env = dict(os.environ)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        done = subprocess.run(
            [sys.executable, "-m", "grader", "autograde", A, "--root", str(tmp_path), "--scheduler",
             cluster.scheduler_address, "--cell-timeout", str(LIMITS["cell_timeout"]), "--submission-timeout",
             str(LIMITS["submission_timeout"]), "--max-output-bytes", str(LIMITS["max_output_bytes"]), "--json",
             str(out)],
            env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    remote = json.loads(out.read_text())
    assert remote["scheduler"] == cluster.scheduler_address
    for student in STUDENTS:
        here, there = summary["students"][student], remote["students"][student]
        assert there["score"] == here["score"], (student, there["reasons"], here["reasons"])
        assert {r[0] for r in there["reasons"]} == {r[0] for r in here["reasons"]}, student
