"""What the simulated GPU changes in torch outside tensor operations: `torch.cuda` and `torch.accelerator` (from
`cuda_api`), autocast, loading, data loading, `DataParallel`, `torch.compile`, and the autograd engine's entry.

Each replacement either behaves as on one real GPU (synchronize, events, memory counters, `map_location`) or says
once, in one printed line, how it differs (`note`), so a simulated run never gives a different answer silently.
"""
from __future__ import annotations

import functools
import sys

import torch

from grader.cuda_sim.cuda_api import ACCELERATOR_API, CUDA_API
from grader.cuda_sim.mode import CUDA, device_type, set_tag, tag_of

_noted: set[str] = set()


def note(key: str, text: str) -> None:
    """Say once per kernel where the simulation cannot follow a real GPU. On stdout: nbgrader fails a test cell
    that writes to stderr, and the note must not cost a student points."""
    if key not in _noted:
        _noted.add(key)
        print(f"cuda-sim: {text}", file=sys.stdout)


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
