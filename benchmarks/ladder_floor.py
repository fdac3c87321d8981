"""The floor under the speed ladder: how fast could LeNet train on this device at best?

FLOPs and bytes per image of one training step (forward and backward, counted from the layers' shapes) divided by
the device's peak compute and memory bandwidth. Two things make this a floor and not a forecast: it assumes every
kernel runs at peak, and it states the precision the peak belongs to. On NVIDIA GPUs the peaks are FP32 on the CUDA
cores; since Ampere, cuDNN runs FP32 convolutions on the tensor cores in TF32 by default
(`torch.backends.cudnn.allow_tf32` is True), whose peak is far higher, so for those GPUs a TF32 floor is given too.
"""
from __future__ import annotations

import copy
import math
import os
from pathlib import Path

import torch
import torch.nn as nn

# name fragment -> (FP32 FLOP/s on CUDA cores, dense TF32 tensor-core FLOP/s or None, memory bandwidth B/s),
# from NVIDIA's data sheets (dense: without the 2:4 sparsity figures). First match wins: specific names first.
GPU_PEAKS = [
    ("h200", 67e12, 494.7e12, 4.8e12), ("h100 nvl", 60e12, 417e12, 3.9e12),
    ("h100 pcie", 51e12, 378e12, 2.0e12), ("h100", 67e12, 494.7e12, 3.35e12),
    ("a100-sxm4-80", 19.5e12, 156e12, 2.04e12), ("a100 80gb pcie", 19.5e12, 156e12, 1.94e12),
    ("a100", 19.5e12, 156e12, 1.56e12), ("l40s", 91.6e12, 183e12, 0.864e12), ("l4", 30.3e12, 60e12, 0.3e12),
    ("a10", 31.2e12, 62.5e12, 0.6e12), ("t4", 8.1e12, None, 0.32e12), ("v100", 15.7e12, None, 0.9e12),
    ("rtx 4090", 82.6e12, 82.6e12, 1.01e12), ("rtx 3090", 35.6e12, 35.6e12, 0.936e12),
]


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

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear, nn.MaxPool2d))]
    model(torch.zeros(1, 3, 32, 32))
    for h in handles:
        h.remove()
    # relu is functional in the blitz net: count it at the sizes of the conv/linear outputs it follows (all but fc3)
    relu_elems = [a for a, f in zip(acts, fwd_flops) if f > a]
    relu = sum(relu_elems[:-1])
    forward = sum(fwd_flops) + relu
    # backward: weight gradients cost what the forward costs, input gradients too, except for the first layer
    # (the images need no gradient); elementwise backward ~ forward
    backward = 2 * forward - first_flops[0]
    input_bytes = 3 * 32 * 32 * 4
    # eager kernels: every activation written once, read by the next op, read again in backward, and its gradient
    # written and read: about 5 passes over each activation (relu outputs included), 4 bytes each
    eager_bytes = input_bytes + 4 * 5 * (sum(acts) + relu)
    return {"flops_per_image": int(forward + backward), "forward_flops_per_image": int(forward),
            "bytes_per_image_eager": int(eager_bytes), "bytes_per_image_fused": input_bytes + 8,
            "parameters": sum(p.numel() for p in model.parameters())}


def device_peaks(device: torch.device, peak_gflops: float | None = None, peak_gbps: float | None = None) -> dict:
    """Peak FLOP/s (FP32, and TF32 where the GPU has it), bandwidth, and the sentences saying what they assume."""
    tf32 = None
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device).lower()
        flops, tf32, bw = next(((f, t, b) for key, f, t, b in GPU_PEAKS if key in name), (None, None, None))
        note = (f"data-sheet peaks for '{name}'" if flops
                else f"no data-sheet peaks known for '{name}': pass --peak-gflops and --peak-gbps")
        precision = ("FP32 on the CUDA cores, no tensor cores" + (
            "; cuDNN's default TF32 convolutions can go faster: see the TF32 floor" if tf32 else ""))
    else:
        mhz, flags = None, set()
        try:
            lines = Path("/proc/cpuinfo").read_text().splitlines()
            mhz = max(float(line.split(":")[1]) for line in lines if line.startswith("cpu MHz"))
            flags = set(next(line for line in lines if line.startswith("flags")).split(":")[1].split())
        except (OSError, ValueError, StopIteration):
            pass
        cores = os.cpu_count() or 1
        width = 512 if "avx512f" in flags else 256      # two FMA units per core, each width / 32 lanes x 2 FLOP
        per_cycle = 2 * width // 32 * 2
        flops, bw = cores * (mhz or 2500) * 1e6 * per_cycle, 20e9
        note = (f"CPU assumption: {cores} cores x {mhz or 2500:.0f} MHz x {per_cycle} FP32 FLOP/cycle (two "
                f"{width}-bit FMA units per core) = {flops / 1e9:.0f} GFLOP/s; 20 GB/s of DRAM bandwidth for this "
                f"process")
        precision = f"FP32 ({'AVX-512' if width == 512 else 'AVX2'} fused multiply-add)"
    if peak_gflops:
        flops, note = peak_gflops * 1e9, note + f"; peak compute overridden: {peak_gflops} GFLOP/s"
    if peak_gbps:
        bw, note = peak_gbps * 1e9, note + f"; bandwidth overridden: {peak_gbps} GB/s"
    return {"flops": flops, "tf32_flops": tf32, "bandwidth": bw, "assumption": note, "precision": precision}


def floor_report(counts: dict, peaks: dict, best: float) -> dict:
    """The floor in images per second (eager kernels, fully fused) and how far the best rung is from it."""
    flops, bw = peaks["flops"], peaks["bandwidth"]
    report = {**counts, "peak_flops_per_s": flops, "peak_tf32_flops_per_s": peaks["tf32_flops"],
              "peak_bytes_per_s": bw, "assumption": peaks["assumption"], "precision": peaks["precision"],
              "best_images_per_s": best}
    if flops and bw:
        def floor(peak, nbytes):
            return 1 / max(counts["flops_per_image"] / peak, nbytes / bw)
        eager, fused = floor(flops, counts["bytes_per_image_eager"]), floor(flops, counts["bytes_per_image_fused"])
        report.update(floor_images_per_s_eager=eager, floor_images_per_s_fused=fused,
                      best_fraction_of_eager_floor=best / eager, best_fraction_of_fused_floor=best / fused)
        if peaks["tf32_flops"]:
            report["floor_images_per_s_eager_tf32"] = floor(peaks["tf32_flops"], counts["bytes_per_image_eager"])
    return report


def describe(report: dict) -> list[str]:
    """The floor as printed lines."""
    lines = [f"Floor for LeNet on this device: {report['flops_per_image'] / 1e6:.2f} MFLOP and "
             f"{report['bytes_per_image_eager'] / 1e3:.0f} kB (eager kernels; "
             f"{report['bytes_per_image_fused'] / 1e3:.1f} kB fully fused) per training image.",
             f"  {report['assumption']}; precision: {report['precision']}"]
    if "floor_images_per_s_eager" in report:
        lines.append(f"  floor: {report['floor_images_per_s_eager']:,.0f} img/s with eager kernels, "
                     f"{report['floor_images_per_s_fused']:,.0f} img/s fully fused; the best rung "
                     f"({report['best_images_per_s']:,.0f} img/s) is {report['best_fraction_of_eager_floor']:.1%} "
                     f"of the eager floor.")
    if "floor_images_per_s_eager_tf32" in report:
        lines.append(f"  with TF32 tensor cores the eager floor is "
                     f"{report['floor_images_per_s_eager_tf32']:,.0f} img/s.")
    return lines
