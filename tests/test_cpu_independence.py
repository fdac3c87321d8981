"""The committed outputs hold on another CPU, not only on the one that recorded them.

PyTorch picks its vectorised CPU kernels by what the processor offers (`torch.backends.cpu.get_cpu_capability()`),
and other kernels add numbers in another order: training then ends a few thousandths away. The environment variable
`ATEN_CPU_CAPABILITY` makes PyTorch use a lower level than the processor offers, which moves the numbers as another
machine would. This test reruns nbval on the notebooks that train, at such a level, in a fresh process: every
output that is compared must still match (tests/README.md, "Outputs that depend on the processor").
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["solutions/03-lenet-cifar10", "solutions/05-freezing-finetuning", "solutions/06-gan-detach"]


def other_capability() -> str | None:
    """A capability below this processor's that is still fast enough (AVX2 kernels on an AVX-512 machine);
    None where the only lower level is the scalar `default`, which takes far longer than this check may."""
    return "avx2" if torch.backends.cpu.get_cpu_capability() == "AVX512" else None


def test_outputs_hold_with_other_cpu_kernels():
    capability = other_capability()
    if capability is None:
        pytest.skip(f"this processor's kernels are {torch.backends.cpu.get_cpu_capability()}: run the command in "
                    f"tests/README.md with ATEN_CPU_CAPABILITY=default by hand (it is slow)")
    env = {**os.environ, "ATEN_CPU_CAPABILITY": capability, "COURSE_PROFILE": "quick", "COURSE_CIFAR": "standin",
           "COURSE_DEVICE": "cpu"}
    command = [sys.executable, "-m", "pytest", *NOTEBOOKS, "--nbval", "--nbval-sanitize-with", ".nbval-sanitize.cfg",
               "--nbval-cell-timeout", "600", "-p", "no:cacheprovider", "-q"]
    run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, (f"nbval with ATEN_CPU_CAPABILITY={capability} failed: an output compared exactly "
                                 f"depends on the CPU's kernels\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}")
