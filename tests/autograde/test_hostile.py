"""`python -m grader autograde` on the hostile batch (see hostile.py): every student's score and named reasons,
the gradebook, nbgrader's export, the reports and the feedback pages."""
import csv
import filecmp
import html
import os
import re
import subprocess
import sys

import pytest

from grader.authoring.nbgrader_run import venv_path
from grader.autograde.feedback import generate_feedback
from grader.autograde.isolation import can_confine
from grader.course import COURSE, REPO
from hostile import A, CONFINED_ONLY, EXPECT, FULL


@pytest.fixture(scope="module")
def summary(hostile_batch):
    return hostile_batch[1]


def test_every_student_has_a_row(summary):
    assert set(summary["students"]) == set(EXPECT)


@pytest.mark.parametrize("case", sorted(EXPECT))
def test_case_scores_and_reasons(summary, case):
    if case in CONFINED_ONLY and not can_confine():
        pytest.skip("isolation needs root with working unshare/setpriv (see docs/grader.md)")
    want, reasons = EXPECT[case]
    row = summary["students"][case]
    codes = {r[0] for r in row["reasons"]}
    failed = {g: c["message"][:160] for g, c in row["cells"].items() if not c["passed"]}
    assert row["score"] == want, f"{case}: {row['score']} != {want}; reasons {row['reasons']}; failed {failed}"
    assert set(reasons) <= codes, f"{case}: expected reasons {reasons}, got {row['reasons']}"
    if not reasons:   # nothing odd may be reported for a clean run
        assert not codes & {"grader-error", "tampering", "kernel-died", "timeout"}, row["reasons"]
    if "grader-error" not in reasons:
        assert "grader-error" not in codes, row["reasons"]


def test_others_unaffected(summary):
    """Per test cell, every submission's verdict is what its own content deserves, whoever shared the batch:
    the answers a fixture does not touch keep the reference's results."""
    rows = summary["students"]
    ref = {g: c["score"] for g, c in rows["reference"]["cells"].items()}
    assert sum(ref.values()) == FULL
    for case in ("to_image.os_exit", "to_image.segfault", "to_image.infinite_loop", "to_image.print_gigabytes",
                 "to_image.memory_bomb", "to_image.display_metadata"):
        got = {g: c["score"] for g, c in rows[case]["cells"].items()}
        assert got == {**ref, "test_to_image": 0.0}, case   # to_image is the last exercise


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_course_folders_untouched(hostile_batch):
    """The escape tried to write into the graded course's course/ (a copy of the real one): nothing was added or
    changed there, nor in the real checkout's course/."""
    root, _ = hostile_batch
    assert _tree(root / "course") == _tree(COURSE)
    mismatch = filecmp.cmpfiles(root / "course", COURSE, [p for p in _tree(COURSE) if (COURSE / p).is_file()],
                                shallow=False)[1:]
    assert mismatch == ([], []), mismatch
    changed = subprocess.run(["git", "status", "--porcelain", "--", "course"], cwd=REPO, capture_output=True,
                             text=True).stdout
    assert "PWNED" not in changed, changed


def test_gradebook_and_export_hold_every_student(hostile_batch):
    root, summary = hostile_batch
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {s.id: gb.find_submission(A, s.id).score for s in gb.students}
    assert scores == {s: r["score"] for s, r in summary["students"].items()}
    env = {**os.environ, "PATH": venv_path()}
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={root}"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(root / "grades.csv") as fh:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh) if row["assignment"] == A}
    assert exported == {s: r["score"] for s, r in summary["students"].items()}


def test_reports_written(hostile_batch):
    root, summary = hostile_batch
    folder = root / "reports" / A
    assert (folder / "summary.txt").is_file() and (folder / "pass_rates.json").is_file()
    assert (folder / "histogram.png").stat().st_size > 1000
    assert {p.stem for p in (folder / "students").glob("*.json")} == set(EXPECT)


def test_feedback_from_the_batch_hides_hidden_tests(hostile_batch, monkeypatch):
    """The HTML feedback of real autograded notebooks: the score, the verdicts and check messages, no hidden test."""
    root, summary = hostile_batch
    monkeypatch.setenv("PATH", venv_path())           # nbgrader's gradebook runs alembic by name
    students = ["one_hot.allclose_patch", "to_image.os_exit", "to_image.print_hidden", "markdown_marker"]
    pages = generate_feedback(A, root, students)
    assert len(pages) == 4 and not pages.failed, pages.failed
    for page in pages:
        raw = page.read_text()
        text = html.unescape(re.sub(r"<[^>]+>", "", raw))
        assert "one_hot of 500 labels" not in text and "BEGIN HIDDEN TESTS" not in text   # hidden test_one_hot
        assert "(500,), generator=torch.Generator().manual_seed(3)" not in text           # printed from `In`
        assert "row i should have its 1 in column labels[i]" in text                     # visible test_one_hot
        assert "document.title" not in raw                                               # the student's script
    for page in pages:
        if page.parent.parent.name in students[:2]:
            assert "[grader] FAILED" in html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
    by_student = {page.parent.parent.name: html.unescape(page.read_text()) for page in pages}
    for student, page in by_student.items():      # each opens with the student's own score, from the gradebook
        assert f"Score: {summary['students'][student]['score']:g} / {FULL:g}" in page, student
    assert "tampering" in by_student["one_hot.allclose_patch"]
    assert "the kernel exited (exit code 3)" in by_student["to_image.os_exit"]


def test_the_batch_forked_its_kernels(summary):
    """The hostile batch is graded with kernels forked from each worker's template (the default), so every case above
    holds for forked kernels; none fell back to a cold start."""
    assert summary["kernels"].get("forked", 0) >= len(EXPECT) - 6 and "cold" not in summary["kernels"], \
        summary["kernels"]
