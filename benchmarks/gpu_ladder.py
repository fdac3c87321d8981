#!/usr/bin/env python3
"""How fast can the blitz LeNet train on CIFAR-10-sized data on this machine? A ladder of versions, one run.

    python benchmarks/gpu_ladder.py                 # every rung, 2 epochs, results/<device>.json
    python benchmarks/gpu_ladder.py --quick         # tiny sizes, a few seconds: checks that it runs
    python benchmarks/gpu_ladder.py --epochs 5 --rungs 1,3 --out /tmp/ladder.json

The rungs (each trains the same LeNet from the same initial weights for the same number of epochs):

1. blitz: the 60-minute-blitz pipeline. A DataLoader over the data set (PIL image -> ToTensor -> Normalize per
   item), batch 4, 2 workers, and a host-to-device copy of every batch.
2. loader: the same DataLoader with a large batch, persistent workers, pinned memory and `non_blocking` copies
   (pinning only on CUDA: it needs an accelerator).
3. resident: the whole data set converted once and kept on the device; batches are index gathers there.
4. graphs: rung 3 plus `torch.compile` (default mode and `mode="reduce-overhead"`, which uses CUDA graphs) and a
   hand-captured CUDA graph of the whole training step. CUDA only; every variant is measured and the fastest is
   kept only if it beats rung 3.

The learning rate follows the batch (linear scaling from the blitz's 0.001 at batch 4, SGD with momentum 0.9), so
the accuracies are comparable; with a fixed number of epochs a large batch still takes fewer steps, which the
accuracy column shows honestly. Throughput counts the training images of every epoch after the first (the first
epoch pays for worker start-up, cuDNN/compile warm-up and graph capture; its time is reported separately) unless
there is only one epoch.

At the end the script compares the best rung with a floor for this net on this device: FLOPs and bytes per image of
LeNet forward and backward (counted from the layers' shapes) divided by the device's peak compute and memory
bandwidth. Results go to `benchmarks/results/<device-slug>.json`; notebook 04-gpu-training plots them.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import math
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
BLITZ_BATCH, BLITZ_LR, MOMENTUM = 4, 0.001, 0.9
MEAN = STD = (0.5, 0.5, 0.5)

RUNG_NAMES = {
    1: "blitz: DataLoader, batch 4, 2 workers, copy each step",
    2: "loader: large batch, pinned memory, non_blocking",
    3: "resident: data on the device, large batch",
    4: "graphs: resident + torch.compile / CUDA graphs",
}


class LeNet(nn.Module):
    """The LeNet of the PyTorch 60-minute blitz (62,006 parameters)."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


# ---------------------------------------------------------------------------------------------------- data

class ImageItems(Dataset):
    """uint8 HWC images served one at a time as PIL images through a transform, as torchvision's CIFAR10 does."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def load_arrays(train_size: int, test_size: int, source: str | None):
    """(train_images, train_labels, test_images, test_labels, description) as uint8 NHWC / int64 NumPy arrays.

    From the course's data module (real CIFAR-10 or its stand-in) when it is there, else random images of the same
    shape (accuracy is then chance level: only the speed means anything).
    """
    try:
        from grader.data import load_cifar10
    except ImportError:
        load_cifar10 = None
    if load_cifar10 is not None and source != "random":
        arrays = []
        for train in (True, False):
            ds = load_cifar10(train=train, source=source)
            arrays += [np.asarray(ds.data, dtype=np.uint8), np.asarray(ds.targets, dtype=np.int64)]
        kind = type(ds).__name__
        described = f"grader.data.load_cifar10 ({kind}, source={source or os.environ.get('COURSE_CIFAR', 'auto')})"
    else:
        rng = np.random.default_rng(0)
        arrays = [rng.integers(0, 256, (train_size, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, train_size),
                  rng.integers(0, 256, (test_size, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, test_size)]
        described = "random CIFAR-shaped tensors (grader.data not available): accuracy is chance level"
    x, y, tx, ty = arrays
    return x[:train_size], y[:train_size], tx[:test_size], ty[:test_size], described


def item_transform():
    from torchvision import transforms
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def to_resident(images: np.ndarray, labels: np.ndarray, device: torch.device):
    """The whole set converted once (same numbers as ToTensor + Normalize) and copied to the device once."""
    x = torch.from_numpy(images).to(device).permute(0, 3, 1, 2).float().div_(255)
    mean = torch.tensor(MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=device).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous(), torch.from_numpy(labels).to(device)


# ---------------------------------------------------------------------------------------------------- helpers

def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    model = platform.processor() or "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} ({os.cpu_count()} cores)"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def device_slug(device: torch.device) -> str:
    if device.type == "cuda":
        return slug(torch.cuda.get_device_name(device))
    return slug(f"cpu {device_name(device).split(' (')[0]} {os.cpu_count()}c")


def new_model(device: torch.device, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return LeNet().to(device)


def new_optimizer(model: nn.Module, batch_size: int) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=BLITZ_LR * batch_size / BLITZ_BATCH, momentum=MOMENTUM)


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> float:
    model.eval()
    correct = sum((model(images[i:i + batch]).argmax(1) == labels[i:i + batch]).sum().item()
                  for i in range(0, len(images), batch))
    model.train()
    return correct / len(images)


def throughput(epoch_seconds: list[float], images_per_epoch: int) -> float:
    timed = epoch_seconds[1:] if len(epoch_seconds) > 1 else epoch_seconds
    return images_per_epoch * len(timed) / sum(timed)


# ---------------------------------------------------------------------------------------------------- rungs

def run_loader(data, device, epochs, batch_size, workers, fast: bool):
    """Rungs 1 and 2: a DataLoader feeding the device, one copy per batch."""
    x, y = data["train_np"]
    cuda = device.type == "cuda"
    loader = DataLoader(ImageItems(x, y, item_transform()), batch_size=batch_size, shuffle=True,
                        num_workers=workers, generator=torch.Generator().manual_seed(0),
                        pin_memory=fast and cuda, persistent_workers=fast and workers > 0)
    non_blocking = fast and cuda
    model = new_model(device)
    optimizer = new_optimizer(model, batch_size)
    criterion = nn.CrossEntropyLoss()
    seconds = []
    for _ in range(epochs):
        sync(device)
        start = time.perf_counter()
        for images, labels in loader:
            images = images.to(device, non_blocking=non_blocking)
            labels = labels.to(device, non_blocking=non_blocking)
            optimizer.zero_grad(set_to_none=True)
            criterion(model(images), labels).backward()
            optimizer.step()
        sync(device)
        seconds.append(time.perf_counter() - start)
    return model, seconds, len(x)


def resident_epochs(step, data, device, epochs, batch_size, drop_last=False):
    """Run `step(images, labels)` over shuffled batches of the resident data; return epoch times, images/epoch."""
    x, y = data["train_dev"]
    n = len(x)
    usable = n - n % batch_size if drop_last else n
    gen = torch.Generator().manual_seed(0)
    seconds = []
    for _ in range(epochs):
        sync(device)
        start = time.perf_counter()
        order = torch.randperm(n, generator=gen).to(device)
        for i in range(0, usable, batch_size):
            idx = order[i:i + batch_size]
            step(x[idx], y[idx])
        sync(device)
        seconds.append(time.perf_counter() - start)
    return seconds, usable


def eager_step(model, optimizer, criterion):
    def step(images, labels):
        optimizer.zero_grad(set_to_none=True)
        criterion(model(images), labels).backward()
        optimizer.step()
    return step


def run_resident(data, device, epochs, batch_size):
    model = new_model(device)
    seconds, per_epoch = resident_epochs(eager_step(model, new_optimizer(model, batch_size), nn.CrossEntropyLoss()),
                                         data, device, epochs, batch_size)
    return model, seconds, per_epoch


def run_compiled(data, device, epochs, batch_size, mode):
    model = new_model(device)
    compiled = torch.compile(model, mode=mode)
    step = eager_step(compiled, new_optimizer(model, batch_size), nn.CrossEntropyLoss())
    # drop_last: one static batch shape, so reduce-overhead records one CUDA graph instead of two
    seconds, per_epoch = resident_epochs(step, data, device, epochs, batch_size, drop_last=True)
    return model, seconds, per_epoch


def run_cuda_graph(data, device, epochs, batch_size):
    """The whole training step (forward, loss, backward, SGD step) captured once as a CUDA graph and replayed."""
    model = new_model(device)
    optimizer = new_optimizer(model, batch_size)
    criterion = nn.CrossEntropyLoss()
    x, y = data["train_dev"]
    static_x, static_y = x[:batch_size].clone(), y[:batch_size].clone()
    initial = copy.deepcopy(model.state_dict())
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):           # warm-up on a side stream creates the momentum buffers before capture
        for _ in range(3):
            optimizer.zero_grad(set_to_none=True)
            criterion(model(static_x), static_y).backward()
            optimizer.step()
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        static_loss = criterion(model(static_x), static_y)
        static_loss.backward()
        optimizer.step()
    with torch.no_grad():                   # undo the warm-up, in place (the graph holds these addresses)
        for name, tensor in model.state_dict().items():
            tensor.copy_(initial[name])
        for state in optimizer.state.values():
            state["momentum_buffer"].zero_()   # zero momentum then one step == SGD's first step

    def step(images, labels):
        static_x.copy_(images)
        static_y.copy_(labels)
        graph.replay()

    seconds, per_epoch = resident_epochs(step, data, device, epochs, batch_size, drop_last=True)
    return model, seconds, per_epoch


# ---------------------------------------------------------------------------------------------------- floor

def count_per_image(model: nn.Module) -> dict:
    """FLOPs and bytes per image of one training step of LeNet (forward + backward), from the layers' shapes."""
    model = copy.deepcopy(model).cpu()
    acts, fwd_flops, first_flops = [], [], []

    def hook(module, inputs, output):
        elems = output[0].numel()                                    # per image (batch of 1)
        if isinstance(module, nn.Conv2d):
            macs = elems * module.in_channels // module.groups * math.prod(module.kernel_size)
        elif isinstance(module, nn.Linear):
            macs = elems * module.in_features
        else:
            macs = 0
        flops = 2 * macs + (0 if macs else inputs[0][0].numel())      # relu/pool: one op per input element
        fwd_flops.append(flops)
        if not first_flops and macs:
            first_flops.append(flops)
        acts.append(elems)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear,
                                                                                          nn.MaxPool2d))]
    # relu is functional in the blitz net: count it at the same sizes as the conv/linear outputs it follows
    model(torch.zeros(1, 3, 32, 32))
    for h in handles:
        h.remove()
    relu_elems = [a for a, f in zip(acts, fwd_flops) if f > a]       # conv/linear outputs (all but fc3 are relu'd)
    relu = sum(relu_elems[:-1])
    forward = sum(fwd_flops) + relu
    # backward: weight gradients cost what the forward costs, input gradients too, except for the first layer
    # (the images need no gradient); elementwise backward ~ forward
    backward = 2 * forward - first_flops[0]
    input_bytes = 3 * 32 * 32 * 4
    # eager kernels: every activation written once, read by the next op, read again in backward, and its
    # gradient written and read: about 5 passes over each activation (relu outputs included), 4 bytes each
    eager_bytes = input_bytes + 4 * 5 * (sum(acts) + relu)
    return {"flops_per_image": int(forward + backward), "forward_flops_per_image": int(forward),
            "bytes_per_image_eager": int(eager_bytes), "bytes_per_image_fused": input_bytes + 8,
            "parameters": sum(p.numel() for p in model.parameters())}


# name fragment -> (peak FP32 FLOP/s without tensor cores, memory bandwidth B/s), from NVIDIA's data sheets
GPU_PEAKS = [
    ("h200", 67e12, 4.8e12), ("h100 nvl", 60e12, 3.9e12), ("h100 pcie", 51e12, 2.0e12), ("h100", 67e12, 3.35e12),
    ("a100-sxm4-80", 19.5e12, 2.04e12), ("a100 80gb pcie", 19.5e12, 1.94e12), ("a100", 19.5e12, 1.56e12),
    ("l40s", 91.6e12, 0.864e12), ("l4", 30.3e12, 0.3e12), ("a10", 31.2e12, 0.6e12), ("t4", 8.1e12, 0.32e12),
    ("v100", 15.7e12, 0.9e12), ("rtx 4090", 82.6e12, 1.01e12), ("rtx 3090", 35.6e12, 0.936e12),
]


def device_peaks(device: torch.device, peak_gflops: float | None, peak_gbps: float | None):
    """(FLOP/s, bytes/s, assumption text) for the floor."""
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device).lower()
        flops, bw = next(((f, b) for key, f, b in GPU_PEAKS if key in name), (None, None))
        note = (f"data-sheet peaks for '{name}': FP32 without tensor cores, HBM bandwidth" if flops
                else f"no data-sheet peaks known for '{name}': pass --peak-gflops and --peak-gbps")
    else:
        mhz = None
        try:
            mhz = max(float(line.split(":")[1]) for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("cpu MHz"))
        except (OSError, ValueError):
            pass
        cores = os.cpu_count() or 1
        flops = cores * (mhz or 2500) * 1e6 * 32
        bw = 20e9
        note = (f"CPU assumption: {cores} cores x {mhz or 2500:.0f} MHz x 32 FP32 FLOP/cycle (two 256-bit FMA "
                f"units per core) = {flops / 1e9:.0f} GFLOP/s; 20 GB/s of DRAM bandwidth for this process")
    if peak_gflops:
        flops, note = peak_gflops * 1e9, note + f"; peak compute overridden: {peak_gflops} GFLOP/s"
    if peak_gbps:
        bw, note = peak_gbps * 1e9, note + f"; bandwidth overridden: {peak_gbps} GB/s"
    return flops, bw, note


def floor_report(counts: dict, flops: float | None, bw: float | None, note: str, best: float) -> dict:
    report = {**counts, "peak_flops_per_s": flops, "peak_bytes_per_s": bw, "assumption": note,
              "best_images_per_s": best}
    if flops and bw:
        eager = 1 / max(counts["flops_per_image"] / flops, counts["bytes_per_image_eager"] / bw)
        fused = 1 / max(counts["flops_per_image"] / flops, counts["bytes_per_image_fused"] / bw)
        report.update(floor_images_per_s_eager=eager, floor_images_per_s_fused=fused,
                      best_fraction_of_eager_floor=best / eager, best_fraction_of_fused_floor=best / fused)
    return report


# ---------------------------------------------------------------------------------------------------- main

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=None, help="epochs per rung (default 2; --quick: 1)")
    p.add_argument("--rungs", default="1,2,3,4", help="comma-separated rungs to run (default 1,2,3,4)")
    p.add_argument("--quick", action="store_true", help="tiny sizes (seconds): checks that everything runs")
    p.add_argument("--out", type=Path, default=None, help="JSON path (default benchmarks/results/<device>.json)")
    p.add_argument("--batch", type=int, default=None, help="large batch of rungs 2-4 (default 256; --quick: 64)")
    p.add_argument("--train-size", type=int, default=None, help="training images (default all; --quick: 256)")
    p.add_argument("--test-size", type=int, default=None, help="test images (default all; --quick: 128)")
    p.add_argument("--workers", type=int, default=2, help="DataLoader workers of rungs 1 and 2 (default 2)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch.set_num_threads for CPU work (default: torch's choice, one per core)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: $COURSE_DEVICE, else cuda if available)")
    p.add_argument("--source", default=None, help="data: real, standin, auto or random (default: $COURSE_CIFAR)")
    p.add_argument("--peak-gflops", type=float, default=None, help="override the device's peak FP32 GFLOP/s")
    p.add_argument("--peak-gbps", type=float, default=None, help="override the device's memory bandwidth, GB/s")
    args = p.parse_args(argv)
    args.epochs = args.epochs or (1 if args.quick else 2)
    args.batch = args.batch or (64 if args.quick else 256)
    args.train_size = args.train_size or (256 if args.quick else 50_000)
    args.test_size = args.test_size or (128 if args.quick else 10_000)
    args.rungs = sorted({int(r) for r in args.rungs.split(",") if r.strip()})
    if not set(args.rungs) <= set(RUNG_NAMES):
        p.error(f"--rungs: choose from {sorted(RUNG_NAMES)}")
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
    if args.threads:
        torch.set_num_threads(args.threads)
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    x, y, tx, ty, described = load_arrays(args.train_size, args.test_size, args.source)
    data = {"train_np": (x, y)}
    data["train_dev"] = to_resident(x, y, device)
    test = to_resident(tx, ty, device)
    name = device_name(device)
    print(f"device: {name} | torch {torch.__version__} | data: {described}")
    print(f"{len(x)} training and {len(tx)} test images, {args.epochs} epoch(s) per rung, large batch {args.batch}")

    rows = []

    def record(rung, label, model, seconds, per_epoch, batch, kept=True, note=""):
        row = {"rung": rung, "name": label, "batch_size": batch, "lr": BLITZ_LR * batch / BLITZ_BATCH,
               "images_per_s": throughput(seconds, per_epoch), "test_accuracy": accuracy(model, *test),
               "epoch_seconds": [round(s, 4) for s in seconds], "images_per_epoch": per_epoch, "kept": kept,
               "note": note}
        rows.append(row)
        print(f"  rung {rung} {label}: {row['images_per_s']:,.0f} img/s, accuracy {row['test_accuracy']:.3f}, "
              f"epochs {', '.join(f'{s:.1f}s' for s in seconds)}", flush=True)
        return row

    for rung in args.rungs:
        if rung == 1:
            record(1, RUNG_NAMES[1], *run_loader(data, device, args.epochs, BLITZ_BATCH, args.workers, False),
                   BLITZ_BATCH)
        elif rung == 2:
            record(2, RUNG_NAMES[2], *run_loader(data, device, args.epochs, args.batch, args.workers, True),
                   args.batch, note="pinned memory and non_blocking only on CUDA" if device.type != "cuda" else "")
        elif rung == 3:
            record(3, RUNG_NAMES[3], *run_resident(data, device, args.epochs, args.batch), args.batch)
        elif rung == 4:
            if device.type != "cuda":
                print("  rung 4 skipped: torch.compile and CUDA graphs are measured on CUDA only "
                      "(on a CPU, compiling takes longer than this whole benchmark and CUDA graphs do not exist)")
                continue
            tried = []
            for label, fn in [("torch.compile (default)", lambda: run_compiled(data, device, args.epochs,
                                                                                 args.batch, None)),
                              ('torch.compile mode="reduce-overhead" (CUDA graphs)',
                               lambda: run_compiled(data, device, args.epochs, args.batch, "reduce-overhead")),
                              ("whole step captured with torch.cuda.graph",
                               lambda: run_cuda_graph(data, device, args.epochs, args.batch))]:
                try:
                    tried.append(record(4, f"graphs: resident + {label}", *fn(), args.batch, kept=False))
                except Exception as err:  # report a variant that fails on this torch/device and go on
                    print(f"  rung 4 {label} failed: {type(err).__name__}: {err}")
                    rows.append({"rung": 4, "name": f"graphs: resident + {label}", "kept": False,
                                 "error": f"{type(err).__name__}: {err}"})
                torch._dynamo.reset()
            resident = next((r for r in rows if r["rung"] == 3), None)
            if tried:
                best = max(tried, key=lambda r: r["images_per_s"])
                if resident is None or best["images_per_s"] > resident["images_per_s"]:
                    best["kept"] = True
                else:
                    print("  rung 4: no variant beat rung 3 on this device; none kept")

    base = next((r for r in rows if r["rung"] == 1), None)
    for r in rows:
        if "images_per_s" in r:
            r["ratio_to_rung1"] = r["images_per_s"] / base["images_per_s"] if base else None

    print(f"\n{'rung':<5}{'version':<70}{'batch':>6}{'img/s':>12}{'x rung 1':>10}{'accuracy':>10}")
    for r in rows:
        if "images_per_s" not in r:
            print(f"{r['rung']:<5}{r['name']:<70}{'':>6}{'failed':>12}")
            continue
        ratio = f"{r['ratio_to_rung1']:.1f}" if r.get("ratio_to_rung1") else "-"
        mark = "" if r["kept"] else " (not kept)"
        print(f"{r['rung']:<5}{(r['name'] + mark)[:69]:<70}{r['batch_size']:>6}{r['images_per_s']:>12,.0f}"
              f"{ratio:>10}{r['test_accuracy']:>10.3f}")

    kept = [r for r in rows if r.get("kept") and "images_per_s" in r]
    best = max(r["images_per_s"] for r in kept) if kept else 0.0
    flops, bw, note = device_peaks(device, args.peak_gflops, args.peak_gbps)
    floor = floor_report(count_per_image(LeNet()), flops, bw, note, best)
    print(f"\nFloor for LeNet on this device: {floor['flops_per_image'] / 1e6:.2f} MFLOP and "
          f"{floor['bytes_per_image_eager'] / 1e3:.0f} kB (eager kernels; {floor['bytes_per_image_fused'] / 1e3:.1f} kB "
          f"fully fused) per training image.")
    print(f"  {note}")
    if "floor_images_per_s_eager" in floor:
        print(f"  floor: {floor['floor_images_per_s_eager']:,.0f} img/s with eager kernels, "
              f"{floor['floor_images_per_s_fused']:,.0f} img/s fully fused; the best rung ({best:,.0f} img/s) is "
              f"{floor['best_fraction_of_eager_floor']:.1%} of the eager floor "
              f"({1 / floor['best_fraction_of_eager_floor']:.0f}x away).")

    result = {
        "device": {"type": device.type, "name": name, "slug": device_slug(device)},
        "torch": torch.__version__, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "epochs": args.epochs, "train_images": len(x), "test_images": len(tx), "data": described,
        "large_batch": args.batch, "workers": args.workers, "quick": args.quick,
        "threads": torch.get_num_threads(),
        "load_average_1min": {"start": load_before and round(load_before[0], 2),
                              "end": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None},
        "command": "python benchmarks/gpu_ladder.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "rungs": rows, "floor": floor,
    }
    out = args.out or RESULTS / f"{device_slug(device)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {out}")
    return result


if __name__ == "__main__":  # DataLoader workers re-import this file on spawn platforms: keep the guard
    main()
