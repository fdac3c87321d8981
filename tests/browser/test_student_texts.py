"""What a student reads first, checked without a browser (so `make test` checks it too): the README's student
section and the opening cell of every notebook in course/. The browser test checks the same opening as rendered."""
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "course").glob("*/*.ipynb"))


def student_section() -> str:
    readme = (REPO / "README.md").read_text()
    match = re.search(r"^## For students\n(.*?)(?=^## )", readme, re.M | re.S)
    assert match, "README.md has no '## For students' section"
    return match.group(1)


def test_readme_tells_students_how_to_start_and_check():
    text = student_section()
    for what, pattern in [("how to open the course", r"make lab"), ("the Validate button", r"\*\*Validate\*\*"),
                          ("where answers go", r"YOUR CODE HERE"), ("that hidden tests exist", r"hidden tests"),
                          ("what to do without a GPU", r"No GPU")]:
        assert re.search(pattern, text), f"README's student section does not say {what} ({pattern!r})"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_readme_lists_the_notebook(notebook):
    assert f"`{notebook.stem}`" in student_section(), f"README's student table does not list {notebook.stem}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_opening_says_what_how_long_and_how_to_check(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    opening = "".join(cells[0]["source"]) if cells and cells[0]["cell_type"] == "markdown" else ""
    for what, pattern in [("its title", r"^# "), ("how long it takes", r"\d+\s*(minutes|hours?)"),
                          ("how to run the visible tests", r"test cell"),
                          ("to press Validate before submitting", r"Validate")]:
        assert re.search(pattern, opening, re.M), (
            f"{notebook.relative_to(REPO)}: the first cell should say {what} ({pattern!r}); it reads:\n{opening}")
