"""Where the host waits for the simulated GPU: counters of device-to-host copies and synchronisations, and a queue
of simulated GPU time that those waits drain.

On a real GPU every `.item()`, `print(tensor)`, `.cpu()`, `.tolist()` or `float(tensor)` of a CUDA tensor copies
to the host and so waits for all the work queued before it; `torch.cuda.synchronize()` (and an event's or a
stream's `synchronize`) waits without copying. One such wait per training step keeps the GPU idle while Python
catches up. The simulation computes on the CPU, where none of this costs anything, so a test cannot see it in a
timing: it counts instead.

    from grader.cuda_sim import count_syncs
    with count_syncs() as counted:
        train_one_epoch(...)
    counted.copies, counted.syncs, counted.total, counted.log     # log: ["item", "synchronize", ...]

Only tensors tagged `cuda` count (a CPU tensor's `.item()` waits for nothing), and a copy made while printing or
inside another counted copy counts once. What is not counted: operations whose output size depends on the data
(`nonzero`, boolean-mask indexing), which also wait on a real GPU.

`torch.cuda._sleep(cycles)` (PyTorch's own helper that keeps a real GPU busy) queues simulated GPU time, one
cycle per nanosecond, without blocking the CPU; the next synchronisation or device-to-host copy waits for it. A
stopwatch that does not synchronize therefore reads about zero under the simulation, as it does on a GPU.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

COPY = "copy"
SYNC = "sync"
CYCLES_PER_SECOND = 1e9


@dataclass
class SyncCounter:
    """What the host waited for inside one `count_syncs()` block."""

    copies: int = 0                     # device-to-host copies: .item(), .tolist(), .cpu(), print(tensor), float()
    syncs: int = 0                      # torch.cuda/torch.accelerator.synchronize, Event/Stream.synchronize
    log: list[str] = field(default_factory=list)   # the name of each, in order

    @property
    def total(self) -> int:
        """Every time the host waited for the device."""
        return self.copies + self.syncs

    def __str__(self) -> str:
        return f"{self.copies} device-to-host copies and {self.syncs} synchronisations"


class _State:
    def __init__(self):
        self.counters: list[SyncCounter] = []
        self.depth = 0                  # > 0 while a counted copy runs (printing calls .item() inside)
        self.busy_until = 0.0           # perf_counter() time at which the queued simulated GPU work is done


_STATE = _State()


def queued_until() -> float:
    """The `time.perf_counter()` time at which the queued simulated GPU work is done (in the past when idle)."""
    return _STATE.busy_until


def wait() -> None:
    """Block until the queued simulated GPU work is done (what a real synchronisation does)."""
    left = _STATE.busy_until - time.perf_counter()
    if left > 0:
        time.sleep(left)


def queue_work(seconds: float) -> None:
    """Queue `seconds` of simulated GPU work behind what is queued already, without blocking."""
    _STATE.busy_until = max(_STATE.busy_until, time.perf_counter()) + seconds


def gpu_sleep(cycles: int) -> None:
    """`torch.cuda._sleep`: keep the simulated GPU busy for `cycles` nanoseconds."""
    queue_work(int(cycles) / CYCLES_PER_SECOND)


def record(kind: str, name: str) -> None:
    """The host waits here: wait for queued work, and count it in every active counter."""
    wait()
    for counter in _STATE.counters:
        if kind == COPY:
            counter.copies += 1
        else:
            counter.syncs += 1
        counter.log.append(name)


@contextlib.contextmanager
def copying(name: str):
    """Count one device-to-host copy around a call, and none of the copies it makes inside."""
    if _STATE.depth == 0:
        record(COPY, name)
    _STATE.depth += 1
    try:
        yield
    finally:
        _STATE.depth -= 1


def synchronized(name: str):
    """A `synchronize` replacement that waits for queued work and counts one synchronisation."""
    def synchronize(*args, **kwargs):
        record(SYNC, name)
    synchronize.__name__ = synchronize.__qualname__ = "synchronize"
    return synchronize


@contextlib.contextmanager
def count_syncs():
    """Count the host's waits for the simulated GPU inside the block; the counter stays readable after it."""
    counter = SyncCounter()
    _STATE.counters.append(counter)
    try:
        yield counter
    finally:
        _STATE.counters[:] = [c for c in _STATE.counters if c is not counter]    # by identity: equal ones differ
