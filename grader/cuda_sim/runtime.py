"""What the simulated GPU answers outside tensor operations: `torch.cuda`, `torch.accelerator`, autocast, loading,
data loading, `DataParallel`, `torch.compile`.

Each replacement either behaves as on one real GPU (synchronize, events, memory counters, `map_location`) or says
once, in one printed line, how it differs (`note`), so a simulated run never gives a different answer silently.
"""
from __future__ import annotations

import functools
import sys
import time
import types
import weakref

import torch

from grader.cuda_sim.mode import CUDA, device_type, set_tag, tag_of

NAME = "cuda-sim (simulated CUDA device, computing on the CPU)"
_noted: set[str] = set()


def note(key: str, text: str) -> None:
    """Say once per kernel where the simulation cannot follow a real GPU. On stdout: nbgrader fails a test cell
    that writes to stderr, and the note must not cost a student points."""
    if key not in _noted:
        _noted.add(key)
        print(f"cuda-sim: {text}", file=sys.stdout)


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
        self.time = time.perf_counter()

    def synchronize(self):
        pass

    def wait(self, stream=None):
        pass

    def query(self):
        return True

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
        pass

    def wait_stream(self, other):
        pass

    def wait_event(self, event):
        pass

    def record_event(self, event=None):
        (event := event or Event()).record()
        return event

    def query(self):
        return True

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
    "synchronize": lambda device=None: None, "Event": Event, "Stream": Stream,
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
    "is_current_stream_capturing": lambda: False, "CUDAGraph": _unsupported("CUDA graphs"), "graph": _unsupported("CUDA graphs"),
    "make_graphed_callables": _unsupported("CUDA graphs"),
}
ACCELERATOR_API = {
    "is_available": lambda: True, "device_count": lambda: 1, "current_accelerator": lambda check_available=False: CUDA,
    "current_device_index": lambda: 0, "synchronize": lambda device=None: None, "set_device_index": lambda i: None,
    "current_stream": lambda device=None: Stream(), "set_stream": lambda stream: None,
    "get_device_capability": lambda device=None: {"major": 8, "minor": 0},
}


# -------------------------------------------------------------------------------------------------- autocast
def _autocast_device(device_type: str | None) -> str:
    return "cpu" if device_type in (None, "cuda") else device_type


class SimAutocast(torch.amp.autocast_mode.autocast):
    """`autocast("cuda")` runs PyTorch's CPU autocast with the dtype CUDA would use (`cuda_dtype`, float16 unless
    `torch.set_autocast_dtype("cuda", ...)` changed it, or the `dtype` given)."""

    cuda_dtype = torch.float16

    def __init__(self, device_type="cuda", dtype=None, enabled=True, cache_enabled=None):
        if device_type == "cuda":
            dtype = dtype or SimAutocast.cuda_dtype
            note("autocast", f"autocast('cuda', {dtype}) runs as CPU autocast: the same dtype, but CPU autocast's "
                             "list of operations that run in low precision")
        super().__init__("cpu" if device_type == "cuda" else device_type, dtype=dtype, enabled=enabled,
                         cache_enabled=cache_enabled)


def _wrap_autocast_query(original):
    @functools.wraps(original)
    def query(device_type=None, *args):
        """Autocast state of "cuda" is CPU autocast's (which `SimAutocast` runs), its default dtype the sim's own."""
        if device_type in (None, "cuda") and original.__name__ == "set_autocast_dtype":
            SimAutocast.cuda_dtype = args[0]
            return None
        if device_type in (None, "cuda") and original.__name__ == "get_autocast_dtype" and not \
                torch.is_autocast_enabled("cpu"):
            return SimAutocast.cuda_dtype
        return original(_autocast_device(device_type), *args)
    return query


# ---------------------------------------------------------------------------------------- loading and batches
def _retag(obj, kind, seen=None) -> None:
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, torch.Tensor):
        set_tag(obj, kind)
    elif isinstance(obj, dict):
        for value in obj.values():
            _retag(value, kind, seen)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _retag(value, kind, seen)


def _load(original):
    @functools.wraps(original)
    def load(f, map_location=None, *args, **kwargs):
        """`torch.load`: a tensor saved from the simulated GPU comes back there, unless `map_location` says."""
        if isinstance(map_location, (str, int, torch.device)):
            kind = device_type(map_location)
            result = original(f, "cpu", *args, **kwargs)
            _retag(result, kind)
            return result
        if callable(map_location) or isinstance(map_location, dict):
            note("map_location", "a map_location function or dict is applied to CPU storages under cuda-sim")
        return original(f, map_location, *args, **kwargs)
    return load


def _dataloader_next(original):
    @functools.wraps(original)
    def __next__(self):
        """Batches leave a DataLoader on the CPU (its workers and pinning thread are outside the mode)."""
        batch = original(self)
        _retag_untagged(batch, "cpu")
        return batch
    return __next__


def _retag_untagged(obj, kind) -> None:
    if isinstance(obj, torch.Tensor):
        if tag_of(obj) is None:
            set_tag(obj, kind)
    elif isinstance(obj, dict):
        for value in obj.values():
            _retag_untagged(value, kind)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _retag_untagged(value, kind)


def _pin_memory(self, device=None):
    note("pin_memory", "pin_memory() is simulated: the tensor is copied, not page-locked")
    return torch.Tensor.clone(self)


def _parameter_new(original):
    def __new__(cls, data=None, requires_grad=True):
        param = original(cls, data, requires_grad)
        set_tag(param, tag_of(data))
        return param
    return __new__


def _register_hook(original):
    @functools.wraps(original)
    def register_hook(self, hook):
        """A tensor hook's gradient lives on the tensor's device (the engine makes it where the mode cannot see)."""
        kind = tag_of(self)

        def on_device(grad):
            set_tag(grad, kind)
            return hook(grad)
        return original(self, functools.wraps(hook)(on_device))
    return register_hook


def _data_parallel_forward(self, *inputs, **kwargs):
    """One simulated GPU: DataParallel's scatter and gather would call real CUDA, so move and call the module."""
    note("DataParallel", "DataParallel runs its module directly (one simulated GPU: no scatter or gather)")
    move = lambda obj: obj.to(CUDA) if isinstance(obj, torch.Tensor) else obj  # noqa: E731
    return self.module(*map(move, inputs), **{k: move(v) for k, v in kwargs.items()})


def _compile(model=None, **kwargs):
    """`torch.compile` wraps a module as usual (`OptimizedModule`, `_orig_mod.` keys) but runs it eagerly:
    Dynamo cannot trace through the simulation's mode."""
    note("compile", "torch.compile is not simulated: the compiled model keeps its wrapper and `_orig_mod.` "
                    "prefix, but runs eagerly")
    if model is None:
        return lambda fn: _compile(fn, **kwargs)
    if isinstance(model, torch.nn.Module):
        from torch._dynamo.eval_frame import DisableContext, OptimizedModule
        return OptimizedModule(model, DisableContext())
    return model


def install(mode) -> None:
    """Patch torch for `mode`, the simulation (once per process, before the grader's tamper snapshot)."""
    engine = torch.autograd._engine_run_backward
    torch.autograd._engine_run_backward = functools.wraps(engine)(functools.partial(mode.run_backward, engine))
    for name, value in CUDA_API.items():
        setattr(torch.cuda, name, value)
    for name, value in ACCELERATOR_API.items():
        setattr(torch.accelerator, name, value)
    torch.autocast = torch.amp.autocast = torch.cuda.amp.autocast = SimAutocast
    torch.amp.autocast_mode.autocast = SimAutocast
    for name in ("get_autocast_dtype", "set_autocast_enabled", "set_autocast_dtype", "is_autocast_enabled"):
        setattr(torch, name, _wrap_autocast_query(getattr(torch, name)))
    torch.load = _load(torch.load)
    torch.Tensor.pin_memory = _pin_memory
    torch.Tensor.register_hook = _register_hook(torch.Tensor.register_hook)
    torch.nn.Parameter.__new__ = _parameter_new(torch.nn.Parameter.__new__)
    loader_iter = torch.utils.data.dataloader._BaseDataLoaderIter
    loader_iter.__next__ = _dataloader_next(loader_iter.__next__)
    torch.nn.DataParallel.forward = _data_parallel_forward
    torch.compile = _compile
