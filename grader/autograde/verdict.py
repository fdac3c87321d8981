"""The verdict, in a clean process: recorded checks judged again, then the scoring rule.

Worker side (`judge`, `checks_by_cell`): every check a test cell recorded in the student's kernel is recomputed
with this process's own torch and `grader.checks`, and attributed to the test cell whose top-level code called it.
Parent side (`score`): a test cell earns its points only when nbgrader saw it pass AND its recorded checks are the
ones the reference run recorded for it (same kinds, same lines) AND all pass again here, and no tampering was
found anywhere in the notebook.
"""
from __future__ import annotations

import grader
from grader.cells import grade_id

KINDS = grader.CHECK_HELPERS


def _device_of(plain):
    return plain.get("device") if isinstance(plain, dict) and "__tensor__" in plain else None


def judge(record: dict) -> tuple[bool, str]:
    """Recompute one recorded check with the clean process's torch and `grader.checks`: (passed, message)."""
    import torch                              # worker side only: the parent scores without importing torch
    import grader.checks as checks
    from grader.autograde.record import Unplain, from_plain
    kind, payload = record.get("kind"), record.get("args", {})
    if kind == "check_raises":
        outcome = payload.get("outcome", {})
        return bool(outcome.get("ok")) is True, str(outcome.get("message", ""))
    if kind not in KINDS:
        return False, f"unknown check {kind!r}"
    args = [from_plain(a) for a in payload.get("args", [])]
    kwargs = {k: from_plain(v) for k, v in payload.get("kwargs", {}).items()}
    fn = getattr(checks, kind)
    try:
        if kind == "check":
            cond = args[0] if args else kwargs.pop("condition", False)
            if isinstance(cond, torch.Tensor) and cond.numel() == 1:
                cond = bool(cond.item())
            if type(cond) is not bool:   # noqa: E721  (a bool subclass could lie)
                cond = False if isinstance(cond, Unplain) else bool(cond) if type(cond) in (int, float) else False
            fn(cond, *args[1:], **kwargs)
        elif kind in ("check_close", "check_tensor"):
            # devices are compared as recorded (the clean process holds everything on the CPU)
            raw = payload.get("args", [])
            actual_dev = _device_of(raw[0]) if raw else None
            if kind == "check_close":
                expected_dev = _device_of(raw[1]) if len(raw) > 1 else _device_of(payload["kwargs"].get("expected"))
                if kwargs.get("check_device", True) and actual_dev and expected_dev and actual_dev != expected_dev:
                    return False, (f"{kwargs.get('what', 'result')}: device {actual_dev}, expected {expected_dev}. "
                                   f"{kwargs.get('hint', '')}").strip()
                kwargs["check_device"] = False
            else:
                want = kwargs.pop("device", None)
                if want is not None and actual_dev is not None and not checks._same_device(torch.device(actual_dev),
                                                                                           want):
                    return False, (f"{kwargs.get('what', 'result')}: device {actual_dev}, expected {want}. "
                                   f"{kwargs.get('hint', '')}").strip()
            fn(*args, **kwargs)
        else:
            fn(*args, **kwargs)
    except checks.CheckFailed as err:
        return False, str(err)
    except Exception as err:  # malformed operands fail the check
        return False, f"{type(err).__name__}: {err}"
    return True, ""


def checks_by_cell(nb, records: list[dict], test_ids: set[str]) -> dict:
    """{grade_id: [{kind, line, ok, message, tampered}]} for the test cells, from the records whose caller is that
    cell's top-level code (a check called from anywhere else counts for no cell)."""
    from grader.autograde.record import source_sha
    by_sha = {}
    for cell in nb.cells:
        if grade_id(cell) in test_ids:
            by_sha.setdefault(source_sha(cell.source), grade_id(cell))
    out = {gid: [] for gid in test_ids}
    for rec in records:
        caller = rec.get("caller", {})
        gid = by_sha.get(caller.get("sha"))
        if gid is None or caller.get("name") != "<module>":
            continue
        ok, message = judge(rec)
        out[gid].append({"kind": rec.get("kind"), "line": caller.get("line"), "ok": ok, "message": message[:2000],
                         "tampered": list(rec.get("tampered", []))[:20],
                         "rebound": [str(n) for n in rec.get("rebound", [])][:20]})
    return out


def signatures(result: dict) -> dict[str, list]:
    """What each test cell checked, as (kind, line) pairs: the reference run's are what every submission must match."""
    return {gid: [[c["kind"], c["line"]] for c in cell_checks] for gid, cell_checks in result.get("cells", {}).items()}


def runtime_tampering(result: dict, ignored=()) -> list[str]:
    """Watched attributes some check saw replaced, minus those the reference run itself changes."""
    names = {name for cell_checks in result.get("cells", {}).values() for c in cell_checks
             for name in c.get("tampered", [])}
    return sorted(names - set(ignored))


def rebound_names(result: dict, ignored=()) -> list[str]:
    """Names the test cells read that the notebook had rebound (put back before the cells ran: see
    `grader.autograde.guard`), minus those the reference run itself rebinds."""
    names = {name for cell_checks in result.get("cells", {}).values() for c in cell_checks
             for name in c.get("rebound", [])}
    return sorted(names - set(ignored))


def reference_facts(result: dict) -> dict:
    """What a submission is compared with, from the reference submission's run."""
    return {"signatures": signatures(result), "tampered": runtime_tampering(result),
            "rebound": rebound_names(result)}


def _cell_message(result: dict, reasons: list, cell_checks: list, expected, raised: bool) -> str:
    """Why a test cell earns nothing (empty: it passed)."""
    failed = [c for c in cell_checks if not c["ok"]]
    if result.get("notebook") is None:
        return "not graded: " + "; ".join(r[1] for r in reasons[:1]) if reasons else "not graded"
    if failed:
        return failed[0]["message"]
    if expected is not None and [[c["kind"], c["line"]] for c in cell_checks] != expected:
        return (f"only {len(cell_checks)} of the {len(expected)} checks of this cell ran and were recorded"
                if len(cell_checks) < len(expected) else "the checks that ran are not the ones this cell makes")
    if raised:
        return "the test cell raised an error (see its output)"
    return ""


def score(result: dict, meta: dict, reference: dict) -> dict:
    """A job's result turned into the student's row: points, message and pass/fail per graded cell, reasons."""
    reasons = [list(r) for r in result.get("reasons", [])]
    tamper = list(result.get("static_tampering", []))
    tamper += [f"changed at run time: {n}" for n in runtime_tampering(result, reference.get("tampered", []))]
    tamper += [f"forged records: {r[1]}" for r in reasons if r[0] == "forged-records"]
    if tamper:
        reasons.append(["tampering", "; ".join(tamper[:8])])
    rebound = rebound_names(result, reference.get("rebound", []))
    if rebound:      # the test cells ran against the real objects all the same: named, not scored as tampering
        reasons.append(["rebound-names", f"the notebook rebound names the test cells read: {', '.join(rebound[:8])}; "
                                         f"they were put back before each test cell"])
    cells, nbg = {}, result.get("nbgrader", {})
    # a test cell failed in the kernel when it shows an error; nbgrader also fails one that wrote to stderr, so a
    # warning a correct answer triggers (torch's, say) would cost its points: that is not a mistake of the student
    raised = set(result.get("raised", []))
    for gid, cell in meta["cells"].items():
        if not cell["grade"]:
            continue
        out_of = cell["points"]
        got_nb = nbg.get(gid, [0.0, out_of])[0]
        if cell["solution"]:                      # manually graded answer: nbgrader's own handling
            cells[gid] = {"score": got_nb, "max": out_of, "passed": got_nb >= out_of, "message": ""}
            continue
        message = _cell_message(result, reasons, result.get("cells", {}).get(gid, []),
                                reference.get("signatures", {}).get(gid), gid in raised)
        passed = not message and not tamper
        if tamper and not message:
            message = "tampering: " + tamper[0]
        cells[gid] = {"score": out_of if passed else 0.0, "max": out_of, "passed": passed, "message": message}
    missing = [g for g, c in cells.items() if not c["passed"] and c["message"].startswith("only")]
    if missing and result.get("notebook") is not None and not any(r[0] == "tampering" for r in reasons):
        if any(g not in raised for g in missing):
            reasons.append(["unverified-checks", f"test cells passed in the kernel but their checks were not all "
                                                 f"recorded: {missing}"])
    return {"student": result["student"], "score": sum(c["score"] for c in cells.values()),
            "max": sum(c["max"] for c in cells.values()), "cells": cells, "reasons": reasons,
            "seconds": round(result.get("seconds", 0.0), 2), "errors": list(result.get("errors", [])),
            **({"worker": result["worker"]} if result.get("worker") else {}),
            "nbgrader_score": sum(v[0] for g, v in nbg.items() if g in cells)}
