"""The verdict (grader/autograde/verdict.py): recorded checks judged again in a clean process, and the scoring rule
on small hand-made results (a test cell earns its points only when nbgrader saw it pass, its checks are the
reference's and pass again, and nothing was tampered with)."""
import torch

from grader.autograde import record, verdict

META = {"cells": {
    "ex": {"grade": False, "solution": True, "locked": False, "points": 0.0},
    "test_ex": {"grade": True, "solution": False, "locked": True, "points": 2.0},
    "test_ex_b": {"grade": True, "solution": False, "locked": True, "points": 1.0},
    "essay": {"grade": True, "solution": True, "locked": False, "points": 3.0},
}}
REFERENCE = {"signatures": {"test_ex": [["check_close", 3], ["check_equal", 4]], "test_ex_b": [["check", 2]]},
             "tampered": ["torch.seed"]}


def _check(kind, line, ok=True, message="", tampered=(), rebound=()):
    return {"kind": kind, "line": line, "ok": ok, "message": message, "tampered": list(tampered),
            "rebound": list(rebound)}


def _result(**changes):
    """A clean job result that earns every point; `changes` replace parts of it."""
    result = {"student": "s", "reasons": [], "static_tampering": [], "notebook": "{}", "seconds": 1.0, "raised": [],
              "nbgrader": {"test_ex": [2.0, 2.0], "test_ex_b": [1.0, 1.0], "essay": [1.5, 3.0]},
              "cells": {"test_ex": [_check("check_close", 3), _check("check_equal", 4)],
                        "test_ex_b": [_check("check", 2)]}}
    return {**result, **changes}


def _score(**changes):
    return verdict.score(_result(**changes), META, REFERENCE)


def test_a_clean_result_earns_every_autograded_point_and_the_manual_score():
    row = _score()
    assert {g: c["score"] for g, c in row["cells"].items()} == {"test_ex": 2.0, "test_ex_b": 1.0, "essay": 1.5}
    assert row["score"] == 4.5 and row["max"] == 6.0 and row["reasons"] == []


def test_a_failed_check_costs_its_cell_with_the_checks_message():
    row = _score(cells={"test_ex": [_check("check_close", 3, ok=False, message="values differ"),
                                    _check("check_equal", 4)], "test_ex_b": [_check("check", 2)]})
    assert row["cells"]["test_ex"] == {"score": 0.0, "max": 2.0, "passed": False, "message": "values differ"}
    assert row["cells"]["test_ex_b"]["passed"]


def test_skipped_checks_cost_the_cell_and_are_named_when_the_kernel_said_passed():
    row = _score(cells={"test_ex": [_check("check_close", 3)], "test_ex_b": [_check("check", 2)]})
    assert row["cells"]["test_ex"]["message"] == "only 1 of the 2 checks of this cell ran and were recorded"
    assert row["cells"]["test_ex"]["score"] == 0.0
    assert [r[0] for r in row["reasons"]] == ["unverified-checks"]


def test_other_checks_than_the_references_cost_the_cell():
    row = _score(cells={"test_ex": [_check("check_close", 3), _check("check_equal", 9)],
                        "test_ex_b": [_check("check", 2)]})
    assert row["cells"]["test_ex"]["message"] == "the checks that ran are not the ones this cell makes"


def test_a_test_cell_that_raised_costs_its_points_though_its_checks_passed():
    row = _score(raised=["test_ex"], nbgrader={"test_ex": [0.0, 2.0], "test_ex_b": [1.0, 1.0], "essay": [0.0, 3.0]})
    assert row["cells"]["test_ex"]["message"] == "the test cell raised an error (see its output)"
    assert row["score"] == 1.0


def test_a_warning_on_stderr_costs_nothing():
    """nbgrader fails a test cell that wrote to stderr (0 points in its gradebook); a correct answer that makes torch
    print a warning keeps its points here."""
    row = _score(nbgrader={"test_ex": [0.0, 2.0], "test_ex_b": [1.0, 1.0], "essay": [1.5, 3.0]})
    assert row["cells"]["test_ex"]["passed"] and row["score"] == 4.5


def test_tampering_costs_every_cell_and_is_named():
    row = _score(static_tampering=["cell ex: assigns torch.allclose (line 1)"])
    assert row["score"] == 1.5      # the manually graded answer keeps nbgrader's score
    assert all(c["message"].startswith("tampering: ") for g, c in row["cells"].items() if g != "essay")
    assert row["reasons"] == [["tampering", "cell ex: assigns torch.allclose (line 1)"]]


def test_run_time_changes_the_reference_makes_too_are_not_tampering():
    quiet = _score(cells={"test_ex": [_check("check_close", 3, tampered=["torch.seed"]), _check("check_equal", 4)],
                          "test_ex_b": [_check("check", 2)]})
    assert quiet["score"] == 4.5
    loud = _score(cells={"test_ex": [_check("check_close", 3, tampered=["torch.allclose"]),
                                     _check("check_equal", 4)], "test_ex_b": [_check("check", 2)]})
    assert loud["score"] == 1.5 and loud["reasons"][-1] == ["tampering", "changed at run time: torch.allclose"]


def test_forged_records_are_tampering():
    row = _score(reasons=[["forged-records", "record sequence has gaps"]])
    assert row["score"] == 1.5 and ["tampering", "forged records: record sequence has gaps"] in row["reasons"]


def test_an_ungraded_notebook_says_why_in_every_cell():
    row = _score(notebook=None, cells={}, nbgrader={}, reasons=[["invalid-notebook", "the notebook file is empty"]])
    assert row["score"] == 0.0
    assert row["cells"]["test_ex"]["message"] == "not graded: the notebook file is empty"


def test_reference_facts_are_the_signatures_and_the_changes_it_makes():
    facts = verdict.reference_facts(_result(cells={"test_ex": [_check("check_close", 3, tampered=["torch.seed"],
                                                                      rebound=["device"])]}))
    assert facts == {"signatures": {"test_ex": [["check_close", 3]]}, "tampered": ["torch.seed"],
                     "rebound": ["device"]}


def test_rebound_names_are_named_but_not_scored_as_tampering():
    """The guard put the names back before the test cells ran, so the checks judged the answer itself: the row names
    the rebinding (unless the reference rebinds the same name) and keeps the points the checks earned."""
    cells = {"test_ex": [_check("check_close", 3, rebound=["type"]), _check("check_equal", 4)],
             "test_ex_b": [_check("check", 2, rebound=["device"])]}
    row = _score(cells=cells)
    assert row["score"] == 4.5 and not any(r[0] == "tampering" for r in row["reasons"])
    named = [r for r in row["reasons"] if r[0] == "rebound-names"]
    assert len(named) == 1 and "type" in named[0][1] and "device" in named[0][1], row["reasons"]
    row = verdict.score(_result(cells=cells), META, {"signatures": verdict.signatures(_result()),
                                                     "rebound": ["type", "device"]})
    assert not any(r[0] == "rebound-names" for r in row["reasons"])


# --------------------------------------------------------------------------------------------------- judging
def _rec(seq, kind, *args, **kwargs):
    return {"seq": seq, "kind": kind, "caller": {"name": "<module>", "line": 1, "sha": "x"}, "tampered": [],
            "args": {"args": [record.to_plain(a) for a in args], "kwargs": {k: record.to_plain(v)
                                                                          for k, v in kwargs.items()}}}


def test_judge_recomputes_each_check_in_the_clean_process():
    assert verdict.judge(_rec(0, "check_close", torch.ones(3), torch.ones(3)))[0]
    ok, message = verdict.judge(_rec(0, "check_close", torch.zeros(3), torch.ones(3), what="r"))
    assert not ok and "r" in message
    assert verdict.judge(_rec(0, "check_equal", 12, 12))[0]
    assert not verdict.judge(_rec(0, "check_equal", 12, 13))[0]
    assert not verdict.judge(_rec(0, "check_tensor", torch.ones(2, 2), shape=(4, 3)))[0]
    assert verdict.judge(_rec(0, "check_tensor", torch.ones(4, 3), shape=(4, 3), dtype=torch.float32))[0]
    assert verdict.judge(_rec(0, "check", True, "m"))[0]
    assert not verdict.judge(_rec(0, "check", False, "m"))[0]
    assert not verdict.judge(_rec(0, "check", "yes", "m"))[0]      # only a bool or a number counts as a condition
    assert not verdict.judge(_rec(0, "check", torch.ones(3), "m"))[0]
    assert not verdict.judge(_rec(0, "no_such_check"))[0]
