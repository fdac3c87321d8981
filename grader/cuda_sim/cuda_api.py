"""What the simulated GPU answers in `torch.cuda` and `torch.accelerator`: one device, `cuda:0`, idle but for the
simulated work `torch.cuda._sleep` queues (the CPU has run each operation before returning), with events that
read the wall clock at the end of the queued work, synchronisations that wait for it and are counted (`syncs`),
and memory counters that add up the tensors tagged `cuda`. `runtime.install` puts these in place."""
from __future__ import annotations

import time
import types
import weakref

import torch

from grader.cuda_sim import syncs
from grader.cuda_sim.mode import CUDA

NAME = "cuda-sim (simulated CUDA device, computing on the CPU)"


# ---------------------------------------------------------------------------------------------- memory counters
class Memory:
    """Bytes held by tensors tagged `cuda` (each storage counted once), with a peak like the caching allocator's."""

    def __init__(self):
        self.live: dict[int, int] = {}
        self.peak = 0

    def track(self, t) -> None:
        storage = t.untyped_storage()
        key = storage.data_ptr()
        if key and key not in self.live:
            self.live[key] = storage.nbytes()
            self.peak = max(self.peak, self.allocated())
            weakref.finalize(t, self.live.pop, key, None)

    def allocated(self) -> int:
        return sum(self.live.values())


MEMORY = Memory()


class Event:
    """`torch.cuda.Event`: records the wall clock; `elapsed_time` in milliseconds, as CUDA events report."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self.enable_timing, self.time = enable_timing, None

    def record(self, stream=None):
        self.time = max(time.perf_counter(), syncs.queued_until())    # a marker behind the queued work

    def synchronize(self):
        syncs.record(syncs.SYNC, "Event.synchronize")

    def wait(self, stream=None):
        pass

    def query(self):
        return self.time is None or self.time <= time.perf_counter()

    def elapsed_time(self, end):
        if not (self.enable_timing and end.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if self.time is None or end.time is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return (end.time - self.time) * 1000.0


class Stream:
    """A CUDA stream that is always idle (the CPU runs each operation before returning)."""

    def __init__(self, device=None, priority=0):
        self.device = CUDA

    def synchronize(self):
        syncs.record(syncs.SYNC, "Stream.synchronize")

    def wait_stream(self, other):
        pass

    def wait_event(self, event):
        pass

    def record_event(self, event=None):
        (event := event or Event()).record()
        return event

    def query(self):
        return syncs.queued_until() <= time.perf_counter()

    def is_capturing(self):
        return False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _properties(device=None):
    return types.SimpleNamespace(name=NAME, major=8, minor=0, total_memory=16 * 2**30, multi_processor_count=1,
                                 is_integrated=False, is_multi_gpu_board=False)


def _unsupported(what: str):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"cuda-sim cannot simulate {what}: run this on a real GPU (COURSE_DEVICE=cuda)")
    return refuse


CUDA_API = {
    "is_available": lambda: True, "device_count": lambda: 1, "current_device": lambda: 0,
    "init": lambda: None, "set_device": lambda device: None, "initial_seed": lambda: torch.initial_seed(),
    "get_device_name": lambda device=None: NAME, "get_device_capability": lambda device=None: (8, 0),
    "get_device_properties": _properties, "is_bf16_supported": lambda including_emulation=True: True,
    "synchronize": syncs.synchronized("torch.cuda.synchronize"), "_sleep": syncs.gpu_sleep, "Event": Event,
    "Stream": Stream,
    "current_stream": lambda device=None: Stream(), "default_stream": lambda device=None: Stream(),
    "stream": lambda stream=None: stream or Stream(),
    "memory_allocated": lambda device=None: MEMORY.allocated(),
    "max_memory_allocated": lambda device=None: MEMORY.peak,
    "memory_reserved": lambda device=None: MEMORY.allocated(), "max_memory_reserved": lambda device=None: MEMORY.peak,
    "reset_peak_memory_stats": lambda device=None: setattr(MEMORY, "peak", MEMORY.allocated()),
    "reset_max_memory_allocated": lambda device=None: setattr(MEMORY, "peak", MEMORY.allocated()),
    "empty_cache": lambda: None, "mem_get_info": lambda device=None: (16 * 2**30 - MEMORY.allocated(), 16 * 2**30),
    "get_rng_state": lambda device="cuda": torch.get_rng_state(), "set_rng_state": lambda state, device="cuda": None,
    "get_rng_state_all": lambda: [torch.get_rng_state()], "set_rng_state_all": lambda states: None,
    "is_current_stream_capturing": lambda: False, "CUDAGraph": _unsupported("CUDA graphs"),
    "graph": _unsupported("CUDA graphs"), "make_graphed_callables": _unsupported("CUDA graphs"),
}
ACCELERATOR_API = {
    "is_available": lambda: True, "device_count": lambda: 1, "current_accelerator": lambda check_available=False: CUDA,
    "current_device_index": lambda: 0, "synchronize": syncs.synchronized("torch.accelerator.synchronize"),
    "set_device_index": lambda i: None,
    "current_stream": lambda device=None: Stream(), "set_stream": lambda stream: None,
    "get_device_capability": lambda device=None: {"major": 8, "minor": 0},
}
