"""The course round trip: every notebook graded by the course's own grader (`python -m grader autograde`, the
code of `make autograde`), one batch per notebook, on the device `COURSE_GRADER_DEVICE` names (default
`cuda-sim`, the simulated GPU, so device placement is graded too; `tests/gpu/check.sh` sets `cuda`).

A batch holds the reference answers (the grader's own reference run, which every submission is compared with),
the untouched release, every wrong answer in tests/wrong_answers/ packed into submissions (`answers.packs`), and
the right answers in tests/right_answers/, packed into the same submissions (a right answer is one more answer to
its exercise, so it takes the place of a wrong one). Wrong answers, right answers and the
untouched release are graded in trimmed notebooks (`answers.trim`: the lesson cells nothing graded reads are left
out, as a student may do), beside a trimmed reference that must keep full marks. A mistake that only shows on
another device (`# needs: cpu`) is graded in a batch of its own on that device.
"""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import nbformat

from answers import named_by, packs, right_answers, trim, wrong_answers
from grader.authoring.nbgrader_run import make_course_root
from grader.autograde import GraderOptions, autograde
from grader.cells import fill_answers, grade_id, is_test, reference_answers
from grader.course import COURSE, SOLUTIONS, notebook_name

GRADER_DEVICE = os.environ.get("COURSE_GRADER_DEVICE", "cuda-sim")


def device_for(answer) -> str:
    """Where a wrong answer is graded: the grader's device, unless the mistake only shows elsewhere (a mistake
    that needs CUDA is graded on the simulated GPU when the grader's device is the CPU)."""
    kind = "cuda" if GRADER_DEVICE.startswith("cuda") else GRADER_DEVICE
    if not answer.needs or kind in answer.needs:
        return GRADER_DEVICE
    return {"cuda": "cuda-sim"}.get(sorted(answer.needs)[0], sorted(answer.needs)[0])


def _read(path: Path):
    return nbformat.read(str(path), as_version=4)


@functools.cache
def plan(assignment: str, device: str) -> dict[str, list]:
    """`{student_id: [answers it carries]}`: the wrong answers graded on `device` and, on the grader's device, the
    right answers, packed together (a right answer is one more answer to its exercise)."""
    solution = _read(SOLUTIONS / assignment / notebook_name(assignment))
    answers = [a for a in wrong_answers(assignment) if device_for(a) == device]
    answers += right_answers(assignment) if device == GRADER_DEVICE else []
    return {f"pack-{i:02d}": pack for i, pack in enumerate(packs(answers, named_by(solution)))}


def devices(assignment: str) -> list[str]:
    return sorted({GRADER_DEVICE} | {device_for(a) for a in wrong_answers(assignment)})


def student_of(assignment: str, answer) -> str:
    return next(s for s, pack in plan(assignment, device_for(answer)).items() if answer in pack)


@functools.cache
def batch(assignment: str, device: str) -> dict:
    """The grader's summary of the batch of `assignment` on `device` (see the module docstring)."""
    name = notebook_name(assignment)
    release, solution = _read(COURSE / assignment / name), _read(SOLUTIONS / assignment / name)
    reference = reference_answers(solution)
    hidden = {grade_id(c): c.source for c in solution.cells if is_test(c)}
    submissions = {"reference-trimmed": fill_answers(release, reference), "untouched": release}
    for student, pack in plan(assignment, device).items():
        submissions[student] = fill_answers(release, {**reference, **{a.target: a.source for a in pack}})
    with tempfile.TemporaryDirectory(prefix=f"course-{assignment}-") as tmp:
        root = make_course_root(Path(tmp) / "root", assignment)
        for student, nb in submissions.items():
            path = root / "submitted" / student / assignment / name
            path.parent.mkdir(parents=True)
            nbformat.write(trim(nb, hidden), str(path))
        return autograde(assignment, GraderOptions.load(root, device=device), root=root, progress=False)


def scores(assignment: str, device: str, student: str) -> dict[str, tuple[float, float]]:
    """`{grade_id: (score, max)}` of one student of a batch."""
    row = batch(assignment, device)["students"][student]
    return {gid: (cell["score"], cell["max"]) for gid, cell in row["cells"].items()}
