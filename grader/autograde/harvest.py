"""The records a kernel made, taken as data and never as paths: copied into a folder the grader made, then loaded.

The kernel's record folder is the kernel's to change: it can plant links, FIFOs, huge files or another folder in
its place. So `harvest` opens the folder and each record without following links (a confined kernel's folder is
also on a `nosymfollow` tmpfs), takes only regular files with a record's name and size, reads their bytes, and
writes them into the job's private folder with files it creates itself. `load_records` then reads those copies
with `torch.load(weights_only=True)`, which rebuilds plain data and never unpickles objects.
"""
from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

MAX_RECORD_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 256 * 2**20
NAME = re.compile(r"^\d{7}\.pt$")
_NOFOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def _read(dir_fd: int, name: str, limit: int) -> bytes | str:
    """The bytes of the regular file `name` in the folder open as `dir_fd`, or why it was not taken."""
    try:
        fd = os.open(name, _NOFOLLOW, dir_fd=dir_fd)
    except OSError as err:
        return f"{name} cannot be opened as a plain file ({err.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return f"{name} is not a regular file"
        if info.st_size > limit:
            return f"{name} is oversized"
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)


def harvest(source: str, dest: str, seen: set[str]) -> list[str]:
    """Copy the records in `source` that are not in `seen` into `dest` (made here, 0700); return what was refused.
    Refusals are written too, as a `refused.txt` the loader reports as forged records."""
    os.makedirs(dest, mode=0o700, exist_ok=True)
    refused = []
    try:
        dir_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return refused               # no folder (a kernel that never started, or removed it): nothing recorded
    try:
        total = sum(os.stat(os.path.join(dest, n)).st_size for n in seen if os.path.exists(os.path.join(dest, n)))
        for name in sorted(os.listdir(dir_fd)):
            if name in seen or name.endswith(".part"):   # `.part`: a write cut short by a killed kernel
                continue
            data = _read(dir_fd, name, MAX_RECORD_BYTES) if NAME.match(name) else f"{name} is not a record's name"
            seen.add(name)
            if isinstance(data, str) or total + len(data) > MAX_TOTAL_BYTES or len(data) > MAX_RECORD_BYTES:
                refused.append(data if isinstance(data, str) else f"{name} is oversized")
                continue
            total += len(data)
            with open(os.open(os.path.join(dest, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
                fh.write(data)
    finally:
        os.close(dir_fd)
    if refused:
        with open(os.path.join(dest, "refused.txt"), "a") as fh:
            fh.write("".join(f"{r}\n" for r in refused))
    return refused


def load_records(folder: Path) -> tuple[list[dict], list[str]]:
    """Every record harvested into `folder`, in order, loaded without unpickling objects; and the problems found."""
    import torch
    records, problems = [], []
    folder = Path(folder)
    refused = folder / "refused.txt"
    if refused.is_file():
        problems += [f"unexpected or oversized file in the record folder: {line}"
                     for line in refused.read_text().splitlines()[:5]]
    for path in sorted(folder.glob("*.pt")):
        try:
            rec = torch.load(io.BytesIO(path.read_bytes()), weights_only=True, map_location="cpu")
        except Exception as err:
            problems.append(f"record {path.name} is not plain data: {type(err).__name__}")
            continue
        if not isinstance(rec, dict) or f"{rec.get('seq', -1):07d}.pt" != path.name:
            problems.append(f"forged record {path.name}")
            continue
        records.append(rec)
    seqs = [r["seq"] for r in records]
    if seqs != list(range(len(seqs))):
        problems.append("record sequence has gaps or duplicates (forged records?)")
    return records, problems
