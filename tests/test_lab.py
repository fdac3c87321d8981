"""`make lab` serves the course with nbgrader's assignment-list and validate extensions switched on.

The server is started with the exact command `make lab` runs (printed by `make lab-command`), on a copy of
course/ (JupyterLab writes into the folder it serves), on 127.0.0.1 with a token, and stopped by process id.
"""
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from grader.course import COURSE, REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    def __init__(self, port: int, token: str):
        self.base, self.token = f"http://127.0.0.1:{port}", token

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab") / "course"
    shutil.copytree(COURSE, root)
    port, token = free_port(), secrets.token_hex(16)
    command = subprocess.run(["make", "-s", "lab-command", f"LAB_ROOT={root}", f"PORT={port}"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.strip()
    argv = shlex.split(command) + ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"]
    log = open(root.parent / "lab.log", "w")
    server = subprocess.Popen(argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = Lab(port, token)
        deadline = time.monotonic() + 90
        while True:
            try:
                if client.request("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{(root.parent / 'lab.log').read_text()}")
            time.sleep(0.5)
        yield client
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log.close()


def page_config(html: str) -> dict:
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no page config in /lab"
    return json.loads(match.group(1))


def test_lab_serves_the_course(lab):
    status, body = lab.request("/api/contents/01-tensors")
    assert status == 200
    assert "01-tensors.ipynb" in {item["name"] for item in json.loads(body)["content"]}


def test_nbgrader_lab_extension_is_loaded_and_enabled(lab):
    status, html = lab.request("/lab")
    assert status == 200
    config = page_config(html)
    assert "@jupyter/nbgrader" in {ext["name"] for ext in config["federated_extensions"]}
    disabled = config.get("disabledExtensions", [])
    for plugin in ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"):
        assert plugin not in disabled and "@jupyter/nbgrader" not in disabled


def test_validate_and_assignment_list_server_extensions_answer(lab):
    status, body = lab.request("/nbgrader_version?version=" + __import__("nbgrader").__version__)
    assert status == 200 and json.loads(body) == {"success": True}
    status, _ = lab.request("/assignments")
    assert status != 404, "the assignment_list server extension is not loaded"


def test_validate_button_endpoint_reports_the_untouched_exercises(lab):
    status, body = lab.request("/assignments/validate", {"path": "01-tensors/01-tensors.ipynb"})
    assert status == 200
    result = json.loads(body)
    assert result["success"] is True
    failed = json.loads(result["value"]) if isinstance(result["value"], str) else result["value"]
    from grader.course import COURSE
    import nbformat
    from grader.cells import is_answer
    exercises = sum(map(is_answer, nbformat.read(str(COURSE / "01-tensors" / "01-tensors.ipynb"), as_version=4).cells))
    assert len(failed["failed"]) == exercises, failed.keys()
