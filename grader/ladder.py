"""The speed ladder's recorded results, read and drawn for notebook 04.

`benchmarks/gpu_ladder.py` trains LeNet with a ladder of input pipelines and writes one JSON file per machine to
`benchmarks/results/<device>.json`. The notebook shows those files next to what it measures live, and must never
show a number that no file holds: `recorded_results` reads only what is there (nothing in a copy of the package
installed without the repository, as in Colab), and `draw_ladder` labels every bar with where it comes from.
"""
from __future__ import annotations

import json
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
SHORT_NAMES = {1: "1. blitz: loader, batch 4", 2: "2. loader: large batch, pinned", 3: "3. resident, large batch",
               4: "4. compiled / CUDA graphs"}
_KEYS = {"device", "target", "rungs"}


def recorded_results(kind: str | None = None, folder: Path | str | None = None) -> list[dict]:
    """The ladder results in `folder` (benchmarks/results by default; its subfolders hold other benchmarks), of
    one device type ("cpu" or "cuda") if `kind` is given, sorted by file name. Files in another format are left out."""
    if kind not in (None, "cpu", "cuda"):
        raise ValueError(f"kind={kind!r}: ask for 'cpu', 'cuda' or None (every device)")
    folder = Path(folder) if folder is not None else RESULTS_DIR
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            res = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(res, dict) and _KEYS <= set(res) and kind in (None, res["device"]["type"]):
            found.append(res)
    return found


def label(res: dict) -> str:
    """`recorded: <device name>, <date>`: how every recorded number is introduced."""
    return f"recorded: {res['device']['name']}, {res['date'][:10]}"


def rates(res: dict) -> dict[int, float]:
    """Images per second of each rung that ran, by rung number."""
    return {r["rung"]: r["images_per_s"] for r in res["rungs"] if "images_per_s" in r}


def describe(res: dict) -> str:
    """One result as text: the run on one line, then one line per rung (time to target, speed-up, images/s)."""
    load = res.get("load_average_1min", {})
    lines = [f"{label(res)} ({res['device']['type']}, torch {res.get('torch', '?')}): target test accuracy "
             f"{res['target']['accuracy']:.0%} within {res.get('max_epochs', '?')} epochs, "
             f"{res.get('train_images', 0):,} training images, load {load.get('start', 0):.1f} -> "
             f"{load.get('end', 0):.1f}"]
    for r in res["rungs"]:
        if "images_per_s" not in r:
            lines.append(f"  {r['rung']}. {r.get('name', '')[:50]:50} failed: {r.get('error', 'no result')}")
            continue
        reached = (f"{r['seconds_to_target']:7.1f} s to target" if r.get("seconds_to_target") is not None
                   else "target not reached")
        speedup = f"x{r['speedup_to_target']:.1f}" if r.get("speedup_to_target") is not None else "-"
        lines.append(f"  {r['rung']}. {r['name'][:50]:50} {reached:>20} {speedup:>7} {r['images_per_s']:>10,.0f} "
                     f"img/s" + ("" if r.get("kept", True) else " (not kept)"))
    floor = res.get("floor")
    if floor:
        lines.append(f"  floor ({floor['precision']}): {floor['floor_images_per_s_eager']:,.0f} img/s with one "
                     f"kernel per operation; the best rung reaches {floor['best_fraction_of_eager_floor']:.0%} of it")
    return "\n".join(lines)


def draw_ladder(live: dict[int, float] | None = None, live_label: str = "live here", results=None, ax=None):
    """Print every recorded result and draw one bar per rung and source (images per second, log scale): the live
    rates first (rung -> images/s), then each recorded file. Says so when no GPU result is recorded.
    Returns the matplotlib axes."""
    import matplotlib.pyplot as plt

    results = recorded_results() if results is None else results
    for res in results:
        print(describe(res))
    if not any(res["device"]["type"] == "cuda" for res in results):
        print("No GPU result is recorded in benchmarks/results: run python benchmarks/gpu_ladder.py on a GPU to "
              "add one.")
    bars = ({live_label: live} if live else {}) | {label(res): rates(res) for res in results}
    if not bars:
        raise ValueError("nothing to draw: pass live rates or add a result file to benchmarks/results")
    rungs = sorted({rung for by_rung in bars.values() for rung in by_rung})
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 1.0 + 0.45 * len(rungs) * len(bars)))
    height = 0.8 / len(bars)
    for i, (name, by_rung) in enumerate(bars.items()):
        ys = [rungs.index(rung) + i * height for rung in by_rung]
        ax.barh(ys, list(by_rung.values()), height=height, label=name, color=f"C{i % 10}")
        for y, rate in zip(ys, by_rung.values()):
            ax.text(rate, y, f" {rate:,.0f}", va="center", fontsize="small")
    ax.set_yticks([i + (len(bars) - 1) * height / 2 for i in range(len(rungs))],
                  [SHORT_NAMES.get(rung, str(rung)) for rung in rungs])
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlim(right=max(max(r.values()) for r in bars.values()) * 5)
    ax.set_xlabel("training images per second (log scale)")
    ax.set_ylabel("rung")
    ax.set_title("LeNet speed ladder: live and recorded")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax
