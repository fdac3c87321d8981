"""Fixtures of the browser test: headless Chromium (Debian's, driven by Playwright) and `make lab`'s server."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import labdriver  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    yield from labdriver.chromium("COURSE_BROWSER_TEST", "test-browser")


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
