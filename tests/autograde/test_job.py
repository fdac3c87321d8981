"""The worker's job (grader/autograde/job.py), the parts that need no kernel (the kernel runs in every batch)."""
from grader.autograde.job import _cause


def test_grader_error_names_nbgraders_cause():
    log = ("[AutogradeApp | ERROR] There was an error processing assignment\nTraceback (most recent call last):\n"
           "jsonschema.exceptions.ValidationError: 'lots' is not of type 'number'\n"
           "nbgrader.converters.base.NbGraderException: Please see the the above traceback")
    assert _cause(log) == "jsonschema.exceptions.ValidationError: 'lots' is not of type 'number'"
    assert _cause("") == "no autograded notebook"


def test_only_the_notebook_and_declared_files_are_taken(tmp_path):
    """A file the assignment declares (`extra_files`) reaches the kernel's working folder; any other file handed
    in beside the notebook (a `grader.py` that would shadow the course's package) never does."""
    from test_limits import TINY, _options, tiny_course
    from grader.autograde import autograde
    reads = ("import os\nx = 42 if os.path.isfile('hint.txt') and open('hint.txt').read() == 'ok' "
             "and not os.path.exists('grader.py') else 0")
    solutions = tiny_course(tmp_path, {"student": reads})
    folder = tmp_path / "submitted" / "student" / TINY
    (folder / "hint.txt").write_text("ok")
    (folder / "grader.py").write_text("raise SystemExit('planted')")
    scores = {}
    for declared in ([], ["hint.txt"]):
        summary = autograde(TINY, _options(extra_files=declared), root=tmp_path, solutions=solutions, progress=False)
        scores[tuple(declared)] = summary["students"]["student"]["score"]
    assert scores == {(): 0.0, ("hint.txt",): 1.0}, scores
