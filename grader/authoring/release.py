"""Build the student release (`course/`) from the instructor's notebooks (`solutions/`).

nbgrader's `generate_assignment` does the work (it strips solutions and hidden tests, locks cells and adds
checksums); this module only runs it away from the real gradebook and compares or copies the result, so that
`make release` and the release-sync test produce byte-identical files.
"""
from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from grader.course import COURSE, SOLUTIONS
from grader.authoring.nbgrader_run import generate_assignment, make_course_root


def build_release(assignment: str, dest: Path, solutions: Path = SOLUTIONS) -> Path:
    """Generate the release of `assignment` into `dest/assignment` (replacing it) and return that folder."""
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        root = make_course_root(Path(tmp), assignment, solutions)
        generate_assignment(root, assignment)
        target = dest / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(root / "course" / assignment, target)
    return target


def release_differences(assignment: str, course: Path = COURSE, solutions: Path = SOLUTIONS) -> list[str]:
    """Files that differ between the committed release and a fresh build (empty when in sync)."""
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        fresh = build_release(assignment, Path(tmp), solutions)
        committed = course / assignment
        if not committed.is_dir():
            return [f"{committed} is missing"]
        return _tree_differences(committed, fresh)


def _tree_differences(left: Path, right: Path, prefix: str = "") -> list[str]:
    cmp = filecmp.dircmp(left, right, ignore=[".ipynb_checkpoints", "__pycache__"])
    diffs = [f"{prefix}{name}: only in the committed release" for name in cmp.left_only]
    diffs += [f"{prefix}{name}: missing from the committed release" for name in cmp.right_only]
    _, mismatch, errors = filecmp.cmpfiles(left, right, cmp.common_files, shallow=False)
    diffs += [f"{prefix}{name}: content differs" for name in mismatch + errors]
    for sub in cmp.common_dirs:
        diffs += _tree_differences(left / sub, right / sub, f"{prefix}{sub}/")
    return diffs
