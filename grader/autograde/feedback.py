"""HTML feedback per student that never shows the hidden tests, never runs what the student wrote, and is made for
every student even when one student's notebook breaks it.

An autograded notebook is untrusted twice over: its test cells hold the hidden tests (nbgrader restores them), and
everything else is the student's, outputs included. So the page is drawn from a new notebook built here from a
short list of known fields (`strip_hidden`): the test cells' hidden blocks become a one-line notice, their
tracebacks are cut to `Error: message` (the check's message and the grader's verdict line stay), every text the
page shows goes through the `Redactor` (grader/autograde/redact.py) that takes out each hidden line the student
does not already have, and output kinds that only script would need (JavaScript, widgets, SVG, mermaid) are dropped.
nbconvert then renders it with `sanitize_html` on, its `clean_html` filter replaced by a stricter one of ours (no
scripts, styles, iframes, event handlers or `javascript:` links; markdown's own tags kept). The rendered page is
checked once more for hidden lines and foreign scripts; a page that fails, or a notebook that cannot be read or
rendered, gives that student a short page that says so, and the others go on.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import bleach
import nbformat
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from grader.autograde.intake import read_small
from grader.autograde.redact import NOTICE, Redactor, course_lines, hidden_lines, secret_lines, split_hidden
from grader.cells import is_test
from grader.course import notebook_name

__all__ = ["NOTICE", "generate_feedback", "strip_hidden", "clean_html"]

TEXT_MIMES = ("text/plain", "text/latex")
MARKUP_MIMES = ("text/html", "text/markdown")
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")     # what nbgrader's exchange keeps with a submission
IMAGE_MIMES = ("image/png", "image/jpeg")              # the outputs the template embeds as data: images
ATTACHED_IMAGES = (*IMAGE_MIMES, "image/gif")
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
BLOCKS = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.I | re.S)   # shown as neither code nor text


class Refused(Exception):
    """A page not written, for a reason the student may read."""


def _allowed(tag, name, value) -> bool:
    """Which attributes of the tags in TAGS survive: no event handlers, styles or script URLs, and no `id` (an
    element with the id `MathJax` or `require` would stand in for the global that the template's scripts use)."""
    if name == "class":    # not `mermaid`: the template's mermaid.js would render what the student wrote
        return "mermaid" not in value.lower()
    if name == "title" or (tag in ("td", "th") and name in ("colspan", "rowspan", "align")):
        return True
    if tag == "a" and name == "href":
        return re.match(r"(https?:|mailto:|#)", value.strip(), re.I) is not None
    if tag == "img" and name in ("alt", "width", "height"):
        return True
    if tag == "img" and name == "src":    # embedded images only: a page that fetches nothing tells nobody it is read
        return re.match(r"data:image/(png|jpeg|gif);base64,", value.strip(), re.I) is not None
    return False


def clean_html(element) -> str:
    """nbconvert's `clean_html`, stricter: what a student wrote may format text and show images, never run."""
    text = element.decode() if isinstance(element, bytes) else str(element)
    return bleach.clean(BLOCKS.sub("", text), tags=TAGS, attributes=_allowed,
                        protocols={"http", "https", "mailto", "data"}, strip_comments=True)


def _strings(value) -> str:
    """A text field as nbformat allows it (a string or a list of strings); anything else reads as empty."""
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _output(out, red: Redactor, test: bool):
    """The page's copy of one output, or None. Only known fields are copied, every text redacted."""
    kind = out.get("output_type")
    if kind == "stream":
        name = out.get("name") if out.get("name") in ("stdout", "stderr") else "stdout"
        return new_output("stream", name=name, text=red.redact(_strings(out.get("text"))))
    if kind == "error":
        ename, evalue = red.redact(_strings(out.get("ename"))), red.redact(_strings(out.get("evalue")))
        frames = out.get("traceback") if isinstance(out.get("traceback"), list) else []
        joined = "\n".join(f for f in frames if isinstance(f, str))   # a line split across frames is still found
        trace = [f"{ename}: {evalue}"] if test else red.redact(joined).split("\n")
        return new_output("error", ename=ename, evalue=evalue, traceback=trace)
    if kind not in ("display_data", "execute_result") or not isinstance(out.get("data"), dict):
        return None
    data = {}
    for mime, value in out["data"].items():
        if mime in TEXT_MIMES:
            data[mime] = red.redact(_strings(value))
        elif mime in MARKUP_MIMES:
            data[mime] = red.redact(red.redact(_strings(value)), markup=True)
        elif mime in IMAGE_MIMES and isinstance(value, str) and BASE64.fullmatch(value):
            data[mime] = value
    if not data:
        return None
    if kind == "execute_result":
        count = out.get("execution_count")
        return new_output(kind, data=data, execution_count=count if isinstance(count, int) else None)
    return new_output(kind, data=data)


def _attachments(cell) -> dict:
    """A markdown cell's attachments that are images in base64: the only kind the page shows."""
    found = cell.get("attachments") if isinstance(cell.get("attachments"), dict) else {}
    kept = {name: {m: v for m, v in bundle.items()
                   if m in ATTACHED_IMAGES and isinstance(v, str) and BASE64.fullmatch(v)}
            for name, bundle in found.items() if isinstance(name, str) and isinstance(bundle, dict)}
    return {name: bundle for name, bundle in kept.items() if bundle}


def strip_hidden(nb, redactor: Redactor | None = None) -> NotebookNode:
    """The notebook the page is drawn from: a new one holding only what the student may see (module docstring).
    Without a `redactor`, the secrets are the hidden lines of the notebook's own test cells, less their visible
    lines (generate_feedback passes one that also knows the solution and the release)."""
    if redactor is None:
        tests = [c for c in nb.get("cells", []) if is_test(c) and isinstance(c.get("source"), str)]
        shown = [line for c in tests for line in split_hidden(c.source)[0].splitlines()]
        redactor = Redactor(secret_lines(hidden_lines(nb), shown))
    red = redactor      # one name for it in the many calls below
    cells = []
    for cell in nb.get("cells", []):
        source = _strings(cell.get("source"))
        if cell.get("cell_type") == "code":
            test = is_test(cell)
            if test:
                source = split_hidden(source)[0]
            count = cell.get("execution_count")
            outputs = [o for o in (_output(out, red, test) for out in cell.get("outputs", []) if isinstance(out, dict))
                       if o is not None]
            cells.append(new_code_cell(red.redact(source), outputs=outputs,
                                       execution_count=count if isinstance(count, int) else None))
        elif cell.get("cell_type") == "markdown":
            kept = _attachments(cell)   # nbconvert raises on a reference to an attachment that is not there
            names = "|".join(re.escape(name) for name in kept) or "(?!)"
            source = re.sub(rf"attachment:(?!(?:{names})(?=[\s)\"'>]|$))", "removed-attachment:", source)
            md = new_markdown_cell(red.redact(red.redact(source), markup=True))
            if kept:
                md.attachments = kept
            cells.append(md)
        elif cell.get("cell_type") == "raw":
            cells.append(new_raw_cell(red.redact(red.redact(source), markup=True)))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"},
                                               "language_info": {"name": "python"}})


def _exporter():
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(sanitize_html=True)
    exporter.register_filter("clean_html", clean_html)
    return exporter


SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.I | re.S)


def render(nb, red: Redactor, exporter, template_scripts: set) -> str:
    """The page of a page-safe notebook; Refused when the rendered page still shows a hidden line or a script
    that is not the template's own."""
    page, _ = exporter.from_notebook_node(strip_hidden(nb, red))
    if red.leaks(SCRIPT.sub("", page), markup=True):
        raise Refused("the page would have shown part of the hidden tests")
    if set(SCRIPT.findall(page)) - template_scripts:
        raise Refused("the page would have held a script that is not the page's own")
    return page


def failure_page(student: str, assignment: str, reason: str) -> str:
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Feedback: {html.escape(assignment)}"
            f"</title></head>\n<body><h1>Feedback for {html.escape(student)} on {html.escape(assignment)}</h1>\n"
            f"<p>Feedback could not be generated: {html.escape(reason)}.</p>\n"
            "<p>Your score is not affected; ask the course staff for your feedback.</p></body></html>\n")


class Pages(list):
    """The pages written, one per student, and `failed`: {student: why} for those that got a failure page."""

    def __init__(self):
        super().__init__()
        self.failed: dict[str, str] = {}


def scores(root: Path, assignment: str) -> dict[str, str]:
    """{student: "score / max"} from the course's gradebook (hand grades included), {} without one."""
    db = root / "gradebook.db"
    if not db.is_file():
        return {}
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(f"sqlite:///{db}") as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        return {sub.student.id: f"{sub.score:g} / {a.max_score:g}" for sub in a.submissions}


def _page(src: Path, hidden: list, public: list, exporter, template_scripts: set,
          score: str | None = None) -> tuple[str, str | None]:
    """(the page, None) or (a failure page's reason for the student, the reason for the command line). Error
    messages are left out of both: they may quote the notebook, hidden tests included, cut anywhere. The page
    opens with the student's score, as the gradebook has it, when there is one."""
    try:
        nb = nbformat.read(str(src), as_version=4)
    except Exception as exc:   # noqa: BLE001  bad JSON, bad nbformat, bad encoding: all the student's
        return "the autograded notebook could not be read", f"not a readable notebook ({type(exc).__name__})"
    if score:
        nb.cells.insert(0, new_markdown_cell(f"**Score: {score}** (the gradebook's, hand grades included)"))
    try:
        red = Redactor(secret_lines(hidden + hidden_lines(nb), public))
        return render(nb, red, exporter, template_scripts), None
    except Refused as exc:
        return str(exc), str(exc)
    except Exception as exc:   # noqa: BLE001  whatever it is, it stops this student only
        shown = f"the page could not be rendered ({type(exc).__name__})"
        return shown, shown


def generate_feedback(assignment: str, root: Path, students=None) -> list[Path]:
    """Write `feedback/<student>/<assignment>/<assignment>.html` (and the submission's EXCHANGE_FILES beside it, as
    nbgrader's exchange needs) for every autograded student (or `students`) and
    return a `Pages` list of them. Each student is done on its own: one that fails gets a failure page, is named
    in `Pages.failed`, and the others go on."""
    root = Path(root)
    hidden, public = course_lines(assignment, root)
    exporter = _exporter()
    template_scripts = set(SCRIPT.findall(exporter.from_notebook_node(new_notebook())[0]))
    score = scores(root, assignment)
    written = Pages()
    for folder in sorted((root / "autograded").glob(f"*/{assignment}")):
        student, src = folder.parent.name, folder / notebook_name(assignment)
        if (students and student not in students) or not src.is_file():
            continue
        page, why = _page(src, hidden, public, exporter, template_scripts, score.get(student))
        if why is not None:
            written.failed[student] = why
            page = failure_page(student, assignment, page)
        out = root / "feedback" / student / assignment / notebook_name(assignment).replace(".ipynb", ".html")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page)
        # beside the page, as nbgrader's own feedback has them: `nbgrader release_feedback` reads the submission's
        # time stamp and the secret its exchange names the page by (taken as data, never through a link)
        for name in EXCHANGE_FILES:
            data = read_small(root / "submitted" / student / assignment / name)
            if data is not None:
                (out.parent / name).write_bytes(data)
        written.append(out)
    return written
