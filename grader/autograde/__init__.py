"""The course's autograder, on top of nbgrader: `python -m grader autograde|feedback ASSIGNMENT`.

One step a module, in the order a batch runs them: options, intake, prepare, pool, job (deadline, match, execute,
isolation, sandbox, mounts, record, guard, harvest, scan), verdict, gradebook, reports; `run` orders them,
`feedback` (with `redact`) is run later. docs/grader.md gives the design. The grading kernel imports
`grader.autograde.sandbox`, `.mounts`, `.record` and `.guard`, so this package imports nothing eagerly.
"""
import sys
import warnings

# jsonschema, which nbformat imports, loads the optional `rfc3987_syntax` to check "iri" strings, a format no
# notebook schema uses; building its grammar costs 0.8 s in every process that reads a notebook (the grader, its
# workers). Marking it absent makes jsonschema skip that checker, as it does where the package is not installed.
sys.modules.setdefault("rfc3987_syntax", None)

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
