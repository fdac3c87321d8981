"""`COURSE_DEVICE=cuda-sim`: a simulated CUDA device, so that a machine without a GPU catches device mistakes.

The notebook computes on the CPU while PyTorch code sees one CUDA GPU: `torch.cuda.is_available()` is True,
tensors created on or moved to `"cuda"` report `device.type == "cuda"` and `is_cuda`, mixing them with CPU
tensors raises PyTorch's own device-mismatch error, `.numpy()` on them raises the real `TypeError`, and
modules, optimizers, checkpoints, `torch.cuda.synchronize`, events and memory counters behave as on one GPU.
How: `mode.SimCudaMode`, a `TorchFunctionMode` (PyTorch's own extension point) that keeps a device tag on every
tensor, and `runtime`, which answers `torch.cuda` and friends.

Limits (each one either raises or prints one `cuda-sim:` line, never a silently different answer):
- Speed and asynchrony: everything runs synchronously on the CPU, and timings are CPU timings. What the host
  waits for is counted instead (`count_syncs`, in `syncs`), and `torch.cuda._sleep` queues simulated GPU time that
  only a synchronisation or a device-to-host copy waits for, so a stopwatch without `synchronize` reads too little.
- `autocast("cuda")` runs CPU autocast with the same dtype (float16 by default, as on CUDA); which operations
  run in low precision follows CPU autocast's list.
- `torch.compile` returns the model unchanged; CUDA graphs raise; `pin_memory()` copies without page-locking;
  `DataParallel` calls its module directly; only one GPU (`cuda:0`) exists.
- The mode sees calls made on the thread that enabled it: tensors made elsewhere (the autograd engine's
  gradients, DataLoader workers and its pinning thread) carry no tag until they pass through a simulated call.
  They mix with either device (so no false alarm) and report the device of the backward pass that made them
  (or the CPU); DataLoader batches are tagged as CPU tensors, as they are on a GPU machine.
- `torch.load` honours a `map_location` device; a checkpoint written on a real GPU loads only with one.
- `torch.Generator(device="cuda")` and `torch.cuda.FloatTensor`-style legacy types need a real GPU.
"""
from __future__ import annotations

from grader.cuda_sim import cuda_api, runtime
from grader.cuda_sim.mode import SimCudaMode, tag_of
from grader.cuda_sim.syncs import SyncCounter, count_syncs

__all__ = ["SyncCounter", "count_syncs", "enable", "enabled", "tag_of"]


_ACTIVE: list[SimCudaMode] = []     # one mode per process: torch is patched once


def enable() -> SimCudaMode:
    """Turn the simulation on for this process (idempotent); tensors made from now on carry device tags."""
    if not _ACTIVE:
        mode = SimCudaMode(on_cuda=cuda_api.MEMORY.track)
        runtime.install(mode)
        mode.__enter__()          # stays on for the process's life, like a GPU that stays plugged in
        _ACTIVE.append(mode)
    return _ACTIVE[0]


def enabled() -> bool:
    """True once `enable()` ran in this process."""
    return bool(_ACTIVE)
