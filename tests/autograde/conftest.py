"""Batches that several tests of the grader read, each graded once per test session: the hostile batch
(`hostile.py`) by the course's grader, and part of it by plain `nbgrader autograde`."""
import shutil
from concurrent.futures import ThreadPoolExecutor

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
    """{student: {grade_id: (score, max)}}: plain `nbgrader autograde` on the reference, the untouched release and
    the monkeypatching submissions of the hostile batch (two course roots side by side, each graded serially)."""
    root, _ = hostile_batch

    def grade(students: list[str]) -> dict:
        plain = make_course_root(tmp_path_factory.mktemp("plain"), hostile.A)
        nbgrader(plain, "generate_assignment", hostile.A, "--force")
        for student in students:
            shutil.copytree(root / "submitted" / student, plain / "submitted" / student)
        nbgrader(plain, "autograde", hostile.A, "--force", timeout=600)
        return {s: cell_scores(plain / "gradebook.db", hostile.A, hostile.A, s) for s in students}

    with ThreadPoolExecutor(2) as pool:
        halves = pool.map(grade, [PLAIN[0::2], PLAIN[1::2]])
        return {s: scores for half in halves for s, scores in half.items()}
