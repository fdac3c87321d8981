"""The course profile: how much work a notebook does.

`full` (the default) is what a student runs: enough data and epochs to see real learning. `quick` is what
`make test` and CI run: the same code on less data, so every notebook finishes in seconds to a minute on a
2-core machine. Notebooks ask `by_profile(quick=..., full=...)` for sizes instead of branching by hand.
"""
import os

ENV_VAR = "COURSE_PROFILE"
CHOICES = ("quick", "full")


def profile() -> str:
    """Return the active profile name, `full` unless `COURSE_PROFILE` says otherwise."""
    name = os.environ.get(ENV_VAR, "").strip().lower() or "full"
    if name not in CHOICES:
        raise ValueError(f"{ENV_VAR}={name!r} is not a profile; use one of {', '.join(CHOICES)}.")
    return name


def by_profile(*, quick, full):
    """Pick the value meant for the active profile."""
    return quick if profile() == "quick" else full
