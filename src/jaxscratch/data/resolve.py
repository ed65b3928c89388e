"""Finding a data set's files and loading them: ``--data-dir`` → user cache → system copy →
download. Each step is printed when ``verbose``.

Gzip files are decoded once into the array cache and memory-mapped afterwards; raw IDX files given
with ``--data-dir`` are memory-mapped in place. Files from the cache or a system copy are checked
against the published SHA-256 the first time they are decoded.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from jaxscratch.data import cache, download
from jaxscratch.data.checksum import matches
from jaxscratch.data.dataset import Dataset, check_images, check_labels
from jaxscratch.data.digits import load_digits
from jaxscratch.data.errors import DataError, DataFormatError
from jaxscratch.data.idx import read_idx
from jaxscratch.data.registry import BUNDLED, STANDARD_NAMES, DatasetSpec, FileSpec, spec

ENV_DATA = "JAXSCRATCH_DATA"  # a folder with the four standard files, like --data-dir
ENV_OFFLINE = "JAXSCRATCH_OFFLINE"  # "1": never download

Log = Callable[[str], None]


class Found(NamedTuple):
    """Where a data set's four files are: train images, train labels, test images, test labels."""

    label: str  # "--data-dir", "user cache", "system copy"
    folder: Path
    paths: tuple[Path, ...]


def standard_files(folder: Path) -> list[Path | None]:
    """Each standard file in ``folder``, gzip (``name.gz``) or raw (``name``), or None."""
    found = []
    for name in STANDARD_NAMES:
        raw = name.removesuffix(".gz")
        found.append(next((folder / n for n in (name, raw) if (folder / n).is_file()), None))
    return found


def _from_data_dir(data_dir: Path, name: str, log: Log) -> Found:
    if not data_dir.exists():
        raise DataError(f"--data-dir {data_dir} does not exist; give a folder holding the four "
                        f"standard files ({', '.join(STANDARD_NAMES)})")  # fmt: skip
    if not data_dir.is_dir():
        raise DataError(f"--data-dir {data_dir} is a file, not a folder; give the folder that "
                        "holds the four standard IDX files")  # fmt: skip
    try:
        os.listdir(data_dir)
    except OSError as err:
        raise DataError(f"cannot read --data-dir {data_dir}: {err.strerror}; check its "
                        "permissions") from None  # fmt: skip
    for folder in (data_dir, data_dir / name):  # DIR itself, or DIR/<name> for a shared root
        paths = standard_files(folder)
        if all(paths):
            log(f"--data-dir {folder}: found the four files")
            return Found("--data-dir", folder, tuple(paths))
    paths = standard_files(data_dir)
    missing = [n for n, p in zip(STANDARD_NAMES, paths, strict=True) if p is None]
    raise DataError(
        f"--data-dir {data_dir} lacks {', '.join(missing)} (gzip or raw); put the four standard "
        "MNIST-format files there (or in its subfolder named after the data set)"
    )


def locations(ds: DatasetSpec) -> list[tuple[str, Path]]:
    """Where a known data set is looked for before downloading, in order."""
    return [("user cache", cache.dataset_dir(ds.name))] + [
        ("system copy", Path(d)) for d in ds.system_dirs
    ]


def find(ds: DatasetSpec, log: Log = lambda _: None) -> Found | None:
    """The first complete copy of ``ds`` in the user cache or a system folder, if any."""
    for label, folder in locations(ds):
        paths = standard_files(folder)
        if all(paths):
            log(f"{label} {folder}: found the four files")
            return Found(label, folder, tuple(paths))
        have = sum(p is not None for p in paths)
        log(f"{label} {folder}: " + (f"only {have} of the four files" if have else "not there"))
    return None


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _decoder(file: FileSpec | None) -> Callable[[Path], np.ndarray]:
    def decode(path: Path) -> np.ndarray:
        if file is not None and not matches(path, file):
            raise DataFormatError(
                f"{path}: not the published {file.name} (SHA-256 differs); delete it and run "
                "'jaxscratch data fetch' again, or pass --data-dir to use your own files"
            )
        return read_idx(path)

    return decode


def read_files(found: Found, known: DatasetSpec | None) -> tuple[np.ndarray, ...]:
    """``x_train, y_train, x_test, y_test`` from the four files, checked against each other.

    With ``known``, each file must match its published SHA-256 (checked when first decoded).
    A set that is rejected leaves no new entry in the array cache.
    """
    stored: list[Path] = []
    try:
        return _read_files(found, known, stored)
    except BaseException:  # not handled here: the cache entries of a rejected set go, then on
        for entry in stored:
            entry.unlink(missing_ok=True)
        raise


def _read_files(
    found: Found, known: DatasetSpec | None, stored: list[Path]
) -> tuple[np.ndarray, ...]:
    arrays = []
    for i, path in enumerate(found.paths):
        try:
            if known is None and not _is_gzip(path):
                a = read_idx(path, mmap=True)
            else:
                a = cache.cached_array(path, _decoder(known.files[i] if known else None), stored)
        except OSError as err:
            raise DataError(f"cannot read {path}: {err.strerror}; check the file") from None
        arrays.append(a)
    x_tr, y_tr, x_te, y_te = arrays
    p = [str(q) for q in found.paths]
    x_tr, x_te = check_images(x_tr, p[0]), check_images(x_te, p[2])
    if x_tr.shape[1:] != x_te.shape[1:]:
        raise DataFormatError(
            f"{p[2]}: images of {x_te.shape[1:]} but {p[0]} has {x_tr.shape[1:]}; "
            "both parts must have one image size"
        )
    y_tr = check_labels(y_tr, len(x_tr), p[1], p[0])
    y_te = check_labels(y_te, len(x_te), p[3], p[2])
    return x_tr, y_tr, x_te, y_te


def _logger(verbose: bool) -> Log:
    if not verbose:
        return lambda _: None
    return lambda msg: print(f"data: {msg}", file=sys.stderr)


def load(
    name: str, *, data_dir: str | os.PathLike | None = None, verbose: bool = False
) -> Dataset:
    """Load a data set by name, finding or fetching its files.

    Order: ``data_dir`` (or ``$JAXSCRATCH_DATA``) with the four standard file names → the user
    cache → a system-wide copy (Debian's ``dataset-fashion-mnist``) → a verified download into the
    cache. ``digits`` needs no files.

    Args:
      name: "mnist", "fashion-mnist", "digits"; with ``data_dir`` also "custom".
      data_dir: a folder holding train-images-idx3-ubyte[.gz] and the three others.
      verbose: print each step of the search to stderr.

    Returns:
      The official train and test parts; ``name`` is "custom" for files from ``data_dir``.

    Raises:
      DataError: unknown name, unreadable folder or files, no network and nothing cached.
    """
    log = _logger(verbose)
    if name in BUNDLED:
        log("digits: scikit-learn's bundled copy, nothing to find or download")
        return load_digits()
    data_dir = data_dir or os.environ.get(ENV_DATA) or None
    if data_dir is not None:
        if name != "custom":
            spec(name)  # an unknown name is an error even with --data-dir
        found = _from_data_dir(Path(data_dir).expanduser(), name, log)
        return Dataset("custom", *read_files(found, None), f"--data-dir {found.folder}")
    ds = spec(name)
    log(f"{name}: no --data-dir (nor ${ENV_DATA})")
    found = find(ds, log)
    if found is None:
        if os.environ.get(ENV_OFFLINE, "") not in ("", "0"):
            raise DataError(
                f"{name} is not in the cache and ${ENV_OFFLINE} forbids downloading; pass "
                f"--data-dir DIR with the four files, or use the offline --dataset digits"
            )
        log(f"downloading {name} into {cache.dataset_dir(name)}")
        with download.progress_bar(sys.stderr.isatty()) as bar:  # a bar on a terminal only
            folder, _ = download.fetch(ds, progress=bar)
        found = Found("download", folder, tuple(folder / f.name for f in ds.files))
    source = f"{found.label} {found.folder}" if found.label != "download" else (
        f"downloaded into {found.folder}")  # fmt: skip
    return Dataset(ds.name, *read_files(found, ds), source)
