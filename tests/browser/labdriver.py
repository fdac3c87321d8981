"""Start `make lab`'s JupyterLab on a throwaway copy of the course and drive it in headless Chromium like a student.

The server is the command `make lab` runs (`make lab-command` prints it) with a copy of course/ as its root, bound to
127.0.0.1 on a free port with a random token; it is stopped by its process id. Every helper here acts through the
page (clicks, keys, menus, the Validate button) and reads what the page shows; the one exception is
`saved_notebook`, which reads the file JupyterLab itself saved, to list every cell's outcome exactly.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
# The release the student gets; COURSE_BROWSER_COURSE=dir runs the day on another one (a copy with a change to try).
COURSE = Path(os.environ.get("COURSE_BROWSER_COURSE", REPO / "course")).resolve()
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
# Headless on a machine without a display, a GPU, a big /dev/shm or a network (without the last three flags
# Chromium keeps retrying connections to Google's services).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}

# JupyterLab settings for the test's private settings folder: no news and update toasts over the screenshots.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}
VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"


def chromium(switch: str, target: str):
    """Debian's headless Chromium driven by Playwright, for a session fixture (`yield from`): only when the
    environment variable `switch` is set, as `make <target>` sets it after installing both."""
    import pytest
    if not os.environ.get(switch):
        pytest.skip(f"the browser test runs with make {target}")
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"make {target} installs Playwright")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"No Chromium at {CHROMIUM}: tests/browser/install.sh installs it (make {target})")
    with sync_api.sync_playwright() as p:
        # Playwright adds --headless itself; the rest of CHROMIUM_ARGS suits a closed, GPU-less machine.
        b = p.chromium.launch(executable_path=CHROMIUM, args=[a for a in CHROMIUM_ARGS if a != "--headless"])
        yield b
        b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_command(root: Path, port: int) -> list[str]:
    """The command `make lab` runs, for another root folder and port (one definition: the Makefile's LAB_ARGS)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    out = subprocess.run(["make", "-s", "--no-print-directory", "lab-command", f"LAB_ROOT={root}", f"PORT={port}"],
                         cwd=REPO, env=env, check=True, capture_output=True, text=True).stdout
    cmd = shlex.split(out.strip().splitlines()[-1])
    cmd[0] = str(REPO / cmd[0]) if not os.path.isabs(cmd[0]) else cmd[0]
    return cmd


@dataclass
class LabServer:
    """A JupyterLab server on a copy of a course folder; `stop()` ends it by its process id."""
    root: Path                      # the server's root folder: the copy the student works in
    port: int
    token: str
    process: subprocess.Popen
    log: Path
    command: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str):
        req = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.load(r)

    def stop(self) -> None:
        """SIGTERM to the server's pid (it shuts its kernels down), then SIGKILL to whatever of its group is left."""
        pid = self.process.pid
        if self.process.poll() is None:
            os.kill(pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        try:  # kernels or nbgrader subprocesses that outlived the server (same process group: started_new_session)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_lab(workdir: Path, course: Path, *, disabled_plugins: tuple[str, ...] = (),
              log_name: str = "jupyter-server.log", timeout: float = 90) -> LabServer:
    """Copy `course` into workdir/course and start `make lab`'s server on it, with private Jupyter folders.

    disabled_plugins: JupyterLab plugin ids switched off through the page config (labconfig/page_config.json), the
    way `jupyter labextension disable` does it.
    """
    root = workdir / "course"
    shutil.copytree(course, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    config, settings = workdir / "jupyter-config", workdir / "lab-settings"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {p: True for p in disabled_plugins}}))
    for name, values in LAB_SETTINGS.items():
        f = settings / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    command = lab_command(root, port) + ["--no-browser", "--ServerApp.ip=127.0.0.1",
                                         f"--IdentityProvider.token={token}"]
    env = dict(os.environ,
               # what `make lab` puts first on PATH
               PATH=f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
               # the user's own Jupyter folders must not leak in (their workspace would reopen their tabs)
               JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
               # what the tests use everywhere: CPU, quick profile
               COURSE_DEVICE="cpu", COURSE_PROFILE="quick")
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(k, None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / log_name
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(root, port, token, process, log, command)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode} before it answered; see {log}:\n"
                               + log.read_text()[-3000:])
        try:
            server.api("/api/status")
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"JupyterLab did not answer on {server.url} within {timeout:.0f} s; see {log}")
            time.sleep(0.3)


# ---------------------------------------------------------------- page helpers: what a student does and sees

def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def open_lab(page, server: LabServer) -> None:
    page.goto(f"{server.url}/lab?reset&token={server.token}")   # reset: no workspace restored
    page.locator(".jp-DirListing-content").wait_for(timeout=60_000)


def dir_item(page, name: str):
    return page.locator(".jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(name)}$")))


def open_notebook_from_file_browser(page, folder: str, notebook: str) -> None:
    """Double-click the folder, then the notebook, in the file browser; wait until its kernel is idle."""
    dir_item(page, folder).dblclick()
    dir_item(page, notebook).wait_for(timeout=20_000)
    dir_item(page, notebook).dblclick()
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=60_000)
    wait_kernel_idle(page, timeout=90)


def notebook(page):
    return page.locator(".jp-NotebookPanel:visible .jp-Notebook")


def wait_kernel_idle(page, timeout: float = 120) -> None:
    """Wait until the status bar says the notebook's kernel is idle and no cell shows the busy prompt [*].

    A dialog instead (JupyterLab's "Select Kernel", an error) fails at once with the dialog's text.
    """
    page.wait_for_function(
        """() => {
            if (document.querySelector('.jp-Dialog')) return true;
            const bar = document.querySelector('#jp-main-statusbar');
            if (!bar || !/\\| Idle/.test(bar.innerText) || /No Kernel/.test(bar.innerText)) return false;
            const p = [...document.querySelectorAll('.jp-NotebookPanel')].find(e => e.offsetParent !== null);
            if (!p) return false;
            const ind = p.querySelector('.jp-Notebook-ExecutionIndicator');
            if (ind && ind.getAttribute('data-status') !== 'idle') return false;
            return ![...p.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'));
        }""", timeout=timeout * 1000, polling=250)
    fail_on_dialog(page)


def fail_on_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        shot(page, "unexpected-dialog")
        raise AssertionError("JupyterLab showed a dialog the student did not ask for:\n" + dialog.inner_text())


def menu(page, top: str, item: str) -> None:
    """Click a main-menu entry, e.g. menu(page, "Run", "Run All Cells")."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).first.click()


def code_cells(page):
    return notebook(page).locator(".jp-CodeCell")


def cell_states(page) -> list[dict]:
    """For every code cell as the page shows it: first source line, prompt, and error text if it shows one."""
    return notebook(page).evaluate(
        """nb => [...nb.querySelectorAll('.jp-CodeCell')].map((c, i) => ({
            index: i,
            first_line: (c.querySelector('.cm-line') || {textContent: ''}).textContent,
            prompt: (c.querySelector('.jp-InputPrompt') || {textContent: ''}).textContent.trim(),
            error: [...c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                     .map(e => e.textContent).join('\\n'),
        }))""")


def run_all(page) -> None:
    """Run > Run All Cells; wait until the first code cell has run and the kernel is idle again."""
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(
        """() => document.querySelector('.jp-Dialog') || /\\[\\d+\\]/.test(
               document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt').textContent)""",
        timeout=120_000, polling=200)
    wait_kernel_idle(page, timeout=180)


def run_unexecuted_cells_one_by_one(page) -> list[int]:
    """Shift+Enter through every code cell the page shows as never run (prompt "[ ]:"), waiting for each.

    That is what a student does after Run All stopped at an error. Returns the indices of the cells run.
    """
    ran = []
    cells = code_cells(page)
    for i in range(cells.count()):
        cell = cells.nth(i)
        if not re.fullmatch(r"\[\s*\]:", cell.locator(".jp-InputPrompt").inner_text().strip()):
            continue
        cell.locator(".jp-InputPrompt").click()          # select the cell (command mode), as a click in the margin
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "c => /\\[\\d+\\]/.test(c.querySelector('.jp-InputPrompt').textContent)", arg=cell.element_handle(),
            timeout=120_000, polling=200)
        ran.append(i)
    wait_kernel_idle(page)
    return ran


def replace_last_line(page, cell_index: int, text: str) -> None:
    """Click into a code cell, select its last line (Ctrl+End, Shift+Home) and type `text` over it."""
    editor = code_cells(page).nth(cell_index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Shift+Home")
    page.keyboard.type(text, delay=15)


def run_cell_and_next(page, cell_index: int) -> None:
    """With the cursor in cell `cell_index`: Shift+Enter twice (the cell, then the one below), waiting for both."""
    cells = code_cells(page)
    for i in (cell_index, cell_index + 1):
        before = cells.nth(i).locator(".jp-InputPrompt").inner_text()
        if i != cell_index:
            cells.nth(i).locator(".jp-InputPrompt").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "([c, before]) => { const t = c.querySelector('.jp-InputPrompt').textContent;"
            " return /\\[\\d+\\]/.test(t) && t !== before; }",
            arg=[cells.nth(i).element_handle(), before], timeout=120_000, polling=200)
    wait_kernel_idle(page)


def scroll_to_top(locator) -> None:
    """Scroll the notebook so that this element is at the top of the view (what a screenshot should show)."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    locator.page.wait_for_timeout(500)   # let the cells that came into view render


def save(page) -> None:
    """Ctrl+S, as a student saves; wait until the tab no longer shows unsaved changes."""
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", timeout=30_000)
    page.wait_for_timeout(300)


def saved_notebook(server: LabServer, relpath: str) -> dict:
    return json.loads((server.root / relpath).read_text())


def validate(page, timeout: float = 240) -> tuple[str, str]:
    """Press nbgrader's Validate button in the notebook toolbar; return the result dialog's title and text."""
    button = page.locator(".jp-NotebookPanel:visible .jp-Toolbar .validate-button")
    if button.count() == 0:
        raise AssertionError("The notebook toolbar has no Validate button: nbgrader's validate-assignment "
                             "lab extension is not active in this JupyterLab")
    button.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=timeout * 1000)
    title = dialog.locator(".jp-Dialog-header").inner_text().strip()
    body = dialog.locator(".jp-Dialog-body").inner_text()
    return title, body


def close_dialog(page) -> None:
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    page.locator(".jp-Dialog").wait_for(state="detached", timeout=10_000)
