"""SHA-256 checks of published files, accepting a recompressed copy whose IDX bytes are intact."""

import gzip
import hashlib
import os
import zlib
from pathlib import Path

from jaxscratch.data.registry import FileSpec

_CHUNK = 1 << 20


def _digest(f) -> str:
    h = hashlib.sha256()
    while block := f.read(_CHUNK):
        h.update(block)
    return h.hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    with open(path, "rb") as f:
        return _digest(f)


def matches(path: str | os.PathLike, spec: FileSpec) -> bool:
    """Whether ``path`` holds ``spec``'s data: the published gzip, a recompressed gzip of the same
    IDX bytes (as Debian ships Fashion-MNIST), or those IDX bytes uncompressed."""
    path = Path(path)
    digest = sha256_file(path)
    if digest in (spec.sha256, spec.raw_sha256):
        return True
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            return False
    try:
        with gzip.open(path, "rb") as f:
            return _digest(f) == spec.raw_sha256
    except (OSError, EOFError, zlib.error):
        return False
