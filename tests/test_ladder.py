"""`grader.ladder`: notebook 04 shows only what a result file holds, and says so when no GPU result exists."""
import json

import matplotlib
import pytest

from grader import ladder

matplotlib.use("Agg")


def _result(kind, name, date="2026-12-01T10:00:00"):
    return {"device": {"type": kind, "name": name}, "date": date, "torch": "2.x", "target": {"accuracy": 0.35},
            "max_epochs": 20, "train_images": 5000, "load_average_1min": {"start": 0.5, "end": 0.7},
            "rungs": [{"rung": 1, "name": "blitz", "images_per_s": 1000.0, "seconds_to_target": 10.0,
                       "speedup_to_target": 1.0, "kept": True},
                      {"rung": 3, "name": "resident", "images_per_s": 20000.0, "seconds_to_target": None,
                       "speedup_to_target": None, "kept": True},
                      {"rung": 4, "name": "graphs", "error": "needs CUDA"}],
            "floor": {"precision": "FP32", "floor_images_per_s_eager": 50000.0, "best_fraction_of_eager_floor": 0.4}}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "cpu.json").write_text(json.dumps(_result("cpu", "Some CPU")))
    (tmp_path / "gpu.json").write_text(json.dumps(_result("cuda", "Some GPU")))
    (tmp_path / "old.json").write_text(json.dumps({"device": "cpu"}))          # an older format: left out
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.json").write_text(json.dumps(_result("cuda", "In a subfolder")))
    return tmp_path


def test_recorded_results_reads_only_ladder_files_at_the_top(folder):
    assert [r["device"]["name"] for r in ladder.recorded_results(folder=folder)] == ["Some CPU", "Some GPU"]
    assert [r["device"]["name"] for r in ladder.recorded_results("cuda", folder)] == ["Some GPU"]
    assert ladder.recorded_results(folder=folder / "missing") == []
    with pytest.raises(ValueError, match="'cpu', 'cuda' or None"):
        ladder.recorded_results("gpu", folder)


def test_the_repository_results_load():
    for res in ladder.recorded_results():
        assert ladder.rates(res), res["device"]


def test_describe_labels_recorded_numbers_and_failed_rungs(folder):
    text = ladder.describe(ladder.recorded_results("cuda", folder)[0])
    assert text.startswith("recorded: Some GPU, 2026-12-01")
    assert "10.0 s to target" in text and "target not reached" in text and "failed: needs CUDA" in text
    assert "40% of it" in text


def test_draw_ladder_says_when_no_gpu_result_exists(folder, capsys):
    cpu_only = ladder.recorded_results("cpu", folder)
    ax = ladder.draw_ladder({1: 500.0, 3: 4000.0}, live_label="live here", results=cpu_only)
    out = capsys.readouterr().out
    assert "No GPU result is recorded" in out and "recorded: Some CPU" in out
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["live here", "recorded: Some CPU, 2026-12-01"]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    ladder.draw_ladder(results=ladder.recorded_results(folder=folder))
    assert "No GPU result" not in capsys.readouterr().out
    with pytest.raises(ValueError, match="nothing to draw"):
        ladder.draw_ladder(results=[])
