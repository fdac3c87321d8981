"""Make submissions the way a student would: the released notebook with answer cells filled in.

Test data for the course are wrong answers, one per file, at `tests/wrong_answers/<assignment>/<cell>.<slug>.py`.
The file's text replaces the answer cell whose nbgrader `grade_id` is `<cell>`; its leading comment says which
mistake it is. Two optional header lines:
  `# needs: cuda` (or `cpu`): the mistake only shows on that device, so it is only checked there;
  `# also-loses: name, ...`: other exercises that legitimately lose points too (they call the broken one).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass(frozen=True)
class WrongAnswer:
    """One plausible wrong answer to one exercise."""

    path: Path
    target: str
    slug: str
    source: str
    needs: frozenset = field(default_factory=frozenset)
    also_loses: frozenset = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return f"{self.target}.{self.slug}"

    @property
    def description(self) -> str:
        comment = [ln.lstrip("# ").rstrip() for ln in self.source.splitlines() if ln.startswith("#")]
        return " ".join(ln for ln in comment if not ln.startswith(("needs:", "also-loses:")))


def _header_list(source: str, key: str) -> frozenset:
    """The comma-separated words of every `# key: a, b` line."""
    prefix = f"# {key}:"
    return frozenset(
        word.strip()
        for line in source.splitlines() if line.startswith(prefix)
        for word in line.removeprefix(prefix).split(",") if word.strip()
    )


def load_wrong_answers(folder: Path) -> list[WrongAnswer]:
    """Read every `<cell>.<slug>.py` in `folder`, sorted by name."""
    answers = []
    for path in sorted(folder.glob("*.py")):
        target, _, slug = path.stem.partition(".")
        if not slug:
            raise ValueError(f"{path}: name it <grade_id>.<what-is-wrong>.py so the target cell is known")
        source = path.read_text()
        answers.append(WrongAnswer(path, target, slug, source,
                                   _header_list(source, "needs"), _header_list(source, "also-loses")))
    return answers


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_answer_cell(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def strip_solution_markers(source: str) -> str:
    """The solution as a student would have typed it: without nbgrader's BEGIN/END SOLUTION lines."""
    return "\n".join(ln for ln in source.splitlines() if not SOLUTION_MARKER.match(ln))


def reference_answers(solution_nb) -> dict[str, str]:
    """The instructor's answer for every answer cell, keyed by grade_id."""
    return {grade_id(c): strip_solution_markers(c.source) for c in solution_nb.cells if is_answer_cell(c)}


def fill_answers(release_nb, answers: dict[str, str]):
    """A copy of the released notebook whose answer cells hold `answers` (keyed by grade_id)."""
    nb = copy.deepcopy(release_nb)
    unknown = set(answers) - {grade_id(c) for c in nb.cells if is_answer_cell(c)}
    if unknown:
        raise KeyError(f"no answer cell with grade_id {sorted(unknown)} in the notebook")
    for cell in nb.cells:
        if is_answer_cell(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def read_notebook(path: Path):
    return nbformat.read(str(path), as_version=4)


def write_notebook(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
