"""grader/cells.py: the one home of nbgrader's cell metadata."""
import nbformat
import pytest

from grader.cells import (exercise_of, fill_answers, grade_id, is_answer, is_locked, is_test, reference_answers,
                          strip_solution_markers)


def answer_cell(gid, source):
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"solution": True, "grade": False,
                                                                    "locked": False, "grade_id": gid}})


def test_roles_follow_nbgraders_rules_and_survive_damaged_metadata():
    test = nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade": True, "solution": False,
                                                                "grade_id": "test_f"}})
    assert is_test(test) and is_locked(test) and not is_answer(test) and grade_id(test) == "test_f"
    answer = answer_cell("f", "")
    assert is_answer(answer) and not is_locked(answer) and not is_test(answer)
    for damaged in ({"metadata": {"nbgrader": "x"}}, {"metadata": []}, {}, "not a cell"):
        assert grade_id(damaged) is None and not is_test(damaged) and not is_answer(damaged)


def test_longest_exercise_name_owns_the_test_cell():
    exercises = {"freeze", "freeze_first_children", "freeze_bn_stats"}
    assert exercise_of("test_freeze", exercises) == "freeze"
    assert exercise_of("test_freeze_first_children", exercises) == "freeze_first_children"
    assert exercise_of("test_freeze_bn_stats_train", exercises) == "freeze_bn_stats"
    assert exercise_of("test_other", exercises) is None


def test_strip_solution_markers_keeps_the_code():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    assert strip_solution_markers(src) == "def f(x):\n    return x"


def test_reference_answers_and_fill():
    solution = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hi"),
                                               answer_cell("f", "### BEGIN SOLUTION\nf = 1\n### END SOLUTION")])
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hi"),
                                              answer_cell("f", "raise NotImplementedError()")])
    assert reference_answers(solution) == {"f": "f = 1"}
    filled = fill_answers(release, reference_answers(solution))
    assert filled.cells[1].source == "f = 1"
    assert release.cells[1].source == "raise NotImplementedError()"  # the release itself is untouched
    with pytest.raises(KeyError, match="no answer cell with grade_id \\['g'\\]"):
        fill_answers(release, {"g": "x"})
