"""Feedback pages (grader/autograde/feedback.py) never show the hidden tests."""
import html
import re

import nbformat

from grader.autograde.feedback import generate_feedback
from grader.cells import grade_id
from grader.course import SOLUTIONS

A = "01-tensors"


HIDDEN = "one_hot of 500 labels"                       # a string only the hidden part of test_one_hot holds
VISIBLE = "row i should have its 1 in column labels[i]"  # in its visible part
FAILURE = "one_hot(labels, 6): shape (2, 5), expected (2, 6). the width is num_classes"


def test_feedback_hides_hidden_tests(tmp_path):
    nb = nbformat.read(str(SOLUTIONS / A / f"{A}.ipynb"), as_version=4)   # what an autograded notebook holds
    cell = next(c for c in nb.cells if grade_id(c) == "test_one_hot")
    assert HIDDEN in cell.source and VISIBLE in cell.source
    hidden_lines = cell.source.split("### BEGIN HIDDEN TESTS")[1].splitlines()[1:4]
    cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue=FAILURE,
                                           traceback=["Traceback (most recent call last)", *hidden_lines,
                                                      f"CheckFailed: {FAILURE}"]),
                    nbformat.v4.new_output("stream", name="stderr", text="[grader] FAILED (0 / 3): " + FAILURE)]
    path = tmp_path / "autograded" / "alice" / A / f"{A}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, str(path))
    [out] = generate_feedback(A, tmp_path)
    text = html.unescape(re.sub(r"<[^>]+>", "", out.read_text()))        # the page's text, highlighting removed
    assert out == tmp_path / "feedback" / "alice" / A / f"{A}.html"
    assert HIDDEN not in text and "manual_seed(3)" not in text and "BEGIN HIDDEN TESTS" not in text
    for line in hidden_lines:
        assert line.strip() not in text
    assert VISIBLE in text and FAILURE in text and "[grader] FAILED (0 / 3)" in text
