"""The multivariate normal N(mean, scale scale^T) as a pytree, with sampling and densities.

Contract: ``MVN(mean, scale)`` holds a mean (d,) and a lower-triangular factor (d, d) of the
covariance. Build one from a covariance with ``from_cov`` (validated); every other function is
pure and jit-friendly. Densities use triangular solves, never an inverse.
"""

from collections.abc import Iterator
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from jax.scipy.linalg import solve_triangular

from jaxscratch._shared import LOG_2PI
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.normal import check_method, standard_normal


class MVN(NamedTuple):
    """N(mean, Sigma) with Sigma = scale @ scale.T and ``scale`` lower-triangular."""

    mean: Array  # (d,)
    scale: Array  # (d, d)

    @property
    def dim(self) -> int:
        return self.mean.shape[-1]

    @property
    def cov(self) -> Array:
        return self.scale @ self.scale.T


def _check_finite(name: str, a: np.ndarray) -> None:
    if not np.all(np.isfinite(a)):
        raise JaxscratchError(f"{name} contains NaN or inf; give finite values")


def _check_cov(mean: np.ndarray, cov: np.ndarray, sym_tol: float, dtype=np.float64) -> float:
    """Validate (mean, cov) and return the smallest eigenvalue of cov."""
    if mean.ndim != 1 or mean.shape[0] < 1:
        raise JaxscratchError(f"mean must be a vector of length d >= 1, got shape {mean.shape}")
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise JaxscratchError(f"covariance must be a square matrix, got shape {cov.shape}")
    if cov.shape[0] != mean.shape[0]:
        raise JaxscratchError(
            f"mean has length {mean.shape[0]} but covariance is {cov.shape[0]}x{cov.shape[1]}; "
            "give both the same dimension"
        )
    _check_finite("mean", mean)
    _check_finite("covariance", cov)
    _check_scale(cov, dtype)
    asym = np.max(np.abs(cov - cov.T)) if cov.size else 0.0
    if asym > sym_tol * max(1.0, float(np.max(np.abs(cov)))):
        raise JaxscratchError(
            f"covariance is not symmetric (max |S - S^T| = {asym:.3g}); give a symmetric matrix"
        )
    return float(np.linalg.eigvalsh(0.5 * (cov + cov.T))[0])


def _check_scale(cov: np.ndarray, dtype) -> None:
    """Variances must lie within the square roots of the dtype's range: draws are squared (and
    summed) to estimate the covariance, and its standard errors scale like the variances
    squared, so a larger variance overflows (identical inf rows, a "singular" matrix) and a
    smaller one underflows (standard errors of 0, z = inf)."""
    info = np.finfo(np.dtype(dtype))
    lo, hi = float(np.sqrt(info.tiny)), float(np.sqrt(info.max))
    var = np.abs(np.diag(cov))
    var = var[var > 0]  # a zero variance is a singular direction, judged by allow_singular
    if var.size and not (lo <= var.min() and var.max() <= hi):
        bad = var.max() if var.max() > hi else var.min()
        raise JaxscratchError(
            f"covariance has a variance of {bad:.3g}, outside [{lo:.2g}, {hi:.2g}], the range "
            f"{info.dtype.name} can square and sum; rescale the data (e.g. divide by a unit)"
        )


def _psd_tril(cov: Array) -> Array:
    """Lower-triangular L with L L^T = cov for a positive-semidefinite cov.

    From the eigen-root A = Q sqrt(max(lambda, 0)) (so A A^T = cov), a QR of A^T = Q' R gives
    cov = R^T R; L = R^T with its columns' signs fixed so that diag(L) >= 0. Eigenvalues within
    rounding error of zero (d eps lambda_max) are set to zero, so draws stay in the range of cov.
    """
    lam, q = jnp.linalg.eigh(cov)
    tol = cov.shape[0] * jnp.finfo(cov.dtype).eps * jnp.max(jnp.abs(lam))
    root = q * jnp.sqrt(jnp.where(lam > tol, lam, 0.0))  # (d, d)
    r = jnp.linalg.qr(root.T, mode="r")
    signs = jnp.where(jnp.diag(r) < 0, -1.0, 1.0)
    return (r * signs[:, None]).T


def from_cov(mean, cov, *, allow_singular: bool = False, sym_tol: float = 1e-6) -> MVN:
    """Build a validated ``MVN`` from a mean vector and a covariance matrix.

    Positive-definite Sigma is factored by Cholesky. A positive-semidefinite singular Sigma is
    rejected unless ``allow_singular``, when an eigendecomposition gives its factor (sampling
    works; ``log_prob`` is -inf because no density exists on R^d).

    Args:
        mean: (d,) mean vector.
        cov: (d, d) symmetric covariance.
        allow_singular: accept a singular positive-semidefinite covariance.
        sym_tol: tolerated asymmetry relative to the largest entry.

    Returns:
        The ``MVN``; the dtype is that of ``mean`` and ``cov`` promoted together.
    """
    mean_np, cov_np = np.asarray(mean), np.asarray(cov)
    dtype = jnp.result_type(jnp.asarray(mean).dtype, jnp.asarray(cov).dtype)
    lam_min = _check_cov(mean_np, cov_np, sym_tol, dtype)
    scale_of_cov = float(np.max(np.abs(np.diag(cov_np))))
    eps = np.finfo(np.dtype(dtype)).eps * cov_np.shape[0] * max(scale_of_cov, 1e-300)
    if lam_min < -10.0 * eps:
        raise JaxscratchError(
            f"covariance is not positive semidefinite (smallest eigenvalue {lam_min:.3g}); "
            "give a positive-definite matrix"
        )
    mean_j = jnp.asarray(mean, dtype)
    cov_j = jnp.asarray(0.5 * (cov_np + cov_np.T), dtype)
    if lam_min > 10.0 * eps:
        scale = jnp.linalg.cholesky(cov_j)
        if bool(jnp.all(jnp.isfinite(scale))):
            return MVN(mean_j, scale)
    if not allow_singular:
        raise JaxscratchError(
            f"covariance is singular (smallest eigenvalue {lam_min:.3g}); pass "
            "allow_singular=True (CLI: --allow-singular) to sample from it anyway"
        )
    return MVN(mean_j, _psd_tril(cov_j))


def sample(key: Array, mvn: MVN, shape: tuple[int, ...] = (), method: str = "box-muller") -> Array:
    """Draw x = mean + L z with z ~ N(0, I) from our own normal generator.

    Args:
        key: PRNG key.
        mvn: the distribution (its dtype sets the draws' dtype).
        shape: batch shape; the result has shape ``(*shape, d)``.
        method: standard-normal method (see ``standard_normal``).

    Returns:
        Array ``(*shape, d)``.
    """
    check_method(method)
    z = standard_normal(key, (*shape, mvn.dim), mvn.mean.dtype, method)  # (..., d)
    return mvn.mean + z @ mvn.scale.T


def sample_chunks(
    key: Array, mvn: MVN, n: int, *, chunk: int = 262_144, method: str = "box-muller"
) -> Iterator[Array]:
    """Yield n draws in blocks of at most ``chunk`` rows (block i uses fold_in(key, i)).

    For long runs that show progress or stream to disk; the concatenated blocks are a valid
    sample but differ from ``sample(key, mvn, (n,))``.
    """
    check_method(method)
    for i, start in enumerate(range(0, n, chunk)):
        yield _sample_jit(jax.random.fold_in(key, i), mvn, (min(chunk, n - start),), method)


def whiten(mvn: MVN, x: Array) -> Array:
    """L^-1 (x - mean) for x of shape (..., d): N(0, I) when x ~ mvn."""
    diff = jnp.reshape(x - mvn.mean, (-1, mvn.dim)).T  # (d, m)
    w = solve_triangular(mvn.scale, diff, lower=True)
    return w.T.reshape(jnp.shape(x))


def mahalanobis(mvn: MVN, x: Array) -> Array:
    """Mahalanobis distance sqrt((x - mean)^T Sigma^-1 (x - mean)), shape (...)."""
    return jnp.sqrt(jnp.sum(whiten(mvn, x) ** 2, axis=-1))


def log_det_cov(mvn: MVN) -> Array:
    """log det Sigma = 2 sum log diag(L)."""
    return 2.0 * jnp.sum(jnp.log(jnp.diag(mvn.scale)))


def log_prob(mvn: MVN, x: Array) -> Array:
    """log N(x | mean, Sigma) = -(d log 2 pi + log det Sigma + maha^2) / 2, shape (...).

    Returns -inf for a singular ``mvn``, which has no density on R^d.
    """
    maha2 = jnp.sum(whiten(mvn, x) ** 2, axis=-1)
    singular = jnp.any(jnp.diag(mvn.scale) <= 0)
    lp = -0.5 * (mvn.dim * LOG_2PI + log_det_cov(mvn) + maha2)
    return jnp.where(singular, -jnp.inf, lp)


def prob(mvn: MVN, x: Array) -> Array:
    """Density N(x | mean, Sigma), shape (...)."""
    return jnp.exp(log_prob(mvn, x))


def _check_index(idx, d: int, what: str) -> np.ndarray:
    idx = np.atleast_1d(np.asarray(idx, dtype=int))
    if idx.ndim != 1 or idx.size == 0:
        raise JaxscratchError(f"{what} must be a non-empty list of indices")
    if np.any(idx < 0) or np.any(idx >= d):
        raise JaxscratchError(f"{what} {idx.tolist()} out of range for dimension {d}")
    if len(set(idx.tolist())) != idx.size:
        raise JaxscratchError(f"{what} {idx.tolist()} repeats an index")
    return idx


def marginal(mvn: MVN, idx) -> MVN:
    """Marginal of the components ``idx``: N(mean[idx], Sigma[idx, idx])."""
    idx = _check_index(idx, mvn.dim, "marginal indices")
    rows = mvn.scale[idx]  # (k, d): Sigma[idx, idx] = rows rows^T
    return MVN(mvn.mean[idx], jnp.linalg.cholesky(rows @ rows.T))


def conditional(mvn: MVN, given, value) -> MVN:
    """Distribution of the other components given x[given] = value (Bishop PRML §2.3.1).

    Permuting the given block to the front, the Cholesky factor of the permuted covariance is
    [[L_bb, 0], [L_ab, L_aa]]: then Sigma_a|b = L_aa L_aa^T and
    mean_a|b = mean_a + L_ab L_bb^-1 (value - mean_b).

    Returns:
        ``MVN`` over the remaining components, in increasing index order.
    """
    given = _check_index(given, mvn.dim, "conditioning indices")
    rest = np.setdiff1d(np.arange(mvn.dim), given)
    if rest.size == 0:
        raise JaxscratchError("cannot condition on every component; leave at least one free")
    k = given.size
    perm = np.concatenate([given, rest])
    cov = mvn.cov[perm][:, perm]
    chol = jnp.linalg.cholesky(cov)
    l_bb, l_ab, l_aa = chol[:k, :k], chol[k:, :k], chol[k:, k:]
    value = jnp.broadcast_to(jnp.asarray(value, mvn.mean.dtype), (k,))
    w = solve_triangular(l_bb, value - mvn.mean[given], lower=True)
    return MVN(mvn.mean[rest] + l_ab @ w, l_aa)


_sample_jit = jax.jit(sample, static_argnames=("shape", "method"))
