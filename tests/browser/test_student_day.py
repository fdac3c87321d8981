"""A student's day with 01-tensors, in JupyterLab, in headless Chromium (issue #9). `make test-browser` runs it.

`make lab`'s server runs on a copy of course/ (127.0.0.1, a free port, a random token; stopped by its pid). The test
opens the notebook from the file browser, runs every cell, answers one exercise (first wrongly, then rightly), and
presses nbgrader's Validate, asserting what the page shows at each step; screenshots go to artifacts/browser/.
The last two tests break the notebook and the Validate button on purpose and show that the same checks catch it.
"""
import json
import os
import re
import shutil

import pytest

import labdriver as lab_ui
from grader.cells import is_grade
from labdriver import shot

pytestmark = pytest.mark.skipif(not os.environ.get("COURSE_BROWSER_TEST"),
                                reason="the browser test runs with make test-browser")

FOLDER, NOTEBOOK = "01-tensors", "01-tensors.ipynb"
RELPATH = f"{FOLDER}/{NOTEBOOK}"
EXERCISES = ["flat_features", "center_rows", "pairwise_distances", "from_numpy_batch", "batch_accuracy",
             "pick_scores", "one_hot", "channels_last_flat", "to_image"]
ANSWERED = "flat_features"
WRONG_ANSWER = "return x.numel()"                 # counts the batch dimension too
RIGHT_ANSWER = "return x.shape[1:].numel()"


# ------------------------------------------------------------------ checks shared by the day and the can-fail tests

def run_every_cell(page, name: str) -> dict:
    """Run > Run All Cells, then Shift+Enter through the cells Run All did not reach, as a student would.

    Returns what happened: the cell Run All stopped at, and the notebook as JupyterLab saved it afterwards.
    """
    lab_ui.run_all(page)
    states = lab_ui.cell_states(page)
    stopped = next((s for s in states if s["error"]), None)
    if stopped:   # the student sees the error where Run All stopped
        lab_ui.scroll_to_top(lab_ui.code_cells(page).nth(max(stopped["index"] - 1, 0)))
    shot(page, f"{name}-run-all")
    ran = lab_ui.run_unexecuted_cells_one_by_one(page)
    lab_ui.scroll_to_top(lab_ui.code_cells(page).last)
    shot(page, f"{name}-every-cell-run")
    return {"run_all_stopped_at": stopped, "run_one_by_one": ran, "states": lab_ui.cell_states(page)}


def assert_only_untouched_exercises_fail(nb: dict) -> None:
    """Every code cell ran; the exercises' test cells fail with NotImplementedError, and no other cell fails."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        where = f"cell {i} ({cell.get('id')}: {''.join(cell['source']).splitlines()[0][:60]!r})"
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        is_test = is_grade(cell)
        if cell.get("execution_count") is None:
            problems.append(f"{where} never ran")
        elif is_test and [e["ename"] for e in errors] != ["NotImplementedError"]:
            problems.append(f"{where} is an untouched exercise's test and should fail with NotImplementedError, "
                            f"got {[e['ename'] + ': ' + e['evalue'] for e in errors] or 'no error'}")
        elif not is_test and errors:
            problems.append(f"{where} failed with {errors[0]['ename']}: {errors[0]['evalue']}")
    assert not problems, "Running the untouched notebook:\n  " + "\n  ".join(problems)


def read_verdict(page, name: str) -> tuple[str, str]:
    title, body = lab_ui.validate(page)
    shot(page, f"{name}-validate")
    return title, body


# ------------------------------------------------------------------ the day

def test_a_students_day(page, lab):
    release = (lab_ui.COURSE / RELPATH).read_bytes()
    server = lab()
    nb_path = server.root / RELPATH

    # 1. JupyterLab, the file browser, the notebook.
    lab_ui.open_lab(page, server)
    lab_ui.dir_item(page, FOLDER).wait_for()
    shot(page, "01-file-browser")
    lab_ui.open_notebook_from_file_browser(page, FOLDER, NOTEBOOK)
    shot(page, "02-notebook-opened")
    opening = lab_ui.notebook(page).locator(".jp-MarkdownCell").first.inner_text()
    for what, pattern in [("what it teaches", r"You will learn"), ("how long it takes", r"Time:.*\d+ minutes"),
                          ("how to run the visible tests", r"test cell"),
                          ("how to check before submitting", r"Validate")]:
        assert re.search(pattern, opening, re.S), f"The notebook's opening does not say {what}:\n{opening}"

    # 2. Run every cell: Run All stops at the first untouched exercise; the student runs on from there.
    outcome = run_every_cell(page, "03")
    stopped = outcome["run_all_stopped_at"]
    assert stopped and "NotImplementedError" in stopped["error"], (
        f"Run All should stop at the first exercise's NotImplementedError, it stopped at {stopped}")
    assert stopped["first_line"].startswith("batch = torch.zeros"), stopped   # test_flat_features, after section 2
    states = outcome["states"]
    setup_output = lab_ui.code_cells(page).first.locator(".jp-OutputArea").text_content()
    assert "device: cpu" in setup_output, f"the setup cell should say which device it uses: {setup_output!r}"
    no_gpu = next(i for i, s in enumerate(states) if s["first_line"].startswith('if device.type == "cuda"'))
    no_gpu_output = lab_ui.code_cells(page).nth(no_gpu).locator(".jp-OutputArea").text_content()
    assert "No GPU here" in no_gpu_output, f"without a GPU the notebook should say so: {no_gpu_output!r}"
    lab_ui.save(page)
    assert_only_untouched_exercises_fail(json.loads(nb_path.read_text()))

    # 3. Answer one exercise: a wrong answer first (the test says what is wrong), then the right one.
    answer = next(s["index"] for s in states if s["first_line"].startswith(f"def {ANSWERED}("))
    answer_cell, test_cell = lab_ui.code_cells(page).nth(answer), lab_ui.code_cells(page).nth(answer + 1)
    lab_ui.replace_last_line(page, answer, WRONG_ANSWER)
    lab_ui.run_cell_and_next(page, answer)
    lab_ui.scroll_to_top(answer_cell)
    message = test_cell.locator(".jp-OutputArea").text_content()
    shot(page, "04-wrong-answer")
    for expected in ["CheckFailed", "flat_features of a (8, 16, 5, 5) batch: expected 400, got 3200.",
                     "Hint: the first dimension is the batch size"]:
        assert expected in message, f"the failing visible test should say {expected!r}; it printed:\n{message}"
    lab_ui.replace_last_line(page, answer, RIGHT_ANSWER)
    lab_ui.run_cell_and_next(page, answer)
    lab_ui.scroll_to_top(answer_cell)
    shot(page, "05-right-answer")
    after = lab_ui.cell_states(page)
    assert not after[answer]["error"] and not after[answer + 1]["error"], after[answer + 1]["error"]
    assert re.fullmatch(r"\[\d+\]:", after[answer + 1]["prompt"])
    lab_ui.save(page)
    saved = json.loads(nb_path.read_text())
    assert RIGHT_ANSWER in "".join(next(c for c in saved["cells"] if c.get("id") == ANSWERED)["source"])

    # 4. Validate: nbgrader runs the saved notebook in a fresh kernel; one exercise passes, the others fail.
    title, verdict = read_verdict(page, "06")
    assert title == "Validation Results", f"{title}: {verdict}"
    assert verdict.count("The following cell failed:") == len(EXERCISES) - 1, verdict
    assert len(re.findall(r"^NotImplementedError:", verdict, re.M)) == len(EXERCISES) - 1, verdict
    assert "flat_features of a" not in verdict, f"Validate should pass {ANSWERED}'s test:\n{verdict}"
    for name in EXERCISES:
        if name != ANSWERED:
            assert f"{name}(" in verdict, f"Validate should report {name}'s test as failing:\n{verdict}"
    lab_ui.close_dialog(page)

    # The repository's course/ is untouched: the server worked on a copy.
    assert (lab_ui.COURSE / RELPATH).read_bytes() == release


# ------------------------------------------------------------------ the same checks fail when something is broken

@pytest.fixture(scope="module")
def broken_lab(tmp_path_factory):
    """A course whose 01-tensors has a lesson cell that raises NameError, served with Validate switched off."""
    course = tmp_path_factory.mktemp("broken") / "course"
    shutil.copytree(lab_ui.COURSE, course)
    path = course / RELPATH
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and "x = torch.arange(24)" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]) + "\nprint(x_shape)   # a typo in the lesson: NameError"
    path.write_text(json.dumps(nb, indent=1))
    server = lab_ui.start_lab(tmp_path_factory.mktemp("lab"), course, disabled_plugins=(lab_ui.VALIDATE_PLUGIN,),
                              log_name="jupyter-server-broken.log")
    yield server
    server.stop()


def test_a_broken_notebook_fails_the_check(page, broken_lab):
    lab_ui.open_lab(page, broken_lab)
    lab_ui.open_notebook_from_file_browser(page, FOLDER, NOTEBOOK)
    outcome = run_every_cell(page, "broken-notebook")
    assert "NameError" in outcome["run_all_stopped_at"]["error"]
    lab_ui.save(page)
    with pytest.raises(AssertionError, match=r"01-c04.*failed with NameError: name 'x_shape' is not defined"):
        assert_only_untouched_exercises_fail(json.loads((broken_lab.root / RELPATH).read_text()))


def test_a_missing_validate_button_fails_the_check(page, broken_lab):
    lab_ui.open_lab(page, broken_lab)
    lab_ui.open_notebook_from_file_browser(page, FOLDER, NOTEBOOK)
    with pytest.raises(AssertionError, match="no Validate button"):
        read_verdict(page, "broken-validate")
    shot(page, "broken-validate-no-button")
