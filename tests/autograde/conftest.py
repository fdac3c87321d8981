"""Batches that several tests of the grader read, each graded once per test session: the hostile batch
(`hostile.py`) by the course's grader, and part of it by plain `nbgrader autograde`."""
import shutil

import pytest

import hostile
from grader.authoring.nbgrader_run import make_course_root, nbgrader
from grader.autograde.gradebook import cell_scores

PLAIN = ["reference", "untouched", *hostile.MONKEYPATCH]


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory):
    """(course root, summary) of the hostile batch."""
    root = tmp_path_factory.mktemp("hostile")
    return root, hostile.grade(root)


@pytest.fixture(scope="session")
def plain_batch(tmp_path_factory, hostile_batch):
    """{student: {grade_id: (score, max)}}: plain `nbgrader autograde`, serially, on the reference, the untouched
    release and the monkeypatching submissions of the hostile batch."""
    root, _ = hostile_batch
    plain = make_course_root(tmp_path_factory.mktemp("plain"), hostile.A)
    nbgrader(plain, "generate_assignment", hostile.A, "--force")
    for student in PLAIN:
        shutil.copytree(root / "submitted" / student, plain / "submitted" / student)
    nbgrader(plain, "autograde", hostile.A, "--force", timeout=600)
    return {s: cell_scores(plain / "gradebook.db", hostile.A, hostile.A, s) for s in PLAIN}
