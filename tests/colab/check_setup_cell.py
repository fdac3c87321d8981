"""Run a notebook's setup cell as Colab would, and check what it says: `python check_setup_cell.py MODE NOTEBOOK...`.

MODE `install`: the package is missing (a Colab runtime); the cell must install it from `$COURSE_PACKAGE`, say so in
exactly one line, and go on to `setup_notebook`'s line. MODE `quiet`: the package is there (the dev environment);
the cell must not install anything or say anything before `setup_notebook`'s line. Each cell runs in a fresh
interpreter (this one's) in an empty folder, so that no `grader/` folder nearby can be imported by accident. In
`install` mode the package is uninstalled again after each notebook, so each one meets a runtime without it.

Plain `json` and the standard library only: this runs in the Colab-like environment, which has no nbformat.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

INSTALL_LINE = "Installing the course package from"   # grader.authoring.setup_cell.INSTALL_LINE (not importable here)
DISTRIBUTION = "pytorch-course-grader"


def setup_source(notebook: Path) -> str:
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and "setup_notebook(" in source:
            return source
    raise SystemExit(f"{notebook}: no setup cell (a code cell calling setup_notebook)")


def installed() -> bool:
    return subprocess.run([sys.executable, "-m", "pip", "show", "-qq", DISTRIBUTION],
                          capture_output=True).returncode == 0


def check(mode: str, notebook: Path) -> list[str]:
    if (mode == "install") == installed():
        return [f"{notebook.name}: the package is {'already' if mode == 'install' else 'not'} installed before the cell"]
    with tempfile.TemporaryDirectory(prefix="colab-cell-") as tmp:
        run = subprocess.run([sys.executable, "-c", setup_source(notebook)], cwd=tmp, capture_output=True, text=True)
    lines = run.stdout.splitlines()
    problems = [] if run.returncode == 0 else [f"{notebook.name}: the cell failed:\n{run.stdout}{run.stderr}"]
    expected = 2 if mode == "install" else 1        # (the install line), then setup_notebook's line
    if (len(lines) != expected or not lines[-1].startswith("torch ")
            or (mode == "install") != lines[0].startswith(INSTALL_LINE)):
        problems.append(f"{notebook.name}: expected {'one install line, then ' if mode == 'install' else ''}"
                        f"setup_notebook's line alone; the cell printed:\n{run.stdout}")
    if "pip" in run.stderr:
        problems.append(f"{notebook.name}: pip said more than the one line:\n{run.stderr}")
    if mode == "install":
        if not installed():
            problems.append(f"{notebook.name}: the package is still missing after the cell")
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-qq", "-y", DISTRIBUTION], check=True)
    print(f"{notebook.name} ({mode}): {'ok' if not problems else 'FAILED'}"
          + (f" | {lines[0]}" if lines and mode == "install" else ""))
    return problems


def main(argv) -> int:
    mode, notebooks = argv[0], [Path(p) for p in argv[1:]]
    if mode not in ("install", "quiet") or not notebooks:
        raise SystemExit(__doc__)
    problems = [p for nb in notebooks for p in check(mode, nb)]
    print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
