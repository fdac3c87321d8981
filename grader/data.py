"""CIFAR-10 for the notebooks: the real data set when it is here (or can be downloaded), else a generated stand-in.

Every notebook loads CIFAR-10 through `load_cifar10`, which returns torchvision's own `CIFAR10` data set (or a
subclass of it), so students see the real API. Many classrooms, and the machines that run the course's tests, have
no internet, so the course can also generate an offline **stand-in**: a synthetic data set written in CIFAR-10's
exact on-disk format (`cifar-10-batches-py/` with `data_batch_1..5`, `test_batch`, `batches.meta`), 32x32 RGB
images in 10 classes named like CIFAR-10's. Each class is a shape with a typical colour scheme (planes are
crosses on a blue sky, frogs green diamonds, ...) drawn at a random position, size and angle, with colour jitter,
clutter and noise: a small CNN learns it well above chance, and it is not the real CIFAR-10 and never claims to be.

Layout under `data_root()` ($COURSE_DATA, default `<repo>/data`, in Colab `/content/data`; shared by all notebooks):

    cifar10/cifar-10-batches-py/...               the real set (torchvision downloads it here)
    cifar10-standin-quick/cifar-10-batches-py/... the stand-in for COURSE_PROFILE=quick (5,000 / 1,000 images)
    cifar10-standin-full/cifar-10-batches-py/...  the stand-in for the full profile (50,000 / 10,000 images)

A stand-in folder holds `standin.json` (its manifest: generator version, sizes and the md5 sum of every file,
computed when it was generated); `StandInCIFAR10` checks the files against these sums instead of the real
set's. `$COURSE_CIFAR=real|standin|auto` (or the `source` argument) picks the data set; `auto`, the default, uses the
real one when it is on disk or can be downloaded quickly, else the stand-in, and prints one line saying which.
"""
from __future__ import annotations

import os
import socket
import urllib.error
from pathlib import Path

from torchvision.datasets import CIFAR10

from grader.profile import profile
# The stand-in's files live in grader.standin (no torch there); notebooks and tests reach all of it from here.
from grader.standin import (CIFAR10_CLASSES, DATA_ENV, MANIFEST, STANDIN_SIZES, DataError,  # noqa: F401
                            bad_files, corrupt_message, data_root, ensure_standin, generate_standin, read_manifest,
                            standin_folder)

SOURCE_ENV = "COURSE_CIFAR"
DOWNLOAD_ENV = "COURSE_DOWNLOAD"   # 0/no/false/off: never try to download
SOURCES = ("auto", "real", "standin")
REAL_FOLDER = "cifar10"
DOWNLOAD_TIMEOUT_S = 5.0   # seconds to wait for the server to answer before giving up on a download


def real_folder() -> Path:
    """Where torchvision keeps (or downloads) the real CIFAR-10."""
    return data_root() / REAL_FOLDER


class StandInCIFAR10(CIFAR10):
    """torchvision's `CIFAR10`, reading the generated stand-in: same files and format, its own checksums.

    The md5 sums come from the stand-in's manifest (`standin.json`, written when it was generated) instead of
    the real set's, so torchvision's own integrity check and loading code run unchanged. It cannot download.
    """

    url = None
    filename = None
    tgz_md5 = None

    def __init__(self, root, train: bool = True, transform=None, target_transform=None, download: bool = False):
        root = Path(root)
        manifest = read_manifest(root)
        sums = manifest["md5"]
        self.train_list = [[f"data_batch_{b}", sums.get(f"data_batch_{b}")] for b in range(1, 6)]
        self.test_list = [["test_batch", sums.get("test_batch")]]
        self.meta = {"filename": "batches.meta", "key": "label_names", "md5": sums.get("batches.meta")}
        self.manifest = manifest
        bad = bad_files(root, self.train_list + self.test_list + [[self.meta["filename"], self.meta["md5"]]])
        if bad:
            raise DataError(corrupt_message(root, bad, "the stand-in",
                                             "Delete that folder and run again: the stand-in is generated anew "
                                             "in a few seconds."))
        super().__init__(root, train=train, transform=transform, target_transform=target_transform, download=False)

    def download(self) -> None:
        raise DataError("The CIFAR-10 stand-in is generated, not downloaded: use grader.data.load_cifar10.")

    def extra_repr(self) -> str:
        return super().extra_repr() + "\nGenerated stand-in for CIFAR-10 (not the real data set)"


def load_standin(train: bool, transform=None, which: str | None = None) -> StandInCIFAR10:
    """The stand-in for profile `which` (default: the active profile), generated on first use."""
    which = which or profile()
    folder = standin_folder(which)
    if not folder.exists():
        generate_standin(folder, *STANDIN_SIZES[which])
    return StandInCIFAR10(folder, train=train, transform=transform)


# ---------------------------------------------------------------------------------------------------------------
# The real set
# ---------------------------------------------------------------------------------------------------------------

REAL_FIX = ("Delete the folder and run again to download it anew (about 170 MB), or copy a complete "
            "cifar-10-batches-py folder there (from https://www.cs.toronto.edu/~kriz/cifar.html).")


def _real_present(root: Path) -> bool:
    """True when the real set is on disk and complete; DataError when it is there but incomplete or corrupt."""
    batches = root / CIFAR10.base_folder
    if not batches.exists():
        return False
    bad = bad_files(root, CIFAR10.train_list + CIFAR10.test_list + [[CIFAR10.meta["filename"], CIFAR10.meta["md5"]]])
    if bad:
        raise DataError(corrupt_message(batches, bad, "the real CIFAR-10", REAL_FIX))
    return True


def _short(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) < 80 else text[:77] + "..."


_announced: list[bool] = []    # whether this process already said it uses the stand-in
_unreachable: list[str] = []   # hosts this process already failed to reach: do not wait for them again


def _download_real(root: Path, timeout: float = DOWNLOAD_TIMEOUT_S) -> None:
    """Download and extract the real set with torchvision; raise OSError (or subclass) when that fails."""
    if os.environ.get(DOWNLOAD_ENV, "").strip().lower() in ("0", "no", "false", "off"):
        raise OSError(f"downloads are switched off by {DOWNLOAD_ENV}")
    host = "www.cs.toronto.edu"
    if host in _unreachable:
        raise OSError(f"{host} could not be reached a moment ago")
    try:
        with socket.create_connection((host, 443), timeout=timeout):   # fail fast when there is no network
            pass
    except OSError:
        _unreachable.append(host)
        raise
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout * 6)                          # a stalled transfer fails too
    try:
        CIFAR10(root, train=True, download=True)
    except RuntimeError as err:                                     # torchvision: "File not found or corrupted."
        raise OSError(f"the download did not complete ({err})") from None
    finally:
        socket.setdefaulttimeout(previous)


def _source(source: str | None) -> str:
    chosen = (source or os.environ.get(SOURCE_ENV, "") or "auto").strip().lower()
    if chosen not in SOURCES:
        origin = "source" if source else SOURCE_ENV
        raise ValueError(f"{origin}={chosen!r} is not a CIFAR-10 source; use one of {', '.join(SOURCES)}.")
    return chosen


def load_cifar10(train: bool, transform=None, source: str | None = None) -> CIFAR10:
    """CIFAR-10's training (`train=True`) or test split as a torchvision `CIFAR10` (items: (image, label)).

    source: "real", "standin" or "auto"; None reads `$COURSE_CIFAR` (default "auto"). "auto" uses the real set
    when it is on disk or can be downloaded within a few seconds' wait, otherwise the generated stand-in (sized by
    the profile), and prints one line saying which. A data folder that exists but is incomplete or corrupt raises
    `DataError` naming the folder and the fix; it is never used silently.
    """
    chosen = _source(source)
    split = "training" if train else "test"
    if chosen == "standin":
        return load_standin(train, transform)
    root = real_folder()
    if _real_present(root):
        if chosen == "auto":
            print(f"CIFAR-10: the real data set ({split} split) from the data folder")
        return CIFAR10(root, train=train, transform=transform)
    try:
        _download_real(root)
    except (OSError, urllib.error.URLError) as err:
        if chosen == "real":
            raise DataError(
                f"The real CIFAR-10 is not in {root / CIFAR10.base_folder} and could not be downloaded ({err}). "
                f"Connect to the internet and run again, or copy the extracted cifar-10-batches-py folder into "
                f"{root}, or set {SOURCE_ENV}=standin (or auto) to use the generated stand-in.") from None
        dataset = load_standin(train, transform)
        if not _announced:      # one line per process: the notebook's later loads are the same story
            _announced.append(True)
            print(f"CIFAR-10: no real data set in the data folder and no download possible, so using the generated "
                  f"STAND-IN, not the real CIFAR-10 ({profile()} profile: {STANDIN_SIZES[profile()][0]} training and "
                  f"{STANDIN_SIZES[profile()][1]} test images, in {standin_folder().name}).")
        return dataset
    if chosen == "auto":
        print(f"CIFAR-10: the real data set ({split} split), downloaded into the data folder")
    return CIFAR10(root, train=train, transform=transform)


def is_standin(dataset) -> bool:
    """True for the generated stand-in (also through `Subset`s)."""
    while hasattr(dataset, "dataset"):
        dataset = dataset.dataset
    return isinstance(dataset, StandInCIFAR10)
