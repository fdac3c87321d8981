import nbformat
import pytest

from grader.submissions import (fill_answers, load_wrong_answers, reference_answers, strip_solution_markers)


def answer_cell(grade_id, source):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": grade_id}
    return cell


def test_strip_solution_markers_keeps_the_code():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    assert strip_solution_markers(src) == "def f(x):\n    return x"


def test_reference_answers_and_fill(tmp_path):
    solution = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hi"),
                                               answer_cell("f", "### BEGIN SOLUTION\nf = 1\n### END SOLUTION")])
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hi"), answer_cell("f", "raise NotImplementedError()")])
    answers = reference_answers(solution)
    assert answers == {"f": "f = 1"}
    filled = fill_answers(release, answers)
    assert filled.cells[1].source == "f = 1"
    assert release.cells[1].source == "raise NotImplementedError()"  # the release itself is untouched


def test_fill_rejects_unknown_cells():
    release = nbformat.v4.new_notebook(cells=[answer_cell("f", "")])
    with pytest.raises(KeyError, match="no answer cell with grade_id \\['g'\\]"):
        fill_answers(release, {"g": "x"})


def test_load_wrong_answers_reads_headers(tmp_path):
    (tmp_path / "one_hot.int_dtype.py").write_text("# Integer dtype.\n# needs: cuda\n# also-loses: a, b\ndef one_hot(): pass\n")
    [answer] = load_wrong_answers(tmp_path)
    assert (answer.target, answer.slug, answer.name) == ("one_hot", "int_dtype", "one_hot.int_dtype")
    assert answer.needs == {"cuda"} and answer.also_loses == {"a", "b"}
    assert answer.description == "Integer dtype."


def test_load_wrong_answers_requires_a_target(tmp_path):
    (tmp_path / "nodot.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="<grade_id>.<what-is-wrong>.py"):
        load_wrong_answers(tmp_path)
