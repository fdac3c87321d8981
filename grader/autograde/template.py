"""Grading kernels forked from a warm template instead of started cold.

A cold kernel is a fresh Python that imports torch, torchvision, matplotlib and IPython before the notebook's first
cell: 1.5 to 3 s on two cores, most of what grading a quick-profile notebook costs. A template
(`grader.autograde.zygote`) is a process started like a kernel's second stage, with those modules imported, that
forks one kernel per submission. The child confines itself exactly as a cold kernel does (namespaces, mounts, no
capabilities, limits, clean environment, recorder, guard) before it serves nbclient over its connection file, and
it is used once.

One template serves every worker of a machine (local worker processes, Dask workers) that runs the same code with
the same environment: the first to ask starts it (the batch's own process asks as soon as it starts), the others
connect to its socket (`template_socket.folder`). It stays while any worker is connected and `template_socket.KEEP_S`
seconds more, so the next
batch starts warm. A worker's connection is kept for its next jobs and replaced when the template died or when what
it was started from changed: the grader package's files, the Python, the folders on the kernels' path, or the
environment a kernel imports torch with (everything of it but the `COURSE_*` switches, which a kernel reads when the
notebook runs and which each request carries); another fingerprint means another template. Where no template can
serve (no `fork`, one that does not start or answer), `spawn` returns None and the kernel starts cold; the reason
is printed once per worker.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading

from grader.autograde import template_socket
from grader.autograde.sandbox import kernel_environ
from grader.autograde.template_socket import START_TIMEOUT, ForkedProcess, Template

_template = None           # this worker's connection to its template
_said: set[str] = set()    # reasons already printed for a cold start
_lock = threading.Lock()   # a Dask worker may run jobs in several threads


def warm(pythonpath: str, env: dict) -> Template | None:
    """This worker's template for kernels started with `pythonpath` and `env`: connected to (started if none runs,
    not awaited) when this worker has none or its own no longer fits (module docstring)."""
    global _template
    env = kernel_environ(env)
    if _template is not None and (not _template.alive() or _template.key != template_socket.fingerprint(pythonpath, env)):
        _template.close()
        _template = None
    if _template is None and hasattr(os, "fork"):
        _template = template_socket.Template(pythonpath, env)
    return _template


def start(pythonpath: str, env: dict) -> None:
    """Have the machine's template for `pythonpath` and `env` start importing now, if none runs (the batch's own
    process calls it first thing, before its workers exist); never an error: a worker that finds none tries again."""
    try:
        template_socket.Template(pythonpath, kernel_environ(env)).close()
    except (OSError, ValueError, TimeoutError):
        pass


def prepare(pythonpath: str, env: dict) -> None:
    """Have this worker's template ready for kernels started with `pythonpath` and `env` (the job calls it before its
    time starts: a template's start is the worker's cost, not the submission's). A template that fails to start is
    left for `spawn` to replace or give up on."""
    with _lock:
        try:
            template = warm(pythonpath, env)
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
        try:
            template = warm(pythonpath, env)
            if template is None:
                break
            return template.spawn(settings, argv, kernel_environ(env))
        except (OSError, ValueError, TimeoutError) as err:
            why = f"{type(err).__name__}: {err}"
            if _template is not None:
                _template.close()
            _template = None
    if why not in _said:
        _said.add(why)
        print(f"note: grading kernels start cold ({why})", file=sys.stderr)
    return None


def stop_all() -> list[int]:
    """Stop every template of this account (after changing the machine's Python packages, say, which the
    fingerprint does not see; or to time a batch that starts without one), and remove their sockets and those that
    templates which died left behind; return their process ids."""
    stopped = []
    for path in sorted(template_socket.folder().glob("*.sock")):
        try:
            bound = os.lstat(path).st_ino
        except FileNotFoundError:                # its template exited meanwhile, and removed it
            continue
        sock = template_socket.connect(str(path))
        if sock is not None:
            with sock:
                sock.settimeout(START_TIMEOUT)
                try:
                    pid = json.loads(sock.recv(65536)).get("pid")
                except (OSError, ValueError):
                    continue                     # not answering: left alone, as it may still be starting
            if pid:
                os.kill(pid, signal.SIGKILL)
                stopped.append(pid)
        with contextlib.suppress(OSError):
            if os.lstat(path).st_ino == bound:   # not a successor's socket
                os.unlink(path)
    return stopped
