import pytest
import torch

from grader.device import pick_device


def test_defaults_to_cuda_only_when_available(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device() == torch.device(expected)


def test_cpu_can_be_forced(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "CPU ")
    assert pick_device() == torch.device("cpu")


def test_cuda_without_gpu_says_what_to_do(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no usable GPU.*unset COURSE_DEVICE"):
        pick_device()


def test_unknown_device_is_rejected(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "tpu")
    with pytest.raises(ValueError, match="'tpu' is not a device"):
        pick_device()
