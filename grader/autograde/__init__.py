"""The course's autograder, on top of nbgrader: `python -m grader autograde|feedback ASSIGNMENT`.

See the README's grader section for the design (parallel jobs, limits, tamper resistance, hidden feedback).
The grading kernel imports `grader.autograde.sandbox` and `.record`, so this package imports nothing eagerly.
"""
import warnings

# nbgrader 0.9.6's own gradebook code triggers SQLAlchemy's "Object of type <...> not in session" warnings on
# every submission it records; they say nothing an instructor can act on and would bury the progress bar.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module=r"nbgrader\.api")


def __getattr__(name):
    if name in ("Options", "autograde"):
        from grader.autograde import run
        return getattr(run, name)
    raise AttributeError(name)


__all__ = ["Options", "autograde"]
