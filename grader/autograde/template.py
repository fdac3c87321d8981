"""Grading kernels forked from a warm template instead of started cold.

A cold kernel is a fresh Python that imports torch, torchvision, matplotlib and IPython before the notebook's first
cell: 1.5 to 3 s on two cores, most of what grading a quick-profile notebook costs. Each worker (a local worker
process or a Dask worker) therefore keeps one template (`grader.autograde.zygote`): a process started like a
kernel's second stage, with those modules imported, that forks one kernel per submission. The child confines
itself exactly as a cold kernel does (namespaces, mounts, no capabilities, limits, clean environment, recorder,
guard) before it serves nbclient over its connection file, and it is used once.

The template is started when the worker grades its first submission and kept for the next ones. It is started
anew when it died, or when what it was started from changed: the grader package's files, the Python, the folders
on the kernels' path, or the environment a kernel imports torch with (everything of it but the `COURSE_*`
switches, which a kernel reads when the notebook runs and which each request carries). Where no template can
serve (no `fork`, one that does not start or answer), `spawn` returns None and the kernel starts cold; the reason
is printed once per worker.
"""
from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import grader
from grader.autograde.sandbox import kernel_environ
from grader.autograde.zygote import BOOT

START_TIMEOUT = 120        # seconds a template may take to import what it warms (a loaded two-core machine)
_template = None           # this worker's template
_said: set[str] = set()    # reasons already printed for a cold start
_lock = threading.Lock()   # a Dask worker may run jobs in several threads


def _fingerprint(pythonpath: str, env: dict) -> str:
    """What the template was started from (module docstring)."""
    package = Path(grader.__file__).resolve().parent
    files = sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in package.rglob("*.py"))
    kept = sorted((k, v) for k, v in env.items() if not k.startswith("COURSE_") and k != "JPY_PARENT_PID")
    return hashlib.sha256(json.dumps([sys.executable, pythonpath, kept, files]).encode()).hexdigest()


class ForkedProcess:
    """A forked kernel as jupyter_client's provisioner sees a `Popen`: its pid (in this PID namespace; with
    namespaces, the process that waits for the kernel inside them), `poll`, `wait`, signals. The exit status comes
    from the template, whose child it is."""

    stdin = stdout = stderr = None

    def __init__(self, template: "Template", pid: int):
        self.template, self.pid, self.returncode = template, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.template.read_pending()
            self.returncode = self.template.exits.pop(self.pid, None)
            if self.returncode is None and not self.template.alive():
                self.returncode = -signal.SIGKILL     # the template died, and its children with it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Template:
    """One template process and the socket to it."""

    def __init__(self, pythonpath: str, env: dict):
        self.key = _fingerprint(pythonpath, env)
        self.home = tempfile.mkdtemp(prefix="grader-template-")
        ours, theirs = socket.socketpair()
        # one thread (OpenBLAS would start one per core), and quiet: debugpy warns at import about frozen modules
        env = {**env, "HOME": self.home, "MPLCONFIGDIR": self.home, "OPENBLAS_NUM_THREADS": "1",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        self.process = subprocess.Popen([sys.executable, "-I", "-c", BOOT, pythonpath, str(theirs.fileno())],
                                        pass_fds=(theirs.fileno(),), env=env, cwd=self.home,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self.sock, self.buffer, self.exits, self.ready = ours, b"", {}, False

    def alive(self) -> bool:
        return self.process.poll() is None

    def _lines(self, timeout: float) -> list[dict]:
        """Messages that arrived within `timeout` seconds (0: only those already there)."""
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if ready:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the kernel template closed its socket")
            self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def read_pending(self) -> None:
        try:
            for msg in self._lines(0):
                self._note(msg)
        except (OSError, ValueError):
            pass

    def _note(self, msg: dict) -> None:
        if "exit" in msg:
            self.exits[msg["exit"]] = msg["code"]
        self.ready = self.ready or bool(msg.get("ready"))

    def _await(self, key: str, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                msgs = self._lines(min(1.0, max(0.0, end - time.monotonic())))
            except ConnectionError:
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    raise ConnectionError("the kernel template closed its socket") from None
                raise ConnectionError(f"the kernel template exited ({self.process.returncode})") from None
            for msg in msgs:
                self._note(msg)
            found = [msg for msg in msgs if key in msg]     # noted all: an exit may come in the same read
            if found:
                return found[0]
            if not self.alive():
                raise ConnectionError(f"the kernel template exited ({self.process.returncode})")
        raise TimeoutError(f"the kernel template did not answer within {timeout:.0f} s")

    def wait_ready(self) -> None:
        if not self.ready:
            self._await("ready", START_TIMEOUT)

    def spawn(self, settings: str, argv: list[str], env: dict) -> ForkedProcess:
        self.wait_ready()
        request = {"settings": settings, "argv": argv, "env": env}
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        return ForkedProcess(self, int(self._await("pid", 30)["pid"]))

    def close(self) -> None:
        self.sock.close()
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def warm(pythonpath: str, env: dict) -> Template | None:
    """This worker's template for kernels started with `pythonpath` and `env`, started (not awaited) when there is
    none or it no longer fits (module docstring)."""
    global _template
    env = kernel_environ(env)
    if _template is not None and (not _template.alive() or _template.key != _fingerprint(pythonpath, env)):
        _template.close()
        _template = None
    if _template is None and hasattr(os, "fork"):
        _template = Template(pythonpath, env)
    return _template


def prepare(pythonpath: str, env: dict) -> None:
    """Have this worker's template ready for kernels started with `pythonpath` and `env` (the job calls it before its
    time starts: a template's start is the worker's cost, not the submission's). A template that fails to start is
    left for `spawn` to replace or give up on."""
    with _lock:
        template = warm(pythonpath, env)
        try:
            if template is not None:
                template.wait_ready()
        except (OSError, ValueError, TimeoutError):
            pass


def spawn(settings: str, argv: list[str], pythonpath: str, env: dict) -> ForkedProcess | None:
    """A kernel forked from this worker's template (its settings file, its ipykernel arguments, its environment),
    or None: then the caller starts it cold. A template that fails is replaced once."""
    with _lock:
        return _spawn(settings, argv, pythonpath, env)


def _spawn(settings: str, argv: list[str], pythonpath: str, env: dict) -> ForkedProcess | None:
    global _template
    why = "this platform has no fork"
    for _ in range(2):
        template = warm(pythonpath, env)
        if template is None:
            break
        try:
            return template.spawn(settings, argv, kernel_environ(env))
        except (OSError, ValueError, TimeoutError) as err:
            why = f"{type(err).__name__}: {err}"
            template.close()
            _template = None
    if why not in _said:
        _said.add(why)
        print(f"note: grading kernels start cold ({why})", file=sys.stderr)
    return None
