"""The user cache: downloaded files per data set, and decoded arrays as memory-mapped ``.npy``.

Decoding a gzip IDX file costs a full decompression; the first read stores the array as ``.npy``
under ``<cache>/arrays`` and every later read memory-maps it (``np.load(mmap_mode="r")``), so a
warm load reads only the pages used. An entry is keyed by the source's real path, size and
modification time, so a changed file is decoded again; the entry it replaces is removed.
"""

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from jaxscratch._io import save_npy

ENV_CACHE = "JAXSCRATCH_CACHE"


def cache_dir() -> Path:
    """``$JAXSCRATCH_CACHE``, else ``$XDG_CACHE_HOME/jaxscratch``, else ``~/.cache/jaxscratch``."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "jaxscratch"


def dataset_dir(name: str) -> Path:
    """Where ``jaxscratch data fetch NAME`` puts the verified files."""
    return cache_dir() / name


def arrays_dir() -> Path:
    """Where decoded arrays are kept as ``.npy``."""
    return cache_dir() / "arrays"


def _entry(source: Path) -> tuple[Path, str]:
    """The cache file for ``source`` as it is now, and the glob matching its older entries."""
    real = source.resolve()
    st = real.stat()
    where = hashlib.sha256(str(real).encode()).hexdigest()[:12]
    when = hashlib.sha256(f"{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:12]
    stem = real.name.removesuffix(".gz")
    return arrays_dir() / f"{stem}-{where}-{when}.npy", f"{stem}-{where}-*.npy"


def _load(path: Path) -> np.ndarray | None:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None  # missing or damaged: decode again


def cached_array(
    source: str | os.PathLike,
    decode: Callable[[Path], np.ndarray],
    stored: list[Path] | None = None,
) -> np.ndarray:
    """``decode(source)``, stored once as ``.npy`` and memory-mapped (read-only) afterwards.

    Args:
      source: the file the array comes from.
      decode: reads and checks it (called only on a miss).
      stored: a new entry's path is appended here, so that a caller who then rejects the
        array (checked against the other files of its data set) can remove it again.

    Returns:
      A read-only memory map of the array (or the decoded array if the cache is not writable).
    """
    source = Path(source)
    entry, older = _entry(source)
    if entry.is_file() and (hit := _load(entry)) is not None:
        return hit
    array = decode(source)
    try:
        save_npy(entry, array)
    except OSError:
        return array  # a read-only cache still loads, only slower
    if stored is not None:
        stored.append(entry)
    for stale in entry.parent.glob(older):
        if stale != entry:
            stale.unlink(missing_ok=True)
    mapped = _load(entry)
    return array if mapped is None else mapped


def disk_usage(path: Path) -> int:
    """Bytes in the files under ``path`` (0 when it does not exist)."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
