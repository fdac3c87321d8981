"""`python -m grader autograde` on one batch of hostile and broken submissions of 01-tensors.

Each fixture in tests/fixtures/submissions/01-tensors/<cell>.<case>.py replaces one answer cell of the reference
submission (the rest are the instructor's answers), so the points it must keep are known exactly. The broken
notebooks are made here; structural damage is grouped (renamed + duplicated + edited locked cell; deleted +
reordered) to keep the batch short. One batch grades them all with 2 workers and small limits; every test reads
it. The other test files of the grader (proof, Dask) reuse the same batch.
"""
import atexit
import copy
import csv
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader.autograde import Options, autograde
from grader.autograde.job import can_confine
from grader.course import COURSE, REPO, SOLUTIONS
from grader.nbgrader_run import venv_path
from grader.submissions import fill_answers, read_notebook, reference_answers

A = "01-tensors"
FIXTURES = Path(__file__).parent / "fixtures" / "submissions" / A
FULL = 15.0
ONE_HOT, TO_IMAGE, BATCH_ACCURACY, FLAT = 3.0, 3.0, 2.0, 1.0
BEFORE_TO_IMAGE = FULL - TO_IMAGE   # to_image is the last exercise: all the others are earned before the kernel dies
LIMITS = dict(workers=2, cell_timeout=10, submission_timeout=120, memory_mb=4096, output_bytes=500_000)

# case -> (score, reason codes that must be named)
EXPECT = {
    "reference": (FULL, []),
    "untouched": (0.0, []),
    # monkeypatching in the kernel, each with a wrong one_hot: the patch must not save it, and is named
    "one_hot.allclose_patch": (0.0, ["tampering"]),
    "one_hot.check_helper_patch": (0.0, ["tampering"]),
    "one_hot.checkfailed_noop": (0.0, ["tampering"]),
    "one_hot.showtraceback_patch": (0.0, ["tampering"]),
    "one_hot.forged_record": (0.0, ["forged-records", "tampering"]),
    # the kernel dies or is stopped in test_to_image: the points earned before stay
    "to_image.os_exit": (BEFORE_TO_IMAGE, ["kernel-died"]),
    "to_image.segfault": (BEFORE_TO_IMAGE, ["segfault"]),
    "to_image.infinite_loop": (BEFORE_TO_IMAGE, ["timeout"]),
    "to_image.print_gigabytes": (BEFORE_TO_IMAGE, ["output-limit"]),
    "to_image.memory_bomb": (FULL - TO_IMAGE, ["memory-limit"]),       # MemoryError, the kernel survives
    # reads the solutions and another student's notebook, writes into course/: all refused, so full marks
    "one_hot.escape": (FULL, []),
    # broken input
    "invalid_json": (0.0, ["invalid-notebook"]),
    "empty_file": (0.0, ["invalid-notebook"]),
    "missing_notebook": (0.0, ["missing-notebook"]),
    "renamed_duplicated_edited": (FULL, ["renamed-notebook", "duplicated-cells", "edited-locked-cells"]),
    "deleted_reordered": (FULL - BATCH_ACCURACY - FLAT, ["deleted-cells", "reordered-cells"]),
    # nbgrader itself fails on it (a graded cell with points "lots"): a row with 0 and the cause, the batch goes on
    "bad_metadata": (0.0, ["grader-error"]),
}
MONKEYPATCH = ["one_hot.allclose_patch", "one_hot.check_helper_patch", "one_hot.checkfailed_noop",
               "one_hot.showtraceback_patch"]


def _ids(nb):
    return [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells]


def put(subs: Path, student: str, nb=None, name=f"{A}.ipynb", raw=None) -> Path:
    path = subs / student / A / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
    else:
        nbformat.write(nb, str(path))
    return path


def build(root: Path) -> Path:
    """The batch's submissions under root/submitted; returns that folder."""
    release = read_notebook(COURSE / A / f"{A}.ipynb")
    ref_answers = reference_answers(read_notebook(SOLUTIONS / A / f"{A}.ipynb"))
    reference = fill_answers(release, ref_answers)
    subs = root / "submitted"
    put(subs, "reference", reference)
    put(subs, "untouched", release)
    paths = {"{OTHER}": str(subs / "reference" / A / f"{A}.ipynb"), "{COURSE}": str(COURSE),
             "{SOLUTIONS}": str(SOLUTIONS / A / f"{A}.ipynb")}
    for fixture in sorted(FIXTURES.glob("*.py")):
        source = fixture.read_text()
        for key, value in paths.items():
            source = source.replace(key, value)
        put(subs, fixture.stem, fill_answers(release, {**ref_answers, fixture.stem.split(".")[0]: source}))
    put(subs, "invalid_json", raw=b'{"cells": [ this is not json')
    put(subs, "empty_file", raw=b"")
    (subs / "missing_notebook" / A).mkdir(parents=True)
    nb = copy.deepcopy(reference)
    i = _ids(nb).index("one_hot")
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))                      # a duplicated answer cell
    nb.cells[_ids(nb).index("test_one_hot")].source = "pass  # all tests removed"   # restored by nbgrader
    put(subs, "renamed_duplicated_edited", nb, name="my-work.ipynb")
    nb = copy.deepcopy(reference)
    nb.cells = [c for c, i in zip(nb.cells, _ids(nb)) if i != "test_batch_accuracy"]
    ids = _ids(nb)
    a, t = ids.index("flat_features"), ids.index("test_flat_features")
    nb.cells[a], nb.cells[t] = nb.cells[t], nb.cells[a]                       # the test now runs before the answer
    put(subs, "deleted_reordered", nb)
    nb = copy.deepcopy(reference)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {
        "schema_version": 3, "grade": True, "grade_id": "extra", "points": "lots", "solution": False,
        "locked": False, "task": False}}))
    put(subs, "bad_metadata", nb)
    return subs


@functools.cache
def batch() -> tuple[Path, dict]:
    """(course root, summary) of the hostile batch, graded once per test session."""
    root = Path(tempfile.mkdtemp(prefix="hostile-"))
    atexit.register(shutil.rmtree, root, True)
    (root / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    subs = build(root)
    return root, autograde(A, Options(**LIMITS, root=root, submissions=subs, progress=False))


@pytest.fixture(scope="module")
def summary():
    return batch()[1]


def test_every_student_has_a_row(summary):
    assert set(summary["students"]) == set(EXPECT)


@pytest.mark.parametrize("case", sorted(EXPECT))
def test_case_scores_and_reasons(summary, case):
    if case == "one_hot.escape" and not can_confine():
        pytest.skip("isolation needs root with working unshare/setpriv (see the grader's README section)")
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
    for case in ("to_image.os_exit", "to_image.segfault", "to_image.infinite_loop", "to_image.print_gigabytes"):
        got = {g: c["score"] for g, c in rows[case]["cells"].items()}
        assert got == {**ref, "test_to_image": 0.0}, case   # to_image is the last exercise
    mem = {g: c["score"] for g, c in rows["to_image.memory_bomb"]["cells"].items()}
    assert mem == {**ref, "test_to_image": 0.0}


def test_course_folder_untouched(summary):
    assert not (COURSE / "PWNED.txt").exists()


def test_gradebook_and_export_hold_every_student(summary):
    root, _ = batch()
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


def test_reports_written(summary):
    root, _ = batch()
    folder = root / "reports" / A
    assert (folder / "summary.txt").is_file() and (folder / "pass_rates.json").is_file()
    assert (folder / "histogram.png").stat().st_size > 1000
    assert {p.stem for p in (folder / "students").glob("*.json")} == set(EXPECT)


def test_feedback_from_the_batch_hides_hidden_tests(summary):
    """The HTML feedback of real autograded notebooks: the verdicts and check messages, no hidden test."""
    import html
    import re
    from grader.autograde.feedback import generate_feedback
    root, _ = batch()
    pages = generate_feedback(A, root, ["one_hot.allclose_patch", "to_image.os_exit"])
    assert len(pages) == 2
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        assert "one_hot of 500 labels" not in text and "BEGIN HIDDEN TESTS" not in text   # hidden test_one_hot
        assert "row i should have its 1 in column labels[i]" in text                     # visible test_one_hot
        assert "[grader] FAILED" in text
    assert "tampering" in html.unescape(pages[0].read_text())
    assert "the kernel exited (exit code 3)" in html.unescape(pages[1].read_text())
