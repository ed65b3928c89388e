"""Random means and well-conditioned random covariances, built from uniforms only."""

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.normal import standard_normal
from jaxscratch.gaussian.uniform import uniform_open


def _check_dim(d: int) -> int:
    if int(d) != d or d < 1:
        raise JaxscratchError(f"dimension must be a whole number >= 1, got {d}")
    return int(d)


def random_mean(key: Array, d: int, *, scale: float = 1.0, dtype=jnp.float32) -> Array:
    """Mean vector with entries uniform on (-scale, scale), shape (d,)."""
    d = _check_dim(d)
    return scale * (2.0 * uniform_open(key, (d,), dtype) - 1.0)


def random_orthogonal(key: Array, d: int, dtype=jnp.float32) -> Array:
    """Haar-distributed orthogonal (d, d) matrix: QR of a Gaussian matrix, signs fixed
    so that R has a positive diagonal (Mezzadri 2007)."""
    g = standard_normal(key, (d, d), dtype)
    q, r = jnp.linalg.qr(g)
    return q * jnp.where(jnp.diag(r) < 0, -1.0, 1.0)


def random_covariance(
    key: Array, d: int, *, condition_number: float = 10.0, scale: float = 1.0, dtype=jnp.float32
) -> Array:
    """Random SPD matrix Q diag(lambda) Q^T with a chosen condition number.

    Eigenvalues are log-uniform between ``scale`` and ``scale * condition_number``, the two ends
    pinned so the condition number is exact; Q is a Haar random rotation. The default
    condition number keeps Cholesky and triangular solves accurate in float32.

    Returns:
        (d, d) symmetric positive-definite matrix.
    """
    d = _check_dim(d)
    if not condition_number >= 1.0:
        raise JaxscratchError(f"condition_number must be >= 1, got {condition_number}")
    if not scale > 0.0:
        raise JaxscratchError(f"scale must be > 0, got {scale}")
    k_q, k_lam = jax.random.split(key)
    t = jnp.sort(uniform_open(k_lam, (d,), dtype))
    if d >= 2:
        t = t.at[0].set(0.0).at[-1].set(1.0)
    else:
        t = jnp.zeros((1,), dtype)
    lam = scale * jnp.asarray(condition_number, dtype) ** t  # (d,)
    q = random_orthogonal(k_q, d, dtype)
    cov = (q * lam) @ q.T
    return 0.5 * (cov + cov.T)
