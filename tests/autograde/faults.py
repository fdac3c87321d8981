"""A job function for the grader's pool that kills its own worker process, to test the loss of workers.

Tests put it in place of `grader.autograde.run.grade_submission`; the pool's workers import it from here.
Students named `kills-worker-always...` kill every worker that takes them; `kills-worker-once...` kill the first
one only (a file in FAULT_DIR remembers); everyone else is graded for real.
"""
import os
from pathlib import Path

from grader.autograde.job import grade_submission


def grade_or_kill_worker(spec: dict) -> dict:
    student = spec["student"]
    if student.startswith("kills-worker-always"):
        os._exit(3)
    if student.startswith("kills-worker-once"):
        marker = Path(spec["env"]["FAULT_DIR"]) / student
        if not marker.exists():
            marker.touch()
            os._exit(3)
    return grade_submission(spec)
