"""A class on `make hub`'s JupyterHub, from release to feedback, in headless Chromium (issue 27). `make test-hub`.

The loop (test_step_*, in order; screenshots in artifacts/hub/): the instructor releases 01-tensors from the
formgrader (its own browser tab); alice and bob log in, fetch it in the Assignment List, answer (alice everything
rightly, bob one exercise wrongly), Validate and submit; the instructor collects and grades with the course's grader
as their own account (command line, `runuser`), grades one cell by hand in the formgrader, writes the feedback with
the grader and releases it; each student fetches it and sees their own score and no hidden test; the gradebook and
`nbgrader export` agree with what they saw. test_case_* are what goes wrong (issue 27, point 4).
"""
from __future__ import annotations

import csv
import json
import os
import re
import stat
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

import hubdriver as ui
import labdriver as lab_ui
from hubrun import ARTIFACTS, ASSIGNMENT, COURSE_ID, EXCHANGE, INSTRUCTOR, REPO, ROOT, course_dir, home

pytestmark = pytest.mark.skipif(not os.environ.get("COURSE_HUB_TEST"), reason="the hub test runs with make test-hub")

ALICE, BOB, CAROL, DAVE = "hubt-alice", "hubt-bob", "hubt-carol", "hubt-dave"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
WRONG = "flat_features"              # bob's wrong exercise (tests/wrong_answers/01-tensors/flat_features.batch_counted.py)
MANUAL = 0.5                         # the points the instructor gives bob's flat_features by hand in the formgrader


def reference() -> nbformat.NotebookNode:
    return nbformat.read(course_dir() / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)   # the snapshot graded


def answers() -> dict[str, str]:
    """{exercise: the reference answer as a student writes it} (the solution cells without nbgrader's markers)."""
    out = {}
    for cell in reference().cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            out[meta["grade_id"]] = "\n".join(ln for ln in cell.source.splitlines()
                                             if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return out


def points() -> dict[str, float]:
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"]) for c in reference().cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def wrong_answer() -> str:
    return (REPO / "tests" / "wrong_answers" / ASSIGNMENT / f"{WRONG}.batch_counted.py").read_text()


def hidden_lines() -> list[str]:
    """The hidden tests' lines long enough to be recognised (no `assert True`-size fragments), but for those a
    visible part of the notebook shows as well (a hint repeated in both is the student's to see)."""
    lines, shown, inside = [], set(), False
    for cell in reference().cells:
        for ln in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in ln:
                inside = True
            elif "END HIDDEN TESTS" in ln:
                inside = False
            elif inside and len(ln.strip()) > 25:
                lines.append(ln.strip())
            elif not inside:
                shown.add(ln.strip())
    lines = [ln for ln in lines if ln not in shown]
    assert lines, "01-tensors has no hidden tests to look for"
    return lines


def gradebook_scores() -> dict[str, dict]:
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course_dir() / 'gradebook.db'}") as gb:
        out = {}
        for sub in gb.assignment_submissions(ASSIGNMENT):
            out[sub.student.id] = {"score": float(sub.score), "max": float(sub.max_score),
                                   "late": float(sub.total_seconds_late or 0), "timestamp": sub.timestamp,
                                   "cells": {g.name: float(g.score) for g in sub.notebooks[0].grades}}
        return out


def log(name: str, done) -> str:
    text = f"$ {' '.join(done.args[done.args.index('-i') + 1:])}\n{done.stdout}{done.stderr}"
    with open(ARTIFACTS / f"{name}.txt", "a") as f:
        f.write(text + "\n")
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def people(hub, browser):
    """Each person's logged-in page, kept across the steps."""
    pages = {}
    yield pages
    for page in pages.values():
        page.context.close()


# ------------------------------------------------------------------------------------------------------ the loop

def test_step_1_the_instructor_releases_from_the_formgrader(hub, browser, people):
    page = people[INSTRUCTOR] = ui.login(browser, hub, INSTRUCTOR, screenshot="01-login")
    ui.dismiss_toasts(page)
    ui.shot(page, "02-instructor-lab")
    # The hub's security headers are on: no page of a user's server may be framed, the formgrader's included.
    headers = page.request.get(f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_assignments").headers
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), headers
    fg = ui.formgrader(page, hub, INSTRUCTOR)
    row = fg.locator("#main-table tr", has_text=ASSIGNMENT).first
    row.wait_for(timeout=120_000)
    row.locator("td.release a").click()
    fg.locator("#main-table tr", has_text=ASSIGNMENT).first.locator("td.status", has_text="released").wait_for()
    ui.shot(fg, "03-formgrader-released")
    fg.close()
    released = EXCHANGE / COURSE_ID / "outbound" / ASSIGNMENT / NOTEBOOK
    assert released.read_bytes() == (course_dir() / "course" / ASSIGNMENT / NOTEBOOK).read_bytes()
    assert stat.S_IMODE(EXCHANGE.stat().st_mode) == 0o1777
    inbound = EXCHANGE / COURSE_ID / "inbound"
    assert stat.S_IMODE(inbound.stat().st_mode) & 0o777 == 0o733, oct(inbound.stat().st_mode)


@pytest.mark.parametrize("student", [ALICE, BOB])
def test_step_2_students_fetch_answer_validate_and_submit(hub, browser, people, student):
    page = people[student] = ui.login(browser, hub, student)
    ui.dismiss_toasts(page)
    ui.assignment_list(page)
    ui.row(page, "released").wait_for()
    ui.shot(page, f"04-{student}-assignment-list")
    ui.press(page, "released", "Fetch")
    ui.row(page, "fetched").wait_for()
    fetched = home(student) / ASSIGNMENT / NOTEBOOK
    assert fetched.is_file(), f"Fetch did not put the notebook in {fetched}"

    lab_ui.open_notebook_from_file_browser(page, ASSIGNMENT, NOTEBOOK)
    mine = answers()
    if student == BOB:
        mine[WRONG] = wrong_answer()
    for name, source in mine.items():
        ui.set_answer(page, name, source)
    lab_ui.save(page)
    saved = nbformat.read(fetched, as_version=4)
    for cell in saved.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in mine:
            assert cell.source.strip() == mine[gid].strip(), f"{gid} was not typed in as written:\n{cell.source}"
    title, verdict = lab_ui.validate(page)
    ui.shot(page, f"05-{student}-validate")
    if student == ALICE:
        assert "Success" in verdict and "failed" not in verdict, f"{title}: {verdict}"
    else:
        assert verdict.count("The following cell failed:") == 1 and "flat_features of a" in verdict, verdict
    lab_ui.close_dialog(page)

    ui.assignment_list(page)
    ui.press(page, "fetched", "Submit")
    ui.row(page, "submitted").wait_for()
    ui.shot(page, f"06-{student}-submitted")


def test_step_3_the_instructor_collects_and_grades_as_themselves(hub):
    course = course_dir()
    out = log("07-collect", hub.run_as(INSTRUCTOR, "nbgrader", "collect", ASSIGNMENT, cwd=course))
    assert f"Collecting submission: {ALICE} {ASSIGNMENT}" in out and f"Collecting submission: {BOB} {ASSIGNMENT}" in out
    start = time.monotonic()
    out = log("08-autograde", hub.run_as(INSTRUCTOR, "python", "-m", "grader", "autograde", ASSIGNMENT,
                                         "--json", f"autograded/{ASSIGNMENT}.json", cwd=course))
    print(f"autograde of 2 submissions: {time.monotonic() - start:.0f} s")
    # Sandboxed: the grader says when kernels run unconfined or keep the network, and a sandbox that cannot be set
    # up stops the kernel saying which mount failed.
    assert "kernels run unconfined" not in out and "keep the network" not in out, out
    assert "could not mount" not in out, out
    uid = os.stat(home(INSTRUCTOR)).st_uid
    for path in (course / "gradebook.db", course / "autograded" / ALICE / ASSIGNMENT / NOTEBOOK):
        assert path.stat().st_uid == uid, f"{path} is not the instructor's: the grader ran as someone else"
    total, scores = sum(points().values()), gradebook_scores()
    assert scores[ALICE]["score"] == total, scores[ALICE]
    assert scores[BOB]["score"] == total - points()[f"test_{WRONG}"], scores[BOB]
    assert scores[BOB]["cells"][f"test_{WRONG}"] == 0


def test_step_4_formgrader_shows_the_class_and_grades_a_cell_by_hand(hub, people):
    page = people[INSTRUCTOR]
    fg = ui.formgrader(page, hub, INSTRUCTOR, f"gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
    scores = gradebook_scores()
    for student in (ALICE, BOB):
        row = fg.locator("tbody tr", has=fg.locator("a.name-shown", has_text=student))
        row.wait_for(timeout=60_000)
        assert re.search(rf"\b{scores[student]['score']:g}(\.0+)? / {scores[student]['max']:g}\b",
                         row.inner_text()), row.inner_text()
    fg.locator("#toggle_names").click()              # the names, not "Submission #n", in the screenshot
    ui.shot(fg, "09-formgrader-submissions")
    fg.goto(hub.url + fg.locator("a.name-shown", has_text=BOB).get_attribute("href"))
    score = fg.locator(f"input.score#test_{WRONG}")
    score.wait_for(timeout=60_000)
    score.scroll_into_view_if_needed()
    fg.wait_for_load_state("networkidle")          # the grades arrive after the page: typing earlier is overwritten
    fg.wait_for_timeout(1000)
    score.fill(str(MANUAL))
    score.press("Tab")                             # the formgrader saves on `change`
    fg.wait_for_timeout(2000)
    ui.shot(fg, "10-formgrader-manual-grade")
    fg.close()
    assert gradebook_scores()[BOB]["cells"][f"test_{WRONG}"] == MANUAL


def test_step_5_feedback_is_written_and_released(hub):
    course = course_dir()
    log("11-feedback", hub.run_as(INSTRUCTOR, "python", "-m", "grader", "feedback", ASSIGNMENT, cwd=course))
    out = log("11-feedback", hub.run_as(INSTRUCTOR, "nbgrader", "release_feedback", ASSIGNMENT, cwd=course))
    assert ALICE in out and BOB in out, out
    assert len(list((EXCHANGE / COURSE_ID / "feedback").glob("*.html"))) == 2


@pytest.mark.parametrize("student", [ALICE, BOB])
def test_step_6_students_fetch_their_own_feedback(hub, people, student):
    page = people[student]
    ui.assignment_list(page)
    ui.press(page, "submitted", "Fetch Feedback")
    pages = list((home(student) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(pages) == 1, f"Fetch Feedback gave {student} {pages}"
    ui.shot(page, f"12-{student}-feedback-fetched")
    relative = pages[0].relative_to(home(student))
    view = page.context.new_page()
    view.goto(f"{hub.url}/user/{student}/files/{relative}")
    view.wait_for_load_state()
    ui.shot(view, f"13-{student}-feedback")
    shown = view.locator("body").inner_text()
    view.close()
    seen = gradebook_scores()[student]
    assert re.search(rf"Score: {seen['score']:g}(\.0+)? / {seen['max']:g}", shown), shown[:800]
    leaked = [ln for ln in hidden_lines() if ln in shown]
    assert not leaked, f"{student}'s feedback shows hidden tests:\n" + "\n".join(leaked)
    (ARTIFACTS / f"seen-{student}.json").write_text(json.dumps({"score": seen["score"], "max": seen["max"]}))


def test_step_7_gradebook_and_export_agree_with_what_students_saw(hub):
    course = course_dir()
    log("14-export", hub.run_as(INSTRUCTOR, "nbgrader", "export", cwd=course))
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open())}
    for student in (ALICE, BOB):
        seen = json.loads((ARTIFACTS / f"seen-{student}.json").read_text())
        assert float(rows[student]["raw_score"]) == seen["score"] == gradebook_scores()[student]["score"]
        assert float(rows[student]["max_score"]) == seen["max"]
    assert float(rows[BOB]["raw_score"]) == sum(points().values()) - points()[f"test_{WRONG}"] + MANUAL


# ----------------------------------------------------------------------------------- what goes wrong (point 4)

def answered_notebook(right: bool) -> str:
    nb = nbformat.read(course_dir() / "course" / ASSIGNMENT / NOTEBOOK, as_version=4)
    if right:
        mine = answers()
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in mine and cell.metadata["nbgrader"].get("solution"):
                cell.source = mine[gid]
    return nbformat.writes(nb)


def write_as(hub, user: str, path: Path, text: str) -> None:
    """What the student's editor would save (written by root, then given to the student)."""
    path.write_text(text)
    os.chown(path, os.stat(home(user)).st_uid, os.stat(home(user)).st_gid)


def test_case_late_and_twice_the_latest_counts_and_is_late(hub):
    course = course_dir()
    due = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S UTC")
    hub.run_as(INSTRUCTOR, "nbgrader", "db", "assignment", "add", ASSIGNMENT, f"--duedate={due}", cwd=course)
    hub.run_as(CAROL, "nbgrader", "fetch_assignment", ASSIGNMENT)
    target = home(CAROL) / ASSIGNMENT / NOTEBOOK
    write_as(hub, CAROL, target, answered_notebook(right=False))
    first = log("15-carol-submits-twice", hub.run_as(CAROL, "nbgrader", "submit", ASSIGNMENT))
    time.sleep(1.2)
    write_as(hub, CAROL, target, answered_notebook(right=True))
    second = log("15-carol-submits-twice", hub.run_as(CAROL, "nbgrader", "submit", ASSIGNMENT))
    for out in (first, second):
        assert "Submitted as:" in out, out
    listing = log("15-carol-submits-twice", hub.run_as(INSTRUCTOR, "nbgrader", "list", "--inbound", cwd=course))
    assert listing.count(f"{CAROL} {ASSIGNMENT}") == 2, listing
    out = log("16-collect-late", hub.run_as(INSTRUCTOR, "nbgrader", "collect", ASSIGNMENT, cwd=course))
    assert f"Collecting submission: {CAROL} {ASSIGNMENT}" in out, out
    collected = course / "submitted" / CAROL / ASSIGNMENT / NOTEBOOK
    assert collected.read_text() == target.read_text(), "collect did not take carol's latest submission"
    log("16-collect-late", hub.run_as(INSTRUCTOR, "python", "-m", "grader", "autograde", ASSIGNMENT,
                                      "--student", CAROL, cwd=course))
    carol = gradebook_scores()[CAROL]
    assert carol["score"] == sum(points().values()), carol
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        kept = gb.find_assignment(ASSIGNMENT).duedate
    assert kept is not None, (f"the due date the instructor set ({due}) is gone from the gradebook after "
                              f"`python -m grader autograde`, so no submission can show as late")
    assert carol["late"] > 0, (f"carol submitted after the due date ({due}) but the gradebook does not say she was "
                               f"late: {carol}")
    out = log("16-collect-late", hub.run_as(INSTRUCTOR, "nbgrader", "export", cwd=course))
    row = next(r for r in csv.DictReader((course / "grades.csv").open()) if r["student_id"] == CAROL)
    assert row["duedate"] and row["timestamp"] > row["duedate"], row


def test_case_a_renamed_notebook_is_named_and_still_graded(hub):
    course = course_dir()
    hub.run_as(DAVE, "nbgrader", "fetch_assignment", ASSIGNMENT)
    folder = home(DAVE) / ASSIGNMENT
    (folder / NOTEBOOK).unlink()
    write_as(hub, DAVE, folder / "my-answers.ipynb", answered_notebook(right=True))
    out = log("17-renamed", hub.run_as(DAVE, "nbgrader", "submit", ASSIGNMENT))
    assert f"{NOTEBOOK}: MISSING" in out and "my-answers.ipynb: EXTRA" in out, out
    log("17-renamed", hub.run_as(INSTRUCTOR, "nbgrader", "collect", ASSIGNMENT, cwd=course))
    graded = log("17-renamed", hub.run_as(INSTRUCTOR, "python", "-m", "grader", "autograde", ASSIGNMENT,
                                          "--student", DAVE, "--json", "autograded/dave.json", cwd=course))
    rows = json.loads((course / "autograded" / "dave.json").read_text())
    assert "renamed-notebook" in json.dumps(rows), graded
    assert gradebook_scores()[DAVE]["score"] == sum(points().values())


def test_case_a_missing_or_unwritable_exchange_says_so(hub):
    missing = ROOT / "no-exchange"
    out = log("18-exchange", hub.run_as(ALICE, "nbgrader", "fetch_assignment", ASSIGNMENT,
                                        f"--Exchange.root={missing}", check=False))
    assert f"Unwritable directory, please contact your instructor: {missing}" in out, out
    closed = ROOT / "closed-exchange"
    (closed / COURSE_ID / "inbound").mkdir(parents=True)
    (closed / COURSE_ID / "outbound" / ASSIGNMENT).mkdir(parents=True)
    for d in (closed, closed / COURSE_ID, closed / COURSE_ID / "inbound"):
        d.chmod(0o755)
    done = hub.run_as(ALICE, "nbgrader", "submit", ASSIGNMENT, f"--Exchange.root={closed}", check=False)
    out = log("18-exchange", done)
    assert done.returncode != 0 and f"Unwritable directory, please contact your instructor: {closed}" in out, out
    done = hub.run_as(INSTRUCTOR, "nbgrader", "release_assignment", ASSIGNMENT, "--force",
                      f"--Exchange.root={missing}/sub", cwd=course_dir(), check=False)
    out = log("18-exchange", done)
    assert done.returncode != 0 and str(missing) in out, out


def test_case_a_student_cannot_read_another_students_submission(hub):
    inbound = EXCHANGE / COURSE_ID / "inbound"
    alice_subs = [p.name for p in inbound.iterdir() if p.name.startswith(f"{ALICE}+")]
    assert alice_subs
    done = hub.run_as(BOB, "ls", str(inbound), check=False)
    out = log("19-intruder", done)
    assert done.returncode != 0 and "Permission denied" in out, out
    done = hub.run_as(BOB, "bash", "-c", f"cat {inbound}/{ALICE}+*/{NOTEBOOK}", check=False)
    out = log("19-intruder", done)
    assert done.returncode != 0, out
    timestamp = alice_subs[0].split("+")[2]        # known to bob (the time she submitted), the random part is not
    done = hub.run_as(BOB, "cat", f"{inbound}/{ALICE}+{ASSIGNMENT}+{timestamp}/{NOTEBOOK}", check=False)
    assert done.returncode != 0, log("19-intruder", done)
    done = hub.run_as(BOB, "cat", str(home(ALICE) / ASSIGNMENT / NOTEBOOK), check=False)
    out = log("19-intruder", done)
    assert done.returncode != 0 and "Permission denied" in out, out
    done = hub.run_as(BOB, "ls", str(course_dir()), check=False)
    assert done.returncode != 0, log("19-intruder", done)
