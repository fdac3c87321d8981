"""`torch.profiler` without its log lines: the profiler's C++ library (Kineto) writes a few lines to the process's
stderr on every run, below Python's `sys.stderr`, so `contextlib.redirect_stderr` cannot catch them. In a notebook
they clutter the output, and nbgrader fails a graded cell that writes to stderr."""
from __future__ import annotations

import contextlib
import os
import sys

import torch
from torch.profiler import ProfilerActivity, profile


@contextlib.contextmanager
def quiet_stderr():
    """Send what C++ code writes to file descriptor 2 to /dev/null inside the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


@contextlib.contextmanager
def quiet_profile(cuda: bool = False):
    """`torch.profiler.profile` of the CPU (and of CUDA kernels when `cuda` is true), its logs silenced; yields
    the profile, read it after the block with `prof.key_averages().table(...)`."""
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda and torch.cuda.is_available() else [])
    with quiet_stderr(), profile(activities=activities) as prof:
        yield prof
