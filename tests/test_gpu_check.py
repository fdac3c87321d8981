"""The one-call GPU check (tests/gpu/check.sh), rehearsed on the CPU so that its first run on a lent GPU is not
its first run: every step (notebooks, the course grader, the speed ladder) runs small and must pass, and the
output folder holds what the GPU run will bring back."""
import json
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_gpu_check_rehearsal(tmp_path):
    out = tmp_path / "gpu-check"
    proc = subprocess.run(["bash", str(REPO / "tests" / "gpu" / "check.sh"), str(out), "--rehearse"],
                          capture_output=True, text=True, timeout=600)
    summary = (out / "summary.txt").read_text() if (out / "summary.txt").is_file() else ""
    logs = "\n".join(f"== {p.name}\n{p.read_text()[-2000:]}" for p in sorted(out.glob("*.log")))
    assert proc.returncode == 0, proc.stdout + proc.stderr + summary + logs
    for step in ("notebooks", "grading", "sweep", "ladder"):
        assert f"{step}: passed" in summary, summary
    assert sorted(p.name for p in out.iterdir()) == ["env.txt", "grading.log", "ladder.json", "ladder.log",
                                                       "notebooks.log", "summary.txt", "sweep.json", "sweep.log"]
    ladder = json.loads((out / "ladder.json").read_text())
    assert ladder, "the ladder wrote an empty result"
    assert ladder["recipe"]["source"].startswith("tuned by"), "the ladder uses the recipe its sweep found"
