"""The autograde round trip, with nbgrader's own commands on throwaway copies of the course.

The reference answers must earn every point, the untouched release none, and every wrong answer kept in
`tests/wrong_answers/` must lose points on the exercise it targets (and only there, unless it declares
`# also-loses:`). A test that a wrong answer passes is a test that cannot fail: this file is what proves the
hidden tests catch the mistakes CURRICULUM.md lists. (Wrong answers to different exercises share a submission:
see roundtrip.py for why that is sound.)
"""
import pytest

from grader.course import assignments
from grader.gradebook import exercise_of, total
from roundtrip import graded, loss_problem, plan, runnable_here, student_of, wrong_answers

ASSIGNMENTS = assignments()
# Mistakes that only show on a GPU are graded here only on one (make test-gpu); everywhere else the course grader
# grades them on the simulated GPU (test_autograde_course.py).
WRONG = [(a, w) for a in ASSIGNMENTS for w in wrong_answers(a) if runnable_here(w)]


def _table(scores) -> str:
    return "\n".join(f"  {cell:40} {got:g} / {out_of:g}" for cell, (got, out_of) in sorted(scores.items()))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_answers_earn_full_marks(assignment):
    scores = graded(assignment)["reference"]
    earned, possible = total(scores)
    assert possible > 0, f"{assignment} has no graded test cells"
    assert earned == possible, f"reference answers lost points in {assignment}:\n{_table(scores)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_scores_zero(assignment):
    scores = graded(assignment)["untouched"]
    assert total(scores)[0] == 0, f"the untouched {assignment} earns points:\n{_table(scores)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_exercise_has_wrong_answers(assignment):
    scores = graded(assignment)["reference"]
    answer_cells = {w.target for w in wrong_answers(assignment)}
    untested = {exercise_of(cell, answer_cells) or cell for cell in scores} - answer_cells
    assert not untested, f"{assignment}: test cells with no wrong answer in tests/wrong_answers: {sorted(untested)}"


@pytest.mark.parametrize("assignment,answer", WRONG, ids=[f"{a}:{w.name}" for a, w in WRONG])
def test_wrong_answer_loses_points_on_its_exercise(assignment, answer):
    student = student_of(assignment, answer)
    problem = loss_problem(assignment, answer, graded(assignment)[student], plan(assignment)[student])
    assert problem is None, problem
