"""Random means and well-conditioned random covariances, built from uniforms only.

Contract: ``random_mean``, ``random_orthogonal`` and ``random_covariance`` draw a d-dimensional
problem; ``random_mvn_padded`` draws the same law embedded in d_max coordinates with ``d`` and
the condition number traceable, so one compiled function serves every d <= d_max. Both
covariances come from one construction (``_embedded_spd``): Sigma = Q diag(lambda) Q^T with Q
Haar (Mezzadri 2007) and lambda log-uniform between its two pinned ends.
"""

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


def _check_condition_number(condition_number, d: int | None = None, dtype=None) -> None:
    """Validate a concrete condition number (a traced one is the caller's to bound): >= 1,
    finite, and, given ``d`` and ``dtype``, small enough that the matrix is not singular to
    rounding (``from_cov``'s test: the smallest eigenvalue above 10 d eps times the largest)."""
    if not isinstance(condition_number, int | float):
        return
    if not 1.0 <= condition_number < float("inf"):
        raise JaxscratchError(
            f"condition_number must be finite and >= 1, got {condition_number}; e.g. 10"
        )
    if d is not None and dtype is not None:
        largest = 1.0 / (10.0 * d * float(jnp.finfo(dtype).eps))
        if condition_number > largest:
            raise JaxscratchError(
                f"condition_number {condition_number:g} is too large for {jnp.dtype(dtype).name} "
                f"at d = {d}: the matrix would be singular to rounding; give at most "
                f"{largest:.3g}" + (" (or use float64)" if jnp.dtype(dtype).itemsize < 8 else "")
            )


def _haar(g: Array) -> Array:
    """Q of g = QR with the signs fixed so that R has a positive diagonal: for a Gaussian g,
    Q is Haar-distributed (Mezzadri 2007)."""
    q, r = jnp.linalg.qr(g)
    return q * jnp.where(jnp.diag(r) < 0, -1.0, 1.0)


def _embedded_spd(
    k_q: Array, k_lam: Array, d: int | Array, d_max: int, condition_number, scale: float, dtype
) -> Array:
    """blockdiag(Sigma, I) (d_max, d_max), Sigma = Q diag(lambda) Q^T the d x d covariance.

    Q is the Haar factor of blockdiag(G, I) for a d x d Gaussian G, which is blockdiag(Q_d, I);
    lambda = scale kappa^t with t sorted uniforms on [0, 1] and t_0 = 0, t_(d-1) = 1 pinned, so
    the condition number is exactly kappa. With d = d_max nothing is padded.
    """
    idx = jnp.arange(d_max)
    inside = idx < d  # (D,)
    block = inside[:, None] & inside[None, :]  # (D, D)
    g = jnp.where(block, standard_normal(k_q, (d_max, d_max), dtype), jnp.eye(d_max, dtype=dtype))
    q = _haar(g)  # (D, D) blockdiag(Q_d, I)
    t = jnp.sort(jnp.where(inside, uniform_open(k_lam, (d_max,), dtype), 2.0))  # padding last
    t = jnp.where(idx == 0, 0.0, jnp.where(idx == d - 1, 1.0, t))  # pin both ends
    lam = jnp.where(inside, scale * jnp.asarray(condition_number, dtype) ** t, 1.0)  # (D,)
    cov = (q * lam) @ q.T
    return 0.5 * (cov + cov.T)


def random_mean(key: Array, d: int, *, scale: float = 1.0, dtype=jnp.float32) -> Array:
    """Mean vector with entries uniform on (-scale, scale), shape (d,)."""
    d = _check_dim(d)
    return scale * (2.0 * uniform_open(key, (d,), dtype) - 1.0)


def random_orthogonal(key: Array, d: int, dtype=jnp.float32) -> Array:
    """Haar-distributed orthogonal (d, d) matrix: QR of a Gaussian matrix, signs fixed
    so that R has a positive diagonal (Mezzadri 2007)."""
    return _haar(standard_normal(key, (d, d), dtype))


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
    _check_condition_number(float(condition_number), d, dtype)
    if not scale > 0.0:
        raise JaxscratchError(f"scale must be > 0, got {scale}")
    k_q, k_lam = jax.random.split(key)
    return _embedded_spd(k_q, k_lam, d, d, condition_number, scale, dtype)


def _check_padded(d, d_max: int, condition_number) -> None:
    """Validate concrete arguments (traced ones are the caller's to bound)."""
    if int(d_max) != d_max or d_max < 1:
        raise JaxscratchError(f"d_max must be a whole number >= 1, got {d_max}")
    if isinstance(d, int) and not 1 <= d <= d_max:
        raise JaxscratchError(f"dimension d = {d} must lie in 1..{d_max}")
    _check_condition_number(condition_number)


def random_mvn_padded(
    key: Array, d: int | Array, d_max: int, *, condition_number: float | Array = 10.0,
    mean_scale: float = 1.0, dtype=jnp.float32,
) -> tuple[Array, Array]:  # fmt: skip
    """A random d-dimensional mean and covariance embedded in d_max coordinates.

    Same law as ``random_mean`` and ``random_covariance`` (uniform mean entries in
    (-mean_scale, mean_scale); Sigma = Q diag(lambda) Q^T, lambda log-uniform on [1, kappa] with
    both ends pinned, Q Haar), with ``d`` and ``condition_number`` traceable.

    Returns:
        mean (d_max,) zero past d; cov (d_max, d_max) equal to blockdiag(Sigma, I).
    """
    _check_padded(d, d_max, condition_number)
    k_mean, k_q, k_lam = jax.random.split(key, 3)
    inside = jnp.arange(d_max) < d  # (D,)
    mean = jnp.where(inside, random_mean(k_mean, d_max, scale=mean_scale, dtype=dtype), 0)
    return mean, _embedded_spd(k_q, k_lam, d, d_max, condition_number, 1.0, dtype)
