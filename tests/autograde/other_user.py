"""Running the grader as a user who is not root, from a root test session, without loosening any permission.

Instructors grade as themselves, so the grader must confine kernels without root. To test that here, root CI hands
a course to `nobody` (`setpriv --reuid/--regid`), who needs three things root's setup does not give:
- a Python it may run: this machine's default Python lives in root's home, which other users cannot enter, so the
  user gets a virtual environment of Debian's own /usr/bin/python3.11 whose site folder adds the checkout's
  (the packages are built for Python 3.11, whichever build runs them), and the checkout's commands (`alembic`,
  which nbgrader calls) rewritten to start that Python;
- the checkout's site-packages and data folder, which may lie where `nobody` cannot go (a clone in root's home):
  they are bound read-only into a mount namespace of the test's own (`unshare --mount`), never made readable;
- a course it owns: a copy of the course repository (the `grader` package, course/, solutions/, the config),
  graded with the grader imported from that copy, so the course graded is also the repository the grader runs from.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from grader.course import REPO
from grader.standin import data_root

SYSTEM_PYTHON = Path("/usr/bin/python3.11")
NOBODY = 65534
COPIED = ("grader", "course", "solutions", "nbgrader_config.py")


def missing() -> str | None:
    """Why this machine cannot run the test, or None."""
    if os.geteuid() != 0:
        return "making another user's grading run needs root (setpriv --reuid)"
    if sys.version_info[:2] != (3, 11):
        return (f"the checkout's packages are built for Python {sys.version_info[0]}.{sys.version_info[1]}; the other "
                f"user runs them with {SYSTEM_PYTHON} (make setup PYTHON=python3.11 gives a matching environment)")
    if not SYSTEM_PYTHON.is_file() or not shutil.which("setpriv") or not shutil.which("unshare"):
        return f"needs {SYSTEM_PYTHON} (Debian's python3.11) and util-linux's setpriv and unshare"
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
                            "unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    if probe.returncode:
        return ("this system forbids unprivileged user namespaces (Debian: sysctl kernel.unprivileged_userns_clone=1;"
                " Ubuntu: kernel.apparmor_restrict_unprivileged_userns=0)")
    return None


class OtherUser:
    """A folder under /tmp that `nobody` owns: `repo` (the course copy), `env` (its Python), `home`, and the mount
    points of the checkout's site-packages and data. `remove()` deletes it all."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="other-user-", dir="/tmp"))
        os.chmod(self.base, 0o755)
        self.repo, self.env, self.home = self.base / "repo", self.base / "env", self.base / "home"
        self.site, self.data = self.base / "site-packages", self.base / "data"
        for folder in (self.repo, self.home, self.site, self.data):
            folder.mkdir()
        for name in COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, self.repo / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(source, self.repo / name)
        self._make_env()

    def _make_env(self) -> None:
        subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(self.env)], check=True)
        purelib = Path(sysconfig.get_path("purelib", vars={"base": str(self.env), "platbase": str(self.env)}))
        (purelib / "checkout-site.pth").write_text(f"import site; site.addsitedir({str(self.site)!r})\n")
        ours = Path(sys.executable).parent
        for script in ours.iterdir():      # console scripts start our Python: start the user's instead
            try:
                first, rest = script.read_bytes().split(b"\n", 1)
            except (OSError, ValueError):
                continue
            if first.startswith(b"#!") and Path(first[2:].decode(errors="replace").strip()).parent == ours:
                target = self.env / "bin" / script.name
                if not target.exists():
                    target.write_bytes(b"#!" + str(self.env / "bin" / "python").encode() + b"\n" + rest)
                    target.chmod(0o755)

    def give(self) -> None:
        """Hand everything under the base folder to the user (after the test has put its files there)."""
        for folder, dirs, files in os.walk(self.base):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, NOBODY, NOBODY)

    def run(self, args: list[str], timeout: float) -> subprocess.CompletedProcess:
        """`python -m grader <args>` as the user, in the course copy, with the checkout's packages and data bound
        read-only in a mount namespace of this command's own."""
        binds = [str(Path(sysconfig.get_path("purelib"))), str(self.site), str(data_root()), str(self.data)]
        env = {"HOME": str(self.home), "PATH": f"{self.env / 'bin'}:/usr/bin:/bin", "COURSE_DATA": str(self.data),
               "COURSE_PROFILE": os.environ.get("COURSE_PROFILE", "quick"), "LANG": "C.UTF-8"}
        user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", "env", "-i",
                *(f"{k}={v}" for k, v in env.items()), str(self.env / "bin" / "python"), "-m", "grader", *args]
        script = 'mount --bind -o ro "$1" "$2" && mount --bind -o ro "$3" "$4" && shift 4 && exec "$@"'
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh",
                               *binds, *user], cwd=self.repo, capture_output=True, text=True, timeout=timeout)

    def autograde(self, assignment: str, options: dict, *more: str, timeout: float = 900) -> tuple[dict, str]:
        """(summary, stderr) of `python -m grader autograde` run by the user on the course copy, with `options`
        (GraderOptions names) and `more` arguments."""
        out = self.home / "summary.json"
        flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
        done = self.run(["autograde", assignment, "--root", str(self.repo), *flags, *more, "--json", str(out)],
                        timeout)
        if done.returncode or not out.is_file():
            raise AssertionError(f"grading as user {NOBODY} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                                 f"{done.stderr[-3000:]}")
        return json.loads(out.read_text()), done.stderr

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
