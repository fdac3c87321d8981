"""Notebook 05's pretrained backbone: torchvision's ImageNet ResNet-18 where its weights can be had, else nothing.

Fine-tuning is worth showing with weights that learned something real, so notebook 05 fine-tunes torchvision's
ImageNet ResNet-18 when it can. It cannot everywhere: the course's tests, CI and many classrooms run offline on the
generated CIFAR-10 stand-in, and a weights download there would fail, or hang, or make the recorded outputs depend
on the machine. `imagenet_resnet18` decides in one place, prints one line saying which way it went, and never
raises for a missing network: the notebook then pretrains its own small CNN (the offline stand-in backbone).

The rule, in order:

1. The data is the generated stand-in (`standin=True`, from `grader.data.is_standin`): no ImageNet weights. The
   stand-in's shapes are not photographs, and the test runs must print the same on every machine, whether or not
   its torch cache holds the file. Nothing is downloaded or read.
2. The weights file is already in torch's cache (`torch.hub.get_dir()/checkpoints`, where torchvision keeps it):
   it is loaded, without the network.
3. `COURSE_DOWNLOAD=0` (the switch `grader.data` uses for CIFAR-10): no download, no weights.
4. Otherwise torchvision downloads the file (about 45 MB). Any failure (no network, a stalled or broken
   transfer) is reported in the one line, and the notebook falls back to its stand-in.
"""
from __future__ import annotations

import contextlib
import io
import os
import socket
from pathlib import Path

import torch
import torchvision
from torchvision.models import ResNet18_Weights

from grader.data import DOWNLOAD_ENV

WEIGHTS = ResNet18_Weights.IMAGENET1K_V1     # what ResNet18_Weights.DEFAULT is today: one name, pinned
CONNECT_TIMEOUT_S = 5.0                      # seconds to wait for the server before giving up on a download
PREFIX = "Backbone:"


def weights_file() -> Path:
    """Where torchvision keeps the ResNet-18 ImageNet weights once downloaded ($TORCH_HOME decides the folder)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS.url.rsplit("/", 1)[-1]


def downloads_off() -> bool:
    """True when COURSE_DOWNLOAD says never to download (0, no, false, off)."""
    return os.environ.get(DOWNLOAD_ENV, "").strip().lower() in ("0", "no", "false", "off")


def _short(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    return text if len(text) < 100 else text[:97] + "..."


def _reachable(url: str, timeout: float) -> None:
    """Raise OSError at once when the weights' server cannot be reached (no network): do not wait for urllib."""
    host = url.split("/")[2]
    with socket.create_connection((host, 443), timeout=timeout):
        pass


def _resnet18(state_dict, device) -> torch.nn.Module:
    model = torchvision.models.resnet18(weights=None)
    model.load_state_dict(state_dict)
    return model.to(device).eval()


def imagenet_resnet18(standin: bool, device="cpu", timeout: float = CONNECT_TIMEOUT_S) -> torch.nn.Module | None:
    """ResNet-18 with torchvision's ImageNet weights (in eval mode, on `device`), or None when the notebook should
    use its offline stand-in backbone. Prints exactly one line saying which, and why; never raises for a missing
    network or a bad download (a damaged file in the cache is named, with the fix).

    standin: True when the notebook's data is the generated CIFAR-10 stand-in; then nothing is read or downloaded.
    """
    fallback = "the small CNN pretrained below on the old classes"
    if standin:
        print(f"{PREFIX} {fallback}, because the data is the generated stand-in (ImageNet weights are used with "
              f"the real CIFAR-10 only).")
        return None
    path = weights_file()
    if path.exists():
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model = _resnet18(state, device)
        except Exception as err:   # a truncated or foreign file: say which, and what to do
            print(f"{PREFIX} {fallback}: the weights file {path} cannot be loaded ({_short(err)}); delete it to "
                  f"download it again.")
            return None
        print(f"{PREFIX} ResNet-18 with torchvision's ImageNet weights ({WEIGHTS}), from {path.parent}.")
        return model
    if downloads_off():
        print(f"{PREFIX} {fallback}: no ImageNet weights in {path.parent} and downloads are switched off "
              f"({DOWNLOAD_ENV}=0).")
        return None
    previous = socket.getdefaulttimeout()
    try:
        _reachable(WEIGHTS.url, timeout)
        socket.setdefaulttimeout(timeout * 6)          # a stalled transfer fails too
        with contextlib.redirect_stderr(io.StringIO()):  # torchvision writes "Downloading: ..." there
            state = WEIGHTS.get_state_dict(progress=False, check_hash=True)
        model = _resnet18(state, device)
    except Exception as err:       # no network, a proxy's error page, a hash mismatch: fall back, never a traceback
        print(f"{PREFIX} {fallback}: the ImageNet weights could not be downloaded ({_short(err)}).")
        return None
    finally:
        socket.setdefaulttimeout(previous)
    print(f"{PREFIX} ResNet-18 with torchvision's ImageNet weights ({WEIGHTS}), downloaded into {path.parent}.")
    return model
