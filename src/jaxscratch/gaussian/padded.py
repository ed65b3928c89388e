"""Fixed-shape MVN experiments: one compiled function serves every dimension d <= d_max.

An interactive page that lets d move would otherwise compile every array operation once per d
(seconds each). Here a d-dimensional problem is embedded in d_max coordinates as
N((mean, 0), blockdiag(Sigma, I)) (``random_mvn_padded``); the first d coordinates of a draw are
exactly a draw from N(mean, Sigma), and the padding is masked out of every statistic.
"""

from functools import partial

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch.gaussian.random_params import random_mvn_padded
from jaxscratch.gaussian.reconstruct import Convergence, convergence


@partial(jax.jit, static_argnames="ns")
def convergence_padded(
    key: Array, z: Array, d: int | Array, condition_number: float | Array, ns: tuple[int, ...]
) -> Convergence:
    """Reconstruction of a random d-dimensional MVN at each n in ``ns``, from base normals z.

    Args:
        key: PRNG key for the random mean and covariance (``random_mvn_padded``).
        z: (N, D) standard normals (``standard_normal``), drawn once and reused as d moves.
        d: dimension, 1 <= d <= D (traced: no recompilation).
        condition_number: of Sigma, >= 1 (traced).
        ns: increasing sample sizes <= N; prefixes of one sample x = mean + z L^T.

    Returns:
        ``Convergence`` with statistics over the first d coordinates only.
    """
    mean, cov = random_mvn_padded(key, d, z.shape[1], condition_number=condition_number,
                                  dtype=z.dtype)  # fmt: skip
    x = mean + z @ jnp.linalg.cholesky(cov).T  # (N, D)
    return convergence(x, mean, cov, ns, d)
