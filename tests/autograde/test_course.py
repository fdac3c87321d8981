"""The course round trip (see course.py): the reference answers earn every point with no cell raising, the untouched
release none, every wrong answer kept in tests/wrong_answers/ loses points on the exercise it targets (and only
there, unless it declares `# also-loses:`), and the right answers in tests/right_answers/ lose nothing. A test that
a wrong answer passes is a test that cannot fail: this file proves the hidden tests catch the mistakes."""
import json

import pytest

from answers import loss_problem, right_answers, table, total, wrong_answers
from course import GRADER_DEVICE, batch, device_for, devices, plan, scores, student_of
from grader.cells import exercise_of
from grader.course import assignments

ASSIGNMENTS = assignments()
WRONG = [(a, w) for a in ASSIGNMENTS for w in wrong_answers(a)]
RIGHT = [(a, r) for a in ASSIGNMENTS for r in right_answers(a)]
BATCHES = [(a, d) for a in ASSIGNMENTS for d in devices(a)]


def exercises(assignment: str) -> set[str]:
    return {w.target for w in wrong_answers(assignment)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_earns_full_marks_and_no_cell_raises(assignment):
    """The grader's own reference run (the whole notebook, lesson cells included: a crash there costs no points,
    so it is checked here)."""
    ref = batch(assignment, GRADER_DEVICE)["reference"]
    assert ref["score"] == ref["max"] > 0 and not ref["reasons"], json.dumps(ref, indent=1)
    assert not ref["errors"], f"cells of {assignment} raised an error on {GRADER_DEVICE}: {ref['errors']}"


@pytest.mark.parametrize("assignment,device", BATCHES, ids=[f"{a}:{d}" for a, d in BATCHES])
def test_trimmed_reference_earns_full_marks_and_untouched_none(assignment, device):
    summary = batch(assignment, device)
    trimmed, untouched = summary["students"]["reference-trimmed"], summary["students"]["untouched"]
    assert trimmed["score"] == trimmed["max"] and not trimmed["reasons"], json.dumps(trimmed, indent=1)
    assert untouched["score"] == 0, json.dumps(untouched, indent=1)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_exercise_has_wrong_answers(assignment):
    cells = batch(assignment, GRADER_DEVICE)["reference"]["cells"]
    targets = exercises(assignment)
    untested = {exercise_of(cell, targets) or cell for cell in cells} - targets
    assert not untested, f"{assignment}: test cells with no wrong answer in tests/wrong_answers: {sorted(untested)}"


@pytest.mark.parametrize("assignment,answer", WRONG, ids=[f"{a}:{w.name}" for a, w in WRONG])
def test_wrong_answer_loses_points_on_its_exercise(assignment, answer):
    device, student = device_for(answer), student_of(assignment, answer)
    got = scores(assignment, device, student)
    problem = loss_problem(answer, exercises(assignment), got, plan(assignment, device)[student])
    assert problem is None, f"on {device}: {problem}"


@pytest.mark.parametrize("assignment,answer", RIGHT, ids=[f"{a}:{r.name}" for a, r in RIGHT])
def test_right_answer_keeps_full_marks(assignment, answer):
    """Answers that meet the contract in another way than the reference (tests/right_answers/) lose nothing."""
    student = student_of(assignment, answer)
    got = scores(assignment, GRADER_DEVICE, student)
    own = {cell: s for cell, s in got.items() if exercise_of(cell, exercises(assignment)) == answer.target}
    lost = {cell: s for cell, s in own.items() if s[0] < s[1]}
    assert total(own)[1] > 0 and not lost, f"{answer.name} (graded in {student}) loses points on " \
                                           f"{GRADER_DEVICE}:\n{table(lost)}"
