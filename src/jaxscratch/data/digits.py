"""The offline fallback: scikit-learn's bundled 8x8 handwritten digits (UCI, 1,797 images)."""

import jax
import numpy as np

from jaxscratch.data.dataset import Dataset
from jaxscratch.data.errors import DataError
from jaxscratch.data.split import split

_SEED = 0  # the fixed test part: the same 20 % on every machine
_DIGITS_MAX = 16.0  # the UCI digits count 0..16 set pixels in each 4x4 block


def load_digits() -> Dataset:
    """The 1,797 digits as 8x8 uint8 images scaled from 0..16 to 0..255, with a fixed, seeded,
    stratified 20 % test part. Needs scikit-learn (which ships the data), imported here only."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise DataError(
            "the offline 'digits' set comes bundled with scikit-learn, which is not installed; "
            "pip install scikit-learn, or use --data-dir DIR with MNIST-format files"
        ) from None
    bunch = sklearn_digits()
    x = np.round(bunch.images * (255.0 / _DIGITS_MAX)).astype(np.uint8)  # (1797, 8, 8)
    y = bunch.target.astype(np.int32)  # (1797,)
    x_train, y_train, x_test, y_test = split(jax.random.key(_SEED), x, y, test_fraction=0.2)
    return Dataset("digits", x_train, y_train, x_test, y_test,
                   "scikit-learn's bundled copy of the UCI 8x8 digits (no download)")  # fmt: skip
