"""Atomic file writes: write to a temporary name in the same folder, then rename; the
temporaries a killed writer left, removed; and the one reader of our JSON files.

Contract: every file of the package is written here, and a write that the file system refuses
(a folder in the way, a parent that is a file, no permission, read-only or full) raises the one
``JaxscratchError`` "cannot write <path>: <reason>" with nothing left behind; ``check_writable``
is the same verdict before any work starts, touching nothing.
"""

import contextlib
import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from jaxscratch.errors import JaxscratchError

# the file system refused the bytes (as opposed to, say, a network read inside the block)
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO}
_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "a folder is in the way",
    errno.ENOTDIR: "a parent is a file, not a folder",
    errno.EEXIST: "a parent is a file, not a folder",
}


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


def cannot_write(path: str | os.PathLike, reason: str) -> JaxscratchError:
    """The one error for a file or folder that cannot be written: the path and why."""
    return JaxscratchError(f"cannot write {path}: {reason}")


def _reason(err: OSError) -> str:
    return _REASONS.get(err.errno, (err.strerror or str(err)).lower())


def _first_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_writable(
    path: str | os.PathLike, *, folder: bool = False, files: Iterable[str] = ()
) -> Path:
    """Refuse now, with the one "cannot write" error, an output that a write would refuse later.

    ``path`` is a file to write, or with ``folder=True`` a folder to fill with ``files``. Checks
    what is in the way (a folder where the file goes, a file where a folder goes) and probes the
    nearest existing folder with one byte in a temporary file (permission, read-only, full),
    which is removed again: nothing is created or changed.
    """
    path = Path(path)
    if folder:
        if path.exists() and not path.is_dir():
            raise cannot_write(path, "it is a file, not a folder; give a folder")
        for name in files:
            if (path / name).is_dir():
                raise cannot_write(path / name, "a folder is in the way; remove it")
    elif path.is_dir():
        raise cannot_write(path, "it is a folder; give a file name")
    base = _first_existing(path if folder else path.parent)
    if not base.is_dir():
        raise cannot_write(path, f"{base} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=base) as probe:
            probe.write(b"\0")
            probe.flush()
    except OSError as err:
        raise cannot_write(path, _reason(err)) from None
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for a writer that wants a file name; it is renamed
    to ``path`` when the block succeeds and removed when it fails. A write the file system
    refuses becomes the one "cannot write" error."""
    path = Path(path)
    if path.is_dir():
        raise cannot_write(path, "a folder is in the way; remove it or write elsewhere")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    except OSError as err:
        raise cannot_write(path, _reason(err)) from None
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        if err.errno in _STORAGE_ERRNOS or err.filename in (tmp, str(path)):
            raise cannot_write(path, _reason(err)) from None
        raise
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


def _temporary_pattern(name: str) -> re.Pattern[str]:
    # what ``atomic_path`` names a temporary of ``name``: tempfile.mkstemp's 8 random characters
    stem, suffix = os.path.splitext(name)
    return re.compile(rf"\.{re.escape(stem)}\.[a-z0-9_]{{8}}{re.escape(suffix)}")


def remove_temporaries(folder: str | os.PathLike, names: Iterable[str]) -> list[Path]:
    """Remove the temporaries a killed writer left beside ``folder``'s files ``names``.

    ``atomic_path`` writes ``<name>`` through ``.<stem>.<random><suffix>`` and renames it; a
    SIGKILL between the two leaves the temporary (a full checkpoint, say) behind for good. Only
    temporaries of the given names are removed, so a user's own dotfiles are never touched.
    Call it when a run directory is opened by its one writer. Returns what was removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    patterns = [_temporary_pattern(n) for n in names]
    removed = []
    for path in folder.iterdir():
        if path.name.startswith(".") and any(p.fullmatch(path.name) for p in patterns):
            if path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def read_json(path: str | os.PathLike, *, fix: str) -> Any:
    """The JSON value in ``path``, or a one-line ``JaxscratchError`` naming the file, what is
    wrong (missing, unreadable, not JSON) and ``fix``: the one reader of our JSON files; each
    file kind checks the value's shape in its own loader."""
    path = Path(path)
    if not path.is_file():
        raise JaxscratchError(f"{path} is missing; {fix}")
    try:
        return json.loads(path.read_bytes())
    except OSError as err:
        raise JaxscratchError(f"cannot read {path}: {err.strerror}; {fix}") from None
    except (ValueError, RecursionError) as err:  # JSONDecodeError and bad UTF-8 are ValueErrors
        what = f"line {err.lineno}" if isinstance(err, json.JSONDecodeError) else "its bytes"
        raise JaxscratchError(f"{path} is not valid JSON ({what}); {fix}") from None
