"""The course package stands alone: what the notebooks import works without the grading pipeline, and its
declared dependencies fit both Colab's preinstalled stack and requirements.txt's pins.

A student in Colab installs the package on top of Colab's torch, with an IPython and notebook too old for nbgrader;
anything a notebook imports that pulled in nbgrader (or Dask) would stop that student at the setup cell.
"""
import ast
import json
import subprocess
import sys
import textwrap
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from grader.course import SOLUTIONS

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
GRADING_ONLY = ("nbgrader", "dask", "distributed", "jupyter_server")
COLAB = {"python": "3.13", "torch": "2.11.0+cu126", "torchvision": "0.26.0+cu126", "numpy": "2.1.3",
         "tensorboard": "2.20.0"}
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def notebook_imports() -> tuple[set[str], dict[str, set[str]]]:
    """(every module the solution notebooks import, {grader module: the names imported from it})."""
    modules, names = set(), {}
    to_python = TransformerManager()
    for path in sorted(SOLUTIONS.glob("*/*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(to_python.transform_cell(cell.source))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    modules.add(node.module)
                    if node.module.split(".")[0] == "grader":
                        names.setdefault(node.module, set()).update(alias.name for alias in node.names)
    return modules, names


def pins(python: str) -> dict[str, Version]:
    """requirements.txt's pins that apply to `python` (markers evaluated), by canonical name."""
    found = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"python_version": python}):
                found[canonicalize_name(req.name)] = Version(next(iter(req.specifier)).version)
    return found


def test_notebooks_import_nothing_that_needs_the_grading_extra():
    modules, names = notebook_imports()
    assert "grader" in names and "grader.data" in names, "the notebook parser found no grader import"
    blocker = textwrap.dedent(f"""
        import sys
        class Blocker:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {GRADING_ONLY!r}:
                    raise ImportError(f"{{name}} is blocked: it belongs to the grading extra")
        sys.meta_path.insert(0, Blocker())
    """)
    check = textwrap.dedent(f"""
        import importlib, json
        modules, names = json.loads({json.dumps([sorted(modules), {k: sorted(v) for k, v in names.items()}])!r})
        for module in modules:
            importlib.import_module(module)
        for module, wanted in names.items():
            for name in wanted:
                getattr(importlib.import_module(module), name)
        import grader
        grader.load_helpers()
        print("ok", len(modules))
    """)
    run = subprocess.run([sys.executable, "-c", blocker + check], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0 and run.stdout.startswith("ok"), run.stderr[-3000:]


def test_every_module_the_notebooks_import_is_declared():
    modules, _ = notebook_imports()
    declared = {canonicalize_name(Requirement(d).name) for d in PROJECT["dependencies"]}
    owners = packages_distributions()
    for top in sorted({m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) - {"grader"}):
        dists = {canonicalize_name(d) for d in owners.get(top, [top])}
        assert dists & declared, f"notebooks import {top} ({', '.join(dists)}), which pyproject.toml does not declare"


@pytest.mark.parametrize("python", PYTHONS)
def test_dependencies_admit_the_pins(python):
    pinned = pins(python)
    for group in [PROJECT["dependencies"], *PROJECT["optional-dependencies"].values()]:
        for req in map(Requirement, group):
            if req.marker and not req.marker.evaluate({"python_version": python}):
                continue
            name = canonicalize_name(req.name)
            if name in pinned:
                assert req.specifier.contains(pinned[name]), f"{req} refuses requirements.txt's {pinned[name]}"
    assert Requirement(f"python{PROJECT['requires-python']}").specifier.contains(python)


def test_dependencies_admit_colabs_stack():
    assert Requirement(f"python{PROJECT['requires-python']}").specifier.contains(COLAB["python"])
    for req in map(Requirement, PROJECT["dependencies"]):
        name = canonicalize_name(req.name)
        if name in COLAB:
            assert req.specifier.contains(COLAB[name]), f"{req} would replace Colab's {name} {COLAB[name]}"
    named = {canonicalize_name(Requirement(d).name) for d in PROJECT["dependencies"]}
    assert {"torch", "torchvision", "numpy"} <= named


def test_the_grading_pipeline_is_an_extra():
    runtime = {canonicalize_name(Requirement(d).name) for d in PROJECT["dependencies"]}
    grading = {canonicalize_name(Requirement(d).name) for d in PROJECT["optional-dependencies"]["grading"]}
    assert not runtime & {"nbgrader", "dask", "distributed", "tqdm", "jupyter-server"}
    assert {"nbgrader", "dask", "distributed", "tqdm"} <= grading
