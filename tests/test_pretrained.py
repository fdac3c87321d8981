"""grader.pretrained: which backbone notebook 05 gets, always in one printed line, never through the network here.

Every test blocks the network (a connection attempt fails the test), and the "weights" are a randomly initialised
ResNet-18's state dict written by the test into a temporary torch cache under the file name torchvision uses.
"""
import socket

import pytest
import torch
import torchvision

from grader import pretrained


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """A torch cache of our own, and no network: any connection attempt fails the test."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv(pretrained.DOWNLOAD_ENV, raising=False)

    def no_network(*args, **kwargs):
        raise AssertionError("the test tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)


def _write_weights(seed=0):
    torch.manual_seed(seed)
    state = torchvision.models.resnet18(weights=None).state_dict()
    path = pretrained.weights_file()
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    return state


def _one_line(capsys):
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(pretrained.PREFIX), out.out
    assert out.err == ""
    return lines[0]


def test_weights_file_is_torchvisions_cache_file(tmp_path):
    path = pretrained.weights_file()
    assert path.parent == tmp_path / "torch" / "hub" / "checkpoints"
    assert path.name == torchvision.models.ResNet18_Weights.DEFAULT.url.rsplit("/", 1)[-1]


def test_standin_data_never_reads_or_downloads(capsys):
    _write_weights()                         # present, and still not used: the stand-in's runs print the same
    assert pretrained.imagenet_resnet18(standin=True) is None
    assert "stand-in" in _one_line(capsys)


def test_cached_weights_are_loaded_without_network(capsys):
    state = _write_weights(seed=3)
    model = pretrained.imagenet_resnet18(standin=False)
    line = _one_line(capsys)
    assert "ImageNet weights" in line and str(pretrained.weights_file().parent) in line
    assert isinstance(model, torchvision.models.ResNet) and not model.training
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    with torch.no_grad():
        assert model(torch.randn(1, 3, 64, 64)).shape == (1, 1000)


def test_cached_weights_are_used_even_with_downloads_off(monkeypatch, capsys):
    monkeypatch.setenv(pretrained.DOWNLOAD_ENV, "0")
    _write_weights()
    assert pretrained.imagenet_resnet18(standin=False) is not None
    assert "ImageNet weights" in _one_line(capsys)


@pytest.mark.parametrize("value", ["0", "off", "False"])
def test_downloads_off_falls_back(monkeypatch, capsys, value):
    monkeypatch.setenv(pretrained.DOWNLOAD_ENV, value)
    assert pretrained.imagenet_resnet18(standin=False) is None
    line = _one_line(capsys)
    assert "switched off" in line and "small CNN" in line


def test_damaged_weights_file_is_named(capsys):
    path = pretrained.weights_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a checkpoint")
    assert pretrained.imagenet_resnet18(standin=False) is None
    line = _one_line(capsys)
    assert str(path) in line and "delete it" in line


def test_failed_download_falls_back_in_one_line(capsys):
    # the autouse fixture makes the connection fail, as it does on a machine without network
    assert pretrained.imagenet_resnet18(standin=False, timeout=0.1) is None
    line = _one_line(capsys)
    assert "could not be downloaded" in line and "small CNN" in line
    assert socket.getdefaulttimeout() is None       # the module put the global timeout back


def test_download_path_builds_the_model(monkeypatch, capsys):
    torch.manual_seed(5)
    state = torchvision.models.resnet18(weights=None).state_dict()
    monkeypatch.setattr(pretrained, "_reachable", lambda url, timeout: None)
    monkeypatch.setattr(type(pretrained.WEIGHTS), "get_state_dict", lambda self, **kwargs: state)
    model = pretrained.imagenet_resnet18(standin=False)
    assert "downloaded into" in _one_line(capsys)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_broken_download_falls_back(monkeypatch, capsys):
    def broken(self, **kwargs):
        raise RuntimeError('invalid hash value (expected "f37072fd", got "00000000")')

    monkeypatch.setattr(pretrained, "_reachable", lambda url, timeout: None)
    monkeypatch.setattr(type(pretrained.WEIGHTS), "get_state_dict", broken)
    assert pretrained.imagenet_resnet18(standin=False) is None
    assert "invalid hash" in _one_line(capsys)
