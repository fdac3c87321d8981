"""Checks for test cells that explain themselves.

A bare `assert torch.allclose(a, b)` tells a student only that something is wrong. These checks report what
differs, side by side: shape, dtype, device, `requires_grad`, and for values the largest absolute and relative
error and where it happens, followed by a hint the test writes about the likely mistake.
"""
from __future__ import annotations

import functools

import torch


class CheckFailed(AssertionError):
    """A test check failed; the message says what was expected, what was found, and a hint."""


def _starts_here(tb) -> bool:
    return tb is not None and tb.tb_frame.f_code.co_filename == __file__


def _shown_from_caller(helper):
    """Make a failing `helper` show the student's line, not frames of this module.

    pytest hides frames that set `__tracebackhide__`, but IPython always shows the innermost frame, which would
    be `_fail` here. So the public helpers drop this module's frames from the `CheckFailed` before it leaves
    them: a bare `raise` re-raises with the exception's own (now empty) traceback and adds no frame, and the
    caller's frame is added as the exception reaches it. A student error that `check_raises` caught stays
    attached as the context, minus the frame of the call made here.
    """
    @functools.wraps(helper)
    def shown(*args, **kwargs):
        __tracebackhide__ = True
        try:
            return helper(*args, **kwargs)
        except CheckFailed as err:
            err.__traceback__ = None
            context = err.__context__
            if context is not None and not err.__suppress_context__:
                tb = context.__traceback__
                while _starts_here(tb):
                    tb = tb.tb_next
                context.__traceback__ = tb
            raise
    return shown


def _fail(lines: list[str], hint: str) -> None:
    __tracebackhide__ = True  # IPython and pytest show the caller's line, not this helper's
    if hint:
        lines.append(f"Hint: {hint}")
    raise CheckFailed("\n".join(lines))


@_shown_from_caller
def check(condition, message: str, hint: str = "") -> None:
    """Fail with `message` (and the hint) unless `condition` holds."""
    __tracebackhide__ = True
    if not condition:
        _fail([message], hint)


@_shown_from_caller
def check_equal(actual, expected, what: str = "result", hint: str = "") -> None:
    """Fail unless `actual == expected`, showing both."""
    __tracebackhide__ = True
    if not (actual == expected):
        _fail([f"{what}: expected {expected!r}, got {actual!r}."], hint)


@_shown_from_caller
def check_raises(exc_type, fn, *args, hint: str = "", **kwargs) -> BaseException:
    """Call `fn(*args, **kwargs)` and fail unless it raises `exc_type`; return the exception raised."""
    __tracebackhide__ = True
    name = getattr(fn, "__name__", repr(fn))
    try:
        fn(*args, **kwargs)
    except exc_type as err:
        return err
    except Exception as err:  # the wrong kind of error is a failure with a precise message
        _fail([f"{name} raised {type(err).__name__}: {err}; expected {exc_type.__name__}."], hint)
    _fail([f"{name} returned normally; expected it to raise {exc_type.__name__}."], hint)


def _same_device(actual: torch.device, expected) -> bool:
    expected = torch.device(expected)
    if actual.type != expected.type:
        return False
    return expected.index is None or actual.index == expected.index


def _property_rows(actual: torch.Tensor, shape, dtype, device, requires_grad) -> list[tuple[str, str, str, bool]]:
    """Rows of (property, expected, got, differs) for the properties a test pinned down."""
    rows = []
    if shape is not None:
        rows.append(("shape", str(tuple(shape)), str(tuple(actual.shape)), tuple(actual.shape) != tuple(shape)))
    if dtype is not None:
        rows.append(("dtype", str(dtype), str(actual.dtype), actual.dtype != dtype))
    if device is not None:
        rows.append(("device", str(device), str(actual.device), not _same_device(actual.device, device)))
    if requires_grad is not None:
        rows.append(("requires_grad", str(requires_grad), str(actual.requires_grad),
                     actual.requires_grad != requires_grad))
    return rows


def _table(rows) -> list[str]:
    lines = [f"  {'':15} {'expected':24} {'got':24}"]
    for name, want, got, differs in rows:
        lines.append(f"  {name:15} {want:24} {got:24}" + ("  <- differs" if differs else ""))
    return lines


def _require_tensor(actual, what: str, hint: str) -> None:
    __tracebackhide__ = True
    if not isinstance(actual, torch.Tensor):
        _fail([f"{what} should be a torch.Tensor, got {type(actual).__name__}: {actual!r}."], hint)


@_shown_from_caller
def check_tensor(actual, *, shape=None, dtype=None, device=None, requires_grad=None,
                 what: str = "result", hint: str = "") -> None:
    """Fail unless `actual` is a tensor with the given shape, dtype, device and `requires_grad` (None: any)."""
    __tracebackhide__ = True
    _require_tensor(actual, what, hint)
    rows = _property_rows(actual, shape, dtype, device, requires_grad)
    if any(differs for *_, differs in rows):
        _fail([f"{what} has the wrong form:"] + _table(rows), hint)


def _index_of(flat_index: int, shape) -> tuple[int, ...]:
    return tuple(int(i) for i in torch.unravel_index(torch.tensor(flat_index), tuple(shape))) if shape else ()


def _value_report(actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> list[str] | None:
    """Lines describing the worst mismatch, or None when every element is within tolerance."""
    a = actual.detach().cpu().to(torch.float64)
    e = expected.detach().cpu().to(torch.float64)
    if torch.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        return None
    both_nan = a.isnan() & e.isnan()
    abs_err = (a - e).abs().masked_fill(both_nan, 0.0).nan_to_num(nan=float("inf"))
    rel_err = abs_err / e.abs().clamp_min(torch.finfo(torch.float64).tiny)
    bad = (abs_err > atol + rtol * e.abs()).sum().item()
    lines = [f"  {bad} of {a.numel()} elements differ (tolerance: atol={atol:g}, rtol={rtol:g})"]
    for label, err in (("absolute", abs_err), ("relative", rel_err)):
        flat = int(err.flatten().argmax())
        where = _index_of(flat, a.shape)
        lines.append(
            f"  largest {label} error {err.flatten()[flat].item():.4g} at index {where}: "
            f"got {a.flatten()[flat].item():.6g}, expected {e.flatten()[flat].item():.6g}"
        )
    return lines


@_shown_from_caller
def check_close(actual, expected: torch.Tensor, *, rtol: float = 1e-5, atol: float = 1e-6,
                check_dtype: bool = True, check_device: bool = True, what: str = "result",
                hint: str = "") -> None:
    """Fail unless `actual` matches the tensor `expected` in shape, dtype, device and (within tolerance) value."""
    __tracebackhide__ = True
    _require_tensor(actual, what, hint)
    rows = _property_rows(
        actual,
        expected.shape,
        expected.dtype if check_dtype else None,
        expected.device if check_device else None,
        None,
    )
    form_differs = any(differs for *_, differs in rows)
    values = None if tuple(actual.shape) != tuple(expected.shape) else _value_report(actual, expected, rtol, atol)
    if form_differs or values:
        _fail([f"{what} does not match the expected tensor:"] + _table(rows) + (values or []), hint)
