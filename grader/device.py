"""Which device the course runs on.

Every notebook picks its device once, here, so that `COURSE_DEVICE` can force CPU on a machine with a GPU
(to reproduce what a classmate without one sees), insist on CUDA in a GPU check, where silently falling back
to the CPU would let device bugs pass unnoticed, or ask for `cuda-sim`, a simulated GPU that computes on the CPU
(`grader.cuda_sim`), so that a machine without a GPU still catches device mistakes.
"""
import os

import torch

ENV_VAR = "COURSE_DEVICE"
CHOICES = ("cpu", "cuda", "cuda-sim")
SIMULATED = "cuda-sim"


def wanted_device() -> str:
    """The value of `COURSE_DEVICE`, normalised ("" when unset)."""
    return os.environ.get(ENV_VAR, "").strip().lower()


def simulate_if_asked() -> bool:
    """Turn on the simulated GPU when `COURSE_DEVICE=cuda-sim`; the grading kernel calls this before student code."""
    if wanted_device() != SIMULATED:
        return False
    from grader import cuda_sim
    cuda_sim.enable()
    return True


def pick_device() -> torch.device:
    """Return the course device: `COURSE_DEVICE` when set, otherwise CUDA when available, else CPU."""
    wanted = wanted_device()
    if wanted == "":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if wanted not in CHOICES:
        raise ValueError(
            f"{ENV_VAR}={wanted!r} is not a device this course knows; use one of {', '.join(CHOICES)} "
            f"or leave it unset to use CUDA when it is available."
        )
    if wanted == SIMULATED:
        simulate_if_asked()
        return torch.device("cuda")
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"{ENV_VAR}=cuda, but PyTorch sees no usable GPU here (torch.cuda.is_available() is False; "
            f"torch {torch.__version__}, built for CUDA {torch.version.cuda}). Run on a machine with an NVIDIA GPU "
            f"and driver, or unset {ENV_VAR} (or set it to cpu) to run on the CPU."
        )
    return torch.device(wanted)
