"""The autograde round trip, with nbgrader's own commands on throwaway copies of the course.

The reference answers must earn every point, the untouched release none, and every wrong answer kept in
`tests/wrong_answers/` must lose points on the exercise it targets (and only there, unless it declares
`# also-loses:`). A test that a wrong answer passes is a test that cannot fail: this file is what proves the
hidden tests catch the mistakes CURRICULUM.md lists. (Wrong answers to different exercises share a submission:
see roundtrip.py for why that is sound.)
"""
import pytest

from grader.course import assignments
from grader.gradebook import exercise_of, exercise_scores, total
from roundtrip import graded, plan, runnable_here, student_of, wrong_answers

ASSIGNMENTS = assignments()
WRONG = [(a, w) for a in ASSIGNMENTS for w in wrong_answers(a)]


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
    if not runnable_here(answer):
        pytest.skip(f"this mistake only shows on {', '.join(sorted(answer.needs))}")
    student = student_of(assignment, answer)
    scores = graded(assignment)[student]
    pack = plan(assignment)[student]
    exercises = {w.target for w in wrong_answers(assignment)}
    targeted = exercise_scores(scores, answer.target, exercises)
    assert targeted, f"no test cell test_{answer.target}* in {assignment}"
    companions = ", ".join(w.path.name for w in pack if w != answer) or "none"
    assert total(targeted)[0] < total(targeted)[1], (
        f"{answer.path.name} ({answer.description}) keeps full marks on {answer.target} "
        f"(graded with: {companions}):\n{_table(scores)}")
    allowed = {w.target for w in pack} | answer.also_loses
    collateral = {cell: s for cell, s in scores.items()
                  if s[0] < s[1] and exercise_of(cell, exercises) not in allowed}
    assert not collateral, (
        f"{answer.path.name} (graded with: {companions}) also loses points outside {sorted(allowed)} "
        f"(declare `# also-loses:` if intended):\n{_table(collateral)}")
