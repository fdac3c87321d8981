"""What each person does in the hub's pages: log in, nbgrader's Assignment List (fetch, submit, fetch feedback),
answer cells, the formgrader in a browser tab of its own. Notebook helpers come from tests/browser/labdriver.py."""
from __future__ import annotations

import re

import labdriver as lab_ui
from hubrun import ARTIFACTS, ASSIGNMENT

VIEWPORT = lab_ui.VIEWPORT


def shot(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def login(browser, hub, user: str, screenshot: str | None = None):
    """The hub's login form with the account's system password; returns the page once JupyterLab is up."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    if screenshot:
        shot(page, screenshot)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"), timeout=180_000)
    page.locator(".jp-DirListing-content").wait_for(timeout=120_000)
    return page


def dismiss_toasts(page) -> None:
    for button in page.locator(".jp-toast-button", has_text=re.compile(r"^No$")).all():
        button.click()


def assignment_list(page):
    """Nbgrader > Assignment List; waits until the three lists have loaded."""
    lab_ui.menu(page, "Nbgrader", "Assignment List")
    panel = page.locator("#released_assignments_list")
    panel.wait_for()
    refresh(page)
    return panel


def refresh(page) -> None:
    page.locator("#refresh_assignments_list").click()
    page.wait_for_function(
        """() => ['released', 'fetched', 'submitted'].every(k => {
              const e = document.getElementById(k + '_assignments_list_loading');
              return !e || e.offsetParent === null; })""", timeout=60_000, polling=250)
    page.wait_for_timeout(500)


def row(page, listing: str, text: str = ASSIGNMENT):
    """The assignment's row (not the rows of its notebooks nested under it) in one of the three lists."""
    return page.locator(f"#{listing}_assignments_list .list_item:not(.nested_list_item)", has_text=text).first


def press(page, listing: str, button: str, text: str = ASSIGNMENT) -> None:
    """Click a button (Fetch, Submit, Fetch Feedback) in a row of one of the lists, and wait for the lists."""
    row(page, listing, text).get_by_role("button", name=button, exact=True).click()
    page.wait_for_timeout(1000)
    page.wait_for_function(
        """() => ['released', 'fetched', 'submitted'].every(k => {
              const e = document.getElementById(k + '_assignments_list_loading');
              return !e || e.offsetParent === null; })""", timeout=120_000, polling=250)
    lab_ui.fail_on_dialog(page)


def set_answer(page, name: str, source: str) -> None:
    """Replace the answer cell that defines `name` with `source`, as a paste would (no auto-indent)."""
    states = lab_ui.cell_states(page)
    index = next(s["index"] for s in states if s["first_line"].startswith(f"def {name}("))
    editor = lab_ui.code_cells(page).nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def formgrader(page, hub, user: str, path: str = "manage_assignments"):
    """The formgrader in a browser tab of its own (the hub forbids it inside a frame: nbgrader #1870)."""
    tab = page.context.new_page()
    tab.goto(f"{hub.url}/user/{user}/formgrader/{path}")
    return tab
