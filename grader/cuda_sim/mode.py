"""The heart of the simulated CUDA device: a device tag on every tensor, kept by a `TorchFunctionMode`.

Every tensor is a plain CPU tensor. Its *simulated* device is a tag in its `__dict__` (`"cuda"` or `"cpu"`), which
the mode sees on every PyTorch call made from this thread:

- factories with `device=` (and `.to`, `.cuda`, `.cpu`, `new_*`, `*_like`) compute on the CPU and tag the result;
- any other call checks its tensor arguments like CUDA would (a 0-dim CPU tensor mixes with CUDA ones, anything
  else raises PyTorch's own "Expected all tensors to be on the same device" error) and tags what it returns;
- the `device`, `is_cuda`, `grad` and `data` properties, `get_device`, `numpy` and `repr` answer from the tag.

Tags live in `__dict__`, so they follow a tensor through `copy.deepcopy` and `torch.save`/`torch.load`, and a
parameter keeps its identity when `module.to(device)` swaps its `.data` (optimizers built before the move keep
working, as on a GPU). A tensor without a tag was made where the mode cannot see (the autograd engine, another
thread): it mixes with either device and reports the device of the backward pass that made it.
"""
from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode

from grader.cuda_sim import syncs

ATTR = "_cuda_sim_device"
CUDA = torch.device("cuda", 0)
CPU = torch.device("cpu")
SIMULATED = ("cpu", "cuda")
MIXED = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
NUMPY = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory "
         "first.")
_MOVES = {"to", "cuda", "cpu"}
_TO_HOST = {"item", "tolist", "__float__", "__int__", "__bool__", "__index__", "__complex__", "__repr__", "__str__",
            "__format__"}     # calls that read a CUDA tensor's values on the host: a copy that waits (syncs.py)
_FREE = {"copy_", "__deepcopy__", "__reduce_ex__", "__setstate__", "set_", "__getitem__", "__setitem__",
         "__repr__", "__format__", "__str__", "numpy", "__array__", "tolist", "item", "type", "_make_subclass",
         "_has_compatible_shallow_copy_type", "is_same_size", "is_set_to"}


def tag_of(t) -> str | None:
    """The simulated device type of `t` (`"cuda"`, `"cpu"`), or None when no simulated call made it."""
    return t.__dict__.get(ATTR) if isinstance(t, torch.Tensor) else None


def set_tag(t, kind: str | None) -> None:
    if isinstance(t, torch.Tensor) and kind is not None:
        t.__dict__[ATTR] = kind


def device_type(spec) -> str:
    """The device type (`"cuda"`, `"cpu"`, `"meta"`, ...) of a string, an index, a `torch.device` or None."""
    if spec is None:
        return "cpu"
    return "cuda" if isinstance(spec, int) else torch.device(spec).type


def _tensors(args, kwargs):
    for value in (*args, *kwargs.values()):
        if isinstance(value, torch.Tensor):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, torch.Tensor))


def _descriptor(func):
    """`("device", "__get__")` for `Tensor.device.__get__`, and so on; None for anything else."""
    owner = getattr(func, "__self__", None)
    if type(owner).__name__ == "getset_descriptor" and func.__name__ in ("__get__", "__set__"):
        return owner.__name__, func.__name__
    return None


class SimCudaMode(TorchFunctionMode):
    """Run every PyTorch call on the CPU while tensors tagged `cuda` behave as if they lived on a GPU."""

    def __init__(self, on_cuda=None):
        super().__init__()
        self.on_cuda = on_cuda                 # called with each new tensor tagged `cuda` (memory counters)
        self.backward_device: list[str | None] = []   # the device of each backward pass in progress, if known

    def tag(self, t, kind) -> None:
        set_tag(t, kind)
        if kind == "cuda" and self.on_cuda is not None:
            self.on_cuda(t)

    def _tag_outputs(self, result, kind, inputs_by_id) -> None:
        for item in result if isinstance(result, (list, tuple)) else (result,):
            if isinstance(item, torch.Tensor) and id(item) not in inputs_by_id:
                self.tag(item, kind)

    def ambient(self) -> str | None:
        """The device of the innermost backward pass in progress, when known."""
        return self.backward_device[-1] if self.backward_device else None

    def device_of(self, t) -> str:
        return tag_of(t) or (t.device.type if t.device.type not in SIMULATED else self.ambient() or "cpu")

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        prop = _descriptor(func)
        if prop is not None:
            return self._property(func, prop, args)
        name = getattr(func, "__name__", "")
        if name in _TO_HOST and args and tag_of(args[0]) == "cuda":
            with syncs.copying("print" if name in ("__repr__", "__str__", "__format__") else name):
                return self._dispatch(func, name, args, kwargs)
        return self._dispatch(func, name, args, kwargs)

    def _dispatch(self, func, name, args, kwargs):
        if name in _MOVES and args and isinstance(args[0], torch.Tensor):
            return self._move(func, name, args, kwargs)
        if name in ("backward", "grad") and getattr(func, "__module__", "").startswith("torch"):
            return self._backward(func, args, kwargs)
        if name in ("__repr__", "__str__") or (name == "__format__" and args[0].dim() > 0):
            with self:                         # so the printing code sees the simulated device
                return torch._tensor_str._str(args[0])
        if name in ("numpy", "__array__") and args and tag_of(args[0]) == "cuda":
            raise TypeError(NUMPY)
        if name == "get_device" and args:
            return 0 if tag_of(args[0]) == "cuda" else -1
        if name == "_parse_to":                 # `Module.to` parses its arguments: the device must stay as given
            return func(*args, **kwargs)
        inputs = list(_tensors(args, kwargs))
        if "device" in kwargs and device_type(kwargs["device"]) in SIMULATED:
            kind = device_type(kwargs["device"])
            kwargs = {**kwargs, "device": "cpu"}
            self._check_generator(kind, kwargs.get("generator"))
        elif "device" in kwargs:                # another real device (meta): PyTorch's own answer
            kind = None
        else:
            kind = self._result_device(name, args, inputs)
        result = func(*args, **kwargs)
        self._tag_outputs(result, kind, {id(t) for t in inputs})
        return result

    # ----------------------------------------------------------------------------------------------- helpers
    def _result_device(self, name, args, inputs) -> str | None:
        tags = {tag_of(t) for t in inputs if tag_of(t) is not None and (tag_of(t) == "cuda" or t.dim() > 0)}
        if name in _FREE:
            if name in ("__getitem__", "__setitem__") and tag_of(args[0]) == "cpu" and any(
                    tag_of(t) == "cuda" for t in _tensors(args[1:2], {})):
                raise RuntimeError("indices should be either on cpu or on the same device as the indexed tensor (cpu)")
            return tag_of(args[0]) if args and isinstance(args[0], torch.Tensor) else None
        if len(tags) > 1:
            raise RuntimeError(MIXED)
        if tags:
            return tags.pop()
        if any(tag_of(t) == "cpu" for t in inputs):
            return "cpu"
        return self.ambient() if inputs else "cpu"  # untagged inputs: the backward pass's device, else unknown

    @staticmethod
    def _check_generator(kind, generator) -> None:
        if generator is not None and kind == "cuda" and generator.device.type == "cpu":
            raise RuntimeError("Expected a 'cuda' device type for generator but found 'cpu'")

    def _property(self, func, prop, args):
        attr, how = prop
        t = args[0]
        if how == "__get__":
            if attr == "device":
                kind = self.device_of(t)
                return CUDA if kind == "cuda" else CPU if kind == "cpu" else func(*args)
            if attr == "is_cuda":
                return self.device_of(t) == "cuda"
            value = func(*args)
            if attr in ("grad", "data") and isinstance(value, torch.Tensor) and tag_of(value) is None:
                set_tag(value, tag_of(t))
            return value
        value = args[1]
        if attr == "grad" and value is not None and tag_of(value) and tag_of(t) and tag_of(value) != tag_of(t):
            raise RuntimeError(f"attempting to assign a gradient with device type '{tag_of(value)}' to a tensor "
                               f"with device type '{tag_of(t)}'. Please ensure that the gradient and the tensor "
                               "are on the same device")
        func(*args)
        if attr == "data":
            set_tag(t, tag_of(value))
        return None

    def _move(self, func, name, args, kwargs):
        t = args[0]
        if name == "cpu":
            target = "cpu"
            rest = {}
        elif name == "cuda":
            target = "cuda"
            rest = {k: v for k, v in kwargs.items() if k in ("non_blocking", "memory_format")}
        else:
            other = args[1] if len(args) > 1 and isinstance(args[1], torch.Tensor) else kwargs.get("other")
            if other is not None:
                target, dtype, non_blocking, copy, fmt = self.device_of(other), other.dtype, False, False, None
                non_blocking = kwargs.get("non_blocking", args[2] if len(args) > 2 else False)
            else:
                parse = {k: v for k, v in kwargs.items() if k != "copy"}
                device, dtype, non_blocking, fmt = torch._C._nn._parse_to(*args[1:], **parse)
                target = self.device_of(t) if device is None else device_type(device)
                copy = kwargs.get("copy", False)
            rest = {"dtype": dtype or t.dtype, "non_blocking": non_blocking, "copy": copy}
            if fmt is not None:
                rest["memory_format"] = fmt
        if target not in SIMULATED:               # to("meta") and other real devices: PyTorch's own move
            return func(*args, **kwargs)
        same = target == self.device_of(t)
        if target == "cpu" and not same:
            with syncs.copying(name if name == "cpu" else "to(cpu)"):
                return self._moved(t, name, rest, target, same)
        return self._moved(t, name, rest, target, same)

    def _moved(self, t, name, rest, target, same):
        if name == "to":
            result = torch.Tensor.to(t, **{**rest, "copy": rest["copy"] or not same})
        else:
            result = t if same else torch.Tensor.to(t, copy=True, **rest)
        if result is not t:
            self.tag(result, target)
        return result

    def _backward(self, func, args, kwargs):
        """`torch.autograd.grad` returns each gradient on its input's device (see `run_backward` for the pass)."""
        result = func(*args, **kwargs)
        if isinstance(result, tuple):
            inputs = args[1] if len(args) > 1 else kwargs.get("inputs", ())
            inputs = (inputs,) if isinstance(inputs, torch.Tensor) else tuple(inputs)
            for grad, wrt in zip(result, inputs):
                if isinstance(grad, torch.Tensor) and tag_of(grad) is None:
                    set_tag(grad, tag_of(wrt))
        return result

    def run_backward(self, engine, roots, *args, **kwargs):
        """Run the autograd engine with this mode on (PyTorch turns a mode off while it handles a call), so that
        hooks and custom `Function.backward`s are simulated too, and untagged gradients report the device of the
        pass: the first tagged tensor among the roots, the gradients given and the inputs asked for."""
        tags = (tag_of(t) for t in _tensors((roots, *args), kwargs))
        self.backward_device.append(next((kind for kind in tags if kind is not None), None) or self.ambient())
        try:
            with self:
                return engine(roots, *args, **kwargs)
        finally:
            self.backward_device.pop()
