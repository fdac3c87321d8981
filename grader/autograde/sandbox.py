"""The grading kernel: `python -m grader.autograde.sandbox <ipykernel arguments>`.

`GuardedKernelManager` starts it in place of `ipykernel_launcher`. Settings come from the GRADER_SANDBOX
environment variable (JSON), which it removes before student code runs.

Stage 1, only when started inside a mount namespace of its own, as root (`unshare --mount`) or, for a grader that is
not root, as root of a user namespace of its own (`unshare --user --map-root-user --mount`); private propagation, so
nothing leaks to the host; with its own PID and network namespaces (`grader.autograde.isolation` picks the command):
  - the connection file is rewritten so that the kernel's Unix sockets (no network: `GuardedKernelManager` uses
    the `ipc` transport) are made in the job folder as the kernel sees it, /tmp/job;
  - /tmp and /dev/shm become fresh, empty tmpfs (other jobs' folders disappear), and the job's own folder is
    bind-mounted at /tmp/job, the only writable place besides them;
  - the hidden places (`hide`: the course root graded, its solutions and submissions wherever they lie, the
    repository the grader runs from, the grader's cache) are covered with empty tmpfs, so nothing of a course
    repository shows but what is bound back;
  - what the kernel needs (`keep`: the Python installation and its site folders, the `grader` package, the data
    folder, the benchmark results) is bound back read-only where it lay under a covered place;
  - the covered places and the root filesystem are remounted read-only (the course cannot be written);
  - if any of this fails the kernel does not start (exit status EXIT_SANDBOX, and a line on stderr saying why);
  - then it re-executes itself through `setpriv --bounding-set=-all --no-new-privs`: no capabilities at all, so
    the kernel cannot undo any of the above.
Stage 2 (always): resource limits (address space, CPU seconds, file size, no core dumps), torch thread cap, the
recorder around the check helpers, and the ordinary IPython kernel.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

STAGE = "GRADER_SANDBOX_STAGE"
EXIT_OUTPUT = 86          # the kernel's exit status when its output passed the limit (read by GuardedExecute)
EXIT_SANDBOX = 87         # the confinement could not be set up: the kernel does not start


def cap_output(limit: int) -> None:
    """Stop the kernel once its stdout and stderr together pass `limit` characters.

    ipykernel buffers printed text in the kernel and sends it every 0.2 s, so a print loop can fill the kernel's
    memory long before the grader sees (and counts) the first message: the count must be kept here, as it is
    written. Display data and rich outputs are counted by the grader as they arrive."""
    left, leave = [int(limit)], os._exit
    for stream in (sys.stdout, sys.stderr):
        original = stream.write

        def write(text, _original=original):
            left[0] -= len(text) if isinstance(text, (str, bytes)) else 0
            if left[0] < 0:
                leave(EXIT_OUTPUT)
            return _original(text)

        try:
            stream.write = write
        except (AttributeError, TypeError):
            pass


def _mount(*args, pass_fds=()):
    return subprocess.run(["mount", *args], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          pass_fds=pass_fds).returncode == 0


def _bind_fd(fd: int, target: str) -> bool:
    """Bind the folder open as `fd` (opened before /tmp was covered) at `target`. `--no-canonicalize`: mount
    would otherwise turn /proc/self/fd/N into the folder's path name and find the new, empty folder there."""
    return _mount("--no-canonicalize", "--bind", f"/proc/self/fd/{fd}", target, pass_fds=(fd,))


COVERED = ("/tmp", "/dev/shm")    # replaced by fresh, empty file systems in the kernel's mount namespace


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


def stage1(cfg: dict, argv: list[str]) -> None:
    """Cover /tmp, /dev/shm and the hidden places, bind back the job's folder and what the kernel needs
    (read-only), make every covered place read-only but /tmp and /dev/shm, then drop every capability."""
    every = [os.path.realpath(p) for p in cfg.get("hide", []) if os.path.lexists(p)]
    hidden = [h for h in _outermost(every) if not _under(h, COVERED)]    # the others vanish with /tmp and /dev/shm
    work = os.path.realpath(cfg["work"])
    fd = os.open(work, os.O_RDONLY | os.O_DIRECTORY)
    keep = {path: os.open(path, os.O_RDONLY | os.O_DIRECTORY)     # none holds a hidden place, however deep
            for path in kept_under_covered(cfg.get("keep", []), every)}
    conn = None
    if "-f" in argv:                 # the connection file may live under /tmp, which is about to be covered
        i = argv.index("-f") + 1
        with open(argv[i]) as fh:
            info = json.load(fh)
        if info.get("transport") == "ipc":                 # its sockets lie in the job folder: seen at /tmp/job
            ip = os.path.join(os.path.realpath(os.path.dirname(info["ip"])), os.path.basename(info["ip"]))
            if _under(ip, [work]):
                info["ip"] = os.path.join("/tmp/job", os.path.relpath(ip, work))
        conn = (i, info)
    failed = [] if _mount("-t", "tmpfs", "-o", "mode=1777,size=512m", "none", "/tmp") else ["/tmp"]
    failed += [] if _mount("-t", "tmpfs", "-o", "mode=1777,size=64m", "none", "/dev/shm") else ["/dev/shm"]
    failed += [h for h in hidden if not _cover(h)]
    _refuse_if(failed)
    os.mkdir("/tmp/job")
    failed += [] if _bind_fd(fd, "/tmp/job") else ["/tmp/job"]
    for path, kept in keep.items():  # put back what the kernel needs (Python, the grader package), read-only
        os.makedirs(path, exist_ok=True)
        if not (_bind_fd(kept, path) and _mount("-o", "remount,bind,ro", path)):
            failed.append(path)
        os.close(kept)
    os.close(fd)
    failed += [h for h in hidden if os.path.isdir(h) and not _mount("-o", "remount,ro", h)]
    if not _mount("-o", "remount,bind,ro", "/"):
        failed.append("/")
    _refuse_if(failed)
    cfg["work"] = "/tmp/job"
    if conn is not None:
        path = os.path.join(cfg["work"], ".home", "kernel-connection.json")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
            json.dump(conn[1], fh)
        argv = argv[:conn[0]] + [path] + argv[conn[0] + 1:]
    os.chdir(os.path.join(cfg["work"], cfg.get("cwd_rel", ".")))
    os.environ["GRADER_SANDBOX"] = json.dumps(cfg)
    os.environ[STAGE] = "2"
    cmd = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--",
           sys.executable, "-m", "grader.autograde.sandbox", *argv]
    os.execvp(cmd[0], cmd)


def _limit(which, value):
    if value and value > 0:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def _may_use_gpu() -> bool:
    """Whether the kernel may use a real GPU. CUDA reserves far more address space than any memory limit (seen on an
    H100: cudaGetDeviceCount fails with "out of memory" under a 12 GB limit), so such a kernel gets no address-space
    limit; its CPU time, output and file sizes are still limited."""
    device = os.environ.get("COURSE_DEVICE", "")
    return device == "cuda" or (device in ("", "auto") and os.path.exists("/dev/nvidiactl"))


def stage2(cfg: dict, argv: list[str]) -> None:
    env = os.environ
    work = cfg["work"]
    home = os.path.join(work, ".home")
    env["HOME"] = home
    env["MPLCONFIGDIR"] = os.path.join(home, ".matplotlib")
    env["IPYTHONDIR"] = os.path.join(home, ".ipython")
    env["GRADER_RECORD_DIR"] = os.path.join(work, ".records")
    env.pop(STAGE, None)
    mb = cfg.get("memory_mb") if not _may_use_gpu() else 0
    _limit(resource.RLIMIT_AS, int(mb) * 2**20 if mb else 0)
    _limit(resource.RLIMIT_CPU, int(cfg.get("cpu_s") or 0))
    _limit(resource.RLIMIT_FSIZE, int(cfg.get("fsize_mb") or 0) * 2**20)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    threads = int(cfg.get("threads") or 0)
    if threads:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[var] = str(threads)
    import torch
    if threads:
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:
            pass
    from ipykernel.kernelapp import IPKernelApp
    from grader.autograde import record
    app = IPKernelApp.instance()
    # the kernel's own log (not the student's output) would repeat the same TCP notice for every submission;
    # the channel is loopback-only and every message is signed with the job's key
    app.initialize([*argv, "--IPKernelApp.log_level=ERROR"])
    record.install(app.shell)
    if cfg.get("max_output_bytes"):
        cap_output(cfg["max_output_bytes"])
    app.start()


def main(argv: list[str]) -> None:
    cfg = json.loads(os.environ.pop("GRADER_SANDBOX", "{}"))
    if os.environ.get(STAGE) != "2" and os.geteuid() == 0 and cfg.get("confine", True) and cfg.get("unshare"):
        stage1(cfg, argv)
    stage2(cfg, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
