"""Limits that must hold for a whole batch, on a tiny course of its own (one exercise, three cells), so each test
grades in seconds: one wall-clock bound per submission, and results kept on disk rather than in the parent."""
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from grader.autograde import GraderOptions, autograde, results
from grader.course import CONFIG

TINY = "00-tiny"


def _meta(gid: str, **kw) -> dict:
    return {"nbgrader": {"schema_version": 3, "grade_id": gid, "grade": False, "solution": False, "locked": False,
                         **kw}}


def tiny_course(root: Path, students: dict) -> Path:
    """A course root with the assignment TINY in root/solutions and `students` ({id: extra code cell source or
    None}) under root/submitted, each the reference answer with that cell before the test; returns solutions."""
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 41 + 1\n### END SOLUTION",
                                       metadata=_meta("answer", solution=True))
    test = nbformat.v4.new_code_cell("from grader.checks import check_equal\ncheck_equal(x, 42)",
                                     metadata=_meta("test_answer", grade=True, locked=True, points=1))
    nb = nbformat.v4.new_notebook(cells=[answer, test])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    solutions = root / "solutions"
    (solutions / TINY).mkdir(parents=True)
    nbformat.write(nb, str(solutions / TINY / f"{TINY}.ipynb"))
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    for student, extra in students.items():
        sub = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 42", metadata=answer.metadata),
                                              *([nbformat.v4.new_code_cell(extra)] if extra else []), test])
        sub.metadata = nb.metadata
        (root / "submitted" / student / TINY).mkdir(parents=True)
        nbformat.write(sub, str(root / "submitted" / student / TINY / f"{TINY}.ipynb"))
    return solutions


def _options(**more) -> GraderOptions:
    return GraderOptions(**{"workers": 2, "cell_timeout": 120, "submission_timeout": 60, "cache": False,
                            "confine": True, **more})


def test_deadline_raises_in_python_work_and_is_a_no_op_off_the_main_thread():
    from concurrent.futures import ThreadPoolExecutor

    from grader.autograde.deadline import JobTimeout, bound, job_bound
    started = time.monotonic()
    with pytest.raises(JobTimeout):
        with bound(0.3):
            while True:          # nbgrader's own work on a huge notebook: pure Python, no kernel to kill
                pass
    assert time.monotonic() - started < 2
    with bound(5):
        pass                     # the timer is cancelled on exit: nothing fires later
    time.sleep(0.1)
    assert job_bound({"submission_timeout": 60}) > 60 and job_bound({"submission_timeout": 0}) is None

    def off_main_thread():
        with bound(0.05):       # a Dask worker's thread: no SIGALRM there, so no bound and no error
            time.sleep(0.2)
        return "done"

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(off_main_thread).result() == "done"


@pytest.fixture(scope="module")
def tiny_batch(tmp_path_factory):
    """A tiny batch: an honest student, one whose cell sleeps forever, the untouched release handed in under the
    reference's id, and a student folder that is a link. (summary, what the recorder held, spool files seen)"""
    root = tmp_path_factory.mktemp("tiny")
    solutions = tiny_course(root, {"honest": None, "sleeper": "import time; time.sleep(10**6)"})
    release = nbformat.read(str(root / "submitted" / "honest" / TINY / f"{TINY}.ipynb"), as_version=4)
    release.cells[0].source = "# YOUR CODE HERE\nraise NotImplementedError()"
    (root / "submitted" / "__reference__" / TINY).mkdir(parents=True)
    nbformat.write(release, str(root / "submitted" / "__reference__" / TINY / f"{TINY}.ipynb"))
    (root / "submitted" / "linked").symlink_to(root / "submitted" / "honest")
    seen = {}
    finish = results.Recorder.finish

    def spy(recorder):
        seen["raw"] = json.dumps(recorder.raw)
        seen["mode"] = os.stat(recorder.spool.folder).st_mode & 0o777
        seen["files"] = {s: p.read_text() for s, p in recorder.spool.paths.items()}
        seen["folder"] = recorder.spool.folder
        return finish(recorder)

    mp = pytest.MonkeyPatch()
    mp.setattr(results.Recorder, "finish", spy)
    try:
        summary = autograde(TINY, _options(submission_timeout=15), root=root, solutions=solutions, progress=False)
    finally:
        mp.undo()
    return summary, seen, root


def test_reserved_id_and_links_are_refused_and_the_reference_keeps_full_marks(tiny_batch):
    summary, _, root = tiny_batch
    assert set(summary["refused"]) == {"__reference__", "linked"}
    assert summary["reference"]["score"] == summary["reference"]["max"] == 1.0
    assert set(summary["students"]) == {"honest", "sleeper"}
    assert summary["students"]["honest"]["score"] == 1.0
    assert not (root / "autograded" / "__reference__").exists()


def test_one_wall_clock_bound_per_submission(tiny_batch):
    summary, _, _ = tiny_batch
    sleeper = summary["students"]["sleeper"]
    assert [r[0] for r in sleeper["reasons"]] == ["timeout"] and sleeper["seconds"] < 45


def test_results_wait_on_disk_not_in_the_parents_memory(tiny_batch):
    summary, seen, root = tiny_batch
    assert seen["mode"] == 0o700 and not seen["folder"].exists()
    assert '\\"cells\\"' not in seen["raw"]                # no notebook JSON kept in memory...
    assert all('"cells"' in json.loads(text)["notebook"] for text in seen["files"].values())   # ...but on disk
    assert set(seen["files"]) == {"__reference__", "honest", "sleeper"}      # the reference run, not the student
    graded = nbformat.read(str(root / "autograded" / "honest" / TINY / f"{TINY}.ipynb"), as_version=4)
    assert "[grader] passed" in json.dumps(graded.cells[-1].outputs)
