"""`course/` is exactly nbgrader's release of `solutions/`, and it gives nothing away."""
import json

import nbformat
import pytest

from grader.course import COURSE, SOLUTIONS, assignments, notebook_name
from grader.authoring.release import release_differences

ASSIGNMENTS = assignments()


def test_every_solution_has_a_release():
    assert ASSIGNMENTS, "no assignments found in solutions/"
    assert sorted(p.name for p in COURSE.iterdir() if p.is_dir()) == ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_in_sync(assignment):
    diffs = release_differences(assignment)
    assert not diffs, "course/ is stale; run `make release` and commit:\n" + "\n".join(diffs)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(assignment):
    release = (COURSE / assignment / notebook_name(assignment)).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in release, f"{marker} found in the student release of {assignment}"
    text = "\n".join(cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                     for cell in json.loads(release)["cells"])
    release_lines = {ln.strip() for ln in text.splitlines()}
    cells = _read(SOLUTIONS / assignment / notebook_name(assignment)).cells
    public = {ln.strip() for cell in cells for ln in _outside_markers(cell.source)}
    for cell in cells:
        secret = {ln.strip() for ln in _between_markers(cell.source)} - public
        leaked = [ln for ln in secret if len(ln) > 25 and ln in release_lines]  # whole lines: lessons may quote code inline
        assert not leaked, f"solution or hidden-test lines of {assignment} appear in the release: {leaked}"


def test_release_has_no_outputs():
    for assignment in ASSIGNMENTS:
        nb = _read(COURSE / assignment / notebook_name(assignment))
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), assignment


def _split_markers(source: str) -> tuple[list[str], list[str]]:
    """(lines between ### BEGIN/### END markers, lines outside them)."""
    inside_lines, outside_lines, inside = [], [], False
    for line in source.splitlines():
        if line.strip().startswith("### BEGIN"):
            inside = True
        elif line.strip().startswith("### END"):
            inside = False
        else:
            (inside_lines if inside else outside_lines).append(line)
    return inside_lines, outside_lines


def _between_markers(source: str) -> list[str]:
    return _split_markers(source)[0]


def _outside_markers(source: str) -> list[str]:
    return _split_markers(source)[1]


def _read(path):
    return nbformat.read(str(path), as_version=4)
