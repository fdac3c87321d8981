"""The course's autograder, on top of nbgrader: `python -m grader autograde|feedback ASSIGNMENT`.

See the README's grader section for the design (parallel jobs, limits, tamper resistance, hidden feedback).
The grading kernel imports `grader.autograde.sandbox` and `.record`, so this package imports nothing eagerly.
"""


def __getattr__(name):
    if name in ("Options", "autograde"):
        from grader.autograde import run
        return getattr(run, name)
    raise AttributeError(name)


__all__ = ["Options", "autograde"]
