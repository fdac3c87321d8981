"""The cold kernel's first-stage confinement, made in-process by a kernel forked from the template
(`grader.autograde.zygote`): the namespaces `unshare` would give (`enter_namespaces`) and what `setpriv` does
(`drop_privileges`), both through libc, since the forked child has no command to execute in between.
"""
from __future__ import annotations

import ctypes
import os
import signal

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
    # the waiter ignores SIGINT and SIGTERM, as `unshare --fork` does (jupyter_client interrupts a kernel before it
    # kills it); ignored from before the fork, so that none arrives in between
    handlers = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    pid = os.fork()
    if pid:
        _wait_and_mirror(pid)
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    die_with_parent()
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


def die_with_parent() -> None:
    """SIGKILL when the parent process ends (set again after a change of uid, which clears it)."""
    _sys("prctl", _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
