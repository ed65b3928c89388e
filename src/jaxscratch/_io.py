"""Atomic file writes: write to a temporary name in the same folder, then rename."""

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[IO[bytes]]:
    """A binary file to stream into that appears at ``path`` only when the block succeeds
    (flushed, fsynced, renamed by ``atomic_path``); on any error the temporary is removed and
    ``path`` is as it was."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        yield f
        f.flush()
        os.fsync(f.fileno())


def _atomic(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    with atomic_writer(path) as f:
        write(f)
    return Path(path)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for a writer that wants a file name; it is renamed
    to ``path`` when the block succeeds and removed when it fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    return _atomic(path, lambda f: f.write(data))


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; returns the path."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON atomically; returns the path."""
    return write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def copy_file(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Copy the file ``src`` to ``dst`` atomically (``dst`` is never half-written)."""
    with open(src, "rb") as f:
        return _atomic(dst, lambda g: shutil.copyfileobj(f, g))


def save_npy(path: str | os.PathLike, array: Any) -> Path:
    """Save one array in ``.npy`` format atomically; returns the path."""
    return _atomic(path, lambda f: np.save(f, np.asarray(array), allow_pickle=False))


def save_npz(path: str | os.PathLike, **arrays: Any) -> Path:
    """Save named arrays in ``.npz`` format atomically; returns the path."""
    return _atomic(path, lambda f: np.savez(f, **{k: np.asarray(v) for k, v in arrays.items()}))


def save_figure(path: str | os.PathLike, fig: Any, **kwargs: Any) -> Path:
    """Save a matplotlib figure atomically, the format taken from the extension."""
    fmt = Path(path).suffix.lstrip(".").lower()
    return _atomic(path, lambda f: fig.savefig(f, format=fmt, **kwargs))
