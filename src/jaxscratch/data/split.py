"""A seeded, stratified train:test split of pooled data (the task's 80:20 split of MNIST)."""

import jax
import numpy as np

from jaxscratch.data.errors import DataError


def _check(x, y, test_fraction: float) -> int:
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    if len(x) != len(y):
        raise DataError(f"x has {len(x)} rows but y has {len(y)} labels; give one label per row")
    n_test = round(len(y) * test_fraction)
    if not 0 < n_test < len(y):
        raise DataError(
            f"{len(y)} examples with test_fraction {test_fraction} leave an empty part; "
            "give more examples or another fraction"
        )
    return n_test


def _per_class(counts: np.ndarray, n_test: int) -> np.ndarray:
    """Test examples per class: proportional, rounded by largest remainder to sum to ``n_test``
    (Hamilton's method), so every class keeps its share to within one example."""
    quota = counts * (n_test / counts.sum())  # (k,)
    take = np.floor(quota).astype(np.int64)
    extra = n_test - take.sum()
    take[np.argsort(-(quota - take), kind="stable")[:extra]] += 1
    return take


def split(
    key: jax.Array,
    x: np.ndarray,
    y: np.ndarray,
    *,
    test_fraction: float = 0.2,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle ``(x, y)`` with ``key`` and split off ``round(n * test_fraction)`` test examples.

    With ``stratify`` every class appears in the test part in proportion to its share (to within
    one example). The same key gives the same split on every machine.

    Args:
      key: a JAX PRNG key.
      x: (n, ...) examples.
      y: (n,) integer labels.
      test_fraction: share held out for testing, 0.2 for the task's 80:20 split.
      stratify: keep class proportions.

    Returns:
      ``x_train, y_train, x_test, y_test``: new arrays, each part in shuffled order.
    """
    y = np.asarray(y)
    n_test = _check(x, y, test_fraction)
    k_order, k_train, k_test = jax.random.split(key, 3)
    order = np.asarray(jax.random.permutation(k_order, len(y)))  # (n,) random order
    if stratify:
        _, counts = np.unique(y, return_counts=True)  # (k,) in label order
        take = _per_class(counts, n_test)  # (k,)
        by_class = order[np.argsort(y[order], kind="stable")]  # grouped by class, random within
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.arange(len(y)) - np.repeat(starts, counts)  # position within its class
        is_test = rank < np.repeat(take, counts)
        test_idx, train_idx = by_class[is_test], by_class[~is_test]
        test_idx = test_idx[np.asarray(jax.random.permutation(k_test, len(test_idx)))]
        train_idx = train_idx[np.asarray(jax.random.permutation(k_train, len(train_idx)))]
    else:
        test_idx, train_idx = order[:n_test], order[n_test:]
    return x[train_idx], y[train_idx], x[test_idx], y[test_idx]
