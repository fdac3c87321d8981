"""What every benchmark records about the machine it ran on: the device's name, a file-name slug, and whether the
machine was quiet.

A timing taken while other work shares the cores says more about that work than about the code measured, so every
benchmark reads the 1-minute load average before it starts and after it ends, and calls a start above half the
cores busy (the threshold is one fact, kept here).
"""
from __future__ import annotations

import os
import platform
import re
from pathlib import Path

import torch

BUSY_FRACTION = 0.5   # a 1-minute load average above this share of the cores counts as a busy machine


def device_name(device: torch.device) -> str:
    """'NVIDIA H100 80GB HBM3', or the CPU's model name with its core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    model = platform.processor() or "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} ({os.cpu_count()} cores)"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def device_slug(device: torch.device) -> str:
    """The result file's stem: 'nvidia-h100-80gb-hbm3', 'cpu-intel-r-xeon-r-processor-2c'."""
    if device.type == "cuda":
        return slug(torch.cuda.get_device_name(device))
    return slug(f"cpu {device_name(device).split(' (')[0]} {os.cpu_count()}c")


def load_average() -> float | None:
    """The 1-minute load average, rounded; None where the platform has none (Windows)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def is_quiet(load: float | None) -> bool:
    """True when a run may start: the load is unknown or at most BUSY_FRACTION of the cores."""
    return load is None or load <= BUSY_FRACTION * (os.cpu_count() or 1)
