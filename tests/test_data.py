"""Tests of grader/data.py: the CIFAR-10 loader and its generated stand-in. No test touches the network."""
import hashlib
import os
import pickle
import shutil
import stat

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.datasets import CIFAR10

from grader import data
from grader.course import REPO

SMALL = {"quick": (100, 40), "full": (200, 50)}


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Every test: its own empty data root, the quick profile, no `COURSE_CIFAR`, and downloads that fail."""
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.delenv(data.SOURCE_ENV, raising=False)

    def no_network(root, timeout=data.DOWNLOAD_TIMEOUT_S):
        raise OSError("no network in tests")

    monkeypatch.setattr(data, "_download_real", no_network)
    monkeypatch.setattr(data, "_announced", [])


@pytest.fixture
def small(monkeypatch):
    """Small stand-ins, so tests that generate one take a fraction of a second."""
    monkeypatch.setattr(data, "STANDIN_SIZES", SMALL)


def _digest(folder):
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted((folder / CIFAR10.base_folder).iterdir())}


def _standin_as_real(monkeypatch, standin_root):
    """Copy a stand-in where the real set goes and make torchvision's CIFAR10 expect its checksums."""
    real = data.real_folder()
    shutil.copytree(standin_root / CIFAR10.base_folder, real / CIFAR10.base_folder)
    sums = data.read_manifest(standin_root)["md5"]
    monkeypatch.setattr(CIFAR10, "train_list", [[f"data_batch_{b}", sums[f"data_batch_{b}"]] for b in range(1, 6)])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", sums["test_batch"]]])
    monkeypatch.setattr(CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names", "md5": sums["batches.meta"]})
    return real


def test_data_root_default_and_env(monkeypatch, tmp_path):
    assert data.data_root() == (tmp_path / "data").resolve()
    monkeypatch.delenv(data.DATA_ENV)
    assert data.data_root() == REPO / "data"
    assert data.standin_folder("quick") == REPO / "data" / "cifar10-standin-quick"
    assert data.standin_folder("full").name == "cifar10-standin-full"
    assert data.real_folder() == REPO / "data" / "cifar10"


def test_class_names_are_cifar10s():
    assert data.CIFAR10_CLASSES == ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                                    "truck")


def test_generation_is_deterministic(tmp_path):
    a = data.generate_standin(tmp_path / "a", 50, 20)
    b = data.generate_standin(tmp_path / "b", 50, 20)
    assert _digest(a) == _digest(b)
    assert data.read_manifest(a)["md5"] == _digest(a)
    c = data.generate_standin(tmp_path / "c", 100, 20)    # different sizes: different data
    assert _digest(c)["data_batch_1"] != _digest(a)["data_batch_1"]


def test_generating_into_a_finished_folder_keeps_it(tmp_path):
    """Two processes generating at once: the second finds the folder done and leaves it alone."""
    a = data.generate_standin(tmp_path / "a", 50, 20)
    before = _digest(a)
    data.generate_standin(tmp_path / "a", 50, 20)
    assert _digest(a) == before
    assert [p.name for p in tmp_path.iterdir()] == ["a"]     # no partial folder left behind


def test_generated_folder_is_readable_by_others(tmp_path):
    """A shared data folder (a grader or Dask worker under another account, students on one server) must not be
    private to whoever generated it: the folder gets the mode the umask gives, not mkdtemp's 0700."""
    old = os.umask(0o022)
    try:
        root = data.generate_standin(tmp_path / "s", 50, 20)
    finally:
        os.umask(old)
    assert stat.S_IMODE(root.stat().st_mode) == 0o755
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o004 for p in root.rglob("*"))


def test_files_have_cifar10s_format(tmp_path):
    root = data.generate_standin(tmp_path / "s", 50, 20)
    batches = root / CIFAR10.base_folder
    assert sorted(p.name for p in batches.iterdir()) == sorted(
        [f"data_batch_{b}" for b in range(1, 6)] + ["test_batch", "batches.meta"])
    for name, count in [("data_batch_1", 10), ("data_batch_5", 10), ("test_batch", 20)]:
        with open(batches / name, "rb") as f:
            entry = pickle.load(f, encoding="latin1")
        assert set(entry) == {"batch_label", "labels", "data", "filenames"}
        assert entry["data"].dtype == np.uint8 and entry["data"].shape == (count, 3072)
        assert isinstance(entry["labels"], list) and all(isinstance(k, int) and 0 <= k < 10 for k in entry["labels"])
        assert len(entry["filenames"]) == count and "stand-in" in entry["batch_label"]
    with open(batches / "batches.meta", "rb") as f:
        meta = pickle.load(f, encoding="latin1")
    assert meta["label_names"] == list(data.CIFAR10_CLASSES) and meta["num_vis"] == 3072


def test_standin_loads_through_torchvision(tmp_path):
    root = data.generate_standin(tmp_path / "s", 50, 20)
    train = data.StandInCIFAR10(root, train=True)
    test = data.StandInCIFAR10(root, train=False)
    assert isinstance(train, CIFAR10) and len(train) == 50 and len(test) == 20
    assert train.classes == list(data.CIFAR10_CLASSES) and train.class_to_idx["truck"] == 9
    assert train.data.shape == (50, 32, 32, 3) and train.data.dtype == np.uint8
    image, label = train[0]
    assert isinstance(image, Image.Image) and image.size == (32, 32) and image.mode == "RGB"
    assert isinstance(label, int) and label == train.targets[0]
    assert "stand-in" in repr(train)
    # CIFAR-10's channel planes: row r of a batch is R plane, G plane, B plane, each 32x32 row-major.
    with open(root / CIFAR10.base_folder / "data_batch_1", "rb") as f:
        row = pickle.load(f, encoding="latin1")["data"][0]
    assert np.array_equal(train.data[0], row.reshape(3, 32, 32).transpose(1, 2, 0))


def test_standin_is_never_taken_for_the_real_set(tmp_path):
    root = data.generate_standin(tmp_path / "s", 50, 20)
    with pytest.raises(RuntimeError, match="corrupted"):      # the real set's checksums do not match
        CIFAR10(root, train=True)
    with pytest.raises(data.DataError, match="generated, not downloaded"):
        data.StandInCIFAR10(root).download()


def test_standin_follows_the_profile(small, monkeypatch):
    train = data.load_cifar10(train=True, source="standin")
    assert isinstance(train, data.StandInCIFAR10) and len(train) == SMALL["quick"][0]
    assert len(data.load_cifar10(train=False, source="standin")) == SMALL["quick"][1]
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert len(data.load_cifar10(train=True, source="standin")) == SMALL["full"][0]
    assert sorted(p.name for p in data.data_root().iterdir()) == ["cifar10-standin-full", "cifar10-standin-quick"]


def test_quick_standin_has_its_documented_size():
    train = data.load_cifar10(train=True, source="standin")
    test = data.load_cifar10(train=False, source="standin")
    assert (len(train), len(test)) == data.STANDIN_SIZES["quick"] == (5000, 1000)
    assert np.bincount(train.targets).tolist() == [500] * 10


def test_standin_is_generated_once(small):
    data.load_cifar10(train=True, source="standin")
    manifest = data.standin_folder() / data.MANIFEST
    stamp = manifest.stat().st_mtime_ns
    data.load_cifar10(train=False, source="standin")
    assert manifest.stat().st_mtime_ns == stamp


def test_auto_falls_back_to_the_standin_with_one_line(small, capsys):
    train = data.load_cifar10(train=True, transform=np.asarray)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "STAND-IN" in lines[0] and "not the real CIFAR-10" in lines[0]
    assert isinstance(train, data.StandInCIFAR10) and data.is_standin(torch.utils.data.Subset(train, [0]))
    image, _ = train[0]
    assert isinstance(image, np.ndarray) and image.shape == (32, 32, 3)     # the transform was applied
    data.load_cifar10(train=False)
    assert capsys.readouterr().out == ""                # said once per process, not once per split


def test_source_from_environment(small, monkeypatch, capsys):
    monkeypatch.setenv(data.SOURCE_ENV, "standin")
    assert isinstance(data.load_cifar10(train=True), data.StandInCIFAR10)
    assert capsys.readouterr().out == ""
    monkeypatch.setenv(data.SOURCE_ENV, "real")
    with pytest.raises(data.DataError):
        data.load_cifar10(train=True)
    monkeypatch.setenv(data.SOURCE_ENV, "imagenet")
    with pytest.raises(ValueError, match="COURSE_CIFAR='imagenet'"):
        data.load_cifar10(train=True)
    with pytest.raises(ValueError, match="source='nope'"):
        data.load_cifar10(train=True, source="nope")


def test_forcing_real_without_data_or_network_says_what_to_do(small):
    with pytest.raises(data.DataError) as err:
        data.load_cifar10(train=True, source="real")
    message = str(err.value)
    assert str(data.real_folder()) in message and "COURSE_CIFAR=standin" in message and "internet" in message
    assert not data.standin_folder().exists()          # nothing generated behind the user's back


def test_downloads_can_be_switched_off(monkeypatch):
    monkeypatch.undo()                                  # the real _download_real, which must not reach the network
    monkeypatch.setenv(data.DOWNLOAD_ENV, "0")
    monkeypatch.setattr(data.socket, "create_connection", lambda *a, **k: pytest.fail("network used"))
    with pytest.raises(OSError, match="switched off"):
        data._download_real(data.real_folder())


def test_real_set_is_used_when_present(small, monkeypatch, capsys, tmp_path):
    standin = data.generate_standin(tmp_path / "pretend", 50, 20)
    _standin_as_real(monkeypatch, standin)
    train = data.load_cifar10(train=True)
    assert type(train) is CIFAR10 and len(train) == 50 and not data.is_standin(train)
    assert "the real data set" in capsys.readouterr().out
    assert type(data.load_cifar10(train=False, source="real")) is CIFAR10
    assert isinstance(data.load_cifar10(train=True, source="standin"), data.StandInCIFAR10)


def test_real_set_is_used_after_a_download(small, monkeypatch, capsys, tmp_path):
    standin = data.generate_standin(tmp_path / "pretend", 50, 20)
    sums = data.read_manifest(standin)["md5"]
    monkeypatch.setattr(CIFAR10, "train_list", [[f"data_batch_{b}", sums[f"data_batch_{b}"]] for b in range(1, 6)])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", sums["test_batch"]]])
    monkeypatch.setattr(CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names", "md5": sums["batches.meta"]})
    calls = []

    def fake_download(root, timeout=data.DOWNLOAD_TIMEOUT_S):
        calls.append(root)
        shutil.copytree(standin / CIFAR10.base_folder, root / CIFAR10.base_folder)

    monkeypatch.setattr(data, "_download_real", fake_download)
    assert type(data.load_cifar10(train=True)) is CIFAR10 and calls == [data.real_folder()]
    assert "downloaded" in capsys.readouterr().out
    data.load_cifar10(train=False)
    assert len(calls) == 1                              # present now: not downloaded again


@pytest.mark.parametrize("damage", ["truncated", "missing", "changed", "no manifest"])
def test_damaged_standin_is_refused(small, damage):
    data.load_cifar10(train=True, source="standin")
    folder = data.standin_folder()
    batch = folder / CIFAR10.base_folder / "data_batch_3"
    if damage == "truncated":
        batch.write_bytes(batch.read_bytes()[:1000])
    elif damage == "missing":
        batch.unlink()
    elif damage == "changed":
        raw = bytearray(batch.read_bytes())
        raw[-100] ^= 0xFF
        batch.write_bytes(bytes(raw))
    else:
        (folder / data.MANIFEST).unlink()
    for source in ("standin", "auto"):
        with pytest.raises(data.DataError) as err:
            data.load_cifar10(train=True, source=source)
        message = str(err.value)
        assert str(folder) in message and "Delete" in message
        if damage != "no manifest":
            assert "data_batch_3" in message
    shutil.rmtree(folder)                                # the fix the message gives works
    assert len(data.load_cifar10(train=True, source="standin")) == SMALL["quick"][0]


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_damaged_real_set_is_refused_not_replaced(small, monkeypatch, tmp_path, damage):
    standin = data.generate_standin(tmp_path / "pretend", 50, 20)
    real = _standin_as_real(monkeypatch, standin)
    batch = real / CIFAR10.base_folder / "test_batch"
    if damage == "truncated":
        batch.write_bytes(batch.read_bytes()[:5000])
    else:
        batch.unlink()
    for source in ("auto", "real"):
        with pytest.raises(data.DataError) as err:
            data.load_cifar10(train=True, source=source)
        assert str(real / CIFAR10.base_folder) in str(err.value) and "test_batch" in str(err.value)
        assert "Delete the folder" in str(err.value)
    assert not data.standin_folder().exists()           # no silent switch to other data


def test_a_small_cnn_learns_the_standin():
    """A tiny CNN trained for a few seconds on a few hundred images clearly beats chance (10%)."""
    root = data.generate_standin(data.data_root() / "learn", 800, 400)
    to_tensor = lambda ds: (torch.from_numpy(ds.data).permute(0, 3, 1, 2).float() / 255 - 0.5,   # noqa: E731
                            torch.tensor(ds.targets))
    x_train, y_train = to_tensor(data.StandInCIFAR10(root, train=True))
    x_test, y_test = to_tensor(data.StandInCIFAR10(root, train=False))
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.AvgPool2d(2), torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.AdaptiveMaxPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)            # small tensors: more threads only contend on a busy machine
    try:
        for _ in range(8):
            for start in range(0, len(x_train), 50):
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(x_train[start:start + 50]), y_train[start:start + 50])
                loss.backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    assert accuracy > 0.25, f"test accuracy {accuracy:.2f}: the stand-in's classes should be learnable"
