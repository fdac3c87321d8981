"""The grading kernel: started by `GuardedKernelManager` as `python -I -c BOOT <pythonpath> <settings> <ipykernel args>`.

Isolated mode (`-I`) keeps the current folder, PYTHONPATH and the user's site folder off `sys.path`, so nothing a
submission brought, nor anything the kernel's environment says, decides which code runs here; BOOT puts only the
folders the worker names (the one holding its `grader` package first) on the path.

`<settings>` is `file:PATH` (a JSON file in the job's private folder, written by the job) or `fd:N` (the same
settings, handed over a pipe by the first stage). Settings never travel in the environment or on the command line
of the process that runs student code: what a process was started with stays readable in /proc/self/environ and
/proc/self/cmdline, whatever it removes afterwards.

Stage 1, only where the kernel got namespaces of its own (`grader.autograde.mounts`): the kernel's view of the
file system, then the second stage, unprivileged. Stage 2 (always): a clean environment, resource limits
(address space, CPU seconds, file size, processes, no core dumps), the torch thread cap, the recorder around the
check helpers, the guard of the names test cells read, and the ordinary IPython kernel.
"""
from __future__ import annotations

import json
import os
import resource
import sys

EXIT_OUTPUT = 86          # the kernel's exit status when its output passed the limit (read by GuardedExecute)
MAX_PROCESSES = 1024      # processes and threads of the kernel's user (RLIMIT_NPROC): a fork bomb stops here
# The only code `python -I -c` runs before the grader's own package: the worker's folders on the path, then main.
BOOT = ("import sys; sys.path[:0] = [p for p in sys.argv[1].split(':') if p]; "
        "from grader.autograde.sandbox import main; main(sys.argv[2:])")
# What of the worker's environment a kernel keeps (the rest may hold the instructor's secrets or the grader's
# paths): locale and terminal, the course's own switches, thread counts, and what CUDA needs to find a GPU.
KEPT_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "PYTHONHASHSEED", "PYTHONPATH", "MPLBACKEND",
            "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "ATEN_CPU_CAPABILITY", "JPY_PARENT_PID")
KEPT_PREFIXES = ("LC_", "COURSE_", "NVIDIA_")
# What the second stage is handed of the settings: its limits and the guard, never the grader's paths.
STAGE2_KEYS = ("memory_mb", "cpu_s", "fsize_mb", "max_output_bytes", "threads", "guard")


def stage2_settings(cfg: dict, work: str) -> bytes:
    """The second stage's settings, for the pipe it reads them from."""
    return json.dumps({"work": work, **{k: cfg[k] for k in STAGE2_KEYS if k in cfg}}).encode()


def hand_over(cfg: dict, work: str, prefix: list[str], pythonpath: str, argv: list[str]) -> None:
    """Become the second stage: `prefix` (setpriv, or nothing) then `python -I -c BOOT`, with a clean environment
    and the second stage's settings on a pipe whose read end it inherits."""
    read, write = os.pipe()
    os.write(write, stage2_settings(cfg, work))
    os.close(write)
    os.set_inheritable(read, True)
    cmd = [*prefix, sys.executable, "-I", "-c", BOOT, pythonpath, f"fd:{read}", *argv]
    os.execve(cmd[0], cmd, kernel_environ(os.environ))


def kernel_environ(environ) -> dict:
    """The environment the kernel runs with: only what KEPT_ENV and KEPT_PREFIXES name."""
    return {k: v for k, v in environ.items() if k in KEPT_ENV or k.startswith(KEPT_PREFIXES)}


def read_settings(source: str) -> dict:
    """The sandbox settings from `file:PATH` or `fd:N` (module docstring)."""
    kind, _, where = source.partition(":")
    if kind == "fd":
        fd = int(where)
        with os.fdopen(fd, "rb") as fh:
            return json.loads(fh.read())
    if kind == "file":
        with open(where) as fh:
            return json.load(fh)
    raise SystemExit(f"grader sandbox: unknown settings {source!r}")


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
    """Limits, the recorder and the guard, then the IPython kernel; runs unprivileged, in `cfg["work"]`."""
    env = os.environ
    work = cfg["work"]
    home = os.path.join(work, ".home")
    env["HOME"] = home
    env["MPLCONFIGDIR"] = os.path.join(home, ".matplotlib")
    env["IPYTHONDIR"] = os.path.join(home, ".ipython")
    env["TMPDIR"] = "/tmp" if work == "/tmp/job" else home
    mb = cfg.get("memory_mb") if not _may_use_gpu() else 0
    _limit(resource.RLIMIT_AS, int(mb) * 2**20 if mb else 0)
    _limit(resource.RLIMIT_CPU, int(cfg.get("cpu_s") or 0))
    _limit(resource.RLIMIT_FSIZE, int(cfg.get("fsize_mb") or 0) * 2**20)
    _limit(resource.RLIMIT_NPROC, MAX_PROCESSES)
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
    # the kernel's own log (not the student's output) would repeat the same notice for every submission, and below
    # CRITICAL ipykernel prints its "Ctrl-C will not work" banner to the grader's terminal for every kernel; and no
    # history database (a file write and a thread per cell; `In` and `Out` still work, in memory)
    app.initialize([*argv, "--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"])
    record.install(app.shell, os.path.join(work, ".records"), cfg.get("guard"))
    if cfg.get("max_output_bytes"):
        cap_output(cfg["max_output_bytes"])
    app.start()


def _unconfined(cfg: dict, argv: list[str]) -> None:
    """Without namespaces: the second stage all the same, started afresh with a clean environment and its settings
    through a pipe, in the job's kernel folder (the launch folder holds the notebook nbgrader writes)."""
    os.chdir(os.path.join(cfg["work"], "work"))
    hand_over(cfg, cfg["work"], [], cfg["pythonpath"], argv)


def main(argv: list[str]) -> None:
    source, args = argv[0], argv[1:]
    cfg = read_settings(source)
    if source.startswith("file:"):
        if cfg.get("unshare") and cfg.get("confine", True):
            from grader.autograde.mounts import EXIT_SANDBOX, stage1
            if os.geteuid() != 0:        # namespaces were asked for, but this is not their root: never run as if
                print("grader sandbox: not root of the kernel's namespaces; the kernel is not started",
                      file=sys.stderr)
                os._exit(EXIT_SANDBOX)
            stage1(cfg, args, cfg["pythonpath"])
        _unconfined(cfg, args)
    stage2(cfg, args)
