"""The pinned versions live in requirements.txt alone, and the environment has them."""
import re
from importlib.metadata import version
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+)==(\S+)$")


def pins():
    lines = [ln.strip() for ln in (REPO / "requirements.txt").read_text().splitlines()]
    return [PIN.match(ln) for ln in lines if ln and not ln.startswith("#")]


def test_every_requirement_is_pinned_exactly():
    assert all(pins()), "every line of requirements.txt must be name==version"


def test_installed_versions_match_the_pins():
    for match in pins():
        name = match.group(1).split("[")[0]
        assert version(name).split("+")[0] == match.group(2), name


def test_conda_environment_uses_the_same_file():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-r requirements.txt"]
