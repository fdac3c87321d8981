"""HTML feedback per student that never shows the hidden tests.

nbgrader's `generate_feedback` renders the autograded notebook, whose test cells hold the hidden tests (their
source, and their lines again in every traceback). Here each autograded notebook first goes through nbgrader's
own `ClearHiddenTests` preprocessor (the hidden block becomes a one-line notice), every error output of a test
cell is cut to `Error: message` (the check's message: expected versus actual, tensor details, the hint), and the
grader's verdict line stays; then nbconvert's HTML exporter writes `feedback/<student>/<assignment>/<nb>.html`.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from grader.cells import is_test
from grader.course import notebook_name

NOTICE = "# (hidden tests: not shown)"


def strip_hidden(nb) -> NotebookNode:
    from nbgrader.preprocessors import ClearHiddenTests
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    for cell in nb.cells:
        if cell.cell_type != "code" or not is_test(cell):
            continue
        if "BEGIN HIDDEN TESTS" in cell.source:   # belt and braces
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0] + NOTICE
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
    return nb


def generate_feedback(assignment: str, root: Path, students=None) -> list[Path]:
    from nbconvert import HTMLExporter
    exporter = HTMLExporter()
    written = []
    for folder in sorted((Path(root) / "autograded").glob(f"*/{assignment}")):
        student = folder.parent.name
        if students and student not in students:
            continue
        src = folder / notebook_name(assignment)
        if not src.is_file():
            continue
        nb = strip_hidden(nbformat.read(str(src), as_version=4))
        html, _ = exporter.from_notebook_node(nb)
        out = Path(root) / "feedback" / student / assignment / notebook_name(assignment).replace(".ipynb", ".html")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html)
        written.append(out)
    return written
