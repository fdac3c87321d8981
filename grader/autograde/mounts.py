"""The sandbox's first stage: what a grading kernel's mount namespace shows, made before any student code exists.

It runs as root of the kernel's own namespaces (`grader.autograde.isolation` picks `unshare`'s command), started in
isolated mode (`python -I`: no current folder, no PYTHONPATH, no user site on `sys.path`), so nothing a submission
brought can be imported here. It reads its settings from a file in the job's private folder, which it then hides.

- /tmp and /dev/shm become fresh, size-limited tmpfs: other jobs' folders disappear;
- the hidden places (the course graded, its solutions and submissions wherever they lie, the repository the
  grader runs from, the grader's cache, the grading account's home) are covered with empty tmpfs;
- what the kernel needs (the Python installation and its site folders, the `grader` package, the data folder) is
  bound back read-only where it lay under a covered place;
- the kernel's only writable place of its own, /tmp/job, is a size-limited tmpfs mounted `nosymfollow`: the grader
  reaches its sockets and records through `/proc/<pid>/root/tmp/job`, where a link the kernel planted is never
  followed; nothing the kernel writes lands on the host's disk;
- every other mount, /proc/sys and /sys included, is made read-only;
- if any of this fails the kernel does not start (exit status EXIT_SANDBOX, and a line on stderr saying why);
- then it executes the second stage through `setpriv`: no capabilities, `no_new_privs`, and, when the grader is
  root, the unprivileged uid KERNEL_UID. Its settings travel through a pipe, never the environment or the command
  line, so the kernel cannot read them back from /proc.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys

EXIT_SANDBOX = 87         # the confinement could not be set up: the kernel does not start
KERNEL_UID = 65534        # `nobody`: who the kernel is when the grader is root
JOB = "/tmp/job"          # the kernel's own folder, as the kernel sees it
COVERED = ("/tmp", "/dev/shm")    # replaced by fresh, empty file systems in the kernel's mount namespace
WRITABLE = ("/tmp", "/dev/shm", JOB)
SIZES_MB = {"/tmp": 256, "/dev/shm": 64}
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME, _MS_REMOUNT, _MS_BIND = 1024, 2048, 1 << 21, 32, 4096
_FLAGS = {"nosuid": _MS_NOSUID, "nodev": _MS_NODEV, "noexec": _MS_NOEXEC, "noatime": _MS_NOATIME,
          "nodiratime": _MS_NODIRATIME, "relatime": _MS_RELATIME}


def _mount(*args, pass_fds=()):
    return subprocess.run(["mount", *args], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          pass_fds=pass_fds).returncode == 0


def _bind_fd(fd: int, target: str) -> bool:
    """Bind the folder open as `fd` (opened before /tmp was covered) at `target`. `--no-canonicalize`: mount
    would otherwise turn /proc/self/fd/N into the folder's path name and find the new, empty folder there."""
    return _mount("--no-canonicalize", "--bind", f"/proc/self/fd/{fd}", target, pass_fds=(fd,))


def _under(path: str, roots) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _outermost(paths) -> list[str]:
    found = sorted(set(paths))
    return [p for p in found if not any(q != p and _under(p, [q]) for q in found)]


def kept_under_covered(paths, hidden=()) -> list[str]:
    """The folders of `paths` that lie under a covered place (/tmp, /dev/shm, a hidden folder), outermost only:
    they are put back, read-only, after those are covered. A folder that holds a hidden one is left out (binding it
    back would bring the hidden one back); what the kernel needs inside it is kept by its own name."""
    hidden = [os.path.realpath(h) for h in hidden]
    found = {os.path.realpath(p) for p in paths if p and os.path.isdir(p)}
    found = [p for p in found if _under(p, [*COVERED, *hidden]) and not any(_under(h, [p]) for h in hidden)]
    return _outermost(found)


def _cover(path: str) -> bool:
    """An empty tmpfs over a folder (writable until what is kept inside is bound back), /dev/null over a file."""
    if os.path.isdir(path):
        return _mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "none", path)
    return _mount("--bind", "/dev/null", path) if os.path.exists(path) else True


def _refuse_if(failed: list[str]) -> None:
    """Never a kernel that looks confined but is not: one mount that failed stops it, saying which."""
    if failed:
        print(f"grader sandbox: could not mount {', '.join(failed)}; the kernel is not started. Grade with "
              f"--no-confine to run kernels unconfined (see docs/grader.md).", file=sys.stderr)
        os._exit(EXIT_SANDBOX)


def _mounts() -> list[tuple[str, list[str]]]:
    """(mount point, per-mount options) of every mount this namespace shows, from /proc/self/mountinfo."""
    out = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")       # \040 for a space, and so on
            out.append((point, fields[5].split(",")))
    return out


def read_only_everywhere(keep_writable=WRITABLE) -> list[str]:
    """Remount every mount but `keep_writable` read-only (/proc/sys, /sys, /dev, /run, ...), keeping the flags a
    user namespace may not drop; returns the mount points that refused. /proc/sys is bound onto itself first so it
    can be made read-only apart from the rest of /proc."""
    _mount("--bind", "/proc/sys", "/proc/sys")
    libc = ctypes.CDLL(None, use_errno=True)
    failed = []
    for point, opts in _mounts():
        if point in keep_writable or "ro" in opts or not os.path.exists(point):
            continue
        flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY
        for opt in opts:
            flags |= _FLAGS.get(opt, 0)
        if libc.mount(None, point.encode(), None, flags, None) != 0:
            failed.append(point)
    return failed


def _job_folder(uid: int | None, scratch_mb: int) -> list[str]:
    """/tmp/job: a tmpfs of `scratch_mb` whose links nobody follows, with the kernel's home, records and work folder."""
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    os.mkdir(JOB)
    if not _mount("-t", "tmpfs", "-o", f"size={scratch_mb}m,mode=0700,nosuid,nodev,nosymfollow{owner}", "none", JOB):
        return [JOB]
    for sub in (".home", ".records", "work"):
        os.mkdir(os.path.join(JOB, sub), 0o700)
        if uid is not None:
            os.chown(os.path.join(JOB, sub), uid, uid)
    return []


def _declared_files(folder: str | None) -> dict[str, bytes]:
    """The files the assignment lets a submission hand in (the job copied them into its private folder), read before
    /tmp is covered: {name: bytes}."""
    if not folder or not os.path.isdir(folder):
        return {}
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as fh:
            out[name] = fh.read()
    return out


def _is_host_root() -> bool:
    """Root of the machine (every uid mapped to itself), not root of a user namespace of its own, where only one
    uid is mapped and so no other uid can be taken."""
    with open("/proc/self/uid_map") as fh:
        return fh.read().split() == ["0", "0", "4294967295"]


def _read_connection(argv: list[str]) -> tuple[int, dict] | None:
    """The kernel's connection file (read before the folder it lies in is covered)."""
    if "-f" not in argv:
        return None
    i = argv.index("-f") + 1
    with open(argv[i]) as fh:
        return i, json.load(fh)


def _connection(argv: list[str], conn: tuple[int, dict] | None, uid: int | None) -> list[str]:
    """The kernel's connection file, rewritten into its home: its Unix sockets are made in /tmp/job."""
    if conn is None:
        return argv
    i, info = conn
    if info.get("transport") == "ipc":
        info["ip"] = os.path.join(JOB, "k")
    path = os.path.join(JOB, ".home", "kernel-connection.json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
        json.dump(info, fh)
    if uid is not None:
        os.chown(path, uid, uid)
    return argv[:i] + [path] + argv[i + 1:]


def build_view(cfg: dict, argv: list[str]) -> tuple[list[str], int | None]:
    """Build the kernel's view (module docstring) and enter its folder; return the kernel's arguments (its
    connection file moved into its home) and the uid it is to run as (None: keep this one)."""
    every = [os.path.realpath(p) for p in cfg.get("hide", []) if os.path.lexists(p)]
    hidden = [h for h in _outermost(every) if not _under(h, COVERED)]    # the others vanish with /tmp and /dev/shm
    keep = {path: os.open(path, os.O_RDONLY | os.O_DIRECTORY)     # none holds a hidden place, however deep
            for path in kept_under_covered(cfg.get("keep", []), every)}
    uid = KERNEL_UID if _is_host_root() else None
    conn = _read_connection(argv)
    files = _declared_files(cfg.get("files"))
    failed = [p for p in COVERED
              if not _mount("-t", "tmpfs", "-o", f"mode=1777,size={SIZES_MB[p]}m,nosuid,nodev", "none", p)]
    failed += [h for h in hidden if not _cover(h)]
    _refuse_if(failed)
    failed += _job_folder(uid, int(cfg.get("scratch_mb") or 256))
    _refuse_if(failed)
    for name, data in files.items():
        path = os.path.join(JOB, "work", name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb") as fh:
            fh.write(data)
        if uid is not None:
            os.chown(path, uid, uid)
    argv = _connection(argv, conn, uid)
    for path, kept in keep.items():  # put back what the kernel needs (Python, the grader package), read-only
        os.makedirs(path, exist_ok=True)
        if not (_bind_fd(kept, path) and _mount("-o", "remount,bind,ro", path)):
            failed.append(path)
        os.close(kept)
    failed += [h for h in hidden if os.path.isdir(h) and not _mount("-o", "remount,bind,ro", h)]
    if not _mount("-o", "remount,bind,ro", "/"):
        failed.append("/")
    _refuse_if(failed)
    _refuse_if(read_only_everywhere())
    os.chdir(os.path.join(JOB, "work"))
    return argv, uid


def stage1(cfg: dict, argv: list[str], pythonpath: str) -> None:
    """The view (`build_view`), then the second stage, unprivileged, through `setpriv` (a forked kernel drops its
    privileges in-process instead: `grader.autograde.confine.drop_privileges`)."""
    setpriv = shutil.which("setpriv")
    argv, uid = build_view(cfg, argv)
    who = [f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] if uid is not None else []
    from grader.autograde.sandbox import hand_over
    hand_over(cfg, JOB, [setpriv, *who, "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"],
              pythonpath, argv)
