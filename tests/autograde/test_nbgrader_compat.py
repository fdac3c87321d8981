"""nbgrader compatibility: plain `nbgrader autograde` and the course's grader give the reference answers and the
untouched release of one notebook the same scores, cell by cell (the grader's rows come from the hostile batch)."""
import shutil

from grader.authoring.nbgrader_run import make_course_root, nbgrader
from grader.autograde.gradebook import cell_scores
from hostile import A


def test_plain_nbgrader_and_the_grader_agree(tmp_path, hostile_batch):
    root, summary = hostile_batch
    plain = make_course_root(tmp_path / "plain", A)
    nbgrader(plain, "generate_assignment", A, "--force")
    for student in ("reference", "untouched"):
        shutil.copytree(root / "submitted" / student, plain / "submitted" / student)
    nbgrader(plain, "autograde", A, "--force", timeout=600)
    for student in ("reference", "untouched"):
        ours = {g: (c["score"], c["max"]) for g, c in summary["students"][student]["cells"].items()}
        theirs = cell_scores(plain / "gradebook.db", A, A, student)
        assert ours == theirs, (student, ours, theirs)
    assert sum(s for s, _ in ours.values()) == 0 < sum(m for _, m in ours.values())
