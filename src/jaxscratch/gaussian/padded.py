"""Fixed-shape MVN experiments: one compiled function serves every dimension d <= d_max.

An interactive page that lets d move would otherwise compile every array operation once per d
(seconds each). Here a d-dimensional problem is embedded in d_max coordinates as
N((mean, 0), blockdiag(Sigma, I)); the first d coordinates of a draw are exactly a draw from
N(mean, Sigma), and the padding is masked out of every statistic.
"""

from functools import partial

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.normal import standard_normal
from jaxscratch.gaussian.reconstruct import Convergence, convergence
from jaxscratch.gaussian.uniform import uniform_open


def _check_padded(d, d_max: int, condition_number) -> None:
    """Validate concrete arguments (traced ones are the caller's to bound)."""
    if int(d_max) != d_max or d_max < 1:
        raise JaxscratchError(f"d_max must be a whole number >= 1, got {d_max}")
    if isinstance(d, int) and not 1 <= d <= d_max:
        raise JaxscratchError(f"dimension d = {d} must lie in 1..{d_max}")
    if isinstance(condition_number, int | float) and not condition_number >= 1.0:
        raise JaxscratchError(f"condition_number must be >= 1, got {condition_number}")


def random_mvn_padded(
    key: Array, d: int | Array, d_max: int, *, condition_number: float | Array = 10.0,
    mean_scale: float = 1.0, dtype=jnp.float32,
) -> tuple[Array, Array]:  # fmt: skip
    """A random d-dimensional mean and covariance embedded in d_max coordinates.

    Same law as ``random_mean`` and ``random_covariance`` (uniform mean entries in
    (-mean_scale, mean_scale); Sigma = Q diag(lambda) Q^T, lambda log-uniform on [1, kappa] with
    both ends pinned, Q Haar), with ``d`` and ``condition_number`` traceable. Q is the QR factor
    of blockdiag(G, I) for a d x d Gaussian G, which is blockdiag(Q_d, I) (Mezzadri 2007).

    Returns:
        mean (d_max,) zero past d; cov (d_max, d_max) equal to blockdiag(Sigma, I).
    """
    _check_padded(d, d_max, condition_number)
    k_mean, k_q, k_lam = jax.random.split(key, 3)
    inside = jnp.arange(d_max) < d  # (D,)
    mean = jnp.where(inside, mean_scale * (2.0 * uniform_open(k_mean, (d_max,), dtype) - 1.0), 0)
    block = inside[:, None] & inside[None, :]  # (D, D)
    g = jnp.where(block, standard_normal(k_q, (d_max, d_max), dtype), jnp.eye(d_max, dtype=dtype))
    q, r = jnp.linalg.qr(g)
    q = q * jnp.where(jnp.diag(r) < 0, -1.0, 1.0)  # (D, D) blockdiag(Q_d, I)
    t = jnp.sort(jnp.where(inside, uniform_open(k_lam, (d_max,), dtype), 2.0))  # padding last
    idx = jnp.arange(d_max)
    t = jnp.where(idx == 0, 0.0, jnp.where(idx == d - 1, 1.0, t))  # pin both ends
    lam = jnp.where(inside, jnp.asarray(condition_number, dtype) ** t, 1.0)  # (D,)
    cov = (q * lam) @ q.T
    return mean, 0.5 * (cov + cov.T)


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
