"""The on-demand hints (grader/hints): one level per call, clear errors, Markdown in a kernel, text elsewhere, and
every graded exercise of every notebook has 2 to 4 levels."""
import json
import subprocess
import sys
import textwrap

import nbformat
import pytest

import grader.hints as hints
from grader.cells import grade_id, is_answer
from grader.course import REPO, SOLUTIONS, assignments, notebook_name

LEVELS = {"one_hot": ["Look at section 8.", "Zeros, then ones.", "`scatter_` writes them."],
          "to_image": ["Section 9.", "Reorder, not relabel."]}


@pytest.fixture
def fake_hints(monkeypatch):
    """hint() reading LEVELS instead of the package's files, with nothing shown yet."""
    monkeypatch.setattr(hints, "all_hints", lambda: {name: ("01-tensors", levels) for name, levels in LEVELS.items()})
    hints.reset()
    yield
    hints.reset()


def _shown(capsys):
    return capsys.readouterr().out


def test_each_call_shows_the_next_level_then_says_there_is_no_more(fake_hints, capsys):
    hints.hint("one_hot")
    first = _shown(capsys)
    assert "Hint 1 of 3 for `one_hot`" in first and "Look at section 8." in first and "**" not in first
    hints.hint("one_hot")
    assert "Hint 2 of 3" in _shown(capsys)
    hints.hint("one_hot")
    assert "`scatter_` writes them." in _shown(capsys)
    hints.hint("one_hot")
    last = _shown(capsys)
    assert "No more hints for `one_hot`" in last and "Look at section 8." in last   # points back to the lesson
    hints.hint("to_image")                      # each exercise counts on its own
    assert "Hint 1 of 2 for `to_image`" in _shown(capsys)


def test_a_level_asked_for_is_shown_and_the_next_call_follows_it(fake_hints, capsys):
    hints.hint("one_hot", 2)
    assert "Zeros, then ones." in _shown(capsys)
    hints.hint("one_hot")
    assert "Hint 3 of 3" in _shown(capsys)
    hints.hint("one_hot", level=1)
    assert "Hint 1 of 3" in _shown(capsys)
    for bad in (0, 4, "2", 1.0, True):
        with pytest.raises(ValueError, match=r"'one_hot' has hint levels 1 to 3"):
            hints.hint("one_hot", bad)


def test_an_unknown_name_lists_close_names(fake_hints):
    with pytest.raises(ValueError, match=r"no hints for an exercise named 'onehot'\. Did you mean 'one_hot'\?") as err:
        hints.hint("onehot")
    assert "exercises with hints: one_hot, to_image" in str(err.value)
    with pytest.raises(ValueError, match="exercises with hints") as err:
        hints.hint("xyz")
    assert "Did you mean" not in str(err.value)
    with pytest.raises(TypeError, match=r'such as hint\("one_hot"\)'):
        hints.hint(None)


def test_markdown_in_a_kernel(fake_hints, monkeypatch):
    shown = []

    class Kernel:
        kernel = object()

    import IPython
    import IPython.display
    monkeypatch.setattr(IPython, "get_ipython", lambda: Kernel())
    monkeypatch.setattr(IPython.display, "display", shown.append)
    hints.hint("to_image")
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.Markdown)
    assert shown[0].data.startswith("**Hint 1 of 2 for `to_image`**")


def test_works_without_ipython_or_nbgrader():
    """As in a plain Python (or where IPython is missing): text, from the package's own files."""
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("IPython", "nbgrader", "nbformat"):
                    raise ImportError(f"{name} blocked")
        sys.meta_path.insert(0, Block())
        from grader.hints import hint
        hint("one_hot")
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Hint 1 of ") and "for `one_hot`" in done.stdout


def test_a_damaged_hint_file_is_named(tmp_path, monkeypatch):
    (tmp_path / "99-bad.json").write_text(json.dumps({"f": ["fine"], "g": [], "h": "not a list"}))
    monkeypatch.setattr(hints.resources, "files", lambda _: tmp_path)
    hints.load.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"99-bad\.json: each exercise needs a list .* \['g', 'h'\]"):
            hints.load("99-bad")
        assert hints.assignments_with_hints() == ["99-bad"]
    finally:
        hints.load.cache_clear()


def test_the_hint_files_are_package_data():
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '[tool.setuptools.package-data]\n' in pyproject and 'grader = ["hints/*.json"]' in pyproject


def test_every_hint_file_belongs_to_a_notebook():
    assert set(hints.assignments_with_hints()) <= set(assignments())
    hints.all_hints()          # exercise names unique across the course


@pytest.mark.parametrize("assignment", assignments())
def test_every_graded_exercise_has_two_to_four_levels(assignment):
    nb = nbformat.read(str(SOLUTIONS / assignment / notebook_name(assignment)), as_version=4)
    exercises = [grade_id(c) for c in nb.cells if is_answer(c)]
    levels = hints.load(assignment)
    missing = [name for name in exercises if name not in levels]
    assert not missing, f"grader/hints/{assignment}.json has no hints for {missing}"
    assert not set(levels) - set(exercises), f"{assignment}.json: hints for no exercise: {set(levels) - set(exercises)}"
    wrong = {name: len(texts) for name, texts in levels.items() if not 2 <= len(texts) <= 4}
    assert not wrong, f"{assignment}.json: each exercise needs 2 to 4 levels; these have {wrong}"
