"""A throwaway course hub for the test: `make hub`'s own scripts (hub/setup.py, hub/enter.sh,
hub/jupyterhub_config.py) with a root, an exchange, accounts and ports of the test's own, and commands run as each
account inside the hub's mount namespace (where the users' environment sees the course's packages).

Everything lives under ROOT (/srv/pytorch-course-hubtest) and in the accounts named here (hubt-*); `start()` first
removes what an earlier run left, `stop()` ends the hub by its process id and removes the accounts and ROOT.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "hub"
ROOT = Path("/srv/pytorch-course-hubtest")
EXCHANGE = ROOT / "exchange"
HOMES = ROOT / "home"
INSTRUCTOR = "hubt-teacher"
# alice answers everything rightly, bob leaves one exercise wrong (both in the browser); carol submits late and
# twice, dave hands in a renamed notebook (both from the command line).
STUDENTS = ("hubt-alice", "hubt-bob", "hubt-carol", "hubt-dave")
COURSE_ID = "pytorch-course"
ASSIGNMENT = "01-tensors"
# JupyterLab settings for every test account: no news toasts over the screenshots, and every cell of a notebook
# rendered (no windowing), so that the page can find an exercise's cell by its text.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
USER_ENV = {"COURSE_PROFILE": "quick", "COURSE_DEVICE": "cpu", "COURSE_CIFAR": "standin"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def home(user: str) -> Path:
    return HOMES / user


def course_dir() -> Path:
    return home(INSTRUCTOR) / COURSE_ID


@dataclass
class Hub:
    url: str
    process: subprocess.Popen
    passwords: dict
    log: Path

    def run_as(self, user: str, *cmd: str, cwd: Path | None = None, check: bool = True, timeout: float = 900,
               env: dict | None = None) -> subprocess.CompletedProcess:
        """`cmd` as `user` (runuser), in the hub's mount namespace, with the users' environment first on PATH."""
        variables = {"HOME": str(home(user)), "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
                     "PATH": f"{ROOT / 'env' / 'bin'}:/usr/bin:/bin", **USER_ENV, **(env or {})}
        cwd = cwd or home(user)
        full = ["nsenter", f"--target={self.process.pid}", "--mount", f"--wd={cwd}", "--", "runuser", "-u", user, "--",
                "env", "-i", *[f"{k}={v}" for k, v in variables.items()], *cmd]
        done = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode:
            raise AssertionError(f"{' '.join(cmd)} as {user} exited with {done.returncode}:\n"
                                 f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
        return done

    def stop(self) -> None:
        pid = self.process.pid
        if self.process.poll() is None:
            os.kill(pid, signal.SIGTERM)          # the hub stops the proxy; the users' servers are ours to end
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def hub_settings(ports: dict) -> dict:
    return {"HUB_ROOT": str(ROOT), "HUB_EXCHANGE": str(EXCHANGE), "HUB_HOMES": str(HOMES),
            "HUB_INSTRUCTOR": INSTRUCTOR, "HUB_STUDENTS": " ".join(STUDENTS), **ports}


def remove_accounts() -> None:
    for user in (INSTRUCTOR, *STUDENTS):
        if subprocess.run(["id", "-u", user], capture_output=True).returncode == 0:
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)   # this user's processes only
            subprocess.run(["userdel", "--remove", user], capture_output=True)
    shutil.rmtree(ROOT, ignore_errors=True)


def start(python: Path, proxy: str, timeout: float = 120) -> Hub:
    """hub/setup.py, then the hub in hub/enter.sh's namespace; returns when the hub answers."""
    remove_accounts()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)      # this run's screenshots and logs only
    ARTIFACTS.mkdir(parents=True)
    port = free_port()
    settings = hub_settings({"HUB_PORT": str(port), "HUB_API_PORT": str(free_port()),
                             "HUB_PROXY_API_PORT": str(free_port()), "HUB_PROXY": proxy})
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(settings, VENV=str(python.parent.parent), **USER_ENV)
    setup = subprocess.run([str(python), str(REPO / "hub" / "setup.py")], env=env, capture_output=True, text=True)
    (ARTIFACTS / "setup.log").write_text(setup.stdout + setup.stderr)
    assert setup.returncode == 0, f"hub/setup.py failed:\n{setup.stdout}\n{setup.stderr}"
    for user in (INSTRUCTOR, *STUDENTS):
        for name, values in LAB_SETTINGS.items():
            f = home(user) / ".jupyter" / "lab" / "user-settings" / name
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(values))
        subprocess.run(["chown", "-R", f"{user}:{user}", str(home(user) / ".jupyter")], check=True)
    log = ARTIFACTS / "jupyterhub.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(REPO / "hub" / "enter.sh"), str(python.parent / "jupyterhub"), "-f",
                                    str(REPO / "hub" / "jupyterhub_config.py")],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    hub = Hub(f"http://127.0.0.1:{port}", process, json.loads((ROOT / "passwords").read_text()), log)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {process.returncode}; see {log}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{hub.url}/hub/api/", timeout=5):
                return hub
        except OSError:
            if time.monotonic() > deadline:
                hub.stop()
                raise RuntimeError(f"JupyterHub did not answer on {hub.url} within {timeout:.0f} s; see {log}")
            time.sleep(0.5)
