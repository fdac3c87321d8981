"""Answers kept as test data, and how the round trip packs them into submissions.

Wrong answers live at `tests/wrong_answers/<assignment>/<exercise>.<mistake>.py`, right answers (correct, but not
the reference's way) at `tests/right_answers/<assignment>/<exercise>.<variant>.py`. The file's text replaces the
answer cell whose nbgrader `grade_id` is `<exercise>`; its leading comment says what it does. Two optional
header lines: `# needs: cuda` (or `cpu`): the mistake only shows on that device, so it is graded there;
`# also-loses: name, ...`: other exercises that legitimately lose points too (they call the broken one).

Grading a whole notebook per wrong answer would cost hundreds of notebook runs, so wrong answers are packed:
one submission carries at most one wrong answer per exercise. That is sound because each exercise's test cells
build their own inputs; where they do not, the answers are kept apart: two wrong answers never share a
submission when one could cost the other's exercise points, i.e. when the test cells of one's exercise name the
other's exercise, or one declares `# also-loses:` the other's. And an exercise without a wrong answer in a pack
must keep full marks there (`loss_problem` checks it), so a mistake that spreads further than declared shows.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from grader.cells import exercise_of, grade_id, is_answer, nbgrader_meta

TESTS = Path(__file__).parent
WRONG_ANSWERS = TESTS / "wrong_answers"
RIGHT_ANSWERS = TESTS / "right_answers"


@dataclass(frozen=True)
class Answer:
    """One answer to one exercise, kept as test data."""

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
    return frozenset(word.strip() for line in source.splitlines() if line.startswith(prefix)
                     for word in line.removeprefix(prefix).split(",") if word.strip())


def load_answers(folder: Path) -> list[Answer]:
    """Every `<exercise>.<slug>.py` in `folder`, sorted by name."""
    answers = []
    for path in sorted(folder.glob("*.py")):
        target, _, slug = path.stem.partition(".")
        if not slug:
            raise ValueError(f"{path}: name it <grade_id>.<what-is-wrong>.py so the target cell is known")
        source = path.read_text()
        answers.append(Answer(path, target, slug, source, _header_list(source, "needs"),
                              _header_list(source, "also-loses")))
    return answers


def wrong_answers(assignment: str) -> list[Answer]:
    folder = WRONG_ANSWERS / assignment
    return load_answers(folder) if folder.is_dir() else []


def right_answers(assignment: str) -> list[Answer]:
    folder = RIGHT_ANSWERS / assignment
    return load_answers(folder) if folder.is_dir() else []


def _rebound(source: str) -> set[str]:
    """Names a cell assigns itself (a test cell that puts a correct copy of another exercise in place of the
    student's does not depend on the student's)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def named_by(solution_nb) -> dict[str, set[str]]:
    """{exercise: the other exercises whose test cells use it} (a mistake in it may cost those points)."""
    exercises = [grade_id(c) for c in solution_nb.cells if is_answer(c)]
    naming = defaultdict(set)
    for cell in solution_nb.cells:
        owner = exercise_of(grade_id(cell) or "", exercises)
        if cell.cell_type == "code" and owner:
            words = set(re.findall(r"\w+", cell.source)) - _rebound(cell.source)
            for name in exercises:
                if name != owner and name in words:
                    naming[name].add(owner)
    return naming


def packs(answers: list[Answer], naming: dict[str, set[str]]) -> list[list[Answer]]:
    """Submissions of wrong answers, first fit: at most one per exercise each, and no two that could cost each
    other's exercise points."""
    def reach(a: Answer) -> set[str]:
        return set(a.also_loses) | naming.get(a.target, set())

    def apart(a: Answer, b: Answer) -> bool:
        return a.target != b.target and b.target not in reach(a) and a.target not in reach(b)

    out: list[list[Answer]] = []
    for answer in answers:
        home = next((pack for pack in out if all(apart(answer, other) for other in pack)), None)
        if home is None:
            out.append([answer])
        else:
            home.append(answer)
    return out


def table(scores) -> str:
    return "\n".join(f"  {cell:40} {got:g} / {out_of:g}" for cell, (got, out_of) in sorted(scores.items()))


def total(scores) -> tuple[float, float]:
    """(points earned, points possible) over `{grade_id: (score, max)}`."""
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


def loss_problem(answer: Answer, exercises, scores: dict, pack: list) -> str | None:
    """Why `scores` (of the submission carrying `answer` and its `pack`) do not show the mistake losing points on
    its exercise and nowhere else; None when they do."""
    targeted = {k: v for k, v in scores.items() if exercise_of(k, exercises) == answer.target}
    if not targeted:
        return f"no test cell test_{answer.target}* in the notebook"
    companions = ", ".join(w.path.name for w in pack if w != answer) or "none"
    if total(targeted)[0] >= total(targeted)[1]:
        return (f"{answer.path.name} ({answer.description}) keeps full marks on {answer.target} "
                f"(graded with: {companions}):\n{table(scores)}")
    allowed = {w.target for w in pack} | answer.also_loses
    collateral = {cell: s for cell, s in scores.items() if s[0] < s[1] and exercise_of(cell, exercises) not in allowed}
    if collateral:
        return (f"{answer.path.name} (graded with: {companions}) also loses points outside {sorted(allowed)} "
                f"(declare `# also-loses:` if intended):\n{table(collateral)}")
    return None


# ------------------------------------------------------------------------------------------------ trimming
def _free_reads(node) -> set[str]:
    """Names a function or class body reads that it does not bind itself (its parameters, its assignments)."""
    local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)} if hasattr(node, "args") else set()
    reads = set()
    for child in ast.walk(node):
        if child is not node and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local.add(getattr(child, "name", ""))
        if isinstance(child, ast.Name):
            (local if isinstance(child.ctx, ast.Store) else reads).add(child.id)
    return reads - local


def _names(source: str) -> tuple[set[str], set[str]] | None:
    """(names a cell binds at its top level, names it reads from before it), or None when it is not plain
    Python. Reads inside a function count only for the names the function does not bind itself."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    binds, reads = set(), set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(stmt.name)
            reads |= _free_reads(stmt) | {n.id for d in stmt.decorator_list for n in ast.walk(d)
                                          if isinstance(n, ast.Name)}
            continue
        scoped = set()          # comprehension variables, bound and read inside the comprehension only
        for comp in ast.walk(stmt):
            if isinstance(comp, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                own = {n.id for g in comp.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
                scoped |= {id(n) for n in ast.walk(comp) if isinstance(n, ast.Name) and n.id in own}
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and id(node) not in scoped:     # comprehension variables stay inside
                (binds if isinstance(node.ctx, ast.Store) else reads).add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                binds |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                reads |= _free_reads(node)
    return binds, reads


def trim(nb, hidden: dict[str, str] | None = None):
    """A copy of `nb` without the lesson cells whose results no later kept cell reads (a student may delete
    lesson cells: they carry no points). Graded cells and everything they read, transitively, stay; `hidden` gives
    the full source of test cells ({grade_id: source}, hidden tests included), which is what runs when grading.

    Wrong answers are graded in trimmed notebooks because the lessons' demonstrations (training runs) cost most
    of a notebook's time and prove nothing about a wrong answer; the trimmed reference is graded beside them and
    must keep full marks, which shows the test cells need nothing that was trimmed."""
    import copy
    out, needed = [], set()
    for cell in reversed(nb.cells):
        source = (hidden or {}).get(grade_id(cell), cell.source)
        names = _names(source) if cell.cell_type == "code" else None
        if cell.cell_type == "code" and not nbgrader_meta(cell) and names is not None and not names[0] & needed:
            continue
        if names is not None:
            needed |= names[1] - names[0]       # what the cell binds itself, it does not need from before
        out.append(cell)
    trimmed = copy.deepcopy(nb)
    trimmed.cells = copy.deepcopy(out[::-1])
    return trimmed
