"""nbgrader compatibility: plain `nbgrader autograde` and the course's grader give the reference answers and the
untouched release of one notebook the same scores, cell by cell (both from the batches in conftest.py)."""
import pytest


@pytest.mark.parametrize("student", ["reference", "untouched"])
def test_plain_nbgrader_and_the_grader_agree(student, hostile_batch, plain_batch):
    ours = {g: (c["score"], c["max"]) for g, c in hostile_batch[1]["students"][student]["cells"].items()}
    assert ours == plain_batch[student]
    earned, possible = sum(s for s, _ in ours.values()), sum(m for _, m in ours.values())
    assert possible > 0 and earned == (possible if student == "reference" else 0)
