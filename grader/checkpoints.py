"""A GPU checkpoint on a machine without a GPU, for the lessons on `map_location`.

`torch.save` writes each storage's device into the file and `torch.load` puts it back there, so a file saved on a
GPU fails to load where there is none. To show that failure anywhere, `save_as_if_on_gpu` writes a checkpoint
whose storages are labelled `cuda:0`, exactly as a GPU would label them, through PyTorch's own hook for devices
that libraries add (`torch.serialization.register_package`), and removes the hook again. Notebooks 03 and 04 share
it so that a GPU checkpoint is faked one way only.
"""
from __future__ import annotations

import io

import torch


def _as_if_on_gpu(storage):
    return "cuda:0" if storage.device.type == "cpu" else None


def _no_restore(storage, location):
    return None


def save_as_if_on_gpu(obj, f=None):
    """`torch.save(obj, f)` with every CPU storage labelled `cuda:0`; `f` defaults to a new `io.BytesIO`, rewound
    and returned. Loading it without `map_location` on a machine without a GPU raises PyTorch's own error."""
    buffer = io.BytesIO() if f is None else f
    torch.serialization.register_package(0, _as_if_on_gpu, _no_restore)
    try:
        torch.save(obj, buffer)
    finally:                                  # PyTorch has no public call to unregister
        registry = torch.serialization._package_registry
        registry[:] = [entry for entry in registry if entry[1] is not _as_if_on_gpu]
    if f is None:
        buffer.seek(0)
    return buffer
