"""`make autograde`'s grader on every notebook of the course, on the simulated GPU (`--device cuda-sim`).

The grader is stricter than plain nbgrader (a test cell passes only if nbgrader saw it pass *and* its recorded
checks match the reference run's and pass again in a clean process), so the risk it adds is a correct answer
losing points: a test cell whose checks cannot be recorded, or differ from run to run. Grading on the simulated
GPU also runs every solution notebook, hidden tests included, where PyTorch reports CUDA devices, and proves that
the mistakes that only show on a GPU (`# needs: cuda`) lose points: what an instructor without a GPU gets from
`python -m grader autograde A --device cuda-sim`. `tests/gpu/check.sh` runs this file on a real GPU
(`COURSE_GRADER_DEVICE=cuda`).
"""
import json

import pytest

from grader.course import assignments
from roundtrip import (GRADER_DEVICE, gpu_only, graded_by_course_grader, grader_plan, grader_scores, loss_problem,
                       right_answers, wrong_answers)

ASSIGNMENTS = assignments()
GPU_MISTAKES = [(a, w) for a in ASSIGNMENTS for w in wrong_answers(a) if gpu_only(w)]
RIGHT = [(a, r) for a in ASSIGNMENTS for r in right_answers(a)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_full_marks_and_untouched_zero(assignment):
    result = graded_by_course_grader(assignment)
    ref, untouched = result["students"]["reference"], result["students"]["untouched"]
    assert ref["score"] == ref["max"] > 0 and not ref["reasons"], json.dumps(ref, indent=1)
    assert untouched["score"] == 0, json.dumps(untouched, indent=1)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_reference_cell_runs(assignment):
    """Lesson cells are not graded, so a crash there would cost no points: check that none raised."""
    errors = graded_by_course_grader(assignment)["errors"]["reference"]
    assert not errors, f"cells of {assignment} raised an error on {GRADER_DEVICE}: {errors}"


@pytest.mark.parametrize("assignment,answer", GPU_MISTAKES, ids=[f"{a}:{w.name}" for a, w in GPU_MISTAKES])
def test_gpu_mistake_loses_points_on_its_exercise(assignment, answer):
    student = next(s for s, pack in grader_plan(assignment).items() if answer in pack)
    problem = loss_problem(assignment, answer, grader_scores(assignment, student), grader_plan(assignment)[student])
    assert problem is None, f"on {GRADER_DEVICE}: {problem}"


@pytest.mark.parametrize("assignment,answer", RIGHT, ids=[f"{a}:{r.name}" for a, r in RIGHT])
def test_right_answer_keeps_full_marks(assignment, answer):
    """Answers that meet the contract in another way than the reference (tests/right_answers/) lose nothing."""
    lost = {cell: s for cell, s in grader_scores(assignment, "right").items() if s[0] < s[1]}
    assert not lost, f"the right answers of {assignment} lose points on {GRADER_DEVICE}: {lost}"
