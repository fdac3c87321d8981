"""Records taken from the kernel's folder as data (grader/autograde/harvest.py): never through a link, a FIFO or
a name the kernel chose; then loaded without unpickling."""
import os

import torch

from grader.autograde.harvest import MAX_RECORD_BYTES, harvest, load_records


def _rec(seq):
    """A record as the kernel writes it (loading looks at its sequence number and its file, not at the check)."""
    return {"seq": seq, "kind": "check", "caller": {"name": "<module>", "line": 1, "sha": "x"}, "tampered": [],
            "args": {"args": [True], "kwargs": {}}}


def test_records_are_copied_once_and_loaded_in_order(tmp_path):
    kernel, dest, seen = tmp_path / "kernel", tmp_path / "private" / "records", set()
    kernel.mkdir()
    torch.save(_rec(0), kernel / "0000000.pt")
    torch.save({"x": 1}, kernel / "0000001.part")            # cut short by a killed kernel: ignored
    assert harvest(str(kernel), str(dest), seen) == []
    torch.save(_rec(1), kernel / "0000001.pt")
    torch.save(_rec(7), kernel / "0000000.pt")              # rewritten after it was taken: the copy stands
    assert harvest(str(kernel), str(dest), seen) == []
    records, problems = load_records(dest)
    assert [r["seq"] for r in records] == [0, 1] and problems == []
    assert oct(dest.stat().st_mode & 0o777) == "0o700"


def test_what_the_kernel_planted_is_refused_not_followed(tmp_path):
    """A link to a file the grader may read (the gradebook), a FIFO that would block a reader, a foreign name and
    an oversized record: none is read, each is named, and the records then count as forged."""
    kernel, dest = tmp_path / "kernel", tmp_path / "dest"
    kernel.mkdir()
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    torch.save(_rec(0), kernel / "0000000.pt")
    os.symlink(secret, kernel / "0000001.pt")
    os.mkfifo(kernel / "0000002.pt")
    (kernel / "notes.txt").write_text("x")
    with open(kernel / "0000003.pt", "wb") as fh:
        fh.truncate(MAX_RECORD_BYTES + 1)
    refused = harvest(str(kernel), str(dest), set())
    assert len(refused) == 4 and any("notes.txt" in r for r in refused), refused
    assert sorted(p.name for p in dest.iterdir()) == ["0000000.pt", "refused.txt"]
    _, problems = load_records(dest)
    assert any("unexpected or oversized file" in p for p in problems), problems


def test_a_record_folder_replaced_by_a_link_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    torch.save(_rec(0), elsewhere / "0000000.pt")
    os.symlink(elsewhere, tmp_path / ".records")
    assert harvest(str(tmp_path / ".records"), str(tmp_path / "dest"), set()) == []
    assert load_records(tmp_path / "dest") == ([], [])


def test_load_records_flags_forgeries(tmp_path):
    for i in range(2):
        torch.save(_rec(i), tmp_path / f"{i:07d}.pt")
    torch.save(_rec(999), tmp_path / "0000999.pt")          # a gap: forged
    (tmp_path / "0000005.pt").write_bytes(b"garbage")
    _, problems = load_records(tmp_path)
    assert sorted(problems) == ["record 0000005.pt is not plain data: UnpicklingError",
                                "record sequence has gaps or duplicates (forged records?)"], problems
