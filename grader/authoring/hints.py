"""Hints that guide instead of answering: find visible test code that gives away an exercise's solution.

A student reads the test cell under an exercise before writing anything. Its visible part (everything outside
`### BEGIN HIDDEN TESTS` ... `### END HIDDEN TESTS`) may say what is wrong and where to look (the section, the
property that fails, expected against got), but never the code that fixes it. `violations(nb)` lists the places
where it does, for one solution notebook. The rule, as implemented:

1. **Solution fragments.** The code between `### BEGIN SOLUTION` and `### END SOLUTION` of an answer cell is parsed,
   and these pieces of it are the exercise's *fragments*:
   - every call with at least one argument, written from the called name on: `x.permute(0, 2, 3, 1)` gives
     `permute(0, 2, 3, 1)`, `nn.init.normal_(m.weight, 0.0, 0.02)` gives `normal_(m.weight, 0.0, 0.02)`;
   - for a call with two or more arguments, each keyword argument together with its call, whatever the other
     arguments are: `x.mean(dim=1, keepdim=True)` also gives `mean(..., keepdim=True)`, which matches
     `x.mean(1, keepdim=True)` as well;
   - slices (`x.shape[1:]`), comprehensions (`[p.grad for p in A.parameters()]`), comparisons (`x > 0`) and
     arithmetic with a compound operand (`16 * n * n`, `a.unsqueeze(1) - b.unsqueeze(0)`).
   Not fragments, because they are plumbing every answer and every test writes: a bare name or attribute, a call
   without arguments (`.item()`, `.eval()`), arithmetic between two plain names or numbers (`x - m`), and the
   calls in `TRIVIAL_CALLS` below.
2. **Prescriptive code in hints.** In the visible strings and comments of a test cell, code that tells the student
   what to type is a fragment too, even when the solution is written otherwise: a call with arguments inside
   backticks (`` `torch.flatten(x, 1)` ``), or one right after an instruction word such as "use", "call", "with",
   "pass", "return" or "wrap" ("use math.prod(x.shape[1:])").
3. **Where a fragment may not appear.** Fragments are compared with whitespace removed (and `'` read as `"`) with
   the visible part of each of the exercise's test cells (`test_<name>`, `test_<name>_<aspect>`): its code, its
   comments and its hint strings. A fragment there is a violation, unless it was *taught*: it appears in the
   exercise's own prompt (its answer cell outside the solution: signature, docstring, comments), in the prompt of
   an earlier exercise, or in a lesson cell (markdown or code, neither answer nor test) before the exercise. Earlier
   test cells do not count as teaching: one leak must not excuse another.
4. **Calls the test must make** are not flagged: a fragment that is a call of one of the notebook's exercise names
   (`gradient_penalty(D, x)`) states the contract, not the answer. The few fragments a visible test cannot do
   without (an expected value that is the solution's own expression) are listed, with the reason, in `ALLOWED`.

5. **Hint levels** (`grader/hints/<assignment>.json`, shown on demand by `grader.hints.hint`) may name a tool, but
   no level may contain a line of the exercise's reference solution, compared as in rule 3 after dropping what
   makes it a statement (`return`, an assignment's target, a trailing `:`). Lines too small to give anything away
   (a bare name, `count = 1`) are skipped. `grader.authoring.hint_levels` checks them.

Taught means literally shown: a lesson cell that prints `x.permute(1, 2, 0)` teaches `permute(1, 2, 0)`, and a hint
that repeats it is not flagged. Such a hint still gives less help than pointing to the section, which is what the
course's hints do. Prose that gives the trick away in words ("divide by something harmless") is beyond this check.
"""
from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass

from grader.cells import grade_id, is_answer, is_test, exercise_of

HIDDEN_BEGIN = re.compile(r"^\s*### BEGIN HIDDEN TESTS\s*$")
HIDDEN_END = re.compile(r"^\s*### END HIDDEN TESTS\s*$")
SOLUTION_BEGIN = re.compile(r"^\s*### BEGIN SOLUTION\s*$")
SOLUTION_END = re.compile(r"^\s*### END SOLUTION\s*$")

# Calls that are plumbing, not the answer, even with arguments: moving to the test's device, counting, the
# Python built-ins a test uses to look at a result. Keyed by the called name; a call is trivial when its name is
# here and every argument is a plain name, attribute or constant (so `to(device)` is trivial, `to(torch.float16)`
# with a keyword `dtype=...` is not).
TRIVIAL_CALLS = frozenset({
    "to",          # .to(device): every test moves its inputs; the contract names the device
    "len", "range", "type", "isinstance", "zip", "list", "tuple", "set", "dict", "float", "int", "str", "sorted",
    "append",      # building a list, as tests do all the time
})

# Fragments that a test must show, by (exercise, fragment as reported), each with the reason. Keep it short: a
# fragment belongs here only when the visible test cannot state the contract without it.
ALLOWED = {
    # the expected value of the first check: get_device("cpu") must equal torch.device("cpu"), which the
    # docstring's "Return the torch.device" already says; the test code has to build it.
    ("get_device", "device('cpu')"),
}

INSTRUCTION = re.compile(
    r"\b(?:use|using|call|calling|with|pass|passing|return|returning|wrap|wrapping)\s+"
    r"(?:it\s+)?(?:in\s+|with\s+)?"
    r"((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*\((?:[^()]|\([^()]*\))*[^\s()](?:[^()]|\([^()]*\))*\))"
)
BACKTICKED_CALL = re.compile(r"`([^`\n]*?[A-Za-z_]\w*\((?:[^()`]|\([^()`]*\))*[^\s()`](?:[^()`]|\([^()`]*\))*\)[^`\n]*)`")


@dataclass(frozen=True)
class Fragment:
    text: str                       # as shown in a report
    pattern: re.Pattern             # searched in key()-normalized text
    called: str | None = None       # the called name, for calls


@dataclass(frozen=True)
class Violation:
    exercise: str
    test_cell: str
    fragment: str
    why: str                        # "solution" (code of the reference answer) or "prescriptive" (code in a hint)

    def __str__(self):
        return f"{self.exercise} / {self.test_cell}: `{self.fragment}` ({self.why})"


def key(text: str) -> str:
    """Text compared whitespace-insensitively, with single quotes read as double quotes: whitespace is dropped,
    except one space between two word characters (so that `with permute(` does not read as `withpermute(`)."""
    text = re.sub(r"\s+", " ", text.replace("'", '"'))
    return re.sub(r"(?<=\W) | (?=\W)", "", text).strip()


def _literal(text: str, called: str | None = None) -> Fragment:
    k = key(text)
    boundary = r"(?<!\w)" if re.match(r"\w", k) else ""
    return Fragment(text, re.compile(boundary + re.escape(k)), called)


def _keyword_in_call(name: str, kw: str) -> Fragment:
    """`name(..., kw=value)`: the keyword, with its value, among the arguments of a call of `name`."""
    pattern = (r"(?<![\w])" + re.escape(name) + r"\((?:[^()]|\([^()]*\))*?(?<=[(,])" + re.escape(key(kw))
               + r"(?=[,)])")
    return Fragment(f"{name}(..., {kw})", re.compile(pattern), name)


# ----------------------------------------------------------------------------------------------- cell parts

def split_solution(source: str) -> tuple[str, str]:
    """(prompt, solution): the lines outside the SOLUTION markers and the lines between them."""
    prompt, solution, inside = [], [], False
    for line in source.splitlines():
        if SOLUTION_BEGIN.match(line):
            inside = True
            solution.append("")            # keeps separate solution regions apart
        elif SOLUTION_END.match(line):
            inside = False
        else:
            (solution if inside else prompt).append(line)
    return "\n".join(prompt), "\n".join(solution)


def visible_part(source: str) -> str:
    """A test cell's source without its hidden tests (the lines between the HIDDEN TESTS markers, markers too)."""
    kept, hidden = [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN.match(line):
            hidden = True
        elif HIDDEN_END.match(line):
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _solution_blocks(solution: str) -> list[ast.AST]:
    """The solution regions parsed one by one (each dedented, inside a function so that return/yield parse)."""
    trees = []
    for block in re.split(r"\n(?=\n)", solution):
        block = textwrap.dedent(block).strip("\n")
        if not block.strip():
            continue
        try:
            trees.append(ast.parse("def _():\n" + textwrap.indent(block, "    ")))
        except SyntaxError:
            try:
                trees.append(ast.parse(block))
            except SyntaxError:
                continue
    return trees


def hint_texts(source: str) -> list[str]:
    """The string literals (adjacent ones joined) and comments of a piece of Python code."""
    texts, pending = [], []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [source]
    for tok in tokens:
        if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) and pending:
            if tok.type == tokenize.NEWLINE:
                texts.append("".join(pending))
                pending = []
            continue
        if tok.type == tokenize.STRING:
            body = re.sub(r"^[A-Za-z]*", "", tok.string)
            quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
            pending.append(body[len(quote):-len(quote)] if len(body) >= 2 * len(quote) else body)
            continue
        if pending:
            texts.append("".join(pending))
            pending = []
        if tok.type == tokenize.COMMENT:
            texts.append(tok.string.lstrip("#").strip())
    if pending:
        texts.append("".join(pending))
    return texts


# ------------------------------------------------------------------------------------------------- fragments

def _plain(node: ast.AST) -> bool:
    """A bare name, an attribute of one, or a constant (negative numbers too)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if isinstance(node, ast.Attribute):
        return _plain(node.value)
    return isinstance(node, (ast.Name, ast.Constant))


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _call_fragments(call: ast.Call) -> list[Fragment]:
    arguments = [*call.args, *call.keywords]
    name = _called_name(call)
    if not arguments:
        return []
    if name in TRIVIAL_CALLS and all(_plain(a.value if isinstance(a, ast.keyword) else a) for a in arguments):
        return []
    text = ", ".join(ast.unparse(a) for a in arguments)
    frags = [_literal(f"{name}({text})" if isinstance(call.func, ast.Attribute) else ast.unparse(call), name)]
    if name is not None and len(arguments) >= 2:
        frags += [_keyword_in_call(name, ast.unparse(kw)) for kw in call.keywords if kw.arg is not None]
    return frags


def solution_fragments(solution: str) -> list[Fragment]:
    """The fragments of a reference solution worth flagging (rule 1 of the module docstring)."""
    frags: dict[str, Fragment] = {}
    for tree in _solution_blocks(solution):
        for node in ast.walk(tree):
            found = []
            if isinstance(node, ast.Call):
                found = _call_fragments(node)
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
                found = [_literal(ast.unparse(node))]
            elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Compare)):
                found = [_literal(ast.unparse(node))]
            elif isinstance(node, ast.BinOp) and not (_plain(node.left) and _plain(node.right)):
                found = [_literal(ast.unparse(node))]
            for frag in found:
                frags.setdefault(frag.pattern.pattern, frag)
    return list(frags.values())


def prescriptive_fragments(visible: str) -> list[Fragment]:
    """Code a hint tells the student to type (rule 2 of the module docstring)."""
    frags: dict[str, Fragment] = {}
    for text in hint_texts(visible):
        for match in [*INSTRUCTION.finditer(text), *BACKTICKED_CALL.finditer(text)]:
            code = match.group(1).strip()
            name = re.match(r"(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\(", code)
            frag = _literal(code, name.group(1) if name else None)
            frags.setdefault(frag.pattern.pattern, frag)
    return list(frags.values())


# ------------------------------------------------------------------------------------------------ the check

def violations(nb) -> list[Violation]:
    """Every fragment of an exercise's answer that its test cells' visible part gives away, for one notebook
    (an nbformat notebook of `solutions/`)."""
    exercises = [grade_id(c) for c in nb.cells if is_answer(c) and grade_id(c)]
    taught: list[str] = []                  # lessons and prompts seen so far
    known: dict[str, tuple[str, list[Fragment]]] = {}     # exercise -> (what was taught by then, its fragments)
    for cell in nb.cells:
        if is_answer(cell):
            prompt, solution = split_solution(cell.source)
            taught.append(prompt)
            known[grade_id(cell)] = (key("\n".join(taught)), solution_fragments(solution))
        elif not is_test(cell):
            taught.append(cell.source)
    found: list[Violation] = []
    for cell in nb.cells:
        if not is_test(cell):
            continue
        test_id = grade_id(cell) or ""
        exercise = exercise_of(test_id, exercises)
        if exercise not in known:
            continue
        taught_key, fragments = known[exercise]
        visible = visible_part(cell.source)
        visible_key = key(visible)
        seen = set()
        for why, frags in (("solution", fragments), ("prescriptive", prescriptive_fragments(visible))):
            for frag in frags:
                if frag.called in exercises or frag.text in seen or (exercise, frag.text) in ALLOWED:
                    continue
                if not frag.pattern.search(visible_key) or frag.pattern.search(taught_key):
                    continue
                if any(frag.pattern.search(key(shown)) or _literal(shown).pattern.search(key(frag.text))
                       for shown in seen):
                    continue        # `mean(..., keepdim=True)` once `mean(dim=1, keepdim=True)` is reported
                seen.add(frag.text)
                found.append(Violation(exercise, test_id, frag.text, why))
    return found
