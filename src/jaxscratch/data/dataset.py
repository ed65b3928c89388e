"""A labelled image data set as plain arrays, and the official train + test parts pooled."""

from typing import NamedTuple

import numpy as np

from jaxscratch._shared import N_CLASSES
from jaxscratch.data.errors import DataFormatError


class Dataset(NamedTuple):
    """Images and labels as shipped: the official train and test parts.

    ``x_*`` are ``(n, h, w)`` uint8 in 0..255 (possibly read-only memory maps); ``y_*`` are
    ``(n,)`` int32 in 0..9. ``source`` says where the files came from.
    """

    name: str  # "mnist", "fashion-mnist", "digits", or "custom" for --data-dir
    x_train: np.ndarray  # (n_train, h, w) uint8
    y_train: np.ndarray  # (n_train,) int32
    x_test: np.ndarray  # (n_test, h, w) uint8
    y_test: np.ndarray  # (n_test,) int32
    source: str


def pool(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The official train and test parts concatenated: 70,000 images for MNIST.

    Returns:
      ``x`` (n_train + n_test, h, w) uint8 and ``y`` (n_train + n_test,) int32, fresh arrays.
    """
    return np.concatenate([ds.x_train, ds.x_test]), np.concatenate([ds.y_train, ds.y_test])


def check_images(x: np.ndarray, where: str) -> np.ndarray:
    """``x`` if it is uint8 images ``(n, h, w)``; else a format error naming ``where``."""
    if x.ndim != 3 or x.dtype != np.uint8:
        raise DataFormatError(
            f"{where}: holds {x.dtype} data of shape {x.shape}, not images (n, rows, cols) of "
            "uint8; give the images-idx3-ubyte file here"
        )
    if len(x) == 0 or 0 in x.shape[1:]:
        raise DataFormatError(
            f"{where}: holds {x.shape[0]} images of {x.shape[1]}x{x.shape[2]} pixels, nothing to "
            "learn or test on; give a file with at least one image"
        )
    return x


def check_labels(y: np.ndarray, n_images: int, where: str, images_where: str) -> np.ndarray:
    """``y`` as int32 if it is ``n_images`` labels in 0..9; else an error naming the files."""
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise DataFormatError(
            f"{where}: holds {y.dtype} data of shape {y.shape}, not a list of integer labels; "
            "give the labels-idx1-ubyte file here"
        )
    if len(y) != n_images:
        raise DataFormatError(
            f"{where}: {len(y):,} labels but {images_where} has {n_images:,} images; "
            "the two files must come from the same part of the same data set"
        )
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= N_CLASSES):
        bad = y[(y < 0) | (y >= N_CLASSES)]
        raise DataFormatError(
            f"{where}: {len(bad):,} labels outside 0-{N_CLASSES - 1} (e.g. {int(bad[0])}); "
            f"this is not a {N_CLASSES}-class MNIST-format label file"
        )
    return y.astype(np.int32)
