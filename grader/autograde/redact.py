"""Which lines of the hidden tests are secret, and taking them out of any text a feedback page shows.

Clearing the hidden block of each test cell is not enough: the student's kernel ran the hidden tests, so their lines
can reach the page through anything the student prints (IPython's `In`, a stack trace taken inside the student's
function, an error message, HTML). So every hidden line the student does not already have is searched for in every
text the page shows, in a form that survives cheap disguises: whitespace (indentation, joined or split lines, spaces
removed, zero-width characters), letter case and fullwidth letters are ignored, HTML entities and tags, backslash
escapes (repr, JSON) and terminal colour codes are read through. Each find is replaced by `MARKER`.
"""
from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import nbformat

from grader.cells import is_answer, is_test, strip_solution_markers
from grader.course import SOLUTIONS, notebook_name

BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"    # nbgrader's delimiters, matched as it does: anywhere
NOTICE = "# (hidden tests: not shown)"
MARKER = "[hidden test line removed]"
MIN_CHARS, MIN_LETTERS = 10, 4    # a secret shorter than this would match too much that is not the test

_TOKENS = r"""(?P<ansi>\x1b\[[0-9;?]*[A-Za-z])
    |(?P<entity>&(?:\#[0-9]{1,7}|\#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)
    |(?P<blank>\\+[ntr]|\s+)
    |(?P<escape>\\+)
    |(?P<char>.)"""
_PLAIN = re.compile(_TOKENS, re.X | re.S)
_HTML = re.compile(r"(?P<tag><[A-Za-z/!?][^<>]*>)|" + _TOKENS, re.X | re.S)


def split_hidden(source: str) -> tuple[str, list[str]]:
    """(the source with each hidden block replaced by NOTICE, the hidden lines, delimiters included: where a
    block starts is the hidden tests' business too). Never raises: a block that is never closed runs to the end of
    the cell, which hides more, not less."""
    shown, hidden, inside = [], [], False
    for line in source.splitlines():
        if BEGIN in line and not inside:
            inside = True
            hidden.append(line)
            shown.append(line[:len(line) - len(line.lstrip())] + NOTICE)
        elif inside and END in line:
            inside = False
            hidden.append(line)
        elif inside:
            hidden.append(line)
        else:
            shown.append(line)
    return "\n".join(shown), hidden


def hidden_lines(nb) -> list[str]:
    """Every line of the hidden blocks of the notebook's test cells."""
    lines = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and is_test(cell) and isinstance(cell.get("source"), str):
            lines += split_hidden(cell.source)[1]
    return lines


def _read(path: Path):
    return nbformat.read(str(path), as_version=4) if path.is_file() else None


def course_lines(assignment: str, root: Path) -> tuple[list[str], list[str]]:
    """(the hidden lines of the solution notebook, the lines that are no secret). The course root's own
    `solutions/` and `course/` when it has them, else this repository's. No secret: the lines of the release (the
    solution notebook's lines outside hidden blocks and answers when there is none), and the lines of the model
    answers: a correct student writes `for p in model.parameters():` too, and must see it in their own code."""
    name = notebook_name(assignment)
    solutions = Path(root) / "solutions"
    if not (solutions / assignment / name).is_file():
        solutions = SOLUTIONS
    solution, release = _read(solutions / assignment / name), _read(solutions.parent / "course" / assignment / name)
    public = [line for cell in release.cells for line in cell.source.splitlines()] if release else []
    if solution is None:
        return [], public
    if release is None:
        public = [line for c in solution.cells if not is_answer(c) for line in split_hidden(c.source)[0].splitlines()]
    public += [line for c in solution.cells if is_answer(c) for line in strip_solution_markers(c.source).splitlines()]
    return hidden_lines(solution), public


def normalize(text: str, markup: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """The text as compared: no whitespace or invisible characters, lower case, Unicode compatibility forms
    folded (NFKC), entities decoded, backslashes, colour codes and (with `markup`) tags dropped; and for each
    character kept, the span of `text` it came from."""
    chars, spans = [], []
    for m in (_HTML if markup else _PLAIN).finditer(text):
        kind = m.lastgroup
        if kind in ("ansi", "tag", "blank", "escape"):
            continue
        decoded = html.unescape(m.group()) if kind == "entity" else m.group()
        if not decoded.isascii():   # fullwidth and other compatibility forms; zero-width and soft hyphens go
            decoded = "".join(c for c in unicodedata.normalize("NFKC", decoded) if unicodedata.category(c) != "Cf")
        for ch in decoded:
            if ch.isspace():
                continue
            low = ch.lower()
            chars.append(low if len(low) == 1 else ch)
            spans.append(m.span())
    return "".join(chars), spans


def is_trivial(line: str) -> bool:
    """Too short or too plain to be worth hiding: matching it would blank out ordinary code."""
    norm = normalize(line)[0]
    return len(norm) < MIN_CHARS or sum(c.isalpha() for c in norm) < MIN_LETTERS


def secret_lines(hidden, public) -> list[str]:
    """The hidden lines worth hiding: not trivial, and not found in `public` (the lines of the release the
    student already has; a hidden line inside a longer public line counts as public too, else redacting it would
    blank out what the student may see)."""
    shown = "\n".join(normalize(line)[0] for line in public)
    kept = {}
    for line in hidden:
        line = line.strip()
        if line and not is_trivial(line) and normalize(line)[0] not in shown:
            kept.setdefault(normalize(line)[0], line)
    return list(kept.values())


class Redactor:
    """Finds and replaces the secret lines in any text."""

    def __init__(self, secrets):
        self.secrets = sorted({normalize(s)[0] for s in secrets if normalize(s)[0]}, key=len, reverse=True)

    def _finds(self, text: str, markup: bool):
        norm, spans = normalize(text, markup)
        for secret in self.secrets:
            start = norm.find(secret)
            while start != -1:
                yield secret, spans[start][0], spans[start + len(secret) - 1][1]
                start = norm.find(secret, start + 1)

    def leaks(self, text: str, markup: bool = False) -> list[str]:
        """The secrets (normalized) that `text` still shows."""
        return sorted({secret for secret, _, _ in self._finds(text, markup)})

    def redact(self, text: str, markup: bool = False) -> str:
        """`text` with every find, and whatever lies inside it in `text`, replaced by MARKER."""
        if not self.secrets or not isinstance(text, str):
            return text
        merged = []
        for start, end in sorted((s, e) for _, s, e in self._finds(text, markup)):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in reversed(merged):
            text = text[:start] + MARKER + text[end:]
        return text
