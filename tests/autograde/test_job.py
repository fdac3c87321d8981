"""The worker's job (grader/autograde/job.py), the parts that need no kernel (the kernel runs in every batch)."""
from grader.autograde.job import _cause


def test_grader_error_names_nbgraders_cause():
    log = ("[AutogradeApp | ERROR] There was an error processing assignment\nTraceback (most recent call last):\n"
           "jsonschema.exceptions.ValidationError: 'lots' is not of type 'number'\n"
           "nbgrader.converters.base.NbGraderException: Please see the the above traceback")
    assert _cause(log) == "jsonschema.exceptions.ValidationError: 'lots' is not of type 'number'"
    assert _cause("") == "no autograded notebook"
