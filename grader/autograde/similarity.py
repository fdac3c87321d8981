"""Similarity report: its one job is to list, per exercise, the pairs of students whose answer cells are near-copies.

Answers are normalised with `ast` (comments, formatting, annotations, docstrings dropped; names the answer binds,
arguments and locals, renamed in order of first appearance; globals and attributes such as `torch.zeros` kept). A
pair scores the higher of difflib's ratio of the normalised statement sequences and the overlap of the multisets of
top-level statements of each body, whose locals are named in an order reordering lines cannot change. The reference
solution and the release's stub are common sources: an answer equal to one is not compared, and a pair is reported
only when its answers are closer to each other than to a common source (two answers that each change one line of
the reference are alike because of the reference). Output: `reports/<assignment>/similarity.html`.
"""
from __future__ import annotations

import ast
import copy
import difflib
import html
import re
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import nbformat

from grader.autograde import intake
from grader.cells import grade_id, is_answer, reference_answers
from grader.course import COURSE, SOLUTIONS, notebook_name

# 0.9: about one statement in ten may differ once names, comments and order are discounted (a renamed, recommented,
# reordered copy scores 1.0). Of the kept independent answers (tests/wrong_answers, tests/right_answers) only pairs
# at most one statement apart reach it (tests/autograde/test_similarity.py).
THRESHOLD = 0.9
# Fewer statements (a one-line `return`) is what everyone writes: too short to mean anything.
MIN_STATEMENTS = 3
MAX_NOTEBOOK = 20 * 2**20
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_VAR = re.compile(r"\bv\d+\b")


# text: the normalised answer; seq: its statements in order, compound ones by their header, the assignment's def
# lines left out; bag: the whole top-level statements of each body, with names that do not depend on their order.
Features = NamedTuple("Features", [("text", str), ("seq", list), ("bag", Counter)])


def _parse(source: str) -> ast.Module | None:
    """The answer's tree; IPython magics (`%time`, `!pip`) are commented out if it does not parse as it is."""
    for text in (source, "\n".join("#" + ln if ln.lstrip()[:1] in ("%", "!") else ln for ln in source.splitlines())):
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def _walk(node):
    """Every node, depth first in field order, the order in which names first appear."""
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _walk(child)


def _name(node) -> str | None:
    """The local name a node binds or reads (never an attribute, an import or one of the assignment's defs)."""
    if isinstance(node, (ast.Name, ast.arg)):
        return node.id if isinstance(node, ast.Name) else node.arg
    return node.name if isinstance(node, ast.ExceptHandler) or isinstance(node, _DEFS) and not node._api else None


def _strip(node, in_function: bool, bound: set) -> None:
    """Drop bare strings (docstrings, string comments) and annotations, mark the assignment's own defs (those in a
    module or class body) `_api`, and collect the names the answer binds into `bound`."""
    for field in _BODIES:
        stmts = getattr(node, field, None)
        if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
            setattr(node, field, [s for s in stmts if not (isinstance(s, ast.Expr) and isinstance(
                s.value, ast.Constant) and isinstance(s.value.value, str))] or [ast.Pass()])
    if isinstance(node, _DEFS):
        node._api = not in_function
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node.returns = None
    elif isinstance(node, (ast.arg, ast.AnnAssign)):
        node.annotation = None if isinstance(node, ast.arg) else ast.Name("_", ast.Load())
    if _name(node) and not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
        bound.add(_name(node))
    for child in ast.iter_child_nodes(node):
        _strip(child, in_function or isinstance(node, _FUNCTIONS), bound)


def _renamed(tree, names: dict):
    tree = copy.deepcopy(tree)
    for node in _walk(tree):
        if _name(node) in names:
            setattr(node, {ast.Name: "id", ast.arg: "arg"}.get(type(node), "name"), names[_name(node)])
    return tree


def _header(stmt) -> str:
    """A compound statement's own lines (`for v1 in v0:`, `@staticmethod def forward(v0):`), without its bodies."""
    shell = copy.copy(stmt)
    for field in _BODIES:
        if isinstance(getattr(shell, field, None), list):
            setattr(shell, field, [ast.Pass()] if field == "body" else [])
    return "\n".join(ln for ln in ast.unparse(shell).splitlines() if ln.strip() != "pass")


def _sequence(stmts, out: list, api: bool = False) -> list:
    """The statements in order, a compound one by its header; the assignment's own def lines only with `api`."""
    for stmt in stmts:
        if api or not getattr(stmt, "_api", False):
            out.append(_header(stmt) if any(hasattr(stmt, f) for f in _BODIES) else ast.unparse(stmt))
        for item in (i for f in _BODIES for i in getattr(stmt, f, None) or ()):
            if not isinstance(item, ast.stmt):             # an except handler or a match case
                out.append(_header(item))
            _sequence([item] if isinstance(item, ast.stmt) else item.body, out, api)
    return out


def _bag(stmts, owner: str, out: Counter) -> Counter:
    """Whole statements of every body, each under its def; a def counts by its header, its body apart."""
    for stmt in stmts:
        is_def = isinstance(stmt, _DEFS)
        out[f"{owner}|{_header(stmt) if is_def else ast.unparse(stmt)}"] += 0 if is_def and stmt._api else 1
        if is_def:
            _bag(stmt.body, f"{owner}.{stmt.name}", out)
    return out


def features(source: str) -> Features | None:
    """What answers are compared by; None when the source does not parse."""
    tree = _parse(source) if isinstance(source, str) else None
    if tree is None:
        return None
    try:
        bound, names = set(), {}
        _strip(tree, False, bound)
        for name in (_name(node) for node in _walk(tree)):
            if name in bound and name not in names:
                names[name] = f"v{len(names)}"
        canon = _renamed(tree, names)
        role = {v: [] for v in names.values()}    # each name's statements, itself as @ and the others as _
        for unit in _sequence(canon.body, [], api=True):
            for v in set(_VAR.findall(unit)) & role.keys():
                role[v].append(_VAR.sub(lambda m, v=v: "@" if m[0] == v else "_", unit))
        order = sorted(names.values(), key=lambda v: (sorted(role[v]), int(v[1:])))
        steady = {n: f"v{order.index(v)}" for n, v in names.items()}
        return Features(ast.unparse(canon), _sequence(canon.body, []), _bag(_renamed(tree, steady).body, "", Counter()))
    except RecursionError:
        return None


def normalise(source: str) -> str | None:
    """The answer without comments, formatting, docstrings or its own names; None when it does not parse."""
    found = features(source)
    return found.text if found else None


def score(a: Features, b: Features) -> float:
    ratio = difflib.SequenceMatcher(None, a.seq, b.seq, autojunk=False).ratio()
    total = sum(a.bag.values()) + sum(b.bag.values())
    return max(ratio, 2 * sum((a.bag & b.bag).values()) / total if total else 0.0)


def similar_pairs(answers: dict, skip: dict) -> dict[str, list[tuple[str, str, float]]]:
    """{exercise: [(student, student, score)]}, best first: the pairs of `answers` ({student: {exercise: source}})
    at or above THRESHOLD that the common sources `skip` ({exercise: [sources]}) do not explain."""
    out = {}
    for exercise in sorted({e for given in answers.values() for e in given}):
        common = [f for f in map(features, skip.get(exercise, ())) if f]
        found = {s: features(given.get(exercise)) for s, given in sorted(answers.items())}
        found = {s: f for s, f in found.items()
                 if f and len(f.seq) >= MIN_STATEMENTS and f.text not in {c.text for c in common}}
        explained = {s: max((score(f, c) for c in common), default=0.0) for s, f in found.items()}
        pairs = [(a, b, round(score(found[a], found[b]), 3)) for a, b in combinations(found, 2)]
        pairs = [(a, b, s) for a, b, s in pairs if s >= THRESHOLD and s > max(explained[a], explained[b])]
        if pairs:
            out[exercise] = sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
    return out


def write_report(assignment: str, pairs: dict, answers: dict, path: Path) -> Path:
    """The HTML page: per exercise, each reported pair's two answers side by side."""
    esc = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>Similar answers: {esc(assignment)}</title><style>"
             "body{font-family:sans-serif} table{width:100%;border-collapse:collapse;margin-bottom:1em} "
             "td{vertical-align:top;width:50%} pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}</style>",
             f"<h1>Similar answers in {esc(assignment)}</h1><p>{len(answers)} submissions. Answers are compared "
             "after normalisation: comments, formatting, docstrings, the answer's own names and the order of its "
             f"lines do not count. Pairs scoring at least {THRESHOLD} are listed. Answers of fewer than "
             f"{MIN_STATEMENTS} statements and answers equal to the reference solution or to the release's stub are "
             "not compared, and a pair is only listed when its answers are closer to each other than to those.</p>"]
    for exercise in sorted({e for given in answers.values() for e in given} | set(pairs)):
        parts.append(f"<h2 id='{esc(exercise)}'>{esc(exercise)}</h2>")
        if not pairs.get(exercise):
            parts.append("<p>No pair above the threshold.</p>")
        for a, b, value in pairs.get(exercise, ()):
            cells = "".join(f"<td><pre>{esc(answers.get(s, {}).get(exercise) or '')}</pre></td>" for s in (a, b))
            parts.append(f"<table><tr><th>{esc(a)}</th><th>{esc(b)}</th></tr>"
                         f"<tr><td colspan='2'>score {value:.3f}</td></tr><tr>{cells}</tr></table>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def _answers_of(nb) -> dict[str, str]:
    """{grade_id: source} of a notebook's answer cells (the first copy of each)."""
    out = {}
    for cell in nb.get("cells") if isinstance(nb.get("cells"), list) else ():
        source = cell.get("source") if isinstance(cell, dict) else None
        if is_answer(cell) and grade_id(cell) and grade_id(cell) not in out:
            out[grade_id(cell)] = "".join(source) if isinstance(source, list) else str(source or "")
    return out


def _read(path: Path):
    """The notebook at `path`, or None when it is missing or unreadable."""
    try:
        return intake.read_submission(path.read_bytes())[0]
    except OSError:
        return None


def similarity_report(assignment: str, root: Path, submissions: Path | None = None) -> Path:
    """Compare the notebooks of `submissions` (default ROOT/submitted)/<student>/<assignment>/ (unreadable ones
    are left out) and write ROOT/reports/<assignment>/similarity.html; return its path."""
    root, name = Path(root), notebook_name(assignment)
    none = nbformat.v4.new_notebook()
    solution = _read(root / "solutions" / assignment / name) or _read(SOLUTIONS / assignment / name) or none
    release = _read(root / "course" / assignment / name) or _read(COURSE / assignment / name) or none
    skip = {}
    for gid, text in [*reference_answers(solution).items(), *_answers_of(release).items()]:
        skip.setdefault(gid, []).append(text)
    answers = {}
    for student, folder in intake.discover(Path(submissions or root / "submitted"), assignment).items():
        files = {p.name: p for p in (folder.iterdir() if folder else ()) if p.suffix == ".ipynb" and p.is_file()
                 and not p.is_symlink() and p.stat().st_size <= MAX_NOTEBOOK}
        chosen, _ = intake.find_notebook({n: b"" for n in files}, name)
        found = _answers_of(_read(files[chosen]) or {}) if chosen else {}
        if found:
            answers[student] = found
    return write_report(assignment, similar_pairs(answers, skip), answers,
                        root / "reports" / assignment / "similarity.html")
