"""The grading kernel's sandbox (grader/autograde/sandbox.py), in a real kernel.

/tmp and every hidden place (course roots, the grader's own repository) are covered in the kernel's mount
namespace; what the kernel needs inside them is bound back read-only, by name, and nothing else.
"""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.autograde.execute import GuardedKernelManager
from grader.authoring.nbgrader_run import venv_path
from grader.autograde import isolation
from grader.autograde.isolation import ROOT_NAMESPACE, USER_NAMESPACE, can_confine, kernel_needs, worker_private
from grader.autograde.mounts import EXIT_SANDBOX, kept_under_covered
from grader.course import REPO


def test_kept_folders_are_those_under_covered_places_outermost_first(tmp_path):
    course = tmp_path / "course"
    (course / ".venv" / "lib").mkdir(parents=True)
    (course / "pkg").mkdir()
    outside = Path.home()
    got = kept_under_covered([str(course / ".venv"), str(course / ".venv" / "lib"), str(course), str(outside),
                              str(tmp_path / "missing")])
    assert got == [os.path.realpath(course)]
    # a hidden course is not bound back whole: only what is kept inside it, by name
    got = kept_under_covered([str(course / ".venv"), str(course / "pkg"), str(course), str(tmp_path)],
                             hidden=[str(course)])
    assert got == [os.path.realpath(course / ".venv"), os.path.realpath(course / "pkg")]
    # nor one that holds a hidden place nested in another (a repository inside a hidden home folder)
    got = kept_under_covered([str(course / ".venv"), str(course / "pkg")], hidden=[str(tmp_path), str(course / "pkg")])
    assert got == [os.path.realpath(course / ".venv")]


def _run_in_kernel(code: str, sandbox: dict, job: Path) -> str:
    """Run `code` in a sandboxed kernel whose job folder is `job`, with `sandbox` over the job's usual settings."""
    private = job / "private"
    private.mkdir(parents=True)
    for sub in (".home", ".records", "work"):
        (job / "kernel" / sub).mkdir(parents=True)
    settings = private / "sandbox.json"
    settings.write_text(json.dumps({"private": str(private), "records_out": str(private / "records"),
                                    "work": str(job / "kernel"), "pythonpath": isolation.kernel_pythonpath(),
                                    "memory_mb": 12288, "threads": 1, **sandbox}))

    async def go():
        km = GuardedKernelManager(kernel_name="python3", sandbox_file=str(settings))
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            out = []
            await kc.execute_interactive(code, timeout=60, output_hook=lambda msg: out.append(
                msg["content"].get("text", "") if msg["msg_type"] == "stream" else ""))
            return "".join(out)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
    return asyncio.run(go())


@pytest.mark.skipif(not can_confine(), reason="the sandbox needs unshare and setpriv, and root or user namespaces")
@pytest.mark.parametrize("namespace", [ROOT_NAMESPACE, USER_NAMESPACE], ids=["root", "user-namespace"])
@pytest.mark.parametrize("fork", [False, True], ids=["cold", "forked"])
def test_hidden_courses_show_only_what_the_kernel_needs(monkeypatch, namespace, fork):
    """A course under /tmp (a CI checkout there, say) and the repository the grader runs from are hidden whole; of
    them the kernel sees, read-only, only what it needs (a package folder of the course; the `grader` package of the
    repository), never the rest (lessons, solutions, the README), nor the grading account's home folder, nor a
    server on loopback (it talks to the grader through Unix sockets in its job folder). As root,
    and in the user namespace a grader that is not root gets (tried here as root: the confinement is the same; only
    the user outside differs). Kernels started cold and forked from the worker's template alike."""
    if namespace == ROOT_NAMESPACE and os.geteuid() != 0:
        pytest.skip("a mount namespace without a user namespace needs root")
    monkeypatch.setenv("PATH", venv_path())
    course = Path(tempfile.mkdtemp(prefix="course-under-tmp-", dir="/tmp"))
    probe = Path(tempfile.mkstemp(prefix=".sandbox-probe-", dir=Path.home())[1])   # an SSH key, say
    server = socket.create_server(("127.0.0.1", 0))          # a Dask scheduler on loopback, say
    port = server.getsockname()[1]
    try:
        (course / "lesson.txt").write_text("private")
        (course / "solutions").mkdir()
        (course / "solutions" / "answer.txt").write_text("secret")
        (course / "pkg").mkdir()
        (course / "pkg" / "mod.txt").write_text("visible")
        code = f"""
import os, socket, subprocess


def undo():
    # as it is (no capability left), and as root of a user namespace of its own (refused: mapping uid 0 needs a
    # capability it dropped; the mounts it inherited would be locked there anyway)
    script = "umount -l {REPO}; mount -o remount,rw /; ls {REPO}/solutions"
    for prefix in ([], ["unshare", "--user", "--map-root-user", "--mount"]):
        done = subprocess.run([*prefix, "sh", "-c", script], capture_output=True)
        if done.returncode == 0:
            return
    raise PermissionError(done.stderr)


print("tmp:", sorted(os.listdir("/tmp")))
for what, action in [("read pkg", lambda: open("{course}/pkg/mod.txt").read()),
                     ("read grader", lambda: open("{REPO}/grader/__init__.py").read()),
                     ("read lesson", lambda: open("{course}/lesson.txt").read()),
                     ("read solutions", lambda: os.listdir("{course}/solutions")),
                     ("read repo solutions", lambda: os.listdir("{REPO}/solutions")),
                     ("read README", lambda: open("{REPO}/README.md").read()),
                     ("read home", lambda: open("{probe}").read()),
                     ("write pkg", lambda: open("{course}/pkg/new.txt", "w")),
                     ("write grader", lambda: open("{REPO}/grader/new.txt", "w")),
                     ("write repo", lambda: open("{REPO}/new.txt", "w")),
                     ("undo the mounts", undo),
                     ("connect out", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=5))]:
    try:
        action()
        print(what, "allowed")
    except OSError as err:
        print(what, "refused", type(err).__name__)
"""
        hide = [str(course), *worker_private()]
        keep = kernel_needs() + [str(course / "pkg")]
        out = _run_in_kernel(code, {"unshare": namespace, "confine": True, "hide": hide, "keep": keep, "fork": fork},
                             course / "job-root")
        tops = {Path(p).relative_to("/tmp").parts[0] for p in kept_under_covered(keep, hide) if p.startswith("/tmp/")}
        assert f"tmp: {sorted(tops | {'job'})}" in out, out       # other jobs' folders are gone
        for allowed in ("read pkg", "read grader"):
            assert f"{allowed} allowed" in out, out
        for refused in ("read lesson", "read solutions", "read repo solutions", "read README", "read home",
                        "write pkg", "write grader", "write repo", "undo the mounts", "connect out"):
            assert f"{refused} refused" in out, out
        assert not (course / "pkg" / "new.txt").exists() and not (REPO / "new.txt").exists()
    finally:
        shutil.rmtree(course, ignore_errors=True)
        probe.unlink(missing_ok=True)
        server.close()


def test_a_failed_mount_stops_the_kernel(tmp_path):
    """A sandbox that cannot be set up never runs student code as if it were confined: here its last step (the root
    file system made read-only) fails, in a real mount namespace, and the kernel does not start."""
    if os.geteuid() != 0 or not can_confine():
        pytest.skip("needs root and a working mount namespace")
    sandbox = {"work": str(tmp_path), "hide": worker_private(), "keep": kernel_needs()}
    script = f"""
import grader.autograde.mounts as mounts
real = mounts._mount
mounts._mount = lambda *args, **kw: False if args[-1] == "/" else real(*args, **kw)
mounts.stage1({sandbox!r}, [], "")
print("the kernel would start")
"""
    done = subprocess.run([*ROOT_NAMESPACE, "--", sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == EXIT_SANDBOX, (done.returncode, done.stdout, done.stderr)
    assert "could not mount /;" in done.stderr and "--no-confine" in done.stderr, done.stderr
    assert "would start" not in done.stdout


@pytest.mark.parametrize("command, said", [
    (None, "kernels run unconfined"),
    (["unshare", "--mount", "--pid"], "keep the network"),
    (["unshare", "--mount", "--pid", "--net"], ""),
], ids=["no-namespace", "no-network-namespace", "all"])
def test_the_instructor_is_told_what_kernels_can_reach(monkeypatch, capsys, command, said):
    """Where this system refuses a namespace, confinement falls back (kernels unconfined, or confined with the
    network) and the grader says so once; with every namespace it says nothing."""
    monkeypatch.setattr(isolation, "confine_command", lambda: command)
    isolation.warn_unconfined(True)
    err = capsys.readouterr().err
    assert (said in err and "docs/grader.md" in err) if said else err == "", err


def test_the_kernel_gets_no_secrets_and_no_paths_of_the_grader():
    """The kernel's environment is an allow-list (an instructor's tokens stay out), and the second stage is handed
    its limits and the guard only: nothing that names the job's private folder, the hidden places or the course."""
    from grader.autograde.sandbox import kernel_environ, stage2_settings
    worker = {"PATH": "/usr/bin", "LANG": "C.UTF-8", "COURSE_DEVICE": "cpu", "OMP_NUM_THREADS": "1",
              "AWS_SECRET_ACCESS_KEY": "s", "JUPYTERHUB_API_TOKEN": "t", "JPY_SESSION_NAME": "/srv/course/x.ipynb",
              "HOME": "/home/instructor", "GRADER_SANDBOX": "{}"}
    assert kernel_environ(worker) == {"PATH": "/usr/bin", "LANG": "C.UTF-8", "COURSE_DEVICE": "cpu",
                                      "OMP_NUM_THREADS": "1"}
    cfg = {"private": "/tmp/grade-x/private", "records_out": "/tmp/grade-x/private/records", "hide": ["/srv/course"],
           "keep": ["/srv/course/.venv"], "unshare": ["unshare"], "pythonpath": "/srv", "memory_mb": 1, "cpu_s": 2,
           "fsize_mb": 3, "max_output_bytes": 4, "threads": 1, "guard": {"names": {}, "digests": []}}
    handed = json.loads(stage2_settings(cfg, "/tmp/job"))
    assert handed == {"work": "/tmp/job", "memory_mb": 1, "cpu_s": 2, "fsize_mb": 3, "max_output_bytes": 4,
                      "threads": 1, "guard": {"names": {}, "digests": []}}
