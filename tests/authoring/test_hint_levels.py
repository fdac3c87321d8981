"""grader/authoring/hint_levels.py: no on-demand hint level holds a line of its exercise's reference answer."""
import nbformat
import pytest

from grader.authoring.hint_levels import hint_level_violations, solution_lines
from grader.course import SOLUTIONS, assignments, notebook_name
from grader.hints import load
from test_hints import _notebook


def test_a_hint_level_that_holds_a_line_of_the_solution_is_found():
    nb = _notebook("check(ok, 'bad')\n")
    levels = {"channels_last": ["Section 9: channels last.", "Reorder, then flatten.",
                                "Write `return x.permute(0,2,3, 1).mean( dim=1, keepdim=True).to(device).item()`."]}
    found = hint_level_violations(nb, levels)
    assert [(v.exercise, v.test_cell, v.why) for v in found] == [("channels_last", "hint level 3", "hint")]
    # without `return`, and with other spacing, it is the same line
    levels["channels_last"][2] = "x.permute(0, 2, 3, 1).mean(dim=1, keepdim=True).to(device).item() does it"
    assert len(hint_level_violations(nb, levels)) == 1
    # naming the tools is what level 3 is for
    levels["channels_last"][2] = "`permute`, then `mean` with `keepdim`, then `item`."
    assert hint_level_violations(nb, levels) == []


def test_solution_lines_skip_what_gives_nothing_away():
    solution = "count = 1  # start\nfor size in x.shape[1:]:\n    count *= size\nreturn count\nout = x - m\n"
    assert solution_lines(solution) == ["for size in x.shape[1:]"]
    assert solution_lines("total = a.sum(dim=1)  # per row\n") == ["a.sum(dim=1)"]


@pytest.mark.parametrize("assignment", assignments())
def test_no_hint_level_gives_a_line_of_the_answer(assignment):
    nb = nbformat.read(str(SOLUTIONS / assignment / notebook_name(assignment)), as_version=4)
    found = hint_level_violations(nb, load(assignment))
    assert not found, (f"{assignment}: hint levels in grader/hints/{assignment}.json hold lines of the reference "
                       "answer:\n" + "\n".join(f"  {v}" for v in found))
