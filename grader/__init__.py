"""Support code for the PyTorch course.

Notebooks import the small helpers below in their setup cell and test cells. The package's top level is what runs
inside students' notebooks (`checks`, `device`, `profile`, `seeding`, `notebook`, `data`, `autograd_graph`,
`cuda_sim`) plus shared facts (`course`, `cells`); the authoring tools live in `grader.authoring`, the grading
pipeline in `grader.autograde`.

The helpers are loaded on first use (PEP 562), so that `import grader` alone does not import torch: the
grading sandbox's first stage, the release tools and `python -m grader` start in milliseconds, not the
second or more that importing torch costs.
"""
from __future__ import annotations

import importlib
import sys

# The check helpers of grader.checks, the one list: `grader` exports them, the grading kernel records every call
# to them, and the static scan treats rebinding them as tampering. A new helper is defined in grader.checks and
# named here; nothing else needs to change.
CHECK_HELPERS = ("check", "check_equal", "check_close", "check_tensor", "check_raises")

_HOME = {
    "CheckFailed": "grader.checks", **{name: "grader.checks" for name in CHECK_HELPERS},
    "pick_device": "grader.device", "by_profile": "grader.profile", "profile": "grader.profile",
    "seed_everything": "grader.seeding", "setup_notebook": "grader.notebook", "show_error": "grader.notebook",
    "draw_graph": "grader.autograd_graph",
}

__all__ = list(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'grader' has no attribute {name!r}")
    module = importlib.import_module(_HOME[name])
    for other, home in _HOME.items():  # bind all of the module's helpers: importing `grader.profile` has just
        if home == _HOME[name]:        # set `grader.profile` to the submodule, which would hide the function
            globals()[other] = getattr(module, other)
    return globals()[name]


def __dir__():
    return sorted(set(globals()) | set(_HOME))


def load_helpers() -> None:
    """Bind every helper now (the grading kernel does this before it snapshots what it watches)."""
    module = sys.modules[__name__]
    for name in _HOME:
        getattr(module, name)         # calls __getattr__ only for names not bound yet
