"""Record what test cells check, in the student's kernel, and re-judge it in a clean process.

Kernel side (`install`, run by the sandbox before any student code): every check helper of `grader.checks`
is wrapped so that each call first writes its operands (plain data only: tensors, numbers, strings, tuples,
lists, dicts) to `<record dir>/<seq>.pt` with `torch.save`, and then runs the real check as usual (so the
student sees the usual messages). Each record also names its caller (the code's source hash, function name and
line) and lists the watched attributes of torch, numpy, math, builtins, sys, IPython and the grader that are no
longer the objects they were when the kernel started.

Clean side (`grader.autograde.harvest`): the grader copies the records out of the kernel's folder as data and
loads them with `torch.load(weights_only=True)` (no pickled objects); `grader.autograde.verdict` recomputes every
comparison with its own, untouched torch and `grader.checks`. The verdict never comes from the student's kernel.
"""
from __future__ import annotations

import builtins
import hashlib
import math
import os
import sys
from pathlib import Path

import numpy as np
import torch

import grader
import grader.checks as checks
from grader.device import simulate_if_asked



def source_sha(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()


# ----------------------------------------------------------------------------------------------------- plain data
def to_plain(value, depth: int = 0):
    """`value` as data that `torch.load(weights_only=True)` accepts, or a marker naming its type.

    Only exact built-in types pass (a `float` subclass could lie in `__eq__`); NumPy scalars and arrays become
    Python numbers and tensors; tensors (subclasses included) become plain CPU tensors plus their metadata.
    """
    kind = type(value)
    if value is None or kind in (bool, int, float, str, complex, bytes):
        return value
    if depth > 6:
        return {"__unplain__": "nesting too deep"}
    if isinstance(value, torch.Tensor):
        with torch._C.DisableTorchFunctionSubclass():      # modes stay on: cuda-sim answers `device`
            t = torch.Tensor.detach(value)
            meta = {"dtype": str(t.dtype), "device": str(t.device), "requires_grad": bool(value.requires_grad),
                    "shape": list(t.shape), "exact": kind is torch.Tensor or kind is torch.nn.Parameter}
            if t.is_sparse or t.is_quantized or t.is_meta:
                return {"__unplain__": f"tensor with layout {t.layout}"}
        with torch._C.DisableTorchFunction():              # a bare copy, without cuda-sim's device tag
            data = torch.Tensor.clone(torch.Tensor.cpu(t)).contiguous()
        return {"__tensor__": data, **meta}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return to_plain(value.item(), depth + 1)
    if kind is np.ndarray:
        if value.dtype == object:
            return {"__unplain__": "object array"}
        return {"__ndarray__": torch.from_numpy(np.ascontiguousarray(value).copy()), "dtype": str(value.dtype)}
    if kind in (tuple, list, set, frozenset):
        return {"__seq__": kind.__name__, "items": [to_plain(v, depth + 1) for v in value]}
    if kind is dict:
        return {"__dict__": [[to_plain(k, depth + 1), to_plain(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, torch.dtype):
        return {"__dtype__": str(value)}
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    if kind is torch.Size:
        return {"__seq__": "tuple", "items": [int(v) for v in value]}
    return {"__unplain__": f"{kind.__module__}.{kind.__qualname__}"}


class Unplain:
    """Stands for a value that could not be recorded; equal to nothing."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return False

    __hash__ = None

    def __repr__(self):
        return f"<unrecordable {self.name}>"


def from_plain(data):
    """Rebuild the value `to_plain` recorded (in the clean process)."""
    if not isinstance(data, dict):
        return data
    if "__tensor__" in data:
        return data["__tensor__"].requires_grad_(data["requires_grad"]) if data["__tensor__"].is_floating_point() \
            else data["__tensor__"]
    if "__ndarray__" in data:
        return data["__ndarray__"].numpy()
    if "__seq__" in data:
        items = [from_plain(v) for v in data["items"]]
        rebuild = {"tuple": tuple, "list": list, "set": set, "frozenset": frozenset}[data["__seq__"]]
        try:
            return rebuild(items)
        except TypeError:  # an unhashable (unrecordable) member of a set
            return Unplain(f"{data['__seq__']} with unrecordable members")
    if "__dict__" in data:
        return {from_plain(k): from_plain(v) for k, v in data["__dict__"]}
    if "__dtype__" in data:
        return getattr(torch, data["__dtype__"].removeprefix("torch."), Unplain(data["__dtype__"]))
    if "__device__" in data:
        return torch.device(data["__device__"])
    return Unplain(data.get("__unplain__", "?"))


# ------------------------------------------------------------------------------------------------ tamper watch
def _watched_modules():
    import IPython  # noqa: F401
    mods = {"torch": torch, "torch.Tensor": torch.Tensor, "torch.nn.functional": torch.nn.functional,
            "torch.testing": torch.testing, "numpy": np, "numpy.ndarray": np.ndarray, "math": math,
            "builtins": builtins, "sys": sys, "os": os, "grader": grader, "grader.checks": checks,
            "AssertionError": AssertionError, "checks.CheckFailed": checks.CheckFailed,
            "grader.autograde.record": sys.modules[__name__]}
    return mods


def snapshot(extra: dict | None = None) -> list[tuple[str, object, str, object]]:
    """(label, owner, attribute, object) for every watched attribute, taken before student code runs."""
    out = []
    for label, owner in {**_watched_modules(), **(extra or {})}.items():
        try:
            names = list(vars(owner))
        except TypeError:
            names = [n for n in dir(owner)]
        for name in names:
            if name.startswith("__") and name not in ("__eq__", "__ne__", "__bool__", "__lt__", "__le__", "__gt__",
                                                      "__ge__", "__sub__", "__abs__", "__import__", "__build_class__",
                                                      "__init__", "__call__"):
                continue
            try:
                out.append((label, owner, name, getattr(owner, name)))
            except Exception:  # some attributes raise on access
                continue
    return out


def changed(snap) -> list[str]:
    """Watched attributes that are no longer the objects the snapshot saw."""
    diffs = []
    for label, owner, name, obj in snap:
        try:
            now = getattr(owner, name)
        except Exception:
            diffs.append(f"{label}.{name}")
            continue
        if now is not obj and not (isinstance(obj, (int, float, str, bool, tuple, type(None))) and now == obj
                                   and type(now) is type(obj)):
            diffs.append(f"{label}.{name}")
    return diffs


# ----------------------------------------------------------------------------------------------- kernel side
_MUTABLE = {"sys": {"argv", "path", "modules", "stdout", "stderr", "stdin", "last_value", "last_type",
                    "last_traceback", "last_exc", "ps1", "ps2", "path_importer_cache", "_git", "meta_path",
                    "path_hooks", "displayhook", "exc_info", "dont_write_bytecode"},
            "os": {"environ"}, "builtins": {"_", "__", "___", "display", "get_ipython", "_ih", "_oh", "_dh",
                                            "In", "Out", "exit", "quit", "copyright", "credits", "license",
                                            "help", "__IPYTHON__", "runfile"}}


def install(shell=None, folder: str = "", guard: dict | None = None) -> None:
    """Wrap the check helpers (in `grader.checks` and `grader`) so every call is recorded into `folder`, and guard
    the names test cells read (`grader.autograde.guard`, with `guard` = {"names", "digests"}). Kernel side only."""
    import linecache
    import itertools

    folder = Path(folder)
    counter = itertools.count()
    grader.load_helpers()             # every helper bound now, so the snapshot watches all of them
    simulate_if_asked()               # cuda-sim patches torch.cuda: before the snapshot, so it is not tampering
    extra = {}
    if shell is not None:
        extra["shell"] = shell
        extra["shell.__class__"] = type(shell)
    snap = [s for s in snapshot(extra) if s[2] not in _MUTABLE.get(s[0], ())]
    originals = {name: getattr(checks, name) for name in grader.CHECK_HELPERS}
    save, getframe, sha, replace = torch.save, sys._getframe, source_sha, os.replace
    getlines, gettrace = linecache.getlines, sys.gettrace
    excepthook = sys.excepthook

    def write(kind, payload):
        frame = getframe(2)
        code = frame.f_code
        record = {
            "seq": next(counter), "kind": kind,
            "caller": {"name": code.co_name, "line": frame.f_lineno,
                       "sha": sha("".join(getlines(code.co_filename)))},
            "tampered": changed(snap) + (["sys.settrace"] if gettrace() is not None else [])
            + (["sys.excepthook"] if sys.excepthook is not excepthook else [])
            + (["shell.events (the guard of test cells' names)"] if hook and not guarded() else []),
            "rebound": sorted(set(rebound)),
            "args": payload,
        }
        try:       # written whole, then renamed: a kernel killed mid-write leaves a `.part`, never a torn record
            part = str(folder / f"{record['seq']:07d}.part")
            save(record, part)
            replace(part, str(folder / f"{record['seq']:07d}.pt"))
        except Exception:  # a full disk or a file size limit: the check stays unrecorded, so the cell fails
            pass

    def make(kind, original):
        def recorded(*args, **kwargs):
            if kind == "check_raises":
                outcome = {"ok": True, "message": ""}
                try:
                    result = original(*args, **kwargs)
                except checks.CheckFailed as err:
                    outcome = {"ok": False, "message": str(err)}
                    write(kind, {"outcome": outcome, "exc": getattr(args[0], "__name__", "?")})
                    raise
                write(kind, {"outcome": outcome, "exc": getattr(args[0], "__name__", "?")})
                return result
            write(kind, {"args": [to_plain(a) for a in args],
                         "kwargs": {k: to_plain(v) for k, v in kwargs.items()}})
            return original(*args, **kwargs)

        recorded.__name__ = recorded.__qualname__ = original.__name__
        recorded.__doc__ = original.__doc__
        recorded.__wrapped__ = original
        return recorded

    for name, original in originals.items():
        wrapper = make(name, original)
        setattr(checks, name, wrapper)
        setattr(grader, name, wrapper)
    rebound, hook = [], None
    if shell is not None and guard:         # after the wrappers: the check helpers put back are the recording ones
        from grader.autograde import guard as names
        rebound, hook = names.install(shell, guard["names"], guard["digests"])

    def guarded() -> bool:
        try:
            return any(h is hook for h in shell.events.callbacks["pre_run_cell"])
        except Exception:
            return False
    # the snapshot must see the wrappers as the pristine state
    snap[:] = [s for s in snapshot(extra) if s[2] not in _MUTABLE.get(s[0], ())]
