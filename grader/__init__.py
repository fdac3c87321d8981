"""Support code for the PyTorch course.

Notebooks import the small helpers below in their setup cell and test cells; the autograding
pipeline lives in the submodules (`release`, `submissions`, `gradebook`).
"""
from grader.checks import CheckFailed, check, check_close, check_equal, check_raises, check_tensor
from grader.device import pick_device
from grader.profile import by_profile, profile
from grader.seeding import seed_everything
from grader.notebook import setup_notebook, show_error

__all__ = [
    "CheckFailed", "check", "check_close", "check_equal", "check_raises", "check_tensor",
    "pick_device", "by_profile", "profile", "seed_everything", "setup_notebook", "show_error",
]
