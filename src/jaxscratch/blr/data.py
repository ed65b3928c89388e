"""Noisy 1-D regression data: linear, sinusoidal and polynomial truths, an optional gap, CSV input.

Contract: ``make_data(key, n, truth=..., noise=..., gap=...)`` returns a ``RegressionData(x, y)``
of shape (n,) each, x uniform on ``x_range`` minus the gap and y = f(x) + noise * eps, eps drawn
by our own normal generator. ``load_csv`` reads two columns (x, y); ``check_data`` validates.
"""

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch._shared import lookup
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import standard_normal


class RegressionData(NamedTuple):
    """Paired observations: inputs x (n,) and targets y (n,)."""

    x: Array  # (n,)
    y: Array  # (n,)


# The reference truths; "linear" is y = w0 + w1 x with the weights below.
LINEAR_WEIGHTS = (-0.3, 0.5)

TRUTHS: dict[str, Callable[[Array], Array]] = {
    "linear": lambda x: LINEAR_WEIGHTS[0] + LINEAR_WEIGHTS[1] * x,
    "sin": lambda x: jnp.sin(math.pi * x),
    "poly": lambda x: 0.5 - x + 0.8 * x**3,
}


def _check_gap(gap: tuple[float, float] | None, x_range: tuple[float, float]) -> None:
    lo, hi = x_range
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise JaxscratchError(f"x range {x_range} is empty; give finite lo < hi")
    if gap is None:
        return
    a, b = gap
    if not (lo <= a < b <= hi) or (b - a) >= (hi - lo):
        raise JaxscratchError(
            f"gap {gap} must be an interval a < b strictly inside the x range {x_range}"
        )


def truth_fn(truth: str) -> Callable[[Array], Array]:
    """The noise-free function f(x) named ``truth`` (a key of ``TRUTHS``)."""
    return lookup(TRUTHS, truth, "truth")


def make_data(
    key: Array,
    n: int,
    *,
    truth: str = "linear",
    noise: float = 0.3,
    x_range: tuple[float, float] = (-1.0, 1.0),
    gap: tuple[float, float] | None = None,
    dtype=jnp.float32,
) -> RegressionData:
    """Draw n points y = f(x) + noise * eps with x uniform on x_range minus the gap (a, b).

    Args:
        key: PRNG key.
        n: number of points (>= 1).
        truth: "linear" (y = -0.3 + 0.5 x), "sin" (sin pi x) or "poly" (cubic).
        noise: noise standard deviation (>= 0); the noise precision is beta = 1 / noise^2.
        x_range: (lo, hi) of the inputs.
        gap: optional (a, b) inside x_range with no inputs, to show uncertainty growing there.
        dtype: float32 or float64.

    Returns:
        ``RegressionData(x, y)``, each (n,), sorted by nothing (i.i.d. order).
    """
    truth_fn(truth)
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise JaxscratchError(f"number of points must be an integer >= 1, got {n}")
    if not (math.isfinite(noise) and noise >= 0):
        raise JaxscratchError(f"noise sd must be finite and >= 0, got {noise}")
    _check_gap(gap, x_range)
    gap = None if gap is None else (float(gap[0]), float(gap[1]))
    x_range = (float(x_range[0]), float(x_range[1]))
    return _make_data(key, int(n), truth, noise, x_range, gap, jnp.dtype(dtype))


@jax.jit(static_argnums=(1, 2, 4, 5, 6))
def _make_data(key, n, truth, noise, x_range, gap, dtype) -> RegressionData:
    k_x, k_eps = jax.random.split(key)
    lo, hi = x_range
    a, b = gap if gap is not None else (hi, hi)
    width = (hi - lo) - (b - a)  # measure of the allowed set
    u = lo + width * jax.random.uniform(k_x, (n,), dtype)  # (n,) uniform on [lo, lo + width)
    x = jnp.where(u < a, u, u + (b - a))  # shift the part past a over the gap
    y = TRUTHS[truth](x) + noise * standard_normal(k_eps, (n,), dtype)
    return RegressionData(x.astype(dtype), y.astype(dtype))


LARGEST = 1e150  # |x|, |y| bound: their squares, summed over many rows, stay finite in float64


def check_data(x, y) -> RegressionData:
    """Validate 1-D finite x and y of equal length; returns them as a float ``RegressionData``."""
    x_np, y_np = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x_np.ndim != 1 or y_np.ndim != 1:
        raise JaxscratchError(
            f"x and y must be 1-D, got shapes {x_np.shape} and {y_np.shape}; give one column each"
        )
    if x_np.shape != y_np.shape:
        raise JaxscratchError(f"x has {x_np.size} values but y has {y_np.size}; give one y per x")
    if x_np.size == 0:
        raise JaxscratchError("no data points; give at least one (x, y) pair")
    for name, a in (("x", x_np), ("y", y_np)):
        bad = ~np.isfinite(a)
        if bad.any():
            raise JaxscratchError(
                f"{name} contains NaN or inf at row {int(np.argmax(bad))} "
                f"({int(bad.sum())} bad values); remove or fix those rows"
            )
        big = np.abs(a) > LARGEST
        if big.any():  # the fit squares and sums the values: past this they overflow float64
            raise JaxscratchError(
                f"{name} = {a[np.argmax(big)]:.3g} at row {int(np.argmax(big))} exceeds "
                f"{LARGEST:.0e} in size, too large to square and sum; rescale the data"
            )
    return RegressionData(jnp.asarray(x), jnp.asarray(y))


def load_csv(path: str | os.PathLike) -> RegressionData:
    """Read (x, y) from a two-column CSV file; a non-numeric first row is taken as a header."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "is not a regular file" if path.exists() else (
            "does not exist")  # fmt: skip
        raise JaxscratchError(f"CSV file {str(path)!r} {what}; give a readable CSV file")
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    if lines and not _is_numeric_row(lines[0]):
        lines = lines[1:]
    try:
        rows = [[float(v) for v in ln.split(",")] for ln in lines]
    except ValueError as err:
        raise JaxscratchError(f"cannot read numbers from {str(path)!r}: {err}") from None
    if not rows or any(len(r) != 2 for r in rows):
        raise JaxscratchError(
            f"{str(path)!r} must have exactly two comma-separated columns x,y on every row"
        )
    xy = np.asarray(rows)
    return check_data(xy[:, 0], xy[:, 1])


def _is_numeric_row(line: str) -> bool:
    try:
        [float(v) for v in line.split(",")]
    except ValueError:
        return False
    return True


def stream_data(key: Array, n: int, chunk: int = 1_000_000, **kwargs) -> Iterator[RegressionData]:
    """``make_data`` in chunks of at most ``chunk`` points: chunk i uses fold_in(key, i).

    Only one chunk lives in memory at a time, so n may be far larger than RAM allows at once.
    """
    if not (isinstance(chunk, int | np.integer) and chunk >= 1):
        raise JaxscratchError(f"chunk size must be an integer >= 1, got {chunk}")
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise JaxscratchError(f"number of points must be an integer >= 1, got {n}")
    for i, start in enumerate(range(0, n, chunk)):
        yield make_data(jax.random.fold_in(key, i), min(chunk, n - start), **kwargs)


MAX_OUTLIER_FRACTION = 0.5  # past half, the "outliers" are the data


def add_outliers(key: Array, data: RegressionData, fraction: float) -> RegressionData:
    """Shift a ``fraction`` of the targets by 5 to 10 sds of y, up or down at random.

    Args:
        key: PRNG key.
        data: the clean data.
        fraction: share of points to corrupt, in [0, 0.5].

    Returns:
        ``RegressionData`` with round(fraction * n) targets moved far from the line.
    """
    if not (math.isfinite(fraction) and 0.0 <= fraction <= MAX_OUTLIER_FRACTION):
        raise JaxscratchError(
            f"outlier fraction must lie in [0, {MAX_OUTLIER_FRACTION:g}], got {fraction}; "
            "give e.g. --outliers 0.1"
        )
    n = int(data.y.shape[0])
    k = round(fraction * n)
    if k == 0:
        return data
    k_pick, k_size, k_sign = jax.random.split(key, 3)
    idx = jax.random.permutation(k_pick, n)[:k]  # (k,) distinct points
    size = 5.0 + 5.0 * jax.random.uniform(k_size, (k,), data.y.dtype)  # (k,) in sds of y
    sign = jnp.where(jax.random.bernoulli(k_sign, 0.5, (k,)), 1.0, -1.0).astype(data.y.dtype)
    scale = jnp.maximum(jnp.std(data.y), 1e-3)
    return RegressionData(data.x, data.y.at[idx].add(sign * size * scale))
