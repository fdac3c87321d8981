"""Preparation (grader/autograde/prepare.py): the assignment's template, and the cache key that must change with
anything the reference run depends on."""
import os
import shutil

from grader.autograde import prepare
from grader.course import CONFIG, SOLUTIONS

A = "01-tensors"


def test_the_cache_key_follows_solutions_config_and_every_grader_module(tmp_path):
    package = tmp_path / "grader"
    shutil.copytree(prepare.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    key = prepare.solutions_key(A, SOLUTIONS, CONFIG, package)
    assert prepare.solutions_key(A, SOLUTIONS, CONFIG, package) == key
    (package / "autograde" / "new_step.py").write_text("'''a module nobody listed'''\n")
    assert prepare.solutions_key(A, SOLUTIONS, CONFIG, package) != key
    (package / "autograde" / "new_step.py").unlink()
    (package / "checks.py").write_text((package / "checks.py").read_text() + "\n")
    assert prepare.solutions_key(A, SOLUTIONS, CONFIG, package) != key
    config = tmp_path / "nbgrader_config.py"
    config.write_text(CONFIG.read_text() + "\n# changed\n")
    assert prepare.solutions_key(A, SOLUTIONS, config, prepare.PACKAGE) != prepare.solutions_key(A)


def test_the_template_knows_every_graded_cell():
    template = prepare.build_template(A)
    cells = template["meta"]["cells"]
    assert template["meta"]["order"] == list(cells)
    tests = {g for g, c in cells.items() if c["grade"] and not c["solution"]}
    answers = {g for g, c in cells.items() if c["solution"]}
    assert tests and answers and all(cells[g]["locked"] and cells[g]["points"] > 0 for g in tests)
    assert all(f"test_{a}" in tests or any(t.startswith(f"test_{a}_") for t in tests) for a in answers)
    assert template["gradebook"][:16] == b"SQLite format 3\x00"


def test_old_cache_folders_are_pruned(tmp_path, monkeypatch):
    """Every change of the solutions or the grader makes a cache folder; only the newest KEPT_VERSIONS of an
    assignment stay, and other assignments' folders are not touched."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    names = [f"01-tensors-{i:016x}" for i in range(4)] + ["02-autograd-0000000000000000", "01-tensors-notes"]
    for age, name in enumerate(names):
        folder = prepare.cache_dir() / name
        folder.mkdir(parents=True)
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))      # names[0] is the newest
    prepare.prune_cache("01-tensors")
    left = sorted(p.name for p in prepare.cache_dir().iterdir())
    assert left == sorted(names[:prepare.KEPT_VERSIONS] + names[4:])
