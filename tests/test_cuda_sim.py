"""`grader.cuda_sim`, the simulated GPU: each behaviour of tests/cuda_sim_cases.py, checked in one child process
(the simulation patches torch for good, so it cannot run inside the test process)."""
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cuda_sim_cases import CASES

HERE = Path(__file__).parent


@functools.cache
def results() -> dict[str, str]:
    env = {**os.environ, "COURSE_DEVICE": "cuda-sim", "COURSE_PROFILE": "quick"}
    proc = subprocess.run([sys.executable, str(HERE / "cuda_sim_cases.py")], capture_output=True, text=True,
                          env=env, timeout=300, cwd=HERE.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", sorted(CASES))
def test_cuda_sim(name):
    outcome = results()[name]
    assert outcome == "ok", outcome


def test_pick_device_without_cuda_sim_stays_real():
    """Only COURSE_DEVICE=cuda-sim turns the simulation on: this process (no such variable) is untouched."""
    import torch
    from grader.device import pick_device
    if os.environ.get("COURSE_DEVICE", "") not in ("", "cpu"):
        pytest.skip("COURSE_DEVICE is set for this run")
    assert pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert not torch.ones(1).__dict__, "no device tag on tensors of a process without cuda-sim"
