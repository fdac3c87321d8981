"""Run jobs side by side: local worker processes, or a Dask cluster; jobs lost with a worker run again.

A job is plain data in and plain data out, so it runs the same in a local process pool and on a remote Dask worker:
a remote worker needs only the course's Python packages. On a cluster, a job whose spec says `gpu` asks for the
worker resource `GPU` (`dask worker --resources GPU=1`), so only workers that declare one take it; Dask itself runs
a job again elsewhere when its worker dies, and gives up (a `grader-error` row) only after several deaths.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from concurrent.futures.process import BrokenProcessPool
from typing import Callable


# What every job imports, loaded once by the forkserver that forks the workers (before it starts: in a test
# session or a long-lived process, every later pool's workers start at once with these in memory); last, what makes
# the forkserver leave without taking them apart (`quick_exit`).
PRELOAD = ["grader.autograde.job", "grader.autograde.record", "nbgrader.apps", "nbgrader.preprocessors",
           "grader.autograde.quick_exit"]


class Pool:
    """The workers of one batch."""

    def __init__(self, workers: int, scheduler: str | None = None, warm: tuple | None = None):
        """`warm`: (function, *args) run once on each local worker as soon as it exists, without waiting for it
        (the kernel template's start, `job.warm_template`), so that it overlaps the parent's own preparation."""
        self.workers, self.scheduler, self.client, self.warm = workers, scheduler, None, warm
        self.executor = self._new(workers)

    def _new(self, workers: int):
        if self.scheduler:
            from distributed import Client
            self.client = self.client or Client(self.scheduler, set_as_default=False)
            return None
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        executor = cf.ProcessPoolExecutor(workers, mp_context=context)
        if self.warm:       # one submission per worker: each starts a worker process of its own
            for _ in range(workers):
                executor.submit(*self.warm)
        return executor

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        if self.client is not None:
            self.client.close()

    def _round_on_cluster(self, job: Callable, specs: dict, done: Callable) -> dict:
        from distributed import as_completed
        futures = {self.client.submit(on_worker, job, spec, pure=False,
                                      resources={"GPU": 1} if spec.get("gpu") else None): s
                   for s, spec in specs.items()}
        for fut in as_completed(futures, loop=self.client.loop):
            s = futures[fut]
            try:
                done(s, fut.result())
            except Exception as err:        # KilledWorker after Dask's own retries, or the job's own error
                done(s, lost_result(s, f"{type(err).__name__}: {err}"))
        return {}

    def _round(self, job: Callable, specs: dict, done: Callable) -> dict:
        """Run `specs` on the current executor; return the specs lost with a broken process pool."""
        if self.client is not None:
            return self._round_on_cluster(job, specs, done)
        lost, futures = {}, {}
        for s, spec in specs.items():
            try:
                futures[self.executor.submit(job, spec)] = s
            except BrokenProcessPool:       # broken before this job was even sent
                lost[s] = spec
        for fut in cf.as_completed(futures):
            s = futures[fut]
            try:
                done(s, fut.result())
            except BrokenProcessPool:       # a worker died; every job not finished on that pool is lost
                lost[s] = specs[s]
            except Exception as err:        # the batch goes on; the student still gets a row and a reason
                done(s, lost_result(s, f"{type(err).__name__}: {err}"))
        return lost

    def _replace(self, workers: int) -> None:
        self.executor.shutdown(wait=True)
        self.executor = self._new(workers)

    def run(self, job: Callable, specs: dict, done: Callable) -> None:
        """Call `done(student, result)` for every spec; survive the loss of worker processes.

        A worker that dies (the OOM killer, a crash in the grader's own process; student code runs in a separate
        kernel) breaks a local process pool and fails every job not yet finished on it. Those jobs run again on a
        fresh pool; if that pool breaks too, each remaining job runs alone in a pool of its own, twice if need be
        (a job lost with a broken pool may never have started, so its first solo run can be its first run at all),
        so that only a submission that kills its worker by itself, every time, gets `grader-error`."""
        pending = self._round(job, specs, done)
        if pending:
            self._replace(max(1, min(self.workers, len(pending))))
            pending = self._round(job, pending, done)
        for s, spec in pending.items():
            lost = {s: spec}
            for _ in range(2):
                self._replace(1)
                lost = self._round(job, lost, done)
                if not lost:
                    break
            if lost:
                done(s, lost_result(s, "the grader's worker process died while grading this submission, also when "
                                       "it ran alone (killed for memory?); rerun it with --student and a smaller "
                                       "--memory-mb"))


def on_worker(job: Callable, spec: dict) -> dict:
    """`job(spec)` on a Dask worker, its result saying which worker graded it."""
    from distributed import get_worker
    return {**job(spec), "worker": get_worker().name}


def lost_result(student: str, why: str) -> dict:
    """The result of a job that produced none: the student keeps a row, 0 points and the reason."""
    return {"student": student, "reasons": [["grader-error", why[:300]]], "nbgrader": {}, "cells": {},
            "notebook": None}
