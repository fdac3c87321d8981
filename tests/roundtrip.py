"""Grade every prepared submission of an assignment once per test session, with nbgrader's own autograde.

For each assignment: the reference answers, the untouched release and one submission per wrong answer in
`tests/wrong_answers/<assignment>/` whose device needs this machine meets. The results are cached, so the
many small tests that read them cost one batch of grading per assignment.
"""
from __future__ import annotations

import functools
from pathlib import Path

from grader.batch import autograde_many
from grader.course import COURSE, SOLUTIONS, notebook_name
from grader.device import pick_device
from grader.submissions import (fill_answers, load_wrong_answers, read_notebook, reference_answers)

WRONG_ANSWERS = Path(__file__).parent / "wrong_answers"


def wrong_answers(assignment: str):
    folder = WRONG_ANSWERS / assignment
    return load_wrong_answers(folder) if folder.is_dir() else []


def runnable_here(answer) -> bool:
    """A wrong answer marked `needs: cuda` (or `cpu`) is only graded on that device."""
    return not answer.needs or pick_device().type in answer.needs


def student_id(answer) -> str:
    return "wrong-" + answer.name.replace(".", "-")


@functools.cache
def graded(assignment: str) -> dict[str, dict[str, tuple[float, float]]]:
    """`{student_id: {grade_id: (score, max)}}` for reference, untouched and every runnable wrong answer."""
    release = read_notebook(COURSE / assignment / notebook_name(assignment))
    reference = reference_answers(read_notebook(SOLUTIONS / assignment / notebook_name(assignment)))
    submissions = {"reference": fill_answers(release, reference), "untouched": release}
    for answer in filter(runnable_here, wrong_answers(assignment)):
        submissions[student_id(answer)] = fill_answers(release, {**reference, answer.target: answer.source})
    return autograde_many(assignment, submissions)
