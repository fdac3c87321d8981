"""The kernel template (grader/autograde/template.py, its own side grader/autograde/zygote.py): what it holds, how
it forks, and what happens when it cannot serve. That forked kernels are confined like cold ones is proven where
the confinement is tested (test_sandbox.py runs its kernels both ways; the hostile batch, the limits, the workers,
the course round trip and the Dask cluster grade with forked kernels, the default)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.autograde import isolation, template, template_socket
from grader.autograde.sandbox import kernel_environ


@pytest.fixture
def fresh(monkeypatch):
    """This test's own templates, in a socket folder of its own (short: a socket's path has at most 107 bytes), all
    stopped afterwards; the module's connection is this test's own too."""
    own = Path(tempfile.mkdtemp(prefix="tpl-"))
    monkeypatch.setattr(template_socket, "folder", lambda create=True: own)
    monkeypatch.setattr(template, "_template", None)
    monkeypatch.setattr(template, "_said", set())
    yield own
    if template._template is not None:
        template._template.close()
    template.stop_all()
    shutil.rmtree(own, ignore_errors=True)


def _gone(pid: int, within: float = 30) -> bool:
    """Whether process `pid` ended (a zombie counts: the template is this process's child until it is reaped)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/status") as fh:
                if "\nState:\tZ" in fh.read():
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def _env(**more) -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "AWS_SECRET_ACCESS_KEY": "s3cr3t", **more}


def test_the_template_holds_the_kernel_environment_one_thread_and_no_cuda(fresh):
    """What every forked kernel inherits: the kernel's allow-listed environment (no instructor secret), torch and the
    rest imported, one thread (fork copies only the calling thread, so a second one could leave a lock held), CUDA
    never initialised (a CUDA context does not survive a fork)."""
    pythonpath = isolation.kernel_pythonpath()
    template.prepare(pythonpath, _env())
    t = template._template
    assert t is not None and t.ready and t.alive()
    pid = t.pid
    with open(f"/proc/{pid}/environ", "rb") as fh:
        environ = dict(item.split(b"=", 1) for item in fh.read().split(b"\0") if b"=" in item)
    assert b"AWS_SECRET_ACCESS_KEY" not in environ
    assert set(environ) - {b"HOME", b"MPLCONFIGDIR", b"OPENBLAS_NUM_THREADS", b"PYDEVD_DISABLE_FILE_VALIDATION"} <= \
        {k.encode() for k in kernel_environ(_env())}
    assert len(os.listdir(f"/proc/{pid}/task")) == 1
    with open(f"/proc/{pid}/maps") as fh:
        maps = fh.read()
    assert "libtorch" in maps and "libcuda.so" not in maps


def test_a_worker_keeps_its_template_replaced_when_it_died_or_no_longer_fits(fresh, monkeypatch):
    pythonpath = isolation.kernel_pythonpath()
    first = template.warm(pythonpath, _env())
    assert template.warm(pythonpath, _env(COURSE_DEVICE="cuda-sim")) is first    # read by the notebook: no rebuild
    second = template.warm(pythonpath, _env(ATEN_CPU_CAPABILITY="avx2"))          # read by torch's import: another
    assert second is not first and not first.alive()
    second.wait_ready()
    other = template_socket.Template(pythonpath, kernel_environ(_env()))
    other.wait_ready()
    first_pid = other.pid
    other.close()
    os.kill(second.pid, signal.SIGKILL)
    assert _gone(second.pid) and not second.alive()
    third = template.warm(pythonpath, _env(ATEN_CPU_CAPABILITY="avx2"))
    assert third is not second and third.alive()
    third.wait_ready()
    assert third.pid != second.pid
    monkeypatch.setattr(template_socket, "fingerprint", lambda *a: "the grader package changed")
    assert template.warm(pythonpath, _env(ATEN_CPU_CAPABILITY="avx2")) is not third
    assert not _gone(first_pid, within=0)                           # the other template was left alone


def test_the_workers_of_a_machine_share_one_template_which_waits_for_the_next_batch(fresh, monkeypatch):
    """Two workers, one template (one import of torch per machine); when the last disconnects it waits KEEP_S for the
    next batch, then exits and removes its socket."""
    monkeypatch.setattr(template_socket, "KEEP_S", 3)
    pythonpath, env = isolation.kernel_pythonpath(), kernel_environ(_env())
    a, b = template_socket.Template(pythonpath, env), template_socket.Template(pythonpath, env)
    a.wait_ready()
    b.wait_ready()
    assert a.pid == b.pid
    a.close()
    b.close()
    time.sleep(0.5)
    c = template_socket.Template(pythonpath, env)              # the next batch
    c.wait_ready()
    assert c.pid == a.pid
    c.close()
    assert not _gone(a.pid, within=1) and _gone(a.pid, within=30)
    assert not list(fresh.glob("*.sock"))


def test_stop_all_stops_the_templates_and_clears_their_sockets(fresh):
    """`stop_all` ends every template of the account and leaves no socket behind: neither its own nor one that a
    template which died left (a process killed cannot remove its socket)."""
    t = template.warm(isolation.kernel_pythonpath(), _env())
    t.wait_ready()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    stale.bind(str(fresh / "dead.sock"))                       # bound, never listening: refused, like a dead one's
    stale.close()
    assert template.stop_all() == [t.pid]
    assert _gone(t.pid) and not list(fresh.glob("*.sock"))


def test_only_processes_that_see_the_workers_files_are_served(fresh):
    """The socket's folder is private to the grading account and hidden from every kernel; a process that found it
    anyway from another mount namespace (as a confined kernel has) is not served."""
    assert str(fresh) in isolation.worker_private()
    t = template.warm(isolation.kernel_pythonpath(), _env())
    t.wait_ready()
    path = str(next(fresh.glob("*.sock")))
    probe = ("import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1]); "
             "s.settimeout(60); print(repr(s.recv(100)))")
    here = subprocess.run([sys.executable, "-c", probe, path], capture_output=True, text=True, timeout=90)
    assert '"ready": true' in here.stdout, here.stderr
    unshare = shutil.which("unshare")
    elsewhere = subprocess.run([unshare, "--mount", "--map-root-user", sys.executable, "-c", probe, path],
                               capture_output=True, text=True, timeout=90) if unshare else None
    if elsewhere is None or "unshare failed" in elsewhere.stderr or "Operation not permitted" in elsewhere.stderr:
        pytest.skip("no mount namespace can be made here")
    assert elsewhere.stdout.strip() == "b''", (elsewhere.stdout, elsewhere.stderr)


def test_a_template_that_cannot_start_means_cold_kernels_said_once(fresh, monkeypatch, capsys):
    """No template (here: its Python exits at once) is never an error: `spawn` returns None, the kernel starts cold,
    and the worker says why, once."""
    monkeypatch.setattr(template_socket, "BOOT", "import sys; sys.exit(3)")
    monkeypatch.setattr(template_socket, "START_TIMEOUT", 20)
    for _ in range(2):
        assert template.spawn("/nonexistent/sandbox.json", [], isolation.kernel_pythonpath(), _env()) is None
    err = capsys.readouterr().err
    assert err.count("grading kernels start cold") == 1 and "exited (3)" in err, err


def test_a_forked_child_that_fails_reports_its_exit_and_each_child_is_used_once(fresh, tmp_path):
    """A request whose settings cannot be read: the child says so and exits with the sandbox's status; the template
    goes on serving, and every request gets a process of its own."""
    from grader.autograde.mounts import EXIT_SANDBOX
    pythonpath = isolation.kernel_pythonpath()
    a = template.spawn(str(tmp_path / "missing.json"), [], pythonpath, _env())
    b = template.spawn(str(tmp_path / "missing.json"), [], pythonpath, _env())
    assert a is not None and b is not None and a.pid != b.pid
    assert a.wait(timeout=30) == EXIT_SANDBOX and b.wait(timeout=30) == EXIT_SANDBOX
    assert template._template.alive()


def _unconfined_settings(tmp_path, fork: bool):
    import json
    work = tmp_path / "kernel"
    for sub in ("work", ".home", ".records"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    settings = tmp_path / "sandbox.json"
    settings.write_text(json.dumps({"work": str(work), "confine": False, "fork": fork,
                                    "pythonpath": isolation.kernel_pythonpath()}))
    return settings


def test_killing_a_forked_kernel_is_seen_as_a_signal(fresh, tmp_path):
    """A forked kernel that serves its connection file until it is killed: the exit status reaches the worker as
    Popen would give it (negative: the signal), so the reasons table reads the same for forked kernels
    (`execute._death`)."""
    from jupyter_client.connect import write_connection_file
    connection, _ = write_connection_file(str(tmp_path / "kernel.json"), transport="ipc", ip=str(tmp_path / "k"))
    settings = _unconfined_settings(tmp_path, True)
    proc = template.spawn(str(settings), ["-f", connection], isolation.kernel_pythonpath(), _env())
    end = time.monotonic() + 60
    while not list(tmp_path.glob("k-*")) and time.monotonic() < end:      # its sockets: the kernel is serving
        time.sleep(0.05)
    assert proc.poll() is None and list(tmp_path.glob("k-*"))
    proc.kill()
    assert proc.wait(timeout=30) == -signal.SIGKILL


def test_the_option_decides_whether_kernels_are_forked(fresh, tmp_path):
    from grader.autograde.execute import GuardedKernelManager
    from grader.autograde.options import GraderOptions
    assert GraderOptions().fork_kernels is True
    for fork in (False, True):
        settings = _unconfined_settings(tmp_path / str(fork), fork)
        km = GuardedKernelManager(kernel_name="python3", sandbox_file=str(settings))
        cmd = km.format_kernel_cmd()
        proc = km._fork(cmd, _env())
        assert (proc is not None) == fork
        if proc is not None:
            proc.kill()
            proc.wait(timeout=30)


@pytest.mark.skipif(os.environ.get("COURSE_DEVICE") == "cuda-sim" or not os.path.exists("/dev/nvidiactl"),
                    reason="needs an NVIDIA GPU (tests/gpu/check.sh runs this on one)")
def test_a_forked_kernel_initialises_cuda_itself(fresh, tmp_path):
    """The template never touches CUDA; a forked kernel creates its own context and computes on the GPU."""
    import asyncio
    import json
    from grader.autograde.execute import GuardedKernelManager
    settings = _unconfined_settings(tmp_path, True)
    cfg = json.loads(settings.read_text())
    settings.write_text(json.dumps({**cfg, "private": str(tmp_path), "memory_mb": 0}))

    async def go():
        km = GuardedKernelManager(kernel_name="python3", sandbox_file=str(settings))
        await km.start_kernel(env={**os.environ, "COURSE_DEVICE": "cuda"})
        kc = km.client()
        kc.start_channels()
        out = []
        try:
            await kc.wait_for_ready(timeout=120)
            await kc.execute_interactive(
                "import torch; print(torch.cuda.is_available(), (torch.ones(3, device='cuda') * 2).sum().item())",
                timeout=120, output_hook=lambda m: out.append(m["content"].get("text", "")))
            return km.forked, "".join(out)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
    forked, out = asyncio.run(go())
    assert forked and "True 6.0" in out, out
    with open(f"/proc/{template._template.pid}/maps") as fh:
        assert "libcuda.so" not in fh.read()
