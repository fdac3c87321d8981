"""Reports of a graded batch: summary table, per-exercise pass rates, score histogram (PNG), per-student JSON."""
from __future__ import annotations

import json
from pathlib import Path


def table(summary: dict) -> str:
    rows = [f"{'student':28} {'score':>11} {'time':>6}  reasons"]
    for s, f in sorted(summary["students"].items()):
        reasons = ", ".join(sorted({r[0] for r in f["reasons"]})) or "-"
        rows.append(f"{s[:28]:28} {f['score']:>5g} / {f['max']:<3g} {f['seconds']:>5.1f}s  {reasons}")
    rates = pass_rates(summary)
    rows.append("")
    rows.append("pass rate per test cell: " + ", ".join(f"{g} {r:.0%}" for g, r in rates.items()))
    rows.append(f"{len(summary['students'])} submissions graded in {summary['seconds']:.1f} s "
                f"with {summary['workers']} worker(s)" + (f" on {summary['scheduler']}" if summary.get("scheduler")
                                                          else ""))
    return "\n".join(rows)


def pass_rates(summary: dict) -> dict[str, float]:
    counts = {}
    for f in summary["students"].values():
        for gid, cell in f["cells"].items():
            n, p = counts.get(gid, (0, 0))
            counts[gid] = (n + 1, p + bool(cell["passed"]))
    return {gid: p / n for gid, (n, p) in counts.items() if n}


def load():
    """matplotlib's pyplot, drawing into files (the batch imports it ahead, while its workers grade)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def histogram(summary: dict, path: Path) -> None:
    plt = load()
    scores = [f["score"] for f in summary["students"].values()]
    top = summary["max_score"] or 1
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.hist(scores, bins=[x - 0.5 for x in range(int(top) + 2)], color="tab:blue", edgecolor="white")
    ax1.set_xlabel(f"score (out of {top:g})")
    ax1.set_ylabel("students")
    ax1.set_title(f"{summary['assignment']}: scores of {len(scores)} submissions")
    rates = pass_rates(summary)
    ax2.barh(list(rates), [100 * r for r in rates.values()], color="tab:green")
    ax2.set_xlim(0, 100)
    ax2.set_xlabel("% of submissions passing")
    ax2.set_title("pass rate per test cell")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_all(summary: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    students = folder / "students"
    students.mkdir(exist_ok=True)
    for s, f in summary["students"].items():
        (students / f"{s}.json").write_text(json.dumps({"assignment": summary["assignment"], **f}, indent=1))
    (folder / "pass_rates.json").write_text(json.dumps(pass_rates(summary), indent=1))
    (folder / "summary.txt").write_text(table(summary) + "\n")
    if summary["students"]:
        histogram(summary, folder / "histogram.png")
