"""CIFAR-10 for the notebooks: the real data set when it is here (or can be downloaded), else a generated stand-in.

Every notebook loads CIFAR-10 through `load_cifar10`, which returns torchvision's own `CIFAR10` data set (or a
subclass of it), so students see the real API. Many classrooms, and the machines that run the course's tests, have
no internet, so the course can also generate an offline **stand-in**: a synthetic data set written in CIFAR-10's
exact on-disk format (`cifar-10-batches-py/` with `data_batch_1..5`, `test_batch`, `batches.meta`), 32x32 RGB
images in 10 classes named like CIFAR-10's. Each class is a shape with a typical colour scheme (planes are
crosses on a blue sky, frogs green diamonds, ...) drawn at a random position, size and angle, with colour jitter,
clutter and noise: a small CNN learns it well above chance, and it is not the real CIFAR-10 and never claims to be.

Layout under `data_root()` ($COURSE_DATA, default `<repo>/data`, shared by all notebooks):

    cifar10/cifar-10-batches-py/...               the real set (torchvision downloads it here)
    cifar10-standin-quick/cifar-10-batches-py/... the stand-in for COURSE_PROFILE=quick (5,000 / 1,000 images)
    cifar10-standin-full/cifar-10-batches-py/...  the stand-in for the full profile (50,000 / 10,000 images)

A stand-in folder holds `standin.json` (its manifest: generator version, sizes and the md5 sum of every file,
computed when it was generated); `StandInCIFAR10` checks the files against these sums instead of the real
set's. `$COURSE_CIFAR=real|standin|auto` (or the `source` argument) picks the data set; `auto`, the default, uses the
real one when it is on disk or can be downloaded quickly, else the stand-in, and prints one line saying which.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import socket
import tempfile
import urllib.error
from pathlib import Path

import numpy as np
from torchvision.datasets import CIFAR10
from torchvision.datasets.utils import check_integrity

from grader.course import REPO
from grader.profile import profile

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

DATA_ENV = "COURSE_DATA"
SOURCE_ENV = "COURSE_CIFAR"
DOWNLOAD_ENV = "COURSE_DOWNLOAD"   # 0/no/false/off: never try to download
SOURCES = ("auto", "real", "standin")
REAL_FOLDER = "cifar10"
STANDIN_SIZES = {"quick": (5000, 1000), "full": (50000, 10000)}
STANDIN_VERSION = 1
MANIFEST = "standin.json"
DOWNLOAD_TIMEOUT_S = 5.0   # seconds to wait for the server to answer before giving up on a download


class DataError(RuntimeError):
    """A data folder is missing, incomplete or corrupt; the message names the folder and what to do."""


def data_root() -> Path:
    """The one data folder every notebook shares: `$COURSE_DATA`, or `data/` at the repository root."""
    env = os.environ.get(DATA_ENV, "").strip()
    return Path(env).expanduser().resolve() if env else REPO / "data"


def standin_folder(which: str | None = None) -> Path:
    """Where the stand-in of profile `which` (default: the active profile) lives."""
    return data_root() / f"cifar10-standin-{which or profile()}"


def real_folder() -> Path:
    """Where torchvision keeps (or downloads) the real CIFAR-10."""
    return data_root() / REAL_FOLDER


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# The stand-in's images
# ---------------------------------------------------------------------------------------------------------------

# Per class: typical foreground and background colours (RGB in [0, 1]).
_COLOURS = {
    "airplane": ((0.85, 0.85, 0.9), (0.45, 0.65, 0.9)),
    "automobile": ((0.8, 0.2, 0.2), (0.5, 0.5, 0.5)),
    "bird": ((0.75, 0.6, 0.3), (0.55, 0.75, 0.85)),
    "cat": ((0.75, 0.55, 0.35), (0.6, 0.55, 0.5)),
    "deer": ((0.6, 0.4, 0.25), (0.35, 0.55, 0.3)),
    "dog": ((0.65, 0.5, 0.4), (0.55, 0.55, 0.45)),
    "frog": ((0.3, 0.65, 0.2), (0.45, 0.5, 0.3)),
    "horse": ((0.5, 0.3, 0.2), (0.45, 0.6, 0.35)),
    "ship": ((0.75, 0.75, 0.8), (0.2, 0.4, 0.7)),
    "truck": ((0.85, 0.7, 0.2), (0.5, 0.5, 0.55)),
}


def _shape_mask(label: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Class `label`'s shape in the object's own coordinates (u right, v down, about [-1, 1])."""
    au, av = np.abs(u), np.abs(v)
    r = np.sqrt(u * u + v * v)
    name = CIFAR10_CLASSES[label]
    if name == "airplane":      # fuselage plus wings: a cross
        return ((au < 0.18) & (av < 1.0)) | ((av < 0.18) & (au < 0.9)) | ((v > 0.6) & (v < 0.85) & (au < 0.45))
    if name == "automobile":    # a wide body with two wheels
        return ((au < 1.0) & (v > -0.35) & (v < 0.3)) | ((au < 0.5) & (v > -0.7) & (v < 0.3)) \
            | (((u - 0.55) ** 2 + (v - 0.4) ** 2) < 0.07) | (((u + 0.55) ** 2 + (v - 0.4) ** 2) < 0.07)
    if name == "bird":          # a chevron
        return (v > 0.7 * au - 0.5) & (v < 0.7 * au - 0.05) & (au < 1.0)
    if name == "cat":           # a round head with two ears
        ears = (v < -0.45) & (v > -1.0) & (np.abs(au - 0.5) < 0.35 * (v + 1.0))
        return (r < 0.65) | ears
    if name == "deer":          # a ring (antlers seen from above, roughly)
        return (r > 0.5) & (r < 0.85)
    if name == "dog":           # a wide ellipse with floppy ears
        ears = ((np.abs(au - 0.8) < 0.18) & (v > -0.2) & (v < 0.55))
        return ((u / 0.85) ** 2 + (v / 0.6) ** 2 < 1.0) | ears
    if name == "frog":          # a diamond
        return au + av < 0.9
    if name == "horse":         # a square frame with a diagonal
        return ((au < 0.8) & (av < 0.8) & ~((au < 0.5) & (av < 0.5))) | ((np.abs(u - v) < 0.2) & (au < 0.8))
    if name == "ship":          # a hull, wider on top, with a mast
        return ((v > 0.0) & (v < 0.55) & (au < 1.0 - 0.6 * v)) | ((au < 0.1) & (v > -0.9) & (v <= 0.0))
    # truck: cab and box, an L on its side
    return ((u > -1.0) & (u < 0.35) & (v > -0.6) & (v < 0.45)) | ((u >= 0.35) & (u < 0.95) & (v > -0.1) & (v < 0.45))


def _images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one image per label: uint8 array (N, 32, 32, 3)."""
    n = len(labels)
    grid = (np.arange(32, dtype=np.float32) + 0.5) / 16.0 - 1.0            # pixel centres in [-1, 1]
    y, x = np.meshgrid(grid, grid, indexing="ij")
    x, y = x[None], y[None]

    # Background: a linear gradient between two colours around the class's typical one.
    fg_mean = np.array([_COLOURS[c][0] for c in CIFAR10_CLASSES], dtype=np.float32)[labels]
    bg_mean = np.array([_COLOURS[c][1] for c in CIFAR10_CLASSES], dtype=np.float32)[labels]
    typical = rng.random(n) < 0.6                                          # else: any colours at all
    fg = np.where(typical[:, None], fg_mean + rng.normal(0, 0.12, (n, 3)), rng.random((n, 3)))
    bg = np.where(typical[:, None], bg_mean + rng.normal(0, 0.12, (n, 3)), rng.random((n, 3)))
    bg2 = bg + rng.normal(0, 0.15, (n, 3))
    angle = rng.uniform(0, 2 * np.pi, n)
    ramp = (np.cos(angle)[:, None, None] * x + np.sin(angle)[:, None, None] * y + 1.0) / 2.0   # (n, 32, 32)
    image = bg[:, None, None, :] * (1 - ramp[..., None]) + bg2[:, None, None, :] * ramp[..., None]

    # Clutter: a disc of a random colour, anywhere, in half of the images.
    cx, cy, cr = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n), rng.uniform(0.1, 0.35, n)
    disc = ((x - cx[:, None, None]) ** 2 + (y - cy[:, None, None]) ** 2 < cr[:, None, None] ** 2)
    disc &= (rng.random(n) < 0.5)[:, None, None]
    image = np.where(disc[..., None], rng.random((n, 3))[:, None, None, :].astype(np.float32), image)

    # The object: the class's shape, moved, scaled, turned a little, with a shaded texture.
    ox, oy = rng.uniform(-0.35, 0.35, n), rng.uniform(-0.35, 0.35, n)
    scale = rng.uniform(0.4, 0.75, n)
    turn = rng.uniform(-0.35, 0.35, n)
    dx, dy = x - ox[:, None, None], y - oy[:, None, None]
    cos, sin, s = np.cos(turn)[:, None, None], np.sin(turn)[:, None, None], scale[:, None, None]
    u = (cos * dx + sin * dy) / s
    v = (-sin * dx + cos * dy) / s
    mask = np.zeros((n, 32, 32), dtype=bool)
    for label in range(len(CIFAR10_CLASSES)):
        rows = labels == label
        if rows.any():
            mask[rows] = _shape_mask(label, u[rows], v[rows])
    shade = 1.0 + 0.25 * v                                                 # lit from above
    obj = fg[:, None, None, :] * shade[..., None]
    image = np.where(mask[..., None], obj, image)

    image = image + rng.normal(0, 0.07, image.shape)
    return (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)


def _write_batch(path: Path, images: np.ndarray, labels: np.ndarray, batch_label: str, first: int) -> None:
    """Write one batch as CIFAR-10 does: a pickled dict of (N, 3072) uint8 rows (R, G, B planes) and labels."""
    entry = {
        "batch_label": batch_label,
        "labels": [int(k) for k in labels],
        "data": np.ascontiguousarray(images.transpose(0, 3, 1, 2).reshape(len(images), 3072)),
        "filenames": [f"standin_{CIFAR10_CLASSES[k]}_{first + i:05d}.png" for i, k in enumerate(labels)],
    }
    with open(path, "wb") as f:
        pickle.dump(entry, f, protocol=4)


def _split(count: int, seed: int, chunk: int = 2000):
    """Balanced labels in a fixed shuffled order, and their images, drawn in chunks (bounded memory)."""
    rng = np.random.default_rng(seed)
    labels = np.resize(np.arange(10, dtype=np.int64), count)
    rng.shuffle(labels)
    images = np.empty((count, 32, 32, 3), dtype=np.uint8)
    for start in range(0, count, chunk):
        stop = min(count, start + chunk)
        images[start:stop] = _images(labels[start:stop], np.random.default_rng([seed, start]))
    return images, labels


def generate_standin(folder: Path, train_size: int, test_size: int) -> Path:
    """Write a stand-in data set into `folder` (which must not exist yet) and return `folder`.

    Deterministic: the same sizes give the same bytes. It is built in a temporary folder beside `folder` and
    renamed into place at the end, so an interrupted run never leaves a half-written data set, and two processes
    generating at once do not clash (the second one's copy is discarded).
    """
    if train_size % 5:
        raise ValueError(f"train_size must be a multiple of 5 (five training batches), got {train_size}")
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
    try:
        batches = tmp / CIFAR10.base_folder
        batches.mkdir()
        train_images, train_labels = _split(train_size, seed=1)
        per_batch = train_size // 5
        for b in range(5):
            part = slice(b * per_batch, (b + 1) * per_batch)
            _write_batch(batches / f"data_batch_{b + 1}", train_images[part], train_labels[part],
                         f"training batch {b + 1} of 5 (stand-in)", b * per_batch)
        test_images, test_labels = _split(test_size, seed=2)
        _write_batch(batches / "test_batch", test_images, test_labels, "testing batch 1 of 1 (stand-in)", 0)
        with open(batches / "batches.meta", "wb") as f:
            pickle.dump({"num_cases_per_batch": per_batch, "label_names": list(CIFAR10_CLASSES), "num_vis": 3072},
                        f, protocol=4)
        manifest = {
            "what": "A generated stand-in for CIFAR-10 (NOT the real data set), in CIFAR-10's file format.",
            "generator": "grader.data.generate_standin",
            "version": STANDIN_VERSION,
            "train_size": train_size,
            "test_size": test_size,
            "md5": {p.name: _md5(p) for p in sorted(batches.iterdir())},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        (tmp / "README.txt").write_text(
            "This folder holds a generated stand-in for CIFAR-10, not the real data set: synthetic shapes in\n"
            "CIFAR-10's file format and class names, made by the course's grader/data.py for offline use.\n"
            "Delete the folder to have it generated again.\n")
        try:
            tmp.rename(folder)
        except OSError:
            if not (folder / MANIFEST).is_file():   # not a concurrent generator winning the race: a real problem
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


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
        manifest = _read_manifest(root)
        sums = manifest["md5"]
        self.train_list = [[f"data_batch_{b}", sums.get(f"data_batch_{b}")] for b in range(1, 6)]
        self.test_list = [["test_batch", sums.get("test_batch")]]
        self.meta = {"filename": "batches.meta", "key": "label_names", "md5": sums.get("batches.meta")}
        self.manifest = manifest
        bad = _bad_files(root, self.train_list + self.test_list + [[self.meta["filename"], self.meta["md5"]]])
        if bad:
            raise DataError(_corrupt_message(root, bad, "the stand-in",
                                             "Delete that folder and run again: the stand-in is generated anew "
                                             "in a few seconds."))
        super().__init__(root, train=train, transform=transform, target_transform=target_transform, download=False)

    def download(self) -> None:
        raise DataError("The CIFAR-10 stand-in is generated, not downloaded: use grader.data.load_cifar10.")

    def extra_repr(self) -> str:
        return super().extra_repr() + "\nGenerated stand-in for CIFAR-10 (not the real data set)"


def _read_manifest(root: Path) -> dict:
    path = root / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        if not isinstance(manifest.get("md5"), dict):
            raise ValueError("no md5 table")
        return manifest
    except (OSError, ValueError) as err:
        raise DataError(f"The CIFAR-10 stand-in in {root} is incomplete or corrupt: its manifest {path} cannot be "
                        f"read ({err}). Delete the folder {root} and run again: the stand-in is generated anew in "
                        f"a few seconds.") from None


def _bad_files(root: Path, files) -> list[str]:
    """Names of the files (with md5 sums) under root/cifar-10-batches-py that are missing or differ."""
    bad = []
    for name, md5 in files:
        path = root / CIFAR10.base_folder / name
        if not path.is_file():
            bad.append(f"{name} (missing)")
        elif md5 is None or not check_integrity(path, md5):
            bad.append(f"{name} (wrong checksum: truncated or changed)")
    return bad


def _corrupt_message(root: Path, bad: list[str], what: str, fix: str) -> str:
    return (f"The CIFAR-10 data in {root} ({what}) is incomplete or corrupt: {', '.join(bad)}. "
            f"Refusing to use it, since training on broken data fails in confusing ways. {fix}")


def load_standin(train: bool, transform=None, which: str | None = None) -> StandInCIFAR10:
    """The stand-in for profile `which` (default: the active profile), generated on first use."""
    which = which or profile()
    folder = standin_folder(which)
    if not folder.exists():
        generate_standin(folder, *STANDIN_SIZES[which])
    return StandInCIFAR10(folder, train=train, transform=transform)


def ensure_standin(which: str | None = None) -> Path:
    """The stand-in folder of profile `which` (default: the active profile), generated when missing and its files
    checked against the manifest without loading them: what the grader makes sure of before kernels that cannot
    write start (a damaged folder stops the batch here, instead of failing every student's notebook)."""
    which = which or profile()
    folder = standin_folder(which)
    if not folder.exists():
        generate_standin(folder, *STANDIN_SIZES[which])
    bad = _bad_files(folder, list(_read_manifest(folder)["md5"].items()))
    if bad:
        raise DataError(_corrupt_message(folder, bad, "the stand-in", "Delete that folder and run again: the "
                                                                      "stand-in is generated anew in a few seconds."))
    return folder


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
    bad = _bad_files(root, CIFAR10.train_list + CIFAR10.test_list + [[CIFAR10.meta["filename"], CIFAR10.meta["md5"]]])
    if bad:
        raise DataError(_corrupt_message(batches, bad, "the real CIFAR-10", REAL_FIX))
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
