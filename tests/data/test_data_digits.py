"""The offline digits set from scikit-learn's bundled copy."""

import numpy as np
import pytest

from jaxscratch.data import load, load_digits, pool

pytest.importorskip("sklearn", reason="the digits set ships with scikit-learn")


def test_digits_follow_the_dataset_contract():
    ds = load("digits")
    assert ds.name == "digits" and "scikit-learn" in ds.source
    assert ds.x_train.shape == (1438, 8, 8) and ds.x_test.shape == (359, 8, 8)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int32
    x, y = pool(ds)
    assert x.max() == 255 and x.min() == 0 and set(np.unique(y)) == set(range(10))


def test_the_test_part_is_fixed_and_stratified():
    a, b = load_digits(), load_digits()
    np.testing.assert_array_equal(a.y_test, b.y_test)
    _, y = pool(a)
    assert np.all(np.abs(np.bincount(a.y_test) - 0.2 * np.bincount(y)) <= 1)


def test_digits_need_no_files_and_no_network(monkeypatch, isolated):
    monkeypatch.setenv("JAXSCRATCH_OFFLINE", "1")
    load("digits")
    assert not isolated.exists()
