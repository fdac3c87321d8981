"""The hostile batch: hostile and broken submissions of 01-tensors, with the score and reasons each must get.

Each fixture in tests/fixtures/submissions/01-tensors/<cell>.<case>.py replaces one answer cell of the reference
submission (the rest are the instructor's answers), so the points it must keep are known exactly. The broken
notebooks are made here; structural damage is grouped (renamed + duplicated + edited locked cell; deleted +
reordered) to keep the batch short. `conftest.py` grades the batch once per test session with 2 workers and small
limits (`LIMITS`); the tests of the grader read it.
"""
import copy
import shutil
from pathlib import Path

import nbformat

from grader.autograde import GraderOptions, autograde
from grader.cells import fill_answers, grade_id, reference_answers
from grader.course import COURSE, REPO, SOLUTIONS

A = "01-tensors"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "submissions" / A
FULL = 19.0
ONE_HOT, TO_IMAGE, BATCH_ACCURACY, FLAT = 3.0, 3.0, 2.0, 1.0
BEFORE_TO_IMAGE = FULL - TO_IMAGE   # to_image is the last exercise: all the others are earned before the kernel dies
LIMITS = dict(workers=2, cell_timeout=10, submission_timeout=120, memory_mb=6144, max_output_bytes=500_000)
# memory_mb: a kernel forked from the template starts with torch, torchvision and matplotlib mapped (about 3.6 GB of
# address space); 4 GB would leave a forked kernel under 200 MB.


def options(**more) -> GraderOptions:
    """The hostile batch's limits (and `more`), over the course's nbgrader_config.py."""
    return GraderOptions.load(REPO, **{**LIMITS, **more})

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
    # output hidden in display metadata counts like printed output
    "to_image.display_metadata": (BEFORE_TO_IMAGE, ["output-limit"]),
    # prints `In` (earlier hidden tests) and the stack that called it: a right answer; its feedback shows neither
    "to_image.print_hidden": (FULL, []),
    # reads the solutions and another student's notebook, writes into course/: all refused, so full marks
    "one_hot.escape": (FULL, []),
    # a grader.py and a json.py handed in beside the notebook: never imported (only the notebook is taken, and the
    # grader's own stages run isolated), so the answer that imports what they would have stolen finds nothing
    "one_hot.planted_module": (FULL - ONE_HOT, []),
    # reads the grader's settings back from /proc and plants links where the graded notebook is written: nothing to
    # read, and the grader never writes through the kernel's folder, so full marks and an intact gradebook
    "one_hot.plant_links": (FULL, []),
    # capabilities, root outside, no_new_privs, writable /proc/sys and /sys, unbounded disk or processes: none held
    "one_hot.privilege": (FULL, []),
    # names the test cells read, rebound (torch to a lying proxy; a function named `type`): put back before each
    # test cell, so the wrong answers lose their own points, and named
    "one_hot.rebind_torch": (FULL - ONE_HOT, ["rebound-names"]),
    "flat_features.shadow_type": (FULL - FLAT, ["rebound-names"]),
    # finds the course through grader.__file__ and /proc/*/cwd (the grader's, other kernels'): refused as well
    "one_hot.find_course": (FULL, []),
    # broken input
    "invalid_json": (0.0, ["invalid-notebook"]),
    "empty_file": (0.0, ["invalid-notebook"]),
    "missing_notebook": (0.0, ["missing-notebook"]),
    "renamed_duplicated_edited": (FULL, ["renamed-notebook", "duplicated-cells", "edited-locked-cells"]),
    "deleted_reordered": (FULL - BATCH_ACCURACY - FLAT, ["deleted-cells", "reordered-cells"]),
    # nbgrader itself fails on it (a graded cell with points "lots"): a row with 0 and the cause, the batch goes on
    "bad_metadata": (0.0, ["grader-error"]),
    # a markdown cell that opens a hidden-test block (and carries a script): graded as usual; its feedback is made
    "markdown_marker": (FULL, []),
    # thousands of tiny cells: refused at intake, before nbgrader spends minutes on them
    "many_cells": (0.0, ["oversized-notebook"]),
}
# Cases that keep their points only where kernels are confined, and what their one_hot says when they are not.
CONFINED_ONLY = {"one_hot.escape": "got out of the sandbox", "one_hot.find_course": "got out of the sandbox",
                 "one_hot.privilege": "the kernel holds privilege"}
MONKEYPATCH = ["one_hot.allclose_patch", "one_hot.check_helper_patch", "one_hot.checkfailed_noop",
               "one_hot.showtraceback_patch"]


def _ids(nb):
    return [grade_id(c) for c in nb.cells]


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def put(subs: Path, student: str, nb=None, name=f"{A}.ipynb", raw=None) -> Path:
    path = subs / student / A / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
    else:
        nbformat.write(nb, str(path))
    return path


def build(root: Path, repo: Path = REPO) -> Path:
    """The batch's submissions under root/submitted, from the release and solutions of `repo` (root itself when
    the course graded is a copy of the repository); returns that folder."""
    course, solutions = repo / COURSE.relative_to(REPO), repo / SOLUTIONS.relative_to(REPO)
    release = read(course / A / f"{A}.ipynb")
    ref_answers = reference_answers(read(solutions / A / f"{A}.ipynb"))
    reference = fill_answers(release, ref_answers)
    subs = root / "submitted"
    put(subs, "reference", reference)
    put(subs, "untouched", release)
    if root != repo:         # what the escape tries to write into (never the real checkout)
        shutil.copytree(course, root / "course")
    paths = {"{OTHER}": str(subs / "reference" / A / f"{A}.ipynb"), "{COURSE}": str(root / "course"),
             "{SOLUTIONS}": str(solutions / A / f"{A}.ipynb"), "{ROOT}": str(root)}

    def filled(path: Path) -> str:
        source = path.read_text()
        for key, value in paths.items():
            source = source.replace(key, value)
        return source

    for fixture in sorted(FIXTURES.glob("*.py")):
        put(subs, fixture.stem, fill_answers(release, {**ref_answers, fixture.stem.split(".")[0]: filled(fixture)}))
        for extra in sorted((FIXTURES / f"{fixture.stem}.files").glob("*")):    # files handed in beside it
            (subs / fixture.stem / A / extra.name).write_text(filled(extra))
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
    nb = copy.deepcopy(reference)
    nb.cells.append(nbformat.v4.new_markdown_cell("### BEGIN HIDDEN TESTS\n<script>document.title = 'owned'</script>"))
    put(subs, "markdown_marker", nb)
    nb = copy.deepcopy(reference)
    nb.cells += [nbformat.v4.new_markdown_cell("x") for _ in range(2100)]
    put(subs, "many_cells", nb)
    return subs


def grade(root: Path) -> dict:
    """Build the batch under `root` (a course root holding a copy of nbgrader_config.py) and grade it."""
    (root / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    subs = build(root)
    return autograde(A, options(), root=root, submissions=subs, progress=False)
