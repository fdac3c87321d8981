"""Grade every prepared submission of an assignment once per test session, with nbgrader's own autograde.

For each assignment: the reference answers, the untouched release, and the wrong answers in
`tests/wrong_answers/<assignment>/` whose device needs this machine meets. Grading a whole notebook per wrong
answer would cost hundreds of notebook runs, so wrong answers are packed: one submission carries at most one wrong
answer per exercise. That is sound because each exercise's test cells build their own inputs; it is enforced
twice: a wrong answer is graded on its own when it declares `# also-loses:` or when another exercise's test cells
name its exercise, and an exercise without a wrong answer in a pack must keep full marks there. Results are cached,
so the many small tests that read them cost one batch of grading per assignment.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from pathlib import Path

from grader.batch import autograde_many
from grader.course import COURSE, SOLUTIONS, notebook_name
from grader.device import pick_device
from grader.gradebook import exercise_of
from grader.submissions import fill_answers, grade_id, is_answer_cell, load_wrong_answers, read_notebook, reference_answers

WRONG_ANSWERS = Path(__file__).parent / "wrong_answers"


def wrong_answers(assignment: str):
    folder = WRONG_ANSWERS / assignment
    return load_wrong_answers(folder) if folder.is_dir() else []


def runnable_here(answer) -> bool:
    """A wrong answer marked `needs: cuda` (or `cpu`) is only graded on that device."""
    return not answer.needs or pick_device().type in answer.needs


def named_by_other_tests(solution_nb) -> set[str]:
    """Exercises whose name appears in the test cells of another exercise (so a mistake there may spread)."""
    exercises = [grade_id(c) for c in solution_nb.cells if is_answer_cell(c)]
    named = set()
    for cell in solution_nb.cells:
        owner = exercise_of(grade_id(cell) or "", exercises)
        if cell.cell_type == "code" and owner:
            words = set(re.findall(r"\w+", cell.source))
            named |= {name for name in exercises if name != owner and name in words}
    return named


def packs(answers, coupled: set[str]) -> list[list]:
    """Submissions of wrong answers: at most one per exercise each; coupled or dependent ones alone."""
    alone = [[a] for a in answers if a.also_loses or a.target in coupled]
    by_exercise = defaultdict(list)
    for answer in answers:
        if not (answer.also_loses or answer.target in coupled):
            by_exercise[answer.target].append(answer)
    depth = max(map(len, by_exercise.values()), default=0)
    packed = [[group[i] for group in by_exercise.values() if i < len(group)] for i in range(depth)]
    return packed + alone


@functools.cache
def plan(assignment: str) -> dict[str, list]:
    """`{student_id: [wrong answers it carries]}` for the runnable wrong answers of an assignment."""
    solution = read_notebook(SOLUTIONS / assignment / notebook_name(assignment))
    answers = [a for a in wrong_answers(assignment) if runnable_here(a)]
    return {f"wrong-{i:02d}": pack for i, pack in enumerate(packs(answers, named_by_other_tests(solution)))}


def student_of(assignment: str, answer) -> str:
    return next(student for student, pack in plan(assignment).items() if answer in pack)


@functools.cache
def graded(assignment: str) -> dict[str, dict[str, tuple[float, float]]]:
    """`{student_id: {grade_id: (score, max)}}` for reference, untouched and every pack of wrong answers."""
    release = read_notebook(COURSE / assignment / notebook_name(assignment))
    reference = reference_answers(read_notebook(SOLUTIONS / assignment / notebook_name(assignment)))
    submissions = {"reference": fill_answers(release, reference), "untouched": release}
    for student, pack in plan(assignment).items():
        submissions[student] = fill_answers(release, {**reference, **{a.target: a.source for a in pack}})
    return autograde_many(assignment, submissions)
