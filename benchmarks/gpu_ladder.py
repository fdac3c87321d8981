#!/usr/bin/env python3
"""How fast can the blitz LeNet reach the blitz's own accuracy on this machine? A ladder of versions, one run.

    python benchmarks/gpu_ladder.py --train-size 5000 --test-size 2000     # results/<device>.json
    python benchmarks/gpu_ladder.py --sweep --train-size 5000 --test-size 2000   # tune rungs 2-4 first
    python benchmarks/gpu_ladder.py --quick         # tiny sizes, seconds: checks that it runs

A faster pipeline that learns less is not faster, so the ladder measures **time to a target test accuracy**, as
fast-training benchmarks do. The target is the accuracy the blitz pipeline reaches after its epochs (or
`--target`). Every other rung trains until its test accuracy, measured four times per epoch with the clock stopped,
first reaches the target (and for at least two epochs, so that images per second can leave out the first one):

1. blitz: the 60-minute-blitz pipeline. A DataLoader over the data set (PIL image -> ToTensor -> Normalize per
   item), batch 4, 2 workers, a host-to-device copy of every batch, SGD lr 0.001 momentum 0.9. It sets the target.
2. loader: the same DataLoader with a large batch, persistent workers, pinned memory and `non_blocking` copies
   (pinning only on CUDA: it needs an accelerator).
3. resident: the whole data set converted once and kept on the device; batches are index gathers there.
4. graphs: rung 3 plus `torch.compile` (default and `mode="reduce-overhead"`, which uses CUDA graphs) and a
   hand-captured CUDA graph of the whole step. CUDA only; the variant fastest to the target is kept if it beats rung 3.

Rungs 2-4 share one recipe (batch size, learning rate, linear warm-up): the best one `--sweep` found on this device
(`results/ladder-sweep/<device>.json`), else `--batch/--lr/--warmup`, else a default that the JSON marks untuned.
Each rung is reported with its time to the target, its ratio to the blitz's time (the speed-up), its images per
second and their ratio to the blitz's. A run that starts on a busy machine is refused (`--allow-busy` runs it and
marks it `"quiet": false`). At the end the best rung is compared with a floor for LeNet on this device (see
ladder_floor.py). Notebook 04-gpu-training plots the result files.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import numpy as np
import torch

from ladder_report import RESULTS, RUNG_NAMES, SWEEPS, run_ladder, run_sweep
from ladder_rungs import to_resident
from machine import device_name, device_slug, is_quiet, load_average

REPO = Path(__file__).resolve().parent.parent


def load_arrays(train_size: int, test_size: int, source: str | None):
    """(train_images, train_labels, test_images, test_labels, description): uint8 NHWC and int64 NumPy arrays from
    the course's data module (real CIFAR-10 or its stand-in), else random images (then only speed means anything)."""
    try:
        from grader.data import load_cifar10
    except ImportError:
        load_cifar10 = None
    if load_cifar10 is not None and source != "random":
        arrays = []
        for train in (True, False):
            ds = load_cifar10(train=train, source=source)
            arrays += [np.asarray(ds.data, dtype=np.uint8), np.asarray(ds.targets, dtype=np.int64)]
        described = (f"grader.data.load_cifar10 ({type(ds).__name__}, "
                     f"source={source or os.environ.get('COURSE_CIFAR', 'auto')})")
    else:
        rng = np.random.default_rng(0)
        arrays = [rng.integers(0, 256, (train_size, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, train_size),
                  rng.integers(0, 256, (test_size, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, test_size)]
        described = "random CIFAR-shaped tensors (grader.data not available): accuracy is chance level"
    x, y, tx, ty = arrays
    return x[:train_size], y[:train_size], tx[:test_size], ty[:test_size], described


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add = p.add_argument
    add("--epochs", type=int, default=None, help="epochs of the blitz rung, which set the target (default 2)")
    add("--target", type=float, default=None, help="target test accuracy (default: the blitz rung's final one)")
    add("--max-epochs", type=int, default=None, help="give up on a rung after this many epochs (default 20)")
    add("--rungs", default="1,2,3,4", help="comma-separated rungs to run (default 1,2,3,4)")
    add("--sweep", action="store_true", help="tune the recipe of rungs 2-4 on the resident pipeline instead")
    add("--quick", action="store_true", help="tiny sizes (seconds): checks that everything runs")
    add("--out", type=Path, default=None, help="JSON path (default benchmarks/results/<device>.json)")
    add("--sweep-file", type=Path, default=None,
        help="the sweep whose best recipe rungs 2-4 use (default results/ladder-sweep/<device>.json)")
    add("--batch", type=int, default=None, help="batch size of rungs 2-4 (default: the sweep's best)")
    add("--lr", type=float, default=None, help="peak learning rate of rungs 2-4 (default: the sweep's best)")
    add("--warmup", type=float, default=None, help="linear warm-up of rungs 2-4, in epochs (default: the sweep's)")
    add("--train-size", type=int, default=None, help="training images (default all; --quick: 256)")
    add("--test-size", type=int, default=None, help="test images (default all; --quick: 128)")
    add("--workers", type=int, default=2, help="DataLoader workers of rungs 1 and 2 (default 2)")
    add("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    add("--device", default=None, help="cpu or cuda (default: $COURSE_DEVICE, else cuda if available)")
    add("--source", default=None, help="data: real, standin, auto or random (default: $COURSE_CIFAR)")
    add("--peak-gflops", type=float, default=None, help="override the device's peak FP32 GFLOP/s")
    add("--peak-gbps", type=float, default=None, help="override the device's memory bandwidth, GB/s")
    add("--allow-busy", action="store_true", help="run even when the machine is busy (the JSON says so)")
    args = p.parse_args(argv)
    args.epochs = args.epochs or (1 if args.quick else 2)
    args.max_epochs = args.max_epochs or (2 if args.quick else 20)
    args.train_size = args.train_size or (256 if args.quick else 50_000)
    args.test_size = args.test_size or (128 if args.quick else 10_000)
    args.rungs = sorted({int(r) for r in args.rungs.split(",") if r.strip()})
    if not set(args.rungs) <= set(RUNG_NAMES):
        p.error(f"--rungs: choose from {sorted(RUNG_NAMES)}")
    if 1 not in args.rungs and args.target is None and not args.sweep:
        p.error("without rung 1 there is no blitz accuracy to aim at: add --target")
    return args


def pick(device_arg: str | None) -> torch.device:
    wanted = (device_arg or os.environ.get("COURSE_DEVICE", "")).strip().lower()
    if wanted == "cuda" and not torch.cuda.is_available():
        sys.exit("cuda asked for, but torch.cuda.is_available() is False on this machine")
    return torch.device(wanted or ("cuda" if torch.cuda.is_available() else "cpu"))


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.quick:
        os.environ.setdefault("COURSE_PROFILE", "quick")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    device = pick(args.device)
    load_start = load_average()
    if not is_quiet(load_start) and not (args.allow_busy or args.quick):
        sys.exit(f"The 1-minute load average is {load_start} on {os.cpu_count()} cores: timings taken now would "
                 f"measure the other work. Wait for a quiet machine, or pass --allow-busy (the JSON records it).")
    if args.threads:
        torch.set_num_threads(args.threads)
    x, y, tx, ty, described = load_arrays(args.train_size, args.test_size, args.source)
    data = {"train_np": (x, y), "train_dev": to_resident(x, y, device), "test": to_resident(tx, ty, device)}
    print(f"device: {device_name(device)} | torch {torch.__version__} | data: {described}\n"
          f"{len(x)} training and {len(tx)} test images | load average {load_start}")
    result = (run_sweep if args.sweep else run_ladder)(args, device, data)
    result.update({"device": {"type": device.type, "name": device_name(device), "slug": device_slug(device)},
                   "torch": torch.__version__, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                   "data": described, "train_images": len(x), "test_images": len(tx),
                   "threads": torch.get_num_threads(), "workers": args.workers, "quick": args.quick,
                   "load_average_1min": {"start": load_start, "end": load_average()}, "quiet": is_quiet(load_start),
                   "command": "python benchmarks/gpu_ladder.py " + " ".join(argv if argv is not None else sys.argv[1:])})
    out = args.out or (SWEEPS if args.sweep else RESULTS) / f"{device_slug(device)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {out}" + ("" if result["quiet"] else " (the machine was busy: not a result to commit)"))
    return result


if __name__ == "__main__":  # DataLoader workers re-import this file on spawn platforms: keep the guard
    main()
