"""`make autograde`'s grader on every notebook of the course: the reference answers keep full marks.

The grader is stricter than plain nbgrader (a test cell passes only if nbgrader saw it pass *and* its recorded
checks match the reference run's and pass again in a clean process), so the risk it adds is a correct answer
losing points: a test cell whose checks cannot be recorded, or differ from run to run. This grades the reference
answers and the untouched release of every assignment with `python -m grader autograde`.
"""
import json
import subprocess
import sys

import pytest

from grader.course import COURSE, SOLUTIONS, assignments, notebook_name
from grader.nbgrader_run import make_course_root
from grader.submissions import fill_answers, read_notebook, reference_answers, write_notebook


@pytest.mark.parametrize("assignment", assignments())
def test_grader_gives_reference_full_marks_and_untouched_zero(assignment, tmp_path):
    root = make_course_root(tmp_path / "course-root", assignment)
    release = read_notebook(COURSE / assignment / notebook_name(assignment))
    reference = fill_answers(release, reference_answers(read_notebook(SOLUTIONS / assignment / notebook_name(assignment))))
    for student, nb in {"reference": reference, "untouched": release}.items():
        write_notebook(nb, root / "submitted" / student / assignment / notebook_name(assignment))
    out = tmp_path / "result.json"
    proc = subprocess.run([sys.executable, "-m", "grader", "autograde", assignment, "--root", str(root),
                           "--workers", "2", "--json", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    students = json.loads(out.read_text())["students"]
    ref, untouched = students["reference"], students["untouched"]
    assert ref["score"] == ref["max"] > 0 and not ref["reasons"], json.dumps(ref, indent=1)
    assert untouched["score"] == 0, json.dumps(untouched, indent=1)
