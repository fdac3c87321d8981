"""Running the ladder (or the sweep that tunes it) and turning the runs into the rows, table and JSON of a result.

Every number a reader compares comes from one run of one script on one machine: the target, each rung's time to
it, and the ratios to the blitz rung are all computed here from the same `train` histories.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from ladder_floor import count_per_image, describe, device_peaks, floor_report
from ladder_rungs import BLITZ, LeNet, Recipe, cuda_graph_rung, loader_rung, resident_rung
from machine import device_slug

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
SWEEPS = RESULTS / "ladder-sweep"
UNTUNED = Recipe(batch_size=256, lr=0.064)   # the blitz's lr scaled linearly with the batch, no warm-up
QUICK = Recipe(batch_size=64, lr=0.016)
RUNG_NAMES = {1: "blitz: DataLoader, batch 4, 2 workers, copy each step",
              2: "loader: large batch, pinned memory, non_blocking",
              3: "resident: data on the device, large batch",
              4: "graphs: resident + torch.compile / CUDA graphs"}
RUNG4 = {"torch.compile (default)":
         lambda data, device, recipe, **run: resident_rung(data, device, recipe, compile_mode="default", **run),
         'torch.compile mode="reduce-overhead" (CUDA graphs)':
         lambda data, device, recipe, **run: resident_rung(data, device, recipe, compile_mode="reduce-overhead",
                                                           **run),
         "whole step captured with torch.cuda.graph": cuda_graph_rung}
SWEEP_BATCHES, SWEEP_LR_SCALES, SWEEP_WARMUPS = (32, 64, 128, 256), (1, 2, 4, 8, 16), (0.0, 1.0)


def summarize(rung: int, name: str, recipe: Recipe, run: dict, images: int, target: float | None, note="") -> dict:
    """One row: time and epochs to the target from the evaluation history, and images per second over the epochs
    after the first (the first pays for worker start-up, warm-up and compilation)."""
    seconds = run["epoch_seconds"]
    timed = seconds[1:] or seconds
    per_epoch = min(run["steps_per_epoch"] * recipe.batch_size, images)
    hit = next(((s, e) for s, e, acc in run["history"] if target is not None and acc >= target), (None, None))
    return {"rung": rung, "name": name, **recipe.as_dict(), "kept": True, "note": note,
            "images_per_s": per_epoch * len(timed) / sum(timed), "epoch_seconds": seconds,
            "epoch_accuracy": [acc for _, e, acc in run["history"] if float(e).is_integer()],
            "final_accuracy": run["history"][-1][2], "seconds_to_target": hit[0], "epochs_to_target": hit[1],
            "history": run["history"]}


def recipe_for(args, device) -> tuple[Recipe, str]:
    """The recipe of rungs 2-4 and where it came from: the command line, this device's sweep, or a default."""
    base = QUICK if args.quick else UNTUNED
    if args.batch or args.lr is not None or args.warmup is not None:
        return Recipe(args.batch or base.batch_size, base.lr if args.lr is None else args.lr,
                      args.warmup or 0.0), "command line"
    sweep = args.sweep_file or SWEEPS / f"{device_slug(device)}.json"
    if sweep.exists() and (args.sweep_file or not args.quick):
        best = json.loads(sweep.read_text())["best"]
        if best:
            shown = sweep.resolve().relative_to(REPO) if sweep.resolve().is_relative_to(REPO) else sweep
            return Recipe(best["batch_size"], best["lr"], best["warmup_epochs"]), f"tuned by {shown}"
    return base, "untuned: no sweep for this device (run --sweep first)" if not args.quick else "quick run, untuned"


def run_blitz(args, device, data) -> tuple[dict, float]:
    """Rung 1 for its fixed epochs; its final accuracy is the target unless --target gives one."""
    run = loader_rung(data, device, BLITZ, args.workers, False, epochs=args.epochs)
    target = args.target if args.target is not None else run["history"][-1][2]
    return summarize(1, RUNG_NAMES[1], BLITZ, run, len(data["train_np"][0]), target), target


def run_ladder(args, device, data) -> dict:
    recipe, source = recipe_for(args, device)
    images = len(data["train_np"][0])
    rows, target = [], args.target
    to_target = {"max_epochs": args.max_epochs, "min_epochs": 1 if args.quick else 2}
    if 1 in args.rungs:
        row, target = run_blitz(args, device, data)
        rows.append(row)
        print(f"target: test accuracy {target:.3f}" + ("" if args.target else f" (the blitz's after {args.epochs} "
                                                                                f"epochs)"), flush=True)
        report(row)
    print(f"recipe of rungs 2-4: batch {recipe.batch_size}, lr {recipe.lr:g}, warm-up {recipe.warmup_epochs:g} "
          f"epochs ({source})", flush=True)
    if 2 in args.rungs:
        run = loader_rung(data, device, recipe, args.workers, True, target=target, **to_target)
        note = "" if device.type == "cuda" else "pinned memory and non_blocking only on CUDA"
        rows.append(report(summarize(2, RUNG_NAMES[2], recipe, run, images, target, note)))
    if 3 in args.rungs:
        rows.append(report(summarize(3, RUNG_NAMES[3], recipe, resident_rung(data, device, recipe, target=target,
                                                                             **to_target), images, target)))
    if 4 in args.rungs:
        rows += run_rung4(data, device, recipe, target, to_target, images, rows)
    ratios(rows)
    table(rows, target)
    kept = [r["images_per_s"] for r in rows if r.get("kept") and "images_per_s" in r]
    floor = floor_report(count_per_image(LeNet()), device_peaks(device, args.peak_gflops, args.peak_gbps),
                         max(kept, default=0.0))
    print("\n" + "\n".join(describe(floor)))
    how = "--target" if args.target is not None else f"the blitz rung's test accuracy after {args.epochs} epochs"
    return {"target": {"accuracy": target, "how": how}, "max_epochs": args.max_epochs, "epochs": args.epochs,
            "recipe": {**recipe.as_dict(), "source": source}, "rungs": rows, "floor": floor}


def run_rung4(data, device, recipe, target, to_target, images, rows) -> list[dict]:
    """Every compile/graph variant to the target; the fastest is kept only if it beats rung 3 there."""
    if device.type != "cuda":
        print("  rung 4 skipped: torch.compile and CUDA graphs are measured on CUDA only "
              "(on a CPU, compiling takes longer than this whole benchmark and CUDA graphs do not exist)")
        return []
    tried = []
    for label, rung in RUNG4.items():
        name = f"graphs: resident + {label}"
        try:
            tried.append(report(summarize(4, name, recipe, rung(data, device, recipe, target=target, **to_target),
                                          images, target)))
        except Exception as err:  # a variant that fails on this torch or GPU is reported, and the ladder goes on
            print(f"  rung 4 {label} failed: {type(err).__name__}: {err}")
            tried.append({"rung": 4, "name": name, "kept": False, "error": f"{type(err).__name__}: {err}"})
        torch._dynamo.reset()
    timed = [r for r in tried if r.get("seconds_to_target") is not None]
    for r in tried:
        r["kept"] = False
    resident = next((r for r in rows if r["rung"] == 3), None)
    best = min(timed, key=lambda r: r["seconds_to_target"], default=None)
    if best and (resident is None or resident["seconds_to_target"] is None
                 or best["seconds_to_target"] < resident["seconds_to_target"]):
        best["kept"] = True
    elif tried:
        print("  rung 4: no variant reached the target before rung 3 did; none kept")
    return tried


def ratios(rows: list[dict]) -> None:
    """Speed-up to the target and throughput ratio of every rung, both against the blitz rung of this run."""
    blitz = next((r for r in rows if r["rung"] == 1), None)
    for r in rows:
        if "images_per_s" not in r:
            continue
        mine, theirs = r["seconds_to_target"], blitz and blitz["seconds_to_target"]
        r["speedup_to_target"] = theirs / mine if mine and theirs else None
        r["throughput_ratio"] = r["images_per_s"] / blitz["images_per_s"] if blitz else None


def report(row: dict) -> dict:
    reached = (f"target after {row['seconds_to_target']:.1f} s ({row['epochs_to_target']:g} epochs)"
               if row["seconds_to_target"] is not None else f"target not reached in {len(row['epoch_seconds'])} "
                                                             f"epochs (best {max(a for *_, a in row['history']):.3f})")
    print(f"  rung {row['rung']} {row['name']}: {reached}, {row['images_per_s']:,.0f} img/s", flush=True)
    return row


def table(rows: list[dict], target: float | None) -> None:
    print(f"\ntime to test accuracy {target:.3f}\n{'rung':<5}{'version':<58}{'batch':>6}{'lr':>8}{'s':>9}"
          f"{'x rung 1':>10}{'img/s':>9}{'x rung 1':>10}")
    for r in rows:
        if "images_per_s" not in r:
            print(f"{r['rung']:<5}{r['name'][:57]:<58}{'failed':>12}")
            continue
        mark = "" if r["kept"] else " (not kept)"
        secs = f"{r['seconds_to_target']:.1f}" if r["seconds_to_target"] is not None else "missed"
        speed = f"{r['speedup_to_target']:.1f}" if r.get("speedup_to_target") else "-"
        thr = f"{r['throughput_ratio']:.1f}" if r.get("throughput_ratio") else "-"
        print(f"{r['rung']:<5}{(r['name'] + mark)[:57]:<58}{r['batch_size']:>6}{r['lr']:>8.3g}{secs:>9}{speed:>10}"
              f"{r['images_per_s']:>9,.0f}{thr:>10}")


def run_sweep(args, device, data) -> dict:
    """Each (batch, learning rate, warm-up) of a small grid on the resident pipeline, trained to the target; the
    fastest to reach it becomes the recipe of rungs 2-4 on this device. The learning rates are multiples of the
    blitz's lr scaled linearly with the batch. A recipe still short of the target after twice the best time so far
    is given up (it cannot win), which keeps diverging learning rates cheap."""
    target = args.target
    if target is None:
        row, target = run_blitz(args, device, data)
        print(f"target: test accuracy {target:.3f} (the blitz's after {args.epochs} epochs, {row['seconds_to_target']:.1f} s)")
    rows = []
    for batch in SWEEP_BATCHES:
        for scale in SWEEP_LR_SCALES:
            for warmup in SWEEP_WARMUPS:
                recipe = Recipe(batch, BLITZ.lr * batch / BLITZ.batch_size * scale, warmup)
                best = min((r["seconds_to_target"] for r in rows if r["seconds_to_target"]), default=None)
                run = resident_rung(data, device, recipe, target=target, max_epochs=args.max_epochs, min_epochs=1,
                                    max_seconds=best and 2 * best)
                row = summarize(3, "sweep", recipe, run, len(data["train_np"][0]), target)
                rows.append({k: row[k] for k in ("batch_size", "lr", "warmup_epochs", "seconds_to_target",
                                                 "epochs_to_target", "final_accuracy")})
                print(f"  batch {batch:4} lr {recipe.lr:<7.4g} warm-up {warmup:g}: "
                      + (f"{row['seconds_to_target']:.1f} s, {row['epochs_to_target']:g} epochs"
                         if row["seconds_to_target"] is not None else f"missed (best {row['final_accuracy']:.3f})"),
                      flush=True)
    reached = [r for r in rows if r["seconds_to_target"] is not None]
    best = min(reached, key=lambda r: r["seconds_to_target"], default=None)
    edges = best and {"batch_size": best["batch_size"] in (SWEEP_BATCHES[0], SWEEP_BATCHES[-1]),
                      "lr": any(abs(best["lr"] - BLITZ.lr * best["batch_size"] / BLITZ.batch_size * s) < 1e-12
                                for s in (SWEEP_LR_SCALES[0], SWEEP_LR_SCALES[-1]))}
    print(f"best: {best}" + (f"\n  on the edge of the grid in {[k for k, v in edges.items() if v]}: the optimum "
                             f"may lie outside it" if edges and any(edges.values()) else ""))
    return {"best_on_grid_edge": edges, "target": {"accuracy": target, "how": "--target" if args.target is not None else
                       f"the blitz rung's test accuracy after {args.epochs} epochs"},
            "max_epochs": args.max_epochs, "grid": rows, "best": best}
