"""The recorder (grader/autograde/record.py): check operands as plain data, and records loaded without unpickling."""
import numpy as np
import torch

from grader.autograde import record
from grader.autograde.harvest import load_records


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


def test_load_records_refuses_pickled_objects(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("unpickled!",))
    torch.save({"seq": 0, "kind": "check", "args": {"args": [Evil()]}}, tmp_path / "0000000.pt")
    records, problems = load_records(tmp_path)
    assert records == [] and "not plain data" in problems[0]
