"""Hint levels that guide instead of answering (rule 5 of `grader.authoring.hints`): the texts `grader.hints.hint`
shows on demand may name a tool, but no level may contain a line of its exercise's reference solution.

Lines are compared as `hints.key` normalises them, after dropping what makes them a statement (`return`, an
assignment's target, a trailing `:`); lines too small to give anything away (a bare name, `count = 1`) are skipped.
"""
from __future__ import annotations

import re

from grader.authoring.hints import Violation, key, split_solution
from grader.cells import grade_id, is_answer

# what makes a line a statement: a leading keyword, or an assignment's target (`x =`, `count *=`, `a, b =`)
_STATEMENT = re.compile(r"^(?:(?:return|yield|if|elif|while|assert|raise)\s+"
                        r"|[\w.\[\], ]+?\s*(?:[-+*/@%|&]|//|\*\*)?=(?!=))")


def solution_lines(solution: str) -> list[str]:
    """The lines of a reference solution that a hint level must not contain (rule 5), as key()-normalized text."""
    found = []
    for line in solution.splitlines():
        code = re.sub(r"(?:^|\s+)#[^'\"]*$", "", line.strip())          # a trailing comment without quotes
        code = _STATEMENT.sub("", code).strip().rstrip(":,").strip()
        if len(key(code)) >= 8 and re.search(r"[(\[<>=+*/|&-]", code):
            found.append(key(code))
    return list(dict.fromkeys(found))


def hint_level_violations(nb, levels: dict[str, list[str]]) -> list[Violation]:
    """Every hint level (`levels`: {exercise: [level 1, ...]}) that contains a line of its exercise's reference
    solution, for one notebook of `solutions/`."""
    found = []
    for cell in nb.cells:
        if not (is_answer(cell) and grade_id(cell) in levels):
            continue
        lines = solution_lines(split_solution(cell.source)[1])
        for number, level in enumerate(levels[grade_id(cell)], start=1):
            found += [Violation(grade_id(cell), f"hint level {number}", line, "hint") for line in lines
                      if line in key(level)]
    return found
