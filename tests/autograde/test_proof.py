"""Side by side: the monkeypatching submissions of the hostile batch, graded by plain `nbgrader autograde` and by
`python -m grader autograde`. Each has a wrong one_hot (it deserves 15 - 3 = 12 points) plus a patch meant to hide
the failure from a grader that trusts the kernel:

- `torch.allclose` always True (the answer's values are wrong, its shape right);
- the check helpers rebound to no-ops; `grader.checks._fail` (what every check raises through) a no-op:
  plain nbgrader gives these full marks, 3 points they did not earn; the grader re-judges the recorded checks
  outside the kernel and names the tampering (0 points);
- `showtraceback` disabled: nbgrader 0.9.6 is not fooled by that one (it adds the error of the execute reply
  when no traceback was shown), so plain nbgrader gives the 12 deserved; the grader still names the tampering (0).
"""
from answers import total
from hostile import FULL, MONKEYPATCH, ONE_HOT

DESERVED = FULL - ONE_HOT
NOT_FOOLING = {"one_hot.showtraceback_patch"}


def test_plain_nbgrader_is_fooled_and_the_grader_is_not(hostile_batch, plain_batch):
    summary = hostile_batch[1]
    table = {}
    for student in MONKEYPATCH:
        plain_score = total(plain_batch[student])[0]
        row = summary["students"][student]
        table[student] = (plain_score, row["score"], sorted({r[0] for r in row["reasons"]}))
    print("\n" + "\n".join(f"{s:32} plain nbgrader {p:4g}   grader {g:4g}  {r}" for s, (p, g, r) in table.items()))
    for student, (plain_score, ours, reasons) in table.items():
        if student in NOT_FOOLING:
            assert plain_score == DESERVED, f"{student}: plain nbgrader gave {plain_score} ({table})"
        else:
            assert plain_score == FULL, f"{student}: plain nbgrader gave {plain_score}, not fooled ({table})"
        assert ours == 0 and "tampering" in reasons, f"{student}: {table[student]}"
