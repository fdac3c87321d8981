"""Smoke tests of the benchmark scripts: gpu_ladder.py runs end to end on the CPU and writes the JSON the notebook
reads; autograde_bench.py builds its batch (grading it takes minutes, so it is not run here).

Benchmarks are not tests: nothing here looks at the speeds, only at the shape of what the script writes.
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "gpu_ladder.py"


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_writes_the_result_json(tmp_path):
    out = tmp_path / "ladder.json"
    env = {**os.environ, "COURSE_DEVICE": "cpu", "COURSE_PROFILE": "quick", "COURSE_CIFAR": "standin"}
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--threads", "1", "--out", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"gpu_ladder.py --quick failed:\n{done.stdout}\n{done.stderr}"
    result = json.loads(out.read_text())
    assert result["device"]["type"] == "cpu" and result["device"]["name"] and result["device"]["slug"]
    assert {"torch", "date", "epochs", "train_images", "test_images", "data", "rungs", "floor"} <= set(result)
    rows = {r["rung"]: r for r in result["rungs"]}
    assert sorted(rows) == [1, 2, 3], "on a CPU the ladder runs rungs 1 to 3 (rung 4 needs CUDA)"
    for r in rows.values():
        assert r["images_per_s"] > 0 and 0 <= r["test_accuracy"] <= 1 and r["kept"] is True
        assert len(r["epoch_seconds"]) == result["epochs"] and r["batch_size"] > 0 and r["name"]
    assert rows[1]["batch_size"] == 4 and rows[1]["ratio_to_rung1"] == 1.0
    floor = result["floor"]
    assert floor["flops_per_image"] > 0 and floor["floor_images_per_s_eager"] > 0 and floor["assumption"]
    assert "x rung 1" in done.stdout, "the table is printed"


def test_flop_count_of_lenet():
    ladder = _module(SCRIPT)
    counts = ladder.count_per_image(ladder.LeNet())
    assert counts["parameters"] == 62006
    macs = 6 * 28 * 28 * 75 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10
    assert 2 * macs <= counts["forward_flops_per_image"] < 2 * macs * 1.05
    assert 2 * counts["forward_flops_per_image"] < counts["flops_per_image"] < 3 * counts["forward_flops_per_image"]


def test_autograde_bench_batch(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    monkeypatch.setenv("COURSE_PROFILE", "quick")   # the script sets it when unset; keep that out of other tests
    bench = _module(REPO / "benchmarks" / "autograde_bench.py")
    subs = bench.batch()
    assert len(subs) >= 12, "issue #8 asks for at least 12 submissions"
    assert {"reference", "untouched"} <= set(subs)
    assert all(name.startswith("wrong-") for name in set(subs) - {"reference", "untouched"})


def test_cuda_sim_cost_writes_a_ratio(tmp_path):
    out = tmp_path / "cost.json"
    env = {**os.environ, "COURSE_PROFILE": "quick", "COURSE_CIFAR": "standin"}
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "cuda_sim_cost.py"), "01-tensors", "--out",
                           str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"cuda_sim_cost.py failed:\n{done.stdout}\n{done.stderr}"
    result = json.loads(out.read_text())
    row = result["notebooks"]["01-tensors"]
    assert row["cpu_s"] > 0 and row["cuda_sim_s"] > 0 and abs(row["ratio"] - row["cuda_sim_s"] / row["cpu_s"]) < 0.1
    assert set(result["load_average_1min"]) == {"before", "after"} and isinstance(result["quiet"], bool)
