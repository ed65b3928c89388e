"""Snapshots of sequential learning for the animation: weight-space density and data-space bands.

Contract: ``sequential_frames(key, ...)`` draws a linear data set, runs ``sequential`` over it
and returns, after each chosen number of points, the posterior density on a (w0, w1) grid and
the predictive mean with both sds on an x grid (Bishop PRML Fig. 3.7). No drawing here.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch.blr.basis import design, make_basis
from jaxscratch.blr.data import LINEAR_WEIGHTS, make_data
from jaxscratch.blr.posterior import Posterior, check_precisions, predict, weight_mvn
from jaxscratch.blr.sequential import prior, sequential_posteriors
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import prob

_W_HALF_WIDTH = 1.0  # the weight grid spans the true weights +- this


class Frames(NamedTuple):
    """Per-frame arrays; k frames, G weight-grid points per axis, m x-grid points."""

    counts: np.ndarray  # (k,) points seen
    x: Array  # (n,) all inputs, in arrival order
    y: Array  # (n,)
    true_w: tuple[float, float]
    w0: Array  # (G,)
    w1: Array  # (G,)
    density: Array  # (k, G, G) posterior density, rows over w1, columns over w0
    grid: Array  # (m,)
    mean: Array  # (k, m)
    epistemic_sd: Array  # (k, m)
    predictive_sd: Array  # (k, m)
    alpha: float
    beta: float


def _take(posts: Posterior, i: int) -> Posterior:
    return jax.tree.map(lambda a: a[i], posts)


def sequential_frames(
    key: Array,
    n: int = 20,
    *,
    noise: float = 0.2,
    alpha: float = 2.0,
    counts=None,
    n_grid: int = 100,
    dtype=jnp.float32,
) -> Frames:
    """Posterior snapshots of y = -0.3 + 0.5 x + noise after each count in ``counts``.

    Args:
        key: PRNG key.
        n: number of points (>= 1).
        noise: noise sd; beta = 1 / noise^2 is treated as known.
        alpha: prior precision.
        counts: numbers of points to show (default 0, 1, 2, ..., n).
        n_grid: grid size per axis.
        dtype: float32 or float64.
    """
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise JaxscratchError(f"number of points must be an integer >= 1, got {n}")
    if not 1e-150 <= noise <= 1e150:  # beta = 1 / noise^2 must be a finite float64
        raise JaxscratchError(
            f"noise sd must be > 0, within [1e-150, 1e150], for a known noise precision "
            f"1 / noise^2, got {noise}; e.g. --noise 0.2"
        )
    beta = 1.0 / noise**2
    check_precisions(alpha, beta)
    counts = np.arange(n + 1) if counts is None else np.asarray(counts, dtype=int)
    if counts.size == 0 or counts.min() < 0 or counts.max() > n:
        raise JaxscratchError(f"frame counts must lie in 0..{n}, got {counts.tolist()}")
    data = make_data(key, n, truth="linear", noise=noise, dtype=dtype)
    basis = make_basis("linear", data.x)
    posts = sequential_posteriors(design(basis, data.x), data.y, alpha, beta)
    w0 = jnp.linspace(LINEAR_WEIGHTS[0] - _W_HALF_WIDTH, LINEAR_WEIGHTS[0] + _W_HALF_WIDTH,
                      n_grid, dtype=dtype)  # fmt: skip
    w1 = jnp.linspace(LINEAR_WEIGHTS[1] - _W_HALF_WIDTH, LINEAR_WEIGHTS[1] + _W_HALF_WIDTH,
                      n_grid, dtype=dtype)  # fmt: skip
    ww = jnp.stack(jnp.meshgrid(w0, w1), axis=-1)  # (G, G, 2)
    grid = jnp.linspace(-1.0, 1.0, n_grid, dtype=dtype)
    phi = design(basis, grid)
    dens, mean, f_sd, y_sd = [], [], [], []
    for c in counts:
        post = prior(2, alpha, beta, dtype) if c == 0 else _take(posts, int(c) - 1)
        dens.append(prob(weight_mvn(post), ww))
        p = predict(post, phi)
        mean.append(p.mean), f_sd.append(p.epistemic_sd), y_sd.append(p.predictive_sd)
    return Frames(
        counts, data.x, data.y, LINEAR_WEIGHTS, w0, w1, jnp.stack(dens), grid,
        jnp.stack(mean), jnp.stack(f_sd), jnp.stack(y_sd), float(alpha), float(beta),
    )  # fmt: skip
