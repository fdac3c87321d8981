"""Prepare one machine for `make hub` (run as root, with the course's .venv Python): the users' environment, nbgrader's
exchange, and the instructor's and students' system accounts.

Why each part is the way it is:
- The users' environment (`<root>/env`) is a thin virtual environment over the course's .venv: a Python that every
  account may run (the .venv's own, or a copy of that installation in <root>/python when it lies where others
  cannot go, as under /root), whose site folder adds the .venv's packages. Those are seen through `<root>/venv`, a
  read-only bind of the .venv that `hub/enter.sh` makes in the hub's own mount namespace, so no permission on the
  checkout is loosened and students never see it (nor solutions/). The course package (`grader`) is copied into the
  environment itself, because the .venv's editable install points into the checkout.
- nbgrader's exchange is a folder of mode 1777 (anyone may create, only owners delete), as nbgrader documents;
  nbgrader makes the course's inbound (733: students write, cannot list) and outbound folders inside it.
- Every account is a real system account (PAM checks its password); homes are 0700. The instructor's course folder
  is a copy of the course (solutions/, course/, grader/, nbgrader_config.py) in their home: the gradebook, the
  submissions and the grader's runs live there, as the instructor, never as root.

Settings come from the environment (the Makefile sets them): HUB_ROOT, HUB_EXCHANGE, HUB_INSTRUCTOR, HUB_STUDENTS,
HUB_HOMES. Passwords are made once and kept in <root>/passwords (mode 0600, root only). Running it again updates
the environment and adds missing accounts; it never overwrites an instructor's existing course folder.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)
VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
COURSE_ID = "pytorch-course"                      # nbgrader_config.py's CourseDirectory.course_id
COURSE_COPY = ("grader", "course", "solutions", "nbgrader_config.py")
STUDENT_SERVER_EXTENSIONS = ("nbgrader.server_extensions.assignment_list",
                             "nbgrader.server_extensions.validate_assignment")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:create-assignment")


def settings() -> dict:
    root = Path(os.environ.get("HUB_ROOT", "/srv/pytorch-course"))
    return {"root": root,
            "exchange": Path(os.environ.get("HUB_EXCHANGE", "/srv/nbgrader/exchange")),
            "instructor": os.environ.get("HUB_INSTRUCTOR", "instructor"),
            "students": os.environ.get("HUB_STUDENTS", "student1 student2").split(),
            "homes": Path(os.environ.get("HUB_HOMES", "/home"))}


def fail(message: str) -> None:
    print(f"make hub: {message}", file=sys.stderr)
    sys.exit(1)


def runs_as_others(python: str) -> bool:
    return subprocess.run(["runuser", "-u", "nobody", "--", python, "-c", ""], capture_output=True).returncode == 0


def users_python(root: Path) -> str:
    """The .venv's own Python when every account may run it; else a copy of its installation (without its
    site-packages) in <root>/python, its library path made relative to it, so that every account runs the very same
    interpreter (another build of the same version is not enough: soupsieve, which nbconvert's HTML export uses,
    fails on Debian's 3.11.2 and works on 3.11.7)."""
    own = os.path.realpath(sys._base_executable)
    if runs_as_others(own):
        return own
    base = Path(sys.base_prefix)
    copy = root / "python"
    target = copy / Path(own).relative_to(base)
    if not (target.is_file() and runs_as_others(str(target))):
        shutil.rmtree(copy, ignore_errors=True)
        site = Path(sysconfig.get_path("purelib", vars={"base": str(base)}))
        shutil.copytree(base, copy, symlinks=True,
                        ignore=lambda folder, names: [n for n in names if Path(folder, n) == site
                                                      or n == "__pycache__"])
        binary = target.read_bytes()
        runpath = str(base / "lib").encode() + b"\0"
        if runpath in binary:            # RUNPATH <base>/lib (pyenv's shared builds): the copy's own lib/ instead
            target.write_bytes(binary.replace(runpath, b"$ORIGIN/../lib\0".ljust(len(runpath), b"\0")))
        subprocess.run(["chmod", "-R", "a+rX", str(copy)], check=True)
    if not runs_as_others(str(target)):
        fail(f"the students' servers need a Python that every account may run; the .venv's ({own}) is in a folder "
             f"closed to others, and its copy in {copy} does not run. Build .venv from a Python installed outside "
             f"/root (make setup PYTHON=/usr/bin/python3.X).")
    return str(target)


def make_env(root: Path) -> Path:
    env, bound = root / "env", root / "venv"
    bound.mkdir(parents=True, exist_ok=True)            # the mount point of the .venv (hub/enter.sh)
    subprocess.run([users_python(root), "-m", "venv", "--without-pip", "--clear", str(env)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)}))
    venv_site = Path(sysconfig.get_path("purelib")).relative_to(VENV)
    (site / "course-venv.pth").write_text(f"import site; site.addsitedir({str(bound / venv_site)!r})\n")
    shutil.copytree(REPO / "grader", site / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    ours = VENV / "bin"
    for script in sorted(ours.iterdir()):             # console scripts: the same, started by the env's Python
        if not script.is_file() or (env / "bin" / script.name).exists():
            continue
        try:
            first, rest = script.read_bytes().split(b"\n", 1)
        except ValueError:
            continue
        if first.startswith(b"#!") and Path(first[2:].decode(errors="replace").strip()).parent == ours:
            target = env / "bin" / script.name
            target.write_bytes(b"#!" + str(env / "bin" / "python").encode() + b"\n" + rest)
            target.chmod(0o755)
    share = env / "share" / "jupyter"
    share.mkdir(parents=True)
    for entry in (VENV / "share" / "jupyter").iterdir():
        if entry.name != "kernels":                      # lab's assets, labextensions, nbconvert's templates...
            (share / entry.name).symlink_to(bound / "share" / "jupyter" / entry.name)
    kernel = share / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = json.loads((VENV / "share/jupyter/kernels/python3/kernel.json").read_text())
    spec["argv"][0] = str(env / "bin" / "python")
    (kernel / "kernel.json").write_text(json.dumps(spec, indent=1))
    return env


def write_env_config(env: Path, exchange: Path) -> None:
    """Jupyter's settings for every account: students' nbgrader extensions only; the exchange and the course id."""
    etc = env / "etc" / "jupyter"
    (etc / "jupyter_server_config.d").mkdir(parents=True, exist_ok=True)
    for f in (VENV / "etc/jupyter/jupyter_server_config.d").glob("*.json"):
        if not f.name.startswith("nbgrader"):
            shutil.copy(f, etc / "jupyter_server_config.d" / f.name)
    extensions = {e: True for e in STUDENT_SERVER_EXTENSIONS} | {e: False for e in INSTRUCTOR_SERVER_EXTENSIONS}
    (etc / "jupyter_server_config.d" / "nbgrader.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=1))
    (etc / "labconfig").mkdir(exist_ok=True)
    (etc / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {p: True for p in INSTRUCTOR_PLUGINS}}, indent=1))
    (etc / "nbgrader_config.py").write_text(
        "# Every account's nbgrader settings on this hub (hub/setup.py writes this file).\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n")


def make_exchange(exchange: Path) -> None:
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    exchange.chmod(0o1777)


def passwords(root: Path, users: list[str]) -> dict[str, str]:
    path = root / "passwords"
    known = json.loads(path.read_text()) if path.exists() else {}
    for user in users:
        known.setdefault(user, secrets.token_urlsafe(12))
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(known, indent=1))
    return known


def make_account(user: str, homes: Path, password: str) -> Path:
    home = homes / user
    if subprocess.run(["id", "-u", user], capture_output=True).returncode != 0:
        homes.mkdir(parents=True, exist_ok=True)
        subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", user],
                       check=True)
    else:
        home = Path(subprocess.run(["getent", "passwd", user], capture_output=True, text=True,
                                   check=True).stdout.split(":")[5])
        home.mkdir(parents=True, exist_ok=True)
        shutil.chown(home, user, user)
    subprocess.run(["chpasswd"], input=f"{user}:{password}\n", text=True, check=True)
    home.chmod(0o700)
    return home


def chown_tree(top: Path, user: str) -> None:
    subprocess.run(["chown", "-R", f"{user}:{user}", str(top)], check=True)


def prepare_instructor(user: str, home: Path) -> Path:
    course = home / COURSE_ID
    if not course.exists():
        course.mkdir()
        for name in COURSE_COPY:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, course / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_*"))
            else:
                shutil.copy(source, course / name)
    jupyter = home / ".jupyter"
    (jupyter / "labconfig").mkdir(parents=True, exist_ok=True)
    (jupyter / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {e: True for e in INSTRUCTOR_SERVER_EXTENSIONS}}}, indent=1))
    (jupyter / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {p: False for p in INSTRUCTOR_PLUGINS}}, indent=1))
    (jupyter / "nbgrader_config.py").write_text(
        "# The instructor's course folder, for the formgrader and nbgrader's commands (hub/setup.py).\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course)!r}\n")
    chown_tree(course, user)
    chown_tree(jupyter, user)
    return course


def main() -> None:
    if os.geteuid() != 0:
        fail("the hub makes system accounts and runs each user's server as that user: run it as root "
             "(sudo make hub). docs/hub.md says why.")
    for tool in ("useradd", "chpasswd", "runuser", "unshare", "mount"):
        if not shutil.which(tool):
            fail(f"{tool} is missing (Debian: the passwd and util-linux packages)")
    s = settings()
    s["root"].mkdir(parents=True, exist_ok=True)
    s["root"].chmod(0o755)
    env = make_env(s["root"])
    write_env_config(env, s["exchange"])
    make_exchange(s["exchange"])
    users = [s["instructor"], *s["students"]]
    secret = passwords(s["root"], users)
    for user in users:
        home = make_account(user, s["homes"], secret[user])
        if user == s["instructor"]:
            course = prepare_instructor(user, home)
    print(f"users' environment: {env} (over {VENV}, bound read-only at {s['root'] / 'venv'} by hub/enter.sh)")
    print(f"exchange: {s['exchange']} (mode 1777); instructor: {s['instructor']}, course folder {course}")
    print(f"students: {' '.join(s['students'])}; passwords (root only): {s['root'] / 'passwords'}")


if __name__ == "__main__":
    main()
