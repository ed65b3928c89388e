"""MNIST-format data: IDX files, a registry of known sets, verified downloads, a cache, the split.

Contract (consumed by the training code)::

    ds = load("mnist", data_dir=None, verbose=False)   # Dataset(name, x_train, y_train, ...)
    x, y = pool(ds)                                    # official train + test: 70,000 for MNIST
    x_tr, y_tr, x_te, y_te = split(key, x, y, test_fraction=0.2, stratify=True)
    xs = scale(x_tr)                                   # float32 in [0, 1]

Images are ``(n, h, w)`` uint8, labels ``(n,)`` int32 in 0..9.
"""

from jaxscratch.data.cache import cache_dir
from jaxscratch.data.dataset import Dataset, pool
from jaxscratch.data.digits import load_digits
from jaxscratch.data.download import fetch
from jaxscratch.data.errors import DataError, DataFormatError, DownloadError
from jaxscratch.data.idx import encode_idx, parse_idx, read_idx, write_idx
from jaxscratch.data.preprocess import pixel_stats, scale, standardize
from jaxscratch.data.registry import DATASETS, NAMES, STANDARD_NAMES, DatasetSpec, FileSpec, spec
from jaxscratch.data.resolve import load
from jaxscratch.data.split import split

__all__ = [
    "DATASETS",
    "NAMES",
    "STANDARD_NAMES",
    "DataError",
    "DataFormatError",
    "Dataset",
    "DatasetSpec",
    "DownloadError",
    "FileSpec",
    "cache_dir",
    "encode_idx",
    "fetch",
    "load",
    "load_digits",
    "parse_idx",
    "pixel_stats",
    "pool",
    "read_idx",
    "scale",
    "spec",
    "split",
    "standardize",
    "write_idx",
]
