"""The notebooks' way in from Colab: the install lines of each setup cell and the badge of each opening cell.

Colab has torch but not the course package, so a notebook opened there would stop at `import grader`. The setup
cell therefore starts with a few lines that install the package when it is missing (and only then, saying so in
one line), from the course's repository at the tag of this version; `COURSE_PACKAGE` may name a wheel or a folder
instead, which is how `make test-colab` tries the install path offline. The opening cell carries an "Open in
Colab" badge and says how to hand the notebook in from there.

The repository's address lives in one place, pyproject.toml's `[project.urls] Repository`, and the tag is `v` plus
the project's version. Both pieces of text are generated from them here, so `stamp_notebook` can rewrite them
(idempotent: a stamped notebook is left byte for byte as it is) and `notebook_problems` can say where a notebook
disagrees. `python -m grader stamp-setup` runs it; `python -m grader release` stamps `solutions/` first.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from grader.course import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:                                   # Python 3.10: the grading extra installs tomli
    import tomli as tomllib

PACKAGE_ENV = "COURSE_PACKAGE"
INSTALL_LINE = "Installing the course package from"   # the one line the setup cell prints when it installs
BADGE = "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
COLAB_PARAGRAPH = "**In Colab:**"      # the opening cell's paragraph that holds the badge starts with this
_INSTALL_BLOCK = re.compile(r"\Atry:\n    import grader\nexcept ModuleNotFoundError:.*?(?:\n\n|\Z)", re.S)
_COLAB_URL = re.compile(r"https://colab\.research\.google\.com/github/[^)\s]*?/course/([\w.-]+)/\1\.ipynb")


def project(pyproject: Path = REPO / "pyproject.toml") -> tuple[str, str]:
    """(the repository's address, the project's version), from pyproject.toml."""
    data = tomllib.loads(pyproject.read_text())["project"]
    return data["urls"]["Repository"].rstrip("/"), data["version"]


def ref(pyproject: Path = REPO / "pyproject.toml") -> str:
    """The git tag a release of this version lives at (the notebooks install from it and link to it)."""
    return f"v{project(pyproject)[1]}"


def install_source(pyproject: Path = REPO / "pyproject.toml") -> str:
    """What pip installs in Colab: the repository at this version's tag."""
    return f"git+{project(pyproject)[0]}.git@{ref(pyproject)}"


def colab_url(assignment: str, pyproject: Path = REPO / "pyproject.toml") -> str:
    """Colab's address for the release notebook of `assignment` at this version's tag."""
    address = project(pyproject)[0]
    slug = re.sub(r"^https://github\.com/", "", address)
    if slug == address:
        raise ValueError(f"Colab opens notebooks from GitHub; the repository {address} is not on github.com")
    return f"https://colab.research.google.com/github/{slug}/blob/{ref(pyproject)}/course/{assignment}/{assignment}.ipynb"


def install_block(pyproject: Path = REPO / "pyproject.toml") -> str:
    """The lines that open every setup cell (followed by one blank line)."""
    return (
        "try:\n"
        "    import grader\n"
        f"except ModuleNotFoundError:  # in Colab: install the course package ({PACKAGE_ENV}: a wheel or folder instead)\n"
        "    import os, subprocess, sys\n"
        f'    source = os.environ.get("{PACKAGE_ENV}", "{install_source(pyproject)}")\n'
        f'    print(f"{INSTALL_LINE} {{source}}")\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-qq", source], check=True)\n'
        "\n"
    )


def colab_paragraph(assignment: str, pyproject: Path = REPO / "pyproject.toml") -> str:
    """The opening cell's last paragraph: the badge, and how to hand the notebook in from Colab."""
    return (
        f"{COLAB_PARAGRAPH} {BADGE}({colab_url(assignment, pyproject)}) opens this notebook in Google Colab; its first "
        "code cell installs the course package there (*Runtime → Change runtime type* gives it a GPU). To hand it in, "
        f"use *File → Download → Download .ipynb* and keep the file's name, `{assignment}.ipynb`."
    )


def setup_cell_index(nb) -> int:
    """The setup cell: the first code cell that calls `setup_notebook`."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "setup_notebook(" in cell.source:
            return i
    raise ValueError("no code cell calls setup_notebook(...)")


def stamped_setup(source: str, pyproject: Path = REPO / "pyproject.toml") -> str:
    """The setup cell's source with the install block (re)written at its top."""
    return install_block(pyproject) + _INSTALL_BLOCK.sub("", source, count=1)


def stamped_opening(source: str, assignment: str, pyproject: Path = REPO / "pyproject.toml") -> str:
    """The opening cell's source with its Colab paragraph (re)written as its last paragraph."""
    paragraphs = [p for p in source.rstrip("\n").split("\n\n") if not p.startswith(COLAB_PARAGRAPH)]
    return "\n\n".join(paragraphs + [colab_paragraph(assignment, pyproject)])


def stamp_notebook(path: Path, pyproject: Path = REPO / "pyproject.toml") -> bool:
    """Rewrite the notebook's setup cell and Colab paragraph from pyproject.toml; True when the file changed."""
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    setup, opening = nb.cells[setup_cell_index(nb)], nb.cells[0]
    if opening.cell_type != "markdown":
        raise ValueError(f"{path}: the first cell should be the notebook's markdown introduction")
    new_setup, new_opening = stamped_setup(setup.source, pyproject), stamped_opening(opening.source, path.stem, pyproject)
    if (new_setup, new_opening) == (setup.source, opening.source):
        return False
    setup.source, opening.source = new_setup, new_opening
    nbformat.write(nb, str(path))
    return True


def notebook_problems(path: Path, pyproject: Path = REPO / "pyproject.toml") -> list[str]:
    """Where the notebook disagrees with pyproject.toml (empty: it is stamped and up to date)."""
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    problems = []
    try:
        setup = nb.cells[setup_cell_index(nb)].source
        if not setup.startswith(install_block(pyproject)):
            problems.append(f"{path}: the setup cell does not start with the install lines for {install_source(pyproject)}")
    except ValueError as err:
        problems.append(f"{path}: {err}")
    if colab_paragraph(path.stem, pyproject) not in nb.cells[0].source:
        problems.append(f"{path}: the opening cell lacks the Colab badge for {colab_url(path.stem, pyproject)}")
    return problems


def stamp_links(path: Path, pyproject: Path = REPO / "pyproject.toml") -> bool:
    """Point every "Open in Colab" link of a text file (the README) at this repository and tag; True if changed."""
    text = path.read_text()
    new = _COLAB_URL.sub(lambda m: colab_url(m.group(1), pyproject), text)
    if new != text:
        path.write_text(new)
    return new != text


def link_problems(path: Path, pyproject: Path = REPO / "pyproject.toml") -> list[str]:
    """Colab links of a text file that do not match the repository and tag (empty: all agree)."""
    return [f"{path}: {m.group(0)} should be {colab_url(m.group(1), pyproject)}"
            for m in _COLAB_URL.finditer(path.read_text()) if m.group(0) != colab_url(m.group(1), pyproject)]
