"""The grader's pool when things around the kernel fail: a worker process that dies, and no sandbox.

- Worker loss: a grader worker (not a kernel) that dies breaks the local process pool and fails every job still
  on it. The lost jobs must be graded again; a submission that kills its worker every time gets `grader-error`,
  and only that one.
- The unconfined fallback (a grader that is not root, or `--no-confine`): the same scores and reasons as the
  sandboxed hostile batch for a clean submission, a monkeypatching one and one whose kernel exits.
"""
import shutil

import pytest

import faults
from answers import total
from grader.autograde import autograde, run
from grader.autograde.gradebook import cell_scores
from hostile import A, FULL, options


def _copy_students(root, tmp_path, students: dict):
    """Copy hostile-batch submissions into a new course root under new names: {new name: batch name}."""
    shutil.copy(root / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    for new, old in students.items():
        shutil.copytree(root / "submitted" / old, tmp_path / "submitted" / new)


def test_lost_workers_are_replaced_and_only_the_culprit_loses(tmp_path, monkeypatch, hostile_batch):
    root, _ = hostile_batch
    _copy_students(root, tmp_path, {"reference": "reference", "kills-worker-once": "reference",
                                    "kills-worker-always": "reference"})
    monkeypatch.setattr(run, "grade_submission", faults.grade_or_kill_worker)
    fault_dir = tmp_path / "faults"
    fault_dir.mkdir()
    summary = autograde(A, options(), root=tmp_path, progress=False, env={"FAULT_DIR": str(fault_dir)})
    got = summary["students"]
    assert (fault_dir / "kills-worker-once").exists(), "the fault was never triggered: the test proves nothing"
    assert got["reference"]["score"] == FULL and not got["reference"]["reasons"]
    assert got["kills-worker-once"]["score"] == FULL, got["kills-worker-once"]["reasons"]
    always = got["kills-worker-always"]
    assert always["score"] == 0.0
    assert [r[0] for r in always["reasons"]] == ["grader-error"]
    assert "worker process died" in always["reasons"][0][1]
    for student in got:      # every student has a row in nbgrader's gradebook with the grader's score
        assert total(cell_scores(tmp_path / "gradebook.db", A, A, student))[0] == got[student]["score"]


@pytest.fixture(scope="module")
def unconfined(tmp_path_factory, hostile_batch):
    root, confined = hostile_batch
    students = ["reference", "one_hot.allclose_patch", "to_image.os_exit"]
    where = tmp_path_factory.mktemp("unconfined")
    _copy_students(root, where, {s: s for s in students})
    summary = autograde(A, options(confine=False), root=where, progress=False)
    return confined, summary, students


def test_unconfined_fallback_gives_the_sandboxed_scores_and_reasons(unconfined):
    confined, summary, students = unconfined
    for student in students:
        here, there = summary["students"][student], confined["students"][student]
        assert here["score"] == there["score"], (student, here["reasons"])
        assert {r[0] for r in here["reasons"]} == {r[0] for r in there["reasons"]}, student
