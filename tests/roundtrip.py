"""Grade every prepared submission of an assignment once per test session, with nbgrader's own autograde.

For each assignment: the reference answers, the untouched release, and the wrong answers in
`tests/wrong_answers/<assignment>/` whose device needs this machine meets. Grading a whole notebook per wrong
answer would cost hundreds of notebook runs, so wrong answers are packed: one submission carries at most one wrong
answer per exercise. That is sound because each exercise's test cells build their own inputs; it is enforced
twice: a wrong answer is graded on its own when it declares `# also-loses:` or when another exercise's test cells
name its exercise, and an exercise without a wrong answer in a pack must keep full marks there. Results are cached,
so the many small tests that read them cost one batch of grading per assignment.

Mistakes that only show on a GPU (`# needs: cuda`) are also graded by the course's own grader, on the device
`COURSE_GRADER_DEVICE` names (default `cuda-sim`, the simulated GPU; `tests/gpu/check.sh` sets `cuda`), together
with the reference answers, the untouched release and the alternative right answers in `tests/right_answers/`
(answers that differ from the reference and must keep full marks): `graded_by_course_grader`.
"""
from __future__ import annotations

import functools
import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path

import nbformat

from grader.batch import autograde_many
from grader.course import COURSE, SOLUTIONS, notebook_name
from grader.device import wanted_device
from grader.gradebook import exercise_of, exercise_scores, total
from grader.nbgrader_run import make_course_root
from grader.submissions import (fill_answers, grade_id, is_answer_cell, load_wrong_answers, read_notebook,
                                reference_answers, write_notebook)

WRONG_ANSWERS = Path(__file__).parent / "wrong_answers"
RIGHT_ANSWERS = Path(__file__).parent / "right_answers"
GRADER_DEVICE = os.environ.get("COURSE_GRADER_DEVICE", "cuda-sim")


def wrong_answers(assignment: str):
    folder = WRONG_ANSWERS / assignment
    return load_wrong_answers(folder) if folder.is_dir() else []


def right_answers(assignment: str):
    folder = RIGHT_ANSWERS / assignment
    return load_wrong_answers(folder) if folder.is_dir() else []   # same file format: <exercise>.<variant>.py


def device_here() -> str:
    """The device nbgrader's round trip grades on: CUDA only when asked for (`make test-gpu`), else the CPU."""
    return "cuda" if wanted_device() == "cuda" else "cpu"


def runnable_here(answer) -> bool:
    """A wrong answer marked `needs: cuda` (or `cpu`) is only graded on that device by the plain round trip."""
    return not answer.needs or device_here() in answer.needs


def gpu_only(answer) -> bool:
    """A mistake that only shows on a GPU: graded by the course grader on GRADER_DEVICE."""
    return "cuda" in answer.needs


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


@functools.cache
def grader_plan(assignment: str) -> dict[str, list]:
    """`{student_id: [wrong answers it carries]}` for the GPU-only wrong answers the course grader grades."""
    solution = read_notebook(SOLUTIONS / assignment / notebook_name(assignment))
    answers = [a for a in wrong_answers(assignment) if gpu_only(a)]
    return {f"gpu-{i:02d}": pack for i, pack in enumerate(packs(answers, named_by_other_tests(solution)))}


@functools.cache
def graded_by_course_grader(assignment: str) -> dict:
    """Grade with `python -m grader autograde --device GRADER_DEVICE`: the reference answers, the untouched release,
    every pack of `grader_plan` and (as student `right`) the alternative right answers.

    Returns `{"students": {student_id: the grader's result}, "errors": {student_id: [cells with an error output]}}`.
    """
    from grader.autograde import Options, autograde
    name = notebook_name(assignment)
    release = read_notebook(COURSE / assignment / name)
    reference = reference_answers(read_notebook(SOLUTIONS / assignment / name))
    submissions = {"reference": fill_answers(release, reference), "untouched": release}
    for student, pack in grader_plan(assignment).items():
        submissions[student] = fill_answers(release, {**reference, **{a.target: a.source for a in pack}})
    if right_answers(assignment):
        submissions["right"] = fill_answers(release, {**reference, **{a.target: a.source
                                                                      for a in right_answers(assignment)}})
    with tempfile.TemporaryDirectory(prefix=f"grader-{assignment}-") as tmp:
        root = make_course_root(Path(tmp) / "root", assignment)
        for student, nb in submissions.items():
            write_notebook(nb, root / "submitted" / student / assignment / name)
        summary = autograde(assignment, Options(root=root, workers=min(os.cpu_count() or 2, 8), progress=False,
                                                device=GRADER_DEVICE))
        errors = {}
        for student in submissions:
            path = root / "autograded" / student / assignment / name
            cells = nbformat.read(path, as_version=4).cells if path.is_file() else []
            errors[student] = [c.get("id") for c in cells
                               if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    return {"students": summary["students"], "errors": errors}


def grader_scores(assignment: str, student: str) -> dict[str, tuple[float, float]]:
    """`{grade_id: (score, max)}` of one student of `graded_by_course_grader`, in the round trip's format."""
    cells = graded_by_course_grader(assignment)["students"][student]["cells"]
    return {gid: (cell["score"], cell["max"]) for gid, cell in cells.items()}


def table(scores) -> str:
    return "\n".join(f"  {cell:40} {got:g} / {out_of:g}" for cell, (got, out_of) in sorted(scores.items()))


def loss_problem(assignment: str, answer, scores: dict, pack: list) -> str | None:
    """Why `scores` (of the submission carrying `answer` and its `pack`) do not show the mistake losing points on
    its exercise and nowhere else; None when they do."""
    exercises = {w.target for w in wrong_answers(assignment)}
    targeted = exercise_scores(scores, answer.target, exercises)
    if not targeted:
        return f"no test cell test_{answer.target}* in {assignment}"
    companions = ", ".join(w.path.name for w in pack if w != answer) or "none"
    if total(targeted)[0] >= total(targeted)[1]:
        return (f"{answer.path.name} ({answer.description}) keeps full marks on {answer.target} "
                f"(graded with: {companions}):\n{table(scores)}")
    allowed = {w.target for w in pack} | answer.also_loses
    collateral = {cell: s for cell, s in scores.items()
                  if s[0] < s[1] and exercise_of(cell, exercises) not in allowed}
    if collateral:
        return (f"{answer.path.name} (graded with: {companions}) also loses points outside {sorted(allowed)} "
                f"(declare `# also-loses:` if intended):\n{table(collateral)}")
    return None
