"""Feedback pages (grader/autograde/feedback.py) never show the hidden tests, never run what a student wrote, and
one student's notebook cannot stop anyone else's page.

The attacks come from real batches: a student cell that prints IPython's `In` (every executed cell's source, the
hidden tests included) or a stack trace taken inside the student's function, HTML of the student's own, and a
markdown cell that names nbgrader's hidden-test marker. Each runs here on a small assignment whose hidden block is
known, in a course root laid out as nbgrader's (`solutions/`, `course/`, `autograded/<student>/<assignment>/`).
"""
import html
import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from grader.__main__ import main
from grader.autograde.feedback import generate_feedback
from grader.cells import grade_id
from grader.course import SOLUTIONS

A = "01-tensors"


HIDDEN = "one_hot of 500 labels"                       # a string only the hidden part of test_one_hot holds
VISIBLE = "row i should have its 1 in column labels[i]"  # in its visible part
FAILURE = "one_hot(labels, 6): shape (2, 5), expected (2, 6). the width is num_classes"


def page_text(path) -> str:
    """What a reader of the page sees: the HTML without its tags, unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


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
    stamp = tmp_path / "submitted" / "alice" / A / "timestamp.txt"
    stamp.parent.mkdir(parents=True)
    stamp.write_text("2026-12-03 21:00:00.000000 UTC")
    (stamp.parent / "submission_secret.txt").write_text("4b1d")
    (stamp.parent / "notes.txt").write_text("not copied")
    [out] = generate_feedback(A, tmp_path)
    text = page_text(out)
    assert out == tmp_path / "feedback" / "alice" / A / f"{A}.html"
    # the submission's time stamp and secret beside the page, where `nbgrader release_feedback` reads them
    assert (out.parent / "timestamp.txt").read_text() == stamp.read_text()
    assert (out.parent / "submission_secret.txt").read_text() == "4b1d" and not (out.parent / "notes.txt").exists()
    assert HIDDEN not in text and "manual_seed(3)" not in text and "BEGIN HIDDEN TESTS" not in text
    for line in hidden_lines:
        assert line.strip() not in text
    assert VISIBLE in text and FAILURE in text and "[grader] FAILED (0 / 3)" in text


# A small assignment whose hidden block is known line by line.
D = "09-demo"
SHARED = "got = double(3)"                                    # visible, and repeated in the hidden block
VISIBLE_CHECK = 'check_equal(got, 6, what="double(3)")'
SECRET_CALL = "check_equal(double(1234567), 2469134,"
SECRET_WHAT = 'what="double of a secret number")'
SECRET_LOOP = "for n in range(5):"
SECRET_SIGN = "check(double(-8) < 0 and double(8) > 0, what='sign & size kept')"
SECRETS = [SECRET_CALL, SECRET_WHAT, SECRET_LOOP, SECRET_SIGN]
ANSWER_LINE = "twice = x + x"          # in the hidden block and in the model answer: ordinary code, not a secret
ANSWER = f"def double(x):\n    {ANSWER_LINE}\n    return twice"
TEST_SOURCE = "\n".join([SHARED, VISIBLE_CHECK, "### BEGIN HIDDEN TESTS", SHARED, SECRET_CALL,
                         "            " + SECRET_WHAT, SECRET_LOOP, "    " + SECRET_SIGN,
                         "def reference_double(x):", "    " + ANSWER_LINE, "### END HIDDEN TESTS"])
MESSAGE = "double of a secret number: got 1, expected 2469134"   # the check's message: students must see it
VERDICT = "[grader] FAILED (0 / 2): " + MESSAGE


def _meta(gid, *, test=False, answer=False):
    return {"nbgrader": {"grade": test, "grade_id": gid, "locked": test, "points": 2 if test else 0,
                         "schema_version": 3, "solution": answer}}


def _assignment_cells(answer: str, test_source: str):
    return [new_markdown_cell("# Doubling\nWrite `double`."),
            new_code_cell("from grader.checks import check, check_equal"),
            new_code_cell(answer, metadata=_meta("double", answer=True)),
            new_code_cell(test_source, metadata=_meta("test_double", test=True))]


def _write(path, nb):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def course_root(tmp_path):
    """solutions/ and course/ of the demo assignment under `tmp_path`."""
    solution = f"def double(x):\n    ### BEGIN SOLUTION\n    {ANSWER_LINE}\n    return twice\n    ### END SOLUTION"
    _write(tmp_path / "solutions" / D / f"{D}.ipynb", new_notebook(cells=_assignment_cells(solution, TEST_SOURCE)))
    stub = "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    release = _assignment_cells(stub, "\n".join([SHARED, VISIBLE_CHECK]))
    _write(tmp_path / "course" / D / f"{D}.ipynb", new_notebook(cells=release))
    return tmp_path


def autograded(root, student, extra_cells=(), answer=ANSWER):
    """An autograded notebook: the student's answer, the test cell (hidden block included, as nbgrader restores
    it) with the grader's verdict, then the student's own cells."""
    cells = _assignment_cells(answer, TEST_SOURCE)
    cells[3].outputs = [new_output("error", ename="CheckFailed", evalue=MESSAGE,
                                   traceback=["Traceback (most recent call last)", "----> 5 " + SECRET_CALL,
                                              f"CheckFailed: {MESSAGE}"]),
                        new_output("stream", name="stderr", text=VERDICT)]
    path = root / "autograded" / student / D / f"{D}.ipynb"
    _write(path, new_notebook(cells=cells + list(extra_cells)))
    return path


IN = "\n".join(["", "from grader.checks import check, check_equal", ANSWER, TEST_SOURCE,
                'print("\\n".join(In))'])                   # IPython's `In` after the test cell has run
STACK = ('  File "/tmp/ipykernel_7/2291.py", line 5, in <module>\n    ' + SECRET_CALL + "\n"
         '  File "/tmp/ipykernel_7/1187.py", line 3, in double\n    traceback.print_stack()\n')


def leaking_cells():
    """A student's cells after the tests that print the hidden lines every cheap way there is."""
    printed = new_code_cell('print("\\n".join(In))\n# copied: ' + SECRET_SIGN, outputs=[
        new_output("stream", name="stdout", text=IN),
        new_output("stream", name="stderr", text=STACK),
        new_output("stream", name="stdout", text=TEST_SOURCE.upper() + "\n" + TEST_SOURCE.replace(" ", "")),
        new_output("display_data", data={"text/html": "<pre>" + html.escape(TEST_SOURCE) + "</pre>",
                                         "text/plain": "<IPython.core.display.HTML object>"}),
        new_output("execute_result", execution_count=5,
                   data={"text/plain": repr(TEST_SOURCE) + "\n" + str(TEST_SOURCE.splitlines())}),
        new_output("display_data", data={"text/markdown": "```\n" + TEST_SOURCE + "\n```"}),
        new_output("error", ename="RuntimeError", evalue=SECRET_CALL + " " + SECRET_WHAT,
                   traceback=["\x1b[0;31mRuntimeError\x1b[0m: \x1b[1m" + SECRET_CALL + "\x1b[0m", SECRET_WHAT])])
    notes = new_markdown_cell("My notes:\n\n    " + SECRET_LOOP + "\n\n" + html.escape(SECRET_SIGN))
    return [printed, notes]


def test_printed_hidden_lines_are_redacted(tmp_path):
    """`In`, a stack trace, upper case, spaces removed, HTML escaped, repr, markdown, an error's message, a
    markdown cell and the student's own source: no hidden line survives, the visible test and verdict do."""
    root = course_root(tmp_path)
    autograded(root, "mallory", leaking_cells())
    [page] = generate_feedback(D, root)
    text, raw = page_text(page), page.read_text()
    for secret in SECRETS:
        for form in (secret, secret.upper(), secret.replace(" ", ""), repr(secret)[1:-1]):
            assert form not in text, form
        assert html.escape(secret) not in raw and html.escape(secret, quote=False) not in raw
    assert "1234567" not in text and "sign & size kept" not in text
    assert SHARED in text and VISIBLE_CHECK in text and MESSAGE in text and VERDICT in text
    assert "(hidden tests: not shown)" in text and "BEGIN HIDDEN TESTS" not in text
    assert "print(" in text and "My notes:" in text and ANSWER in text   # the student's own work is still there
    assert "reference_double" not in text


HOSTILE_HTML = ('<script>alert("owned-1")</script><img src=x onerror="alert(\'owned-2\')">'
                '<a href="javascript:alert(\'owned-3\')">link</a><iframe src="https://example.com/owned-4"></iframe>'
                '<div onmouseover="alert(\'owned-5\')">hover</div>')


def scripting_cells():
    """A student's HTML, JavaScript and SVG outputs, markdown and raw cells, each trying to run code."""
    out = new_code_cell("display(HTML(...))", outputs=[
        new_output("display_data", data={"text/html": HOSTILE_HTML, "text/plain": "<HTML>"}),
        new_output("execute_result", execution_count=6, data={"text/html": '<script>alert("owned-6")</script>'}),
        new_output("display_data", data={"application/javascript": 'alert("owned-7")'}),
        new_output("display_data", data={"image/svg+xml": '<svg onload="alert(\'owned-8\')"></svg>'}),
        new_output("display_data", data={"text/vnd.mermaid": '<img src=x onerror="alert(\'owned-9\')">'}),
        new_output("display_data", data={"text/markdown": '<script>alert("owned-10")</script>'})])
    md = new_markdown_cell("Look:\n\n" + HOSTILE_HTML.replace("owned", "md-owned")
                           + "\n\n[click](javascript:alert('md-owned-11'))")
    raw = new_raw_cell('<script>alert("owned-12")</script>', metadata={"raw_mimetype": "text/html"})
    drawn = new_markdown_cell("![a](attachment:a.png) ![b](attachment:b.svg)\n\n```mermaid\ngraph TD; A-->B\n```")
    drawn.attachments = {"a.png": {"image/png": "iVBORw0KGgo="},
                         "b.svg": {"image/svg+xml": '<svg onload="alert(\'owned-13\')"/>'}}
    return [out, md, raw, drawn]


def test_student_html_does_not_run(tmp_path):
    """Nothing the student wrote becomes a script, an event handler, a javascript: URL or an iframe; the
    template's own scripts (MathJax, require) stay."""
    root = course_root(tmp_path)
    autograded(root, "mallory", scripting_cells())
    pages = generate_feedback(D, root)
    [page] = pages
    raw = page.read_text()
    assert not getattr(pages, "failed", None)
    tags = re.findall(r"<[^>]*>", raw)
    assert [t for t in tags if "owned" in t] == []                          # student payloads are text only
    assert [t for t in tags if re.search(r"\son\w+\s*=", t, re.I)] == []      # no event handlers at all
    assert [t for t in tags if "javascript:" in t.lower()] == []
    assert not re.search(r"<iframe", raw, re.I)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", raw, re.S | re.I)
    assert scripts and not [s for s in scripts if "owned" in s or "alert(" in s]
    assert "mathjax" in raw.lower() and "hover" in page_text(page)             # the page and the text still work
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in raw and not re.search(r'class="[^"]*mermaid', raw)


def test_markdown_naming_the_hidden_marker_still_gets_feedback(tmp_path):
    """nbgrader's ClearHiddenTests raises on a markdown cell that says BEGIN HIDDEN TESTS; only test cells are
    cleared here, so the student gets a page."""
    root = course_root(tmp_path)
    autograded(root, "carol", [new_markdown_cell("I wondered what ### BEGIN HIDDEN TESTS hides")])
    [page] = generate_feedback(D, root)
    text = page_text(page)
    assert "I wondered what" in text and VERDICT in text and SECRET_CALL not in text


def test_one_bad_notebook_does_not_stop_the_others(tmp_path, capsys):
    """Three students, the middle one with a notebook that is not JSON: the other two get their pages, the middle
    one a short page saying why, and the command names the failure and exits non-zero once everyone is done."""
    root = course_root(tmp_path)
    autograded(root, "alice")
    bad = root / "autograded" / "bob" / D / f"{D}.ipynb"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"cells": [ ' + SECRET_CALL)
    autograded(root, "carol", [new_markdown_cell("### BEGIN HIDDEN TESTS")])
    pages = generate_feedback(D, root)
    assert [p.parent.parent.name for p in pages] == ["alice", "bob", "carol"]
    assert set(pages.failed) == {"bob"}
    bob = page_text(pages[1])
    assert "could not be generated" in bob and "1234567" not in bob and "<script" not in pages[1].read_text()
    for good in (pages[0], pages[2]):
        assert VERDICT in page_text(good)
    assert main(["feedback", D, "--root", str(root)]) == 1
    out = capsys.readouterr()
    said = out.out + out.err
    assert "bob" in said and "alice" in said and "carol" in said and "1234567" not in said


def test_redaction_catches_disguised_lines():
    """The matching itself: indentation, joined lines, case, spaces, HTML entities, repr and JSON escapes, ANSI
    colours, one character a line, zero-width spaces and fullwidth letters do not hide a secret line; lines the
    release shows and trivial lines are not secrets."""
    from grader.autograde.redact import MARKER, Redactor, secret_lines
    release = [SHARED, VISIBLE_CHECK, "x = 1"]
    secrets = secret_lines([SHARED, SECRET_CALL, SECRET_SIGN, ")", "  ]", "x = 1", "pass", ""], release)
    assert sorted(secrets) == sorted([SECRET_CALL, SECRET_SIGN])
    red = Redactor(secrets)
    for text in ("    " + SECRET_CALL, "a\n" + SECRET_CALL + "\nb", SECRET_CALL.upper(), SECRET_CALL.replace(" ", ""),
                 repr(SECRET_SIGN), html.escape(SECRET_SIGN), "\x1b[1;32m" + SECRET_SIGN.replace(" ", " \x1b[0m"),
                 json.dumps(SECRET_SIGN), "\n".join(SECRET_SIGN), "\u200b".join(SECRET_SIGN),
                 SECRET_CALL.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})):     # zero-width, fullwidth
        cleaned = red.redact(text)
        assert MARKER in cleaned and not red.leaks(cleaned), text
    assert red.redact("<b>che</b>ck(double(-8) &lt; 0 and double(8) &gt; 0, what='sign &amp; size kept')",
                      markup=True).count(MARKER) == 1
    assert red.redact(SHARED + " and " + VISIBLE_CHECK) == SHARED + " and " + VISIBLE_CHECK


@pytest.mark.parametrize("line", ["", "   ", ")", "]]),", "pass", "x = 1"])
def test_trivial_lines_are_not_secrets(line):
    from grader.autograde.redact import secret_lines
    assert secret_lines([line], []) == []
