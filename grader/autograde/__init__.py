"""The course's autograder, on top of nbgrader: `python -m grader autograde|feedback ASSIGNMENT`.

One step a module, in the order a batch runs them: options, intake, prepare, pool, job (execute, isolation,
sandbox, record, scan), verdict, gradebook, reports; `run` orders them, `feedback` is run later. docs/grader.md
gives the design. The grading kernel imports `grader.autograde.sandbox` and `.record`, so this package imports
nothing eagerly.
"""
import warnings

# nbgrader 0.9.6's own gradebook code triggers SQLAlchemy's "Object of type <...> not in session" warnings on
# every submission it records; they say nothing an instructor can act on and would bury the progress bar.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module=r"nbgrader\.api")


def __getattr__(name):
    if name == "autograde":
        from grader.autograde.run import autograde
        return autograde
    if name == "GraderOptions":
        from grader.autograde.options import GraderOptions
        return GraderOptions
    raise AttributeError(name)


__all__ = ["GraderOptions", "autograde"]
