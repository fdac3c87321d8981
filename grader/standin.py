"""The CIFAR-10 stand-in's files: drawn, written in CIFAR-10's exact on-disk format, and checked against their
manifest. No torch here: the grader checks the data before a batch without paying for importing torch.

See `grader.data` for what the stand-in is and where it lives; `grader.data` reads it with torchvision's own
`CIFAR10` class.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from grader.course import REPO
from grader.profile import profile

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
DATA_ENV = "COURSE_DATA"
BASE_FOLDER = "cifar-10-batches-py"          # torchvision's BASE_FOLDER
STANDIN_SIZES = {"quick": (5000, 1000), "full": (50000, 10000)}
STANDIN_VERSION = 1
MANIFEST = "standin.json"


class DataError(RuntimeError):
    """A data folder is missing, incomplete or corrupt; the message names the folder and what to do."""


COLAB_DATA = Path("/content/data")


def in_colab() -> bool:
    """True inside Google Colab. Asked without importing `google.colab`, which would fail (slowly) elsewhere."""
    return "google.colab" in sys.modules or any(name.startswith("COLAB_") for name in os.environ)


def data_root() -> Path:
    """The one data folder every notebook shares: `$COURSE_DATA`, or `data/` at the repository root.

    In Colab the package sits in site-packages, so the data goes to the runtime's own disk, `/content/data`,
    where the file browser shows it.
    """
    env = os.environ.get(DATA_ENV, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    return COLAB_DATA if in_colab() else REPO / "data"


def standin_folder(which: str | None = None) -> Path:
    """Where the stand-in of profile `which` (default: the active profile) lives."""
    return data_root() / f"cifar10-standin-{which or profile()}"


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
    # mkdtemp makes the folder private (0700); the data set is shared by whoever may read its parent (a grader
    # or Dask worker under another account, students on a shared server), so it gets the usual mode
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    try:
        batches = tmp / BASE_FOLDER
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
            "generator": "grader.standin.generate_standin",
            "version": STANDIN_VERSION,
            "train_size": train_size,
            "test_size": test_size,
            "md5": {p.name: _md5(p) for p in sorted(batches.iterdir())},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        (tmp / "README.txt").write_text(
            "This folder holds a generated stand-in for CIFAR-10, not the real data set: synthetic shapes in\n"
            "CIFAR-10's file format and class names, made by the course's grader/standin.py for offline use.\n"
            "Delete the folder to have it generated again.\n")
        try:
            tmp.rename(folder)
        except OSError:
            if not (folder / MANIFEST).is_file():   # not a concurrent generator winning the race: a real problem
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def read_manifest(root: Path) -> dict:
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


def bad_files(root: Path, files) -> list[str]:
    """Names of the files (with md5 sums) under root/cifar-10-batches-py that are missing or differ."""
    bad = []
    for name, md5 in files:
        path = root / BASE_FOLDER / name
        if not path.is_file():
            bad.append(f"{name} (missing)")
        elif md5 is None or _md5(path) != md5:
            bad.append(f"{name} (wrong checksum: truncated or changed)")
    return bad


def corrupt_message(root: Path, bad: list[str], what: str, fix: str) -> str:
    return (f"The CIFAR-10 data in {root} ({what}) is incomplete or corrupt: {', '.join(bad)}. "
            f"Refusing to use it, since training on broken data fails in confusing ways. {fix}")


def ensure_standin(which: str | None = None) -> Path:
    """The stand-in folder of profile `which` (default: the active profile), generated when missing and its files
    checked against the manifest without loading them: what the grader makes sure of before kernels that cannot
    write start (a damaged folder stops the batch here, instead of failing every student's notebook)."""
    which = which or profile()
    folder = standin_folder(which)
    if not folder.exists():
        generate_standin(folder, *STANDIN_SIZES[which])
    bad = bad_files(folder, list(read_manifest(folder)["md5"].items()))
    if bad:
        raise DataError(corrupt_message(folder, bad, "the stand-in", "Delete that folder and run again: the "
                                                                      "stand-in is generated anew in a few seconds."))
    return folder
