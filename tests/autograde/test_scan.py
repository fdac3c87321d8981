"""The static scan (grader/autograde/scan.py): tampering visible in the source, damage to the graded structure."""
import pytest

from grader.autograde import scan


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
    # every way of binding a protected name, not only assignment
    ("for torch in [object()]:\n    pass", "rebinds torch"),
    ("import math as torch", "imports something else as torch"),
    ("import torch.nn as torch", "imports something else as torch"),
    ("from grader import check_close as check_equal", "imports something else as check_equal"),
    ("with open('x') as np:\n    pass", "rebinds np"),
    ("if (check := print):\n    pass", "rebinds check"),
    ("def f():\n    global torch", "declares global torch"),
])
def test_scan_finds_tampering(source, finding):
    assert any(f.startswith(finding) for f in scan.tampering(source)), scan.tampering(source)


@pytest.mark.parametrize("source", [
    "def one_hot(labels, n):\n    out = torch.zeros(len(labels), n)\n    out[range(len(labels)), labels] = 1\n"
    "    return out",
    "x = torch.ones(3)\nx.data = x.data * 2\nimport os\nos._exit(3)",     # killing the kernel is not tampering
    "def f(:\n  broken syntax",                                         # fails when it runs, not tampering
    "import numpy as np\nresult = np.clip(np.zeros(3), 0, 1)",
    "import torch\nimport torch.nn.functional as F\nfrom grader import check, check_close",   # the real things
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
