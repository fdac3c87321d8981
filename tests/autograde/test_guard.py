"""The guard of the names test cells read (grader/autograde/guard.py): which names, and how they are put back."""
import builtins
import types

import torch

from grader.autograde import guard

TEST = "expected = torch.ones(2)\ncheck_close(one_hot(x), expected)\nassert type(n) is int and F.relu and device\n"
ANSWER = "def one_hot(x):\n    return torch.ones(2)\nHELPER = 3\n"
SETUP = "import torch\nimport torch.nn.functional as F\nfrom grader import check_close\ndevice = setup()\n"


def test_protected_names_are_what_test_cells_read_less_the_exercises():
    spec = guard.protected_names([TEST], [ANSWER], [SETUP])
    assert spec == {"torch": ["import", "torch"], "F": ["import", "torch.nn.functional"],
                    "check_close": ["from", "grader", "check_close"], "type": ["builtin"], "int": ["builtin"],
                    "device": ["device"]}
    assert "one_hot" not in spec and "x" not in spec and "n" not in spec      # the exercise; lesson variables


class _Events:
    def __init__(self):
        self.callbacks = {"pre_run_cell": []}

    def register(self, event, fn):
        self.callbacks[event].append(fn)


def test_names_are_put_back_before_test_cells_only(monkeypatch):
    """A proxy bound to `torch`, a shadowing `type` and a deleted `F` are put back before a test cell (known by its
    source) and reported; before any other cell the namespace is left as the student made it."""
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    shell = types.SimpleNamespace(user_ns={"__builtins__": builtins}, events=_Events())
    spec = guard.protected_names([TEST], [ANSWER], [SETUP])
    rebound, hook = guard.install(shell, spec, [guard.digest(TEST)])
    ns = shell.user_ns
    ns.update(torch="proxy", type=lambda obj: int, device=torch.device("cpu"))
    hook(types.SimpleNamespace(raw_cell="print('a lesson cell')"))
    assert ns["torch"] == "proxy" and rebound == []
    hook(types.SimpleNamespace(raw_cell=TEST + "\n"))
    assert ns["torch"] is torch and "type" not in ns and ns["F"] is torch.nn.functional
    assert ns["device"] == torch.device("cpu")
    assert sorted(rebound) == ["torch", "type"]          # the same device, rebound, is no impostor
    assert hook in shell.events.callbacks["pre_run_cell"]
