"""The worker's end of the machine's kernel template (`grader.autograde.template` says when one is used): where its
socket lies, how it is found or started, and the forked kernels it reports on, which jupyter_client handles as it
would a `Popen`.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import select
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grader
from grader.autograde.zygote import BOOT

START_TIMEOUT = 120        # seconds a template may take to import what it warms (a loaded two-core machine)
KEEP_S = 600               # how long a template with no worker connected waits for the next batch before it exits


def fingerprint(pythonpath: str, env: dict) -> str:
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


def folder(create: bool = True) -> Path:
    """This account's folder of template sockets: in the temporary folder, private to the account (a folder there
    that another account made, or that others may open, is refused), and hidden from every kernel
    (`isolation.worker_private`)."""
    path = Path(tempfile.gettempdir()) / f"grader-templates-{os.getuid()}"
    if not create:
        return path
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} is not a folder of this account that only it can open")
    return path


def _output_fds() -> tuple[list[int], list[int]]:
    """This process's stdout and stderr (where a cold kernel it started would write), /dev/null for either that is
    closed; and the descriptors opened for that, which the caller closes."""
    out, opened = [], []
    for fd in (1, 2):
        try:
            os.fstat(fd)
            out.append(fd)
        except OSError:
            opened.append(os.open(os.devnull, os.O_WRONLY))
            out.append(opened[-1])
    return out, opened


def connect(path: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        sock.connect(path)
        return sock
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None


def _start(path: str, home: Path, pythonpath: str, env: dict) -> socket.socket:
    """Start a template at `path` and connect to it (it binds before it imports: milliseconds)."""
    home.mkdir(mode=0o700, exist_ok=True)
    # one thread (OpenBLAS would start one per core), and quiet: debugpy warns at import about frozen modules
    env = {**env, "HOME": str(home), "MPLCONFIGDIR": str(home), "OPENBLAS_NUM_THREADS": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    with open(home / "template.log", "ab") as log:       # it outlives the command that started it
        process = subprocess.Popen([sys.executable, "-I", "-c", BOOT, pythonpath, path, str(KEEP_S)], env=env,
                                   cwd=home, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)
    end = time.monotonic() + 30
    while (sock := connect(path)) is None:
        if process.poll() is not None:
            raise ConnectionError(f"the kernel template exited ({process.returncode}); see {home / 'template.log'}")
        if time.monotonic() > end:
            raise TimeoutError("the kernel template did not open its socket within 30 s")
        time.sleep(0.01)
    return sock


class Template:
    """This worker's connection to the machine's template for its code and environment (started if none runs)."""

    def __init__(self, pythonpath: str, env: dict):
        self.key = fingerprint(pythonpath, env)
        where = folder()
        path = str(where / f"{self.key[:24]}.sock")
        with open(where / f"{self.key[:24]}.lock", "a") as lock:     # one start, however many workers ask at once
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.sock = connect(path)
            if self.sock is None:
                if os.path.lexists(path):
                    os.unlink(path)                             # left by a template that died
                self.sock = _start(path, where / self.key[:24], pythonpath, env)
        self.exits, self.ready, self.pid, self.closed = {}, False, None, False

    def alive(self) -> bool:
        self.read_pending()
        return not self.closed

    def _messages(self, timeout: float) -> list[dict]:
        """Messages that arrived within `timeout` seconds (0: only those already there)."""
        out = []
        while select.select([self.sock], [], [], timeout if not out else 0)[0]:
            data = self.sock.recv(65536)
            if not data:
                self.closed = True
                raise ConnectionError("the kernel template closed its socket")
            out.append(json.loads(data))
        return out

    def read_pending(self) -> None:
        try:
            for msg in self._messages(0):
                self._note(msg)
        except (OSError, ValueError):
            pass

    def _note(self, msg: dict) -> None:
        if "exit" in msg:
            self.exits[msg["exit"]] = msg["code"]
        if msg.get("ready"):
            self.ready, self.pid = True, msg.get("pid")

    def _await(self, key: str, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msgs = self._messages(min(1.0, max(0.0, end - time.monotonic())))
            for msg in msgs:
                self._note(msg)
            found = [msg for msg in msgs if key in msg]     # noted all: an exit may come in the same read
            if found:
                return found[0]
        raise TimeoutError(f"the kernel template did not answer within {timeout:.0f} s")

    def wait_ready(self) -> None:
        if not self.ready:
            self._await("ready", START_TIMEOUT)

    def spawn(self, settings: str, argv: list[str], env: dict) -> ForkedProcess:
        self.wait_ready()
        request = {"settings": settings, "argv": argv, "env": env}
        fds, opened = _output_fds()
        try:
            socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
        finally:
            for fd in opened:
                os.close(fd)
        return ForkedProcess(self, int(self._await("pid", 30)["pid"]))

    def close(self) -> None:
        """Disconnect: the template kills this worker's kernels, and exits once no worker is left for KEEP_S."""
        self.closed = True
        self.sock.close()
