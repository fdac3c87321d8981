"""The batch's results in the parent process: each kept on disk as it arrives (`Spool`), then scored and written
(`Recorder`: the gradebook row and the autograded notebook) on the batch's background thread, while the workers
go on grading, so that writing the gradebook is not a step of its own after the last job.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from grader.autograde import gradebook, intake, verdict
from grader.autograde.pool import lost_result
from grader.course import notebook_name


class Spool:
    """The batch's results on disk, one file each, written as they arrive, so that the parent's memory does not
    grow with the class: in memory stays only what scoring reads (`slim`); the autograded notebook (the bulk of
    a result) is read back when the `Recorder` writes it. The folder is the parent's own (mkdtemp: mode 0700, files
    created exclusively) and is removed at the end of the batch."""

    ON_DISK = "(on disk)"        # the slim result's notebook: not None, so scoring sees a graded notebook

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="grader-results-"))
        self.paths: dict[str, Path] = {}

    def put(self, student: str, result: dict) -> dict:
        path = self.folder / f"{len(self.paths)}.json"
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
            json.dump(result, fh, default=str)
        self.paths[student] = path
        slim = {k: v for k, v in result.items() if k not in ("notebook", "error", "run")}
        slim["notebook"] = None if result.get("notebook") is None else self.ON_DISK
        return slim

    def full(self, student: str) -> dict:
        return json.loads(self.paths[student].read_text())

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Recorder:
    """Scores each result and writes it (the gradebook row, the autograded notebook read back from the spool), one
    at a time, on `background` (one thread: it made the gradebook ready first, so every write comes after that).
    Results wait until the reference's facts are known (`start`); `finish` returns the rows, by student. Never a
    crash: a result the grader cannot read becomes a zero row that says why."""

    def __init__(self, root: Path, assignment: str, folders: dict, meta: dict, db_url: str, spool: Spool,
                 background):
        self.root, self.assignment, self.folders, self.meta, self.db_url = root, assignment, folders, meta, db_url
        self.spool, self.background = spool, background
        self.facts, self.raw, self.rows, self.waiting, self.writes, self.gb = None, {}, {}, [], [], None

    def start(self, facts: dict) -> None:
        self.facts = facts
        for student in self.waiting:
            self.writes.append(self.background.submit(self._write, student))
        self.waiting = []

    def add(self, student: str, slim: dict) -> None:
        self.raw[student] = slim
        if self.facts is None:
            self.waiting.append(student)
        else:
            self.writes.append(self.background.submit(self._write, student))

    def finish(self) -> dict:
        for write in self.writes:
            write.result()
        if self.gb is not None:
            self.background.submit(self.gb.close).result()
        return {s: self.rows[s] for s in sorted(self.rows)}

    def _write(self, s: str) -> None:
        from nbgrader.api import Gradebook
        self.gb = self.gb or Gradebook(self.db_url)
        gb, nb_id = self.gb, notebook_name(self.assignment).removesuffix(".ipynb")
        try:
            row = verdict.score(self.raw[s], self.meta, self.facts)
        except Exception as err:
            self.raw[s] = lost_result(s, f"{type(err).__name__}: {err}")
            row = verdict.score(self.raw[s], self.meta, self.facts)
        folder = self.folders.get(s)
        stamp = intake.read_small(folder / "timestamp.txt") if folder else None
        try:
            gradebook.write_grades(gb, self.assignment, nb_id, row,
                                   stamp.decode("utf-8", "replace").strip() if stamp else None)
        except Exception as err:
            gb.db.rollback()
            row["reasons"].append(["gradebook-error", f"{type(err).__name__}: {err}"[:300]])
        notebook = self.spool.full(s).get("notebook") if self.raw[s].get("notebook") is not None else None
        gradebook.save_autograded(self.root, self.assignment, notebook, row)
        self.rows[s] = row
