"""The hostile batch graded by a user who is not root (`nobody`, through `setpriv`; see other_user.py), on a copy of
the course repository that user owns, with the grader imported from that copy: the scores and named reasons of the
root run, isolation included (the escapes read and write nothing, though every file of the copy is the user's own).
The same escapes graded by that user with `--no-confine` do get out, so the test can fail.
"""
import filecmp

import pytest
from nbgrader.api import Gradebook

import hostile
from grader.cells import grade_id
from grader.course import COURSE
from other_user import OtherUser, missing


def _course_changes(copy) -> tuple:
    """(files added, files that differ) in the copy's course/ against the checkout's."""
    names = {str(p.relative_to(COURSE)) for p in COURSE.rglob("*") if p.is_file()}
    added = sorted({str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()} - names)
    _, differ, gone = filecmp.cmpfiles(copy, COURSE, sorted(names), shallow=False)
    return added, differ + gone


@pytest.fixture(scope="module")
def unprivileged():
    """(user, summary, stderr, changes to the copy's course/ right after the batch)."""
    why = missing()
    if why:
        pytest.skip(why)
    user = OtherUser()
    try:
        hostile.build(user.repo, user.repo)      # the escapes aim at the copy: its solutions, its course/
        user.give()
        summary, stderr = user.autograde(hostile.A, hostile.LIMITS)
        yield user, summary, stderr, _course_changes(user.repo / "course")
    finally:
        user.remove()


def _verdicts(summary: dict) -> dict:
    return {s: (row["score"], sorted({r[0] for r in row["reasons"]})) for s, row in summary["students"].items()}


def test_same_scores_and_reasons_as_root(unprivileged, hostile_batch):
    _, summary, stderr, _ = unprivileged
    assert "kernels run unconfined" not in stderr, stderr       # the user namespace was used, not the fallback
    assert _verdicts(summary) == _verdicts(hostile_batch[1])
    for case in hostile.CONFINED_ONLY:                           # the escapes got nothing, though the user owns all
        assert summary["students"][case]["score"] == hostile.FULL, summary["students"][case]


def test_the_users_course_is_untouched_and_its_gradebook_complete(unprivileged):
    user, summary, _, changes = unprivileged
    assert changes == ([], []), changes
    with Gradebook(f"sqlite:///{user.repo / 'gradebook.db'}") as gb:
        scores = {s.id: gb.find_submission(hostile.A, s.id).score for s in gb.students}
    assert scores == {s: row["score"] for s, row in summary["students"].items()}


def test_the_escapes_get_out_when_not_confined(unprivileged):
    """Proof that the escapes can fail: unconfined, the same user's kernels read the copy's solutions and write
    into its course/ (run after the checks above read the copy)."""
    user, _, _, _ = unprivileged
    students = sorted(hostile.CONFINED_ONLY)
    summary, stderr = user.autograde(hostile.A, hostile.LIMITS, "--no-confine",
                                     *(f"--student={s}" for s in students))
    assert "kernels run unconfined" in stderr, stderr
    for case in students:
        row = summary["students"][case]
        assert row["score"] == hostile.FULL - hostile.ONE_HOT, (case, row["reasons"])
        graded = hostile.read(user.repo / "autograded" / case / hostile.A / f"{hostile.A}.ipynb")
        said = [o.get("evalue", "") for c in graded.cells if grade_id(c) == "test_one_hot" for o in c.outputs]
        assert any(hostile.CONFINED_ONLY[case] in text for text in said), (case, said)
    assert "PWNED.txt" in _course_changes(user.repo / "course")[0]
