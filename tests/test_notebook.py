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
