"""Where things are in the course repository, and which assignments exist."""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
COURSE = REPO / "course"
CONFIG = REPO / "nbgrader_config.py"


def assignments(solutions: Path = SOLUTIONS) -> list[str]:
    """Assignment names: the folders of `solutions/` that hold a notebook of the same name."""
    return sorted(p.name for p in solutions.iterdir() if (p / f"{p.name}.ipynb").is_file())


def notebook_name(assignment: str) -> str:
    """The single notebook of an assignment is named after it."""
    return f"{assignment}.ipynb"
