import sys
import types
from pathlib import Path

import pytest
import torch

from grader.notebook import setup_notebook, show_error


def test_setup_notebook_prints_one_line_and_returns_device(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    assert setup_notebook(seed=5) == torch.device("cpu")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert f"torch {torch.__version__} | device: cpu (CPU) | profile: quick | seed: 5" in out


def test_show_error_prints_type_and_message(capsys):
    show_error(lambda: torch.zeros(2, 3).view(4))
    assert capsys.readouterr().out.startswith("RuntimeError: shape '[4]' is invalid for input of size 6")


def test_show_error_says_when_nothing_failed(capsys):
    show_error(lambda: None)
    assert capsys.readouterr().out == "(no error)\n"


def test_setup_notebook_uses_colabs_gpu_when_the_runtime_has_one(monkeypatch, capsys):
    """Colab sets no COURSE_DEVICE: a GPU runtime is used as it is (faked here, so no GPU is needed)."""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Tesla T4")
    assert setup_notebook(seed=0) == torch.device("cuda")
    assert "| device: cuda (Tesla T4) |" in capsys.readouterr().out


@pytest.mark.parametrize("colab", ["module", "env"])
def test_data_goes_to_colabs_disk_in_colab(monkeypatch, colab):
    from grader import standin
    monkeypatch.delenv(standin.DATA_ENV, raising=False)
    assert not standin.in_colab() and standin.data_root() == standin.REPO / "data"
    if colab == "module":    # what Colab's kernel has imported; the test never imports google.colab itself
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-external_20260101-060000")
    assert standin.in_colab() and standin.data_root() == Path("/content/data")
    monkeypatch.setenv(standin.DATA_ENV, "/somewhere/else")
    assert standin.data_root() == Path("/somewhere/else")
