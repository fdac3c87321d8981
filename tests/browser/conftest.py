"""Fixtures of the browser test: headless Chromium (Debian's, driven by Playwright) and `make lab`'s server."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import labdriver  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    if not os.environ.get("COURSE_BROWSER_TEST"):
        pytest.skip("the browser test runs with make test-browser")
    sync_api = pytest.importorskip("playwright.sync_api", reason="make test-browser installs Playwright")
    if not os.access(labdriver.CHROMIUM, os.X_OK):
        pytest.fail(f"No Chromium at {labdriver.CHROMIUM}: tests/browser/install.sh installs it (make test-browser)")
    with sync_api.sync_playwright() as p:
        # Playwright adds --headless itself; the rest of labdriver.CHROMIUM_ARGS suits a closed, GPU-less machine.
        b = p.chromium.launch(executable_path=labdriver.CHROMIUM,
                              args=[a for a in labdriver.CHROMIUM_ARGS if a != "--headless"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=labdriver.VIEWPORT)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def lab(tmp_path_factory):
    """start(course=..., **options) -> LabServer on a copy of that folder; every server is stopped by its pid."""
    servers = []

    def start(course: Path = labdriver.COURSE, **options):
        server = labdriver.start_lab(tmp_path_factory.mktemp("lab"), course, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
