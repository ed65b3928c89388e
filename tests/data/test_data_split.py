"""split(): exact sizes, class proportions, determinism, and bad arguments."""

import jax
import numpy as np
import pytest

from jaxscratch.data import DataError, split


@pytest.fixture
def pooled():
    """70,000 labels with MNIST's uneven class sizes, and the row index as the 'image'."""
    counts = [6903, 7877, 6990, 7141, 6824, 6313, 6876, 7293, 6825, 6958]  # MNIST train + test
    y = np.repeat(np.arange(10, dtype=np.int32), counts)
    return np.arange(len(y)), y


def test_80_20_of_70000_is_56000_and_14000(key, pooled):
    x_tr, y_tr, x_te, y_te = split(key, *pooled)
    assert (len(x_tr), len(y_tr), len(x_te), len(y_te)) == (56000, 56000, 14000, 14000)


def test_parts_are_disjoint_cover_everything_and_keep_pairs(key, pooled):
    x, y = pooled
    x_tr, y_tr, x_te, y_te = split(key, x, y)
    assert np.array_equal(np.sort(np.concatenate([x_tr, x_te])), x)
    np.testing.assert_array_equal(y[x_tr], y_tr)
    np.testing.assert_array_equal(y[x_te], y_te)


def test_stratified_keeps_every_class_share_within_one_example(key, pooled):
    _, y = pooled
    _, _, _, y_te = split(key, *pooled, test_fraction=0.2)
    expected = np.bincount(y) * 0.2
    assert np.all(np.abs(np.bincount(y_te, minlength=10) - expected) <= 1)


def test_parts_are_shuffled_not_grouped_by_class(key, pooled):
    _, y_tr, _, y_te = split(key, *pooled)
    assert np.mean(np.diff(y_tr) != 0) > 0.8 and np.mean(np.diff(y_te) != 0) > 0.8


def test_same_key_same_split_other_key_other_split(pooled):
    a = split(jax.random.key(1), *pooled)
    b = split(jax.random.key(1), *pooled)
    c = split(jax.random.key(2), *pooled)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[2], c[2])


def test_unstratified_split_has_the_same_sizes(key, pooled):
    x_tr, _, x_te, _ = split(key, *pooled, test_fraction=0.25, stratify=False)
    assert (len(x_tr), len(x_te)) == (52500, 17500)


def test_works_on_image_stacks_and_copies(key):
    x = np.arange(50 * 4, dtype=np.uint8).reshape(50, 2, 2)
    y = np.arange(50) % 5
    x_tr, _, x_te, _ = split(key, x, y)
    assert x_tr.shape == (40, 2, 2) and x_te.shape == (10, 2, 2)
    assert not np.shares_memory(x_tr, x)


@pytest.mark.parametrize(
    ("n_x", "fraction", "needle"),
    [(10, 0.0, "between 0 and 1"), (10, 1.0, "between 0 and 1"), (9, 0.2, "one label per row"),
     (10, 0.01, "empty part")],
)  # fmt: skip
def test_bad_arguments_are_clear_errors(key, n_x, fraction, needle):
    with pytest.raises(DataError, match=needle):
        split(key, np.zeros(n_x), np.arange(10) % 2, test_fraction=fraction)
