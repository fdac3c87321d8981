"""The kernel template's own side: a warm Python that forks one grading kernel per request (`grader.autograde.template`
starts it and talks to it).

It starts like a kernel's second stage (`python -I`, the kernel's clean environment, no settings, no job's files),
imports what every kernel imports (WARM), and then only waits. It never runs student code, never reads a job's
settings and never touches CUDA, so what a forked kernel inherits from it is the same in every kernel: modules in
memory, nothing of another job. The one exception are the requests it received (a settings path, a connection-file
path, the `COURSE_*` switches): a kernel may find earlier requests' strings in its memory, paths of folders its
own mounts cover.

A request is one line of JSON on the template's socket: `{"settings": PATH, "argv": [...], "env": {...}}`. The
template forks, puts the child in a process group of its own, and answers `{"pid": N}`; when a child ends it sends
`{"exit": N, "code": C}` (C as `Popen.returncode`: negative for a signal). The child then does what a cold kernel
does: with namespaces, `enter_namespaces` (the first stage's `unshare`, made in-process: the child stays in the
parent's PID namespace and waits for its own child, PID 1 of the new one, as `unshare --fork` does), the first
stage's view (`mounts.build_view`) and `drop_privileges` (what `setpriv` does for a cold kernel); without, the
kernel folder; then the second stage (`sandbox.stage2`).
"""
from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import socket
import sys

# What every grading kernel imports: loaded once here, shared by every forked kernel (copy-on-write).
WARM = ("numpy", "torch", "torchvision", "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg",
        "matplotlib_inline.backend_inline", "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel",
        "ipykernel.zmqshell", "ipykernel.debugger", "sqlite3", "pdb", "faulthandler", "tornado.platform.asyncio",
        "IPython.extensions.storemagic", "grader.checks", "grader.device",
        "grader.notebook", "grader.profile", "grader.seeding", "grader.autograde.record", "grader.autograde.guard",
        "grader.autograde.mounts", "grader.autograde.sandbox")
BOOT = ("import sys; sys.path[:0] = [p for p in sys.argv[1].split(':') if p]; "
        "from grader.autograde.zygote import serve; serve(int(sys.argv[2]))")

_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REC, _MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
_PR_SET_PDEATHSIG, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT = 1, 24, 38, 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522
_libc = None


def _sys(name: str, *args) -> None:
    """A libc call that must succeed (OSError with its errno otherwise)."""
    global _libc
    _libc = _libc or ctypes.CDLL(None, use_errno=True)
    if getattr(_libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")


def serve(fd: int) -> None:
    """The template's loop (module docstring)."""
    import importlib
    for name in WARM:
        importlib.import_module(name)
    if sys.modules["torch"].cuda.is_initialized():       # a CUDA context does not survive a fork
        raise SystemExit("grader template: CUDA was initialised while importing; kernels must start cold")
    conn = socket.socket(fileno=fd)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    reader = conn.makefile("rb")
    conn.sendall(b'{"ready": true}\n')
    while True:
        ready, _, _ = select.select([conn, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 512)
            _reap(conn)
        if conn in ready:
            line = reader.readline()
            if not line:                     # the worker is gone: so is the template
                os._exit(0)
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for own in (fd, wake_r, wake_w):
                    os.close(own)
                os.setpgid(0, 0)
                _child(json.loads(line))
            os.setpgid(pid, pid)             # both sides set it, so no signal to the group can miss the child
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            _reap(conn)


def _reap(conn) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn.sendall(json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}).encode() + b"\n")


def _child(request: dict) -> None:
    """One grading kernel, forked (module docstring). Never returns."""
    from grader.autograde import mounts, sandbox
    code = 1
    try:
        _sys("prctl", _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)     # gone with the template (or its worker)
        os.environ.clear()
        os.environ.update(sandbox.kernel_environ(request["env"]))
        cfg = sandbox.read_settings(f"file:{request['settings']}")
        argv = request["argv"]
        if cfg.get("unshare") and cfg.get("confine", True):
            enter_namespaces(cfg["unshare"])
            argv, uid = mounts.build_view(cfg, argv)
            drop_privileges(uid)
            _sys("prctl", _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)   # a new uid cleared it
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


def enter_namespaces(command: list[str]) -> None:
    """The namespaces `command` (the cold kernel's `unshare ...`, `isolation.confine_command`) would give, made in this
    process. Returns in the new PID namespace's first process; this process stays outside and waits for it, then
    ends the way it ended (an exit status, or the same signal), as `unshare --fork --kill-child` does."""
    uid, gid = os.getuid(), os.getgid()
    flags = _CLONE_NEWNS | _CLONE_NEWPID
    flags |= _CLONE_NEWNET if "--net" in command else 0
    flags |= _CLONE_NEWUSER if "--user" in command else 0
    _sys("unshare", flags)
    if flags & _CLONE_NEWUSER:           # --map-root-user: root inside, this account outside
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write(text)
    _sys("mount", b"none", b"/", None, _MS_REC | _MS_PRIVATE, None)
    pid = os.fork()
    if pid:
        _wait_and_mirror(pid)
    _sys("prctl", _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _sys("mount", b"none", b"/proc", None, _MS_REC | _MS_PRIVATE, None)
    _sys("mount", b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None)


def _wait_and_mirror(pid: int) -> None:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def drop_privileges(uid: int | None) -> None:
    """What `setpriv --reuid --regid --clear-groups --bounding-set=-all --inh-caps=-all --no-new-privs` gives a cold
    kernel: an empty bounding set and no ambient capabilities, `uid` (when the grader is root) with no groups, no
    capability left in any set, no_new_privs; checked afterwards, and a kernel that kept one does not start."""
    with open("/proc/sys/kernel/cap_last_cap") as fh:
        last = int(fh.read())
    for cap in range(last + 1):
        _sys("prctl", _PR_CAPBSET_DROP, cap, 0, 0, 0)
    _sys("prctl", _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _sys("capset", header, data)
    _sys("prctl", _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    with open("/proc/self/status") as fh:
        status = dict(line.split(":", 1) for line in fh if ":" in line)
    kept = [k for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb") if int(status.get(k, "0"), 16)]
    if kept or status.get("NoNewPrivs", "0").strip() != "1":
        raise PermissionError(f"capabilities left after dropping them: {kept}")
