"""Fixtures of the hub test (`make test-hub`): one hub for the module, headless Chromium (the browser test's)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "browser")]

import hubrun  # noqa: E402
import labdriver  # noqa: E402


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.session.hub_failed = item.name


def pytest_runtest_setup(item):
    """The loop's steps (test_step_*) build on each other: once one fails, the later ones are skipped."""
    failed = getattr(item.session, "hub_failed", None)
    if failed and item.name.startswith("test_step_"):
        pytest.skip(f"an earlier step of the loop failed ({failed})")


@pytest.fixture(scope="session")
def hub():
    if not os.environ.get("COURSE_HUB_TEST"):
        pytest.skip("the hub test runs with make test-hub")
    if os.geteuid() != 0:
        pytest.fail("the hub test makes system accounts and runs the hub as root: run make test-hub as root")
    for tool in ("nsenter", "runuser", "useradd", "unshare"):
        if not shutil.which(tool):
            pytest.fail(f"the hub test needs {tool} (util-linux, passwd)")
    proxy = subprocess.run(["bash", str(hubrun.REPO / "hub" / "install-proxy.sh")], capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1]
    python = Path(sys.prefix) / "bin" / "python"
    server = hubrun.start(python, proxy)
    yield server
    server.stop()
    if not os.environ.get("COURSE_HUB_KEEP"):
        hubrun.remove_accounts()


@pytest.fixture(scope="session")
def browser():
    yield from labdriver.chromium("COURSE_HUB_TEST", "test-hub")
