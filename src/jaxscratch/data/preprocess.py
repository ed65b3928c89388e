"""Pixel scaling and standardisation as explicit functions (NumPy or JAX arrays alike)."""

import numpy as np

from jaxscratch.data.errors import DataError

_PIXEL_MAX = 255.0
_MIN_STD = 1e-6  # pixels constant over the data (MNIST's borders) are centred, not divided by 0


def scale(x):
    """uint8 pixels 0..255 to float32 in [0, 1]."""
    return x.astype(np.float32) / np.float32(_PIXEL_MAX)


def pixel_stats(x, *, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel mean and standard deviation of training images ``x`` (n, h, w), on the [0, 1]
    scale of :func:`scale`. Compute them on the training part and reuse them for the test part.

    Accumulates in float64 over ``chunk`` images at a time, so memory stays small for 70k images.
    """
    n = len(x)
    if n == 0:
        raise DataError("pixel_stats needs at least one image")
    total = np.zeros(x.shape[1:], np.float64)  # (h, w)
    squares = np.zeros(x.shape[1:], np.float64)
    for start in range(0, n, chunk):
        block = np.asarray(x[start : start + chunk], dtype=np.float64) / _PIXEL_MAX
        total += block.sum(axis=0)
        squares += np.square(block).sum(axis=0)
    mean = total / n
    var = np.maximum(squares / n - np.square(mean), 0.0)
    return mean.astype(np.float32), np.sqrt(var).astype(np.float32)


def standardize(x, mean, std):
    """``(scale(x) - mean) / std``, float32; a (near-)zero ``std`` counts as 1."""
    std = np.where(np.asarray(std) < _MIN_STD, np.float32(1.0), std).astype(np.float32)
    return (scale(x) - mean) / std
