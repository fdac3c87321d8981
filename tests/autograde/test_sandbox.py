"""The grading kernel's sandbox (grader/autograde/sandbox.py), in a real kernel.

What lies under /tmp is covered in the kernel's mount namespace, so a course or virtual environment that lives
there (a CI checkout in /tmp, say) must be put back read-only, with the private folders inside it still hidden.
"""
import asyncio
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from grader.autograde.execute import GuardedKernelManager
from grader.authoring.nbgrader_run import venv_path
from grader.autograde.isolation import ROOT_NAMESPACE, USER_NAMESPACE, can_confine, kernel_needs
from grader.autograde.sandbox import kept_under_covered


def test_kept_folders_are_those_under_tmp_outermost_first(tmp_path):
    course = tmp_path / "course"
    (course / ".venv").mkdir(parents=True)
    outside = Path.home()
    got = kept_under_covered([str(course / ".venv"), str(course), str(outside), str(tmp_path / "missing")])
    assert got == [os.path.realpath(course)]


def _run_in_kernel(code: str, sandbox: dict) -> str:
    async def go():
        os.environ["GRADER_SANDBOX"] = json.dumps(sandbox)
        km = GuardedKernelManager(kernel_name="python3")
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
            os.environ.pop("GRADER_SANDBOX", None)
    return asyncio.run(go())


@pytest.mark.skipif(not can_confine(), reason="the sandbox needs unshare and setpriv, and root or user namespaces")
@pytest.mark.parametrize("namespace", [ROOT_NAMESPACE, USER_NAMESPACE], ids=["root", "user-namespace"])
def test_a_course_under_tmp_is_put_back_read_only_with_private_folders_hidden(monkeypatch, namespace):
    """As root, and in the user namespace a grader that is not root gets (tried here as root: the confinement is
    the same; only the user outside differs)."""
    if namespace == ROOT_NAMESPACE and os.geteuid() != 0:
        pytest.skip("a mount namespace without a user namespace needs root")
    monkeypatch.setenv("PATH", venv_path())
    course = Path(tempfile.mkdtemp(prefix="course-under-tmp-", dir="/tmp"))
    try:
        (course / "lesson.txt").write_text("visible")
        (course / "solutions").mkdir()
        (course / "solutions" / "answer.txt").write_text("secret")
        work = course / "job-root"
        (work / ".home").mkdir(parents=True)
        (work / ".records").mkdir()
        code = f"""
import os
print("tmp:", sorted(os.listdir("/tmp")))
print("lesson:", open("{course}/lesson.txt").read())
for what, action in [("read solutions", lambda: os.listdir("{course}/solutions")),
                     ("write course", lambda: open("{course}/new.txt", "w"))]:
    try:
        action()
        print(what, "allowed")
    except OSError as err:
        print(what, "refused", type(err).__name__)
"""
        keep = kernel_needs() + [str(course)]
        out = _run_in_kernel(code, {
            "work": str(work), "cwd_rel": ".", "memory_mb": 12288, "threads": 1, "unshare": namespace, "confine": True,
            "hide": [str(course / "solutions")], "keep": keep})
        tops = {Path(p).relative_to("/tmp").parts[0] for p in kept_under_covered(keep) if p.startswith("/tmp/")}
        assert f"tmp: {sorted(tops | {'job'})}" in out, out       # other jobs' folders are gone
        assert "lesson: visible" in out, out
        assert "read solutions refused" in out and "write course refused" in out, out
        assert not (course / "new.txt").exists()
    finally:
        shutil.rmtree(course, ignore_errors=True)
