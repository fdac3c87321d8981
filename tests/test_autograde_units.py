"""Unit tests of the grader's pieces that need no kernel: the static scan, the recorder's plain data and
re-judging, and the feedback that hides the hidden tests."""
import copy
import html
import re

import nbformat
import numpy as np
import pytest
import torch

from grader.autograde import record, scan
from grader.autograde.feedback import generate_feedback
from grader.course import SOLUTIONS

A = "01-tensors"


# ------------------------------------------------------------------------------------------------------ scan
@pytest.mark.parametrize("source, finding", [
    ("torch.allclose = lambda *a, **k: True", "assigns torch.allclose"),
    ("import grader.checks\ngrader.checks._fail = lambda l, h: None", "assigns grader.checks._fail"),
    ("check_close = lambda *a, **k: None", "rebinds check_close"),
    ("def check_tensor(*a, **k):\n    pass", "redefines check_tensor"),
    ("get_ipython().showtraceback = print", "calls get_ipython"),
    ("setattr(torch, 'allclose', max)", "calls setattr"),
    ("import sys\nsys.settrace(None)", "calls sys.settrace"),
    ("import gc", "imports gc"),
    ("torch.Tensor.__eq__ = lambda a, b: True", "assigns torch.Tensor.__eq__"),
    ("import builtins\nbuiltins.isinstance = lambda *a: True", "assigns builtins.isinstance"),
    ("from grader.autograde import record", "imports grader.autograde"),
])
def test_scan_finds_tampering(source, finding):
    assert any(f.startswith(finding) for f in scan.tampering(source)), scan.tampering(source)


@pytest.mark.parametrize("source", [
    "def one_hot(labels, n):\n    out = torch.zeros(len(labels), n)\n    out[range(len(labels)), labels] = 1\n"
    "    return out",
    "x = torch.ones(3)\nx.data = x.data * 2\nimport os\nos._exit(3)",     # killing the kernel is not tampering
    "def f(:\n  broken syntax",                                         # fails when it runs, not tampering
    "import numpy as np\nresult = np.clip(np.zeros(3), 0, 1)",
])
def test_scan_accepts_ordinary_code(source):
    assert scan.tampering(source) == []


def test_scan_structure_names_each_kind_of_damage():
    graded = {"a": {"source": "x", "locked": False}, "t": {"source": "check(True)", "locked": True},
              "b": {"source": "y", "locked": False}}
    cell = lambda gid, src="x": {"metadata": {"nbgrader": {"grade_id": gid}}, "source": src}   # noqa: E731
    assert scan.structure([cell("a"), cell("t", "check(True)"), cell("b")], graded, ["a", "t", "b"]) == []
    codes = {r[0] for r in scan.structure([cell("b"), cell("a"), cell("a"), cell("t", "pass")], graded,
                                          ["a", "t", "b"])}
    assert codes == {"duplicated-cells", "reordered-cells", "edited-locked-cells"}
    assert [r[0] for r in scan.structure([cell("a"), cell("b")], graded, ["a", "t", "b"])] == ["deleted-cells"]


# ---------------------------------------------------------------------------------------------------- record
def test_plain_data_round_trip():
    values = [1, 2.5, True, None, "s", (1, [2, 3]), {"k": 4}, np.float32(1.5), np.arange(3), torch.float64,
              torch.device("cpu"), torch.Size([2, 3]), torch.ones(2, requires_grad=True)]
    back = [record.from_plain(record.to_plain(v)) for v in values]
    assert back[:7] == values[:7] and back[7] == 1.5 and list(back[8]) == [0, 1, 2]
    assert back[9] is torch.float64 and back[10] == torch.device("cpu") and back[11] == (2, 3)
    assert torch.equal(back[12].detach(), torch.ones(2)) and back[12].requires_grad


def test_lying_objects_are_not_recorded():
    class Liar(float):
        def __eq__(self, other):
            return True

    class Tricky(torch.Tensor):
        pass

    assert isinstance(record.from_plain(record.to_plain(Liar(1.0))), record.Unplain)
    assert record.from_plain(record.to_plain(Liar(1.0))) != 1.0
    plain = record.to_plain(torch.ones(2).as_subclass(Tricky))
    assert plain["exact"] is False and type(plain["__tensor__"]) is torch.Tensor


def _rec(seq, kind, *args, **kwargs):
    return {"seq": seq, "kind": kind, "caller": {"name": "<module>", "line": 1, "sha": "x"}, "tampered": [],
            "args": {"args": [record.to_plain(a) for a in args], "kwargs": {k: record.to_plain(v)
                                                                          for k, v in kwargs.items()}}}


def test_judge_recomputes_each_check_in_the_clean_process():
    assert record.judge(_rec(0, "check_close", torch.ones(3), torch.ones(3)))[0]
    ok, message = record.judge(_rec(0, "check_close", torch.zeros(3), torch.ones(3), what="r"))
    assert not ok and "r" in message
    assert record.judge(_rec(0, "check_equal", 12, 12))[0]
    assert not record.judge(_rec(0, "check_equal", 12, 13))[0]
    assert not record.judge(_rec(0, "check_tensor", torch.ones(2, 2), shape=(4, 3)))[0]
    assert record.judge(_rec(0, "check_tensor", torch.ones(4, 3), shape=(4, 3), dtype=torch.float32))[0]
    assert record.judge(_rec(0, "check", True, "m"))[0]
    assert not record.judge(_rec(0, "check", False, "m"))[0]
    assert not record.judge(_rec(0, "check", "yes", "m"))[0]      # only a bool or a number counts as a condition
    assert not record.judge(_rec(0, "check", torch.ones(3), "m"))[0]
    assert not record.judge(_rec(0, "no_such_check"))[0]


def test_load_records_flags_forgeries(tmp_path):
    for i in range(2):
        torch.save(_rec(i, "check", True), tmp_path / f"{i:07d}.pt")
    torch.save({"x": 1}, tmp_path / "0000001.part")            # cut short by a killed kernel: ignored
    records, problems = record.load_records(tmp_path)
    assert [r["seq"] for r in records] == [0, 1] and problems == []
    torch.save(_rec(999, "check", True), tmp_path / "0000999.pt")          # a gap: forged
    (tmp_path / "notes.txt").write_text("x")                             # a foreign file
    (tmp_path / "0000005.pt").write_bytes(b"garbage")
    _, problems = record.load_records(tmp_path)
    assert len(problems) == 3, problems


def test_load_records_refuses_pickled_objects(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("unpickled!",))
    torch.save({"seq": 0, "kind": "check", "args": {"args": [Evil()]}}, tmp_path / "0000000.pt")
    records, problems = record.load_records(tmp_path)
    assert records == [] and "not plain data" in problems[0]


# -------------------------------------------------------------------------------------------------- feedback
HIDDEN = "one_hot of 500 labels"                       # a string only the hidden part of test_one_hot holds
VISIBLE = "row i should have its 1 in column labels[i]"  # in its visible part
FAILURE = "one_hot(labels, 6): shape (2, 5), expected (2, 6). the width is num_classes"


def test_feedback_hides_hidden_tests(tmp_path):
    nb = nbformat.read(str(SOLUTIONS / A / f"{A}.ipynb"), as_version=4)   # what an autograded notebook holds
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_one_hot")
    assert HIDDEN in cell.source and VISIBLE in cell.source
    hidden_lines = cell.source.split("### BEGIN HIDDEN TESTS")[1].splitlines()[1:4]
    cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue=FAILURE,
                                           traceback=["Traceback (most recent call last)", *hidden_lines,
                                                      f"CheckFailed: {FAILURE}"]),
                    nbformat.v4.new_output("stream", name="stderr", text="[grader] FAILED (0 / 3): " + FAILURE)]
    path = tmp_path / "autograded" / "alice" / A / f"{A}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, str(path))
    [out] = generate_feedback(A, tmp_path)
    text = html.unescape(re.sub(r"<[^>]+>", "", out.read_text()))        # the page's text, highlighting removed
    assert out == tmp_path / "feedback" / "alice" / A / f"{A}.html"
    assert HIDDEN not in text and "manual_seed(3)" not in text and "BEGIN HIDDEN TESTS" not in text
    for line in hidden_lines:
        assert line.strip() not in text
    assert VISIBLE in text and FAILURE in text and "[grader] FAILED (0 / 3)" in text


# ------------------------------------------------------------------------------------------------------- job
def test_dedupe_keeps_the_first_copy_of_each_graded_cell():
    from grader.autograde.job import dedupe
    graded = {"a": {"grade": False, "solution": True, "locked": False},
              "t": {"grade": True, "solution": False, "locked": True}}
    cell = lambda gid, src: nbformat.v4.new_code_cell(src, metadata={"nbgrader": {"grade_id": gid}})  # noqa: E731
    cells = [cell("a", "first"), cell("t", "test"), cell("a", "second"), cell("t", "test again"),
             nbformat.v4.new_code_cell("x", metadata={"nbgrader": {}})]
    out = dedupe(copy.deepcopy(cells), graded)
    assert [c.source for c in out] == ["first", "test", "second", "x"]      # the copied test cell is gone
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in out] == ["a", "t", None, None]
    assert "nbgrader" not in out[3].metadata          # nbgrader rejects empty nbgrader metadata


def test_grader_error_names_nbgraders_cause():
    from grader.autograde.job import _cause
    log = ("[AutogradeApp | ERROR] There was an error processing assignment\nTraceback (most recent call last):\n"
           "jsonschema.exceptions.ValidationError: 'lots' is not of type 'number'\n"
           "nbgrader.converters.base.NbGraderException: Please see the the above traceback")
    assert _cause(log) == "jsonschema.exceptions.ValidationError: 'lots' is not of type 'number'"
    assert _cause("") == "no autograded notebook"
