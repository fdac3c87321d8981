"""The kernel template's own side: a warm Python that forks one grading kernel per request (`grader.autograde.template`
starts it and talks to it).

It starts like a kernel's second stage (`python -I`, the kernel's clean environment, no settings, no job's files),
imports what every kernel imports (WARM), draws one figure (matplotlib's fonts and caches, loaded once), freezes
what it holds out of the garbage collector's reach (`gc.freeze`, made for servers that fork), and then only waits. It never runs student code, never reads a job's settings and never touches CUDA, so what a forked kernel
inherits from it is the same in every kernel: modules in memory, nothing of another job. The one exception are the
requests it received (a settings path, a connection-file path, the `COURSE_*` switches): a kernel may find earlier
requests' strings in its memory, paths of folders its own mounts cover.

One template serves every worker of the machine that runs with the same code and environment, over a Unix socket
(SOCK_SEQPACKET: one message per request) in a folder only the grading account can open, which every kernel's
mounts hide. It binds the socket before importing, so workers connect at once and are told `ready` when it is; it
answers only processes of its own mount namespace (a confined kernel has another, even if it found the socket), and
it exits once no worker has been connected for `keep` seconds, so that the next batch finds it warm.

A request is `{"settings": PATH, "argv": [...], "env": {...}}`, sent with the worker's stdout and stderr (the
kernel writes where a cold kernel of that worker would). The template forks, puts the child in a process group of
its own, and answers `{"pid": N}`; when a child ends it sends that worker `{"exit": N, "code": C}` (C as
`Popen.returncode`: negative for a signal). A worker that disconnects takes its kernels with it. The child then does
what a cold kernel does: with namespaces, `confine.enter_namespaces` (the first stage's `unshare`, made in-process),
the first stage's view (`mounts.build_view`) and `confine.drop_privileges` (what `setpriv` does for a cold kernel);
without, the kernel folder; then the second stage (`sandbox.stage2`).
"""
from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import struct
import sys
import time

# What every grading kernel imports: loaded once here, shared by every forked kernel (copy-on-write).
WARM = ("numpy", "torch", "torchvision", "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg",
        "matplotlib_inline.backend_inline", "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel",
        "ipykernel.zmqshell", "ipykernel.debugger", "sqlite3", "pdb", "faulthandler", "tornado.platform.asyncio",
        "IPython.extensions.storemagic", "grader.checks", "grader.device",
        "grader.notebook", "grader.profile", "grader.seeding", "grader.autograde.record", "grader.autograde.guard",
        "grader.autograde.mounts", "grader.autograde.sandbox", "grader.autograde.confine")
BOOT = ("import sys; sys.path[:0] = [p for p in sys.argv[1].split(':') if p]; "
        "from grader.autograde.zygote import serve; serve(sys.argv[2], float(sys.argv[3]))")
MAX_MESSAGE = 1 << 20     # the largest request (its environment and arguments)


def _draw_once() -> None:
    """A labelled figure with a legend, mathtext and a colour bar, rendered to PNG as the inline backend does: the
    first figure of a process loads fonts and fills caches (about 60 ms), once here instead of in every kernel."""
    import io
    from matplotlib.figure import Figure
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="$x^2$")
    image = ax.imshow([[0, 1], [1, 0]])
    fig.colorbar(image)
    ax.set(title="warm", xlabel="x", ylabel="y")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")


def _same_mount_namespace(conn: socket.socket) -> bool:
    """Whether the process at the other end sees the file system as this one does (a worker does; a confined kernel,
    in a mount namespace of its own, does not)."""
    try:
        pid, _, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        return os.stat(f"/proc/{pid}/ns/mnt").st_ino == os.stat("/proc/self/ns/mnt").st_ino
    except OSError:
        return False


def _send(conn: socket.socket, msg: dict) -> None:
    try:
        conn.send(json.dumps(msg).encode())
    except OSError:                          # that worker is gone; its kernels are killed when its socket is read
        pass


def serve(path: str, keep: float) -> None:
    """The template's loop (module docstring)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    bound = os.stat(path).st_ino
    import importlib
    for name in WARM:
        importlib.import_module(name)
    _draw_once()
    # what was imported stays for the template's life: frozen, no forked kernel's garbage collection walks it again
    # (a full collection over it costs about 0.15 s, and would write to every page a kernel shares with the template)
    gc.collect()
    gc.freeze()
    if sys.modules["torch"].cuda.is_initialized():       # a CUDA context does not survive a fork
        os.unlink(path)
        raise SystemExit("grader template: CUDA was initialised while importing; kernels must start cold")
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    workers: set[socket.socket] = set()
    owner: dict[int, socket.socket] = {}     # each kernel's worker
    idle_since = time.monotonic()
    while True:
        timeout = None if workers or owner else keep - (time.monotonic() - idle_since)
        if timeout is not None and timeout <= 0:
            _leave(path, bound)
        ready, _, _ = select.select([listener, wake_r, *workers], [], [], timeout)
        if wake_r in ready:
            os.read(wake_r, 512)
            _reap(owner)
        if listener in ready:
            conn, _ = listener.accept()
            if _same_mount_namespace(conn):
                workers.add(conn)
                _send(conn, {"ready": True, "pid": os.getpid()})
            else:
                conn.close()
        for conn in [c for c in ready if c in workers]:
            try:
                data, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 2)
            except OSError:
                data, fds = b"", []
            if not data:                     # the worker is gone: so are its kernels
                _drop(conn, workers, owner)
                continue
            gc.freeze()                      # the few objects made since, too
            pid = os.fork()
            if pid == 0:
                _enter_child(listener, workers, (wake_r, wake_w), fds)
                _child(json.loads(data))
            for fd in fds:
                os.close(fd)
            os.setpgid(pid, pid)             # both sides set it, so no signal to the group can miss the child
            owner[pid] = conn
            _send(conn, {"pid": pid})
            _reap(owner)
        if not workers and not owner and timeout is None:
            idle_since = time.monotonic()


def _leave(path: str, bound: int) -> None:
    """Exit, removing the socket if it is still this template's (a successor may have taken its name)."""
    try:
        if os.stat(path).st_ino == bound:
            os.unlink(path)
    except OSError:
        pass
    os._exit(0)


def _drop(conn: socket.socket, workers: set, owner: dict) -> None:
    for pid in [p for p, c in owner.items() if c is conn]:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    workers.discard(conn)
    conn.close()


def _reap(owner: dict) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = owner.pop(pid, None)
        if conn is not None and conn.fileno() != -1:
            _send(conn, {"exit": pid, "code": os.waitstatus_to_exitcode(status)})


def _enter_child(listener, workers, wake, fds) -> None:
    """In the forked child: nothing of the template's sockets (no other worker's), the requesting worker's stdout and
    stderr, a process group of its own."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for sock in (listener, *workers):
        sock.close()
    for fd in wake:
        os.close(fd)
    for target, fd in zip((1, 2), fds):
        os.dup2(fd, target)
        os.close(fd)
    os.setpgid(0, 0)


def _child(request: dict) -> None:
    """One grading kernel, forked (module docstring). Never returns."""
    from grader.autograde import confine, mounts, sandbox
    code = 1
    try:
        confine.die_with_parent()            # gone with the template
        os.environ.clear()
        os.environ.update(sandbox.kernel_environ(request["env"]))
        cfg = sandbox.read_settings(f"file:{request['settings']}")
        argv = request["argv"]
        if cfg.get("unshare") and cfg.get("confine", True):
            confine.enter_namespaces(cfg["unshare"])
            argv, uid = mounts.build_view(cfg, argv)
            confine.drop_privileges(uid)
            confine.die_with_parent()
            work = mounts.JOB
        else:
            work = cfg["work"]
            os.chdir(os.path.join(work, "work"))
        settings = json.loads(sandbox.stage2_settings(cfg, work))
        del cfg, request
        sandbox.stage2(settings, argv)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException as err:         # never back into the template's loop
        print(f"grader sandbox: the forked kernel could not start: {type(err).__name__}: {err}", file=sys.stderr)
        code = mounts.EXIT_SANDBOX
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
