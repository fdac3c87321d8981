"""The pinned versions live in requirements.txt alone, each supported Python gets exactly one pin per package, the
environment has them, and `make setup` refuses a Python outside the supported range, naming it."""
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PYTHONS = ("3.10", "3.11", "3.12", "3.13")    # the range the Makefile accepts


def requirements():
    lines = [ln.strip() for ln in (REPO / "requirements.txt").read_text().splitlines()]
    return [Requirement(ln) for ln in lines if ln and not ln.startswith("#")]


def pins_for(python: str) -> dict[str, str]:
    """{name: version} of the pins whose marker admits `python`; a name pinned twice for it fails."""
    found = {}
    for req in requirements():
        if req.marker is None or req.marker.evaluate({"python_version": python}):
            name = canonicalize_name(req.name)
            assert name not in found, f"{req.name} is pinned twice for Python {python}"
            found[name] = next(iter(req.specifier)).version
    return found


def test_every_requirement_is_pinned_exactly():
    for req in requirements():
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{req}: every line must be name==version[; marker]"


@pytest.mark.parametrize("python", PYTHONS)
def test_each_python_gets_one_pin_per_package(python):
    assert set(pins_for(python)) == {canonicalize_name(r.name) for r in requirements()}


def test_installed_versions_match_the_pins():
    for name, pinned in pins_for(f"{sys.version_info[0]}.{sys.version_info[1]}").items():
        assert version(name).split("+")[0] == pinned, name


def test_conda_environment_uses_the_same_file():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert any(str(d).startswith("python=3.1") for d in env["dependencies"])
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-r requirements.txt"]


def test_make_setup_refuses_an_unsupported_python_and_names_the_range(tmp_path):
    fake = tmp_path / "python3.9"                   # answers like a Python 3.9 would, installs nothing
    fake.write_text('#!/bin/sh\n[ "$1" = "--version" ] && echo "Python 3.9.18"\nexit 1\n')
    fake.chmod(0o755)
    run = subprocess.run(["make", "-s", "setup", f"VENV={tmp_path / 'venv'}", f"PYTHON={fake}"], cwd=REPO,
                         capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""})
    assert run.returncode != 0
    assert "The course needs Python 3.10 to 3.13 (found: Python 3.9.18)" in run.stdout
    assert not (tmp_path / "venv").exists()
