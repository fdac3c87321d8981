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

import pytest

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
    assert {"torch", "date", "target", "recipe", "train_images", "test_images", "data", "rungs", "floor", "quiet",
            "load_average_1min"} <= set(result)
    target = result["target"]["accuracy"]
    rows = {r["rung"]: r for r in result["rungs"]}
    assert sorted(rows) == [1, 2, 3], "on a CPU the ladder runs rungs 1 to 3 (rung 4 needs CUDA)"
    blitz = rows[1]
    assert blitz["batch_size"] == 4 and blitz["speedup_to_target"] == 1.0 and blitz["throughput_ratio"] == 1.0
    assert blitz["final_accuracy"] == target, "without --target the blitz's final accuracy is the target"
    for r in rows.values():
        assert r["images_per_s"] > 0 and r["kept"] is True and r["name"]
        reached = [s for s, _, acc in r["history"] if acc >= target]
        assert r["seconds_to_target"] == (reached[0] if reached else None), "time to target = first evaluation there"
        if r["seconds_to_target"] is not None:
            assert abs(r["speedup_to_target"] - blitz["seconds_to_target"] / r["seconds_to_target"]) < 1e-9
    floor = result["floor"]
    assert floor["flops_per_image"] > 0 and floor["floor_images_per_s_eager"] > 0 and floor["precision"]
    assert "x rung 1" in done.stdout and "time to test accuracy" in done.stdout, "the table is printed"


def test_busy_machine_is_refused(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    ladder = _module(SCRIPT)
    monkeypatch.setattr(ladder, "load_average", lambda: 99.0)
    with pytest.raises(SystemExit) as stop:
        ladder.main(["--train-size", "8", "--device", "cpu"])
    assert "load average is 99.0" in str(stop.value) and "--allow-busy" in str(stop.value)


def test_tensor_lr_sgd_matches_torch_sgd_through_a_warm_up(monkeypatch):
    """The CUDA-graph rung's optimizer must train exactly like torch.optim.SGD, warm-up included (checked on CPU)."""
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    import torch
    rungs = _module(SCRIPT.parent / "ladder_rungs.py")
    recipe = rungs.Recipe(batch_size=8, lr=0.1, warmup_epochs=1.0)
    assert [round(recipe.lr_at(i, 4), 3) for i in range(6)] == [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
    assert rungs.Recipe(8, 0.1).lr_at(0, 4) == 0.1
    torch.manual_seed(0)
    data = [(torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,))) for _ in range(6)]
    models = [rungs.new_model(torch.device("cpu")) for _ in range(2)]
    reference = torch.optim.SGD(models[0].parameters(), lr=recipe.lr, momentum=rungs.MOMENTUM)
    ours = rungs.TensorLRSGD(models[1].parameters(), recipe.lr)
    for i, (x, y) in enumerate(data):
        rungs.set_lr(reference, recipe.lr_at(i, 4))
        ours.set_lr(recipe.lr_at(i, 4))
        for model, opt in zip(models, (reference, ours)):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    for a, b in zip(*(m.parameters() for m in models)):
        torch.testing.assert_close(a, b)


def test_flop_count_of_lenet(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    rungs, floor = _module(SCRIPT.parent / "ladder_rungs.py"), _module(SCRIPT.parent / "ladder_floor.py")
    counts = floor.count_per_image(rungs.LeNet())
    assert counts["parameters"] == 62006
    macs = 6 * 28 * 28 * 75 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10
    assert 2 * macs <= counts["forward_flops_per_image"] < 2 * macs * 1.05
    assert 2 * counts["forward_flops_per_image"] < counts["flops_per_image"] < 3 * counts["forward_flops_per_image"]


def test_autograde_bench_batch(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    monkeypatch.setenv("COURSE_PROFILE", "quick")   # the script sets it when unset; keep that out of other tests
    bench = _module(REPO / "benchmarks" / "autograde_bench.py")
    subs = bench.batch()
    assert len(subs) == 12, "the benchmark grades 12 submissions of 01 (issue #16)"
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
