"""Autograde many submissions of one assignment with nbgrader's own `autograde`, a few at a time.

`nbgrader autograde` grades one submission after another. Here the submissions are split into shards, each
shard graded by its own `nbgrader autograde` in its own throwaway course root (so no two processes share a
gradebook), and the shards run side by side. Scores are read back from each shard's gradebook.
"""
from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.course import notebook_name
from grader.gradebook import cell_scores
from grader.nbgrader_run import make_course_root, nbgrader
from grader.submissions import write_notebook

# One BLAS/OpenMP thread per grading kernel: with several kernels per core, more threads only contend.
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _shards(items: list, count: int) -> list[list]:
    return [items[i::count] for i in range(count) if items[i::count]]


def _grade_shard(root: Path, assignment: str, notebooks: dict, env: dict) -> dict[str, dict]:
    make_course_root(root, assignment)
    nbgrader(root, "generate_assignment", assignment, "--force", env=env)
    for student, nb in notebooks.items():
        write_notebook(nb, root / "submitted" / student / assignment / notebook_name(assignment))
    nbgrader(root, "autograde", assignment, "--force", env=env)
    db = root / "gradebook.db"
    return {s: cell_scores(db, assignment, notebook_name(assignment).removesuffix(".ipynb"), s) for s in notebooks}


def autograde_many(assignment: str, submissions: dict, workers: int | None = None,
                   env: dict | None = None) -> dict[str, dict[str, tuple[float, float]]]:
    """Grade `{student_id: notebook}`; return `{student_id: {grade_id: (score, max_score)}}`."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(submissions)))
    shard_env = {**(SINGLE_THREAD if workers > 1 else {}), **(env or {})}
    students = sorted(submissions)
    with tempfile.TemporaryDirectory(prefix=f"autograde-{assignment}-") as tmp, \
            ThreadPoolExecutor(workers) as pool:
        jobs = [
            pool.submit(_grade_shard, Path(tmp) / f"shard{i}", assignment,
                        {s: submissions[s] for s in shard}, shard_env)
            for i, shard in enumerate(_shards(students, workers))
        ]
        results = {}
        for job in jobs:
            results.update(job.result())
    return results
