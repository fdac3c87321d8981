"""Refresh the committed outputs of instructor notebooks.

nbval compares a notebook's fresh outputs with the ones committed in `solutions/`, so those must come from a
known run: the quick profile on the CPU, the same one `make test` uses. Execution timings, kernel versions and
other volatile metadata are dropped so that re-running gives a clean diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (PyTorch course)", "language": "python"}
KEPT_CELL_METADATA = ("nbgrader", "tags", "deletable", "editable")


def normalize(nb) -> None:
    """Keep only the metadata that matters, in place."""
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA})


def refresh(path: Path, timeout: int = 600) -> None:
    """Execute the notebook in its folder as `make test` does (quick profile, CPU, the CIFAR-10 stand-in) and save it
    with its outputs."""
    nb = nbformat.read(str(path), as_version=4)
    os.environ.update({"COURSE_PROFILE": "quick", "COURSE_DEVICE": "cpu", "COURSE_CIFAR": "standin"})
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False, record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    normalize(nb)
    nbformat.write(nb, str(path))
