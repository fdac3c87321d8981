"""JupyterHub for one course on one machine (`make hub`; docs/hub.md). Started as root inside hub/enter.sh's mount
namespace, after hub/setup.py made the users' environment, the exchange and the accounts.

- Who: PAM (the system accounts' own passwords); only the course's instructor and students may log in.
- Where: each user's JupyterLab runs as that user (LocalProcessSpawner), from the users' environment
  ($HUB_ROOT/env, the course's .venv seen read-only), in their home.
- Security headers stay JupyterHub's own: single-user servers send `Content-Security-Policy: frame-ancestors
  'none'`, so the formgrader cannot be shown in a JupyterLab tab (nbgrader #1870); the instructor opens it in a
  browser tab of its own, at /user/<instructor>/formgrader, the first way nbgrader's documentation gives.

Settings come from the environment (the Makefile sets them): HUB_ROOT, HUB_IP, HUB_PORT, HUB_API_PORT,
HUB_PROXY_API_PORT, HUB_PROXY, HUB_INSTRUCTOR, HUB_STUDENTS. COURSE_PROFILE, COURSE_DEVICE and COURSE_CIFAR pass
through to the users' servers and kernels when set.
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

root = Path(os.environ.get("HUB_ROOT", "/srv/pytorch-course"))
ip = os.environ.get("HUB_IP", "127.0.0.1")
env = root / "env"
state = root / "state"
state.mkdir(mode=0o700, exist_ok=True)
instructor = os.environ.get("HUB_INSTRUCTOR", "instructor")
students = os.environ.get("HUB_STUDENTS", "student1 student2").split()

c.JupyterHub.bind_url = f"http://{ip}:{os.environ.get('HUB_PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [os.environ.get("HUB_PROXY", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False          # no login sessions to open: a server is a process, not a login
c.Authenticator.allowed_users = {instructor, *students}

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(env / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": f"{env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "COURSE_DATA": "~/data",                       # each user's own data folder (CIFAR-10 for notebooks 03-05)
}
c.Spawner.env_keep = ["LANG", "LC_ALL", "COURSE_PROFILE", "COURSE_DEVICE", "COURSE_CIFAR"]
