"""The bivariate normal in closed form: density, marginals, conditionals, ellipses, eigen-axes.

Contract: a distribution is ``Params(mux, muy, sx, sy, rho)`` (validated by ``params`` or
``from_cov``), so Sigma = [[sx^2, rho sx sy], [rho sx sy, sy^2]] is positive definite by
construction. Every other function is pure and jit-friendly and returns arrays (Bishop PRML
§2.3). What one frame of a picture shows is gathered by ``jaxscratch.scenes.bivariate``.
"""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.mvn import MVN, mahalanobis
from jaxscratch.gaussian.normal import normal_pdf


class Params(NamedTuple):
    """Means, standard deviations and correlation of (x, y); fields are scalars or (F,) stacks."""

    mux: Array
    muy: Array
    sx: Array
    sy: Array
    rho: Array


SCALE_MAX = 1e12  # sigma in [1e-12, 1e12], |mu| <= 1e12: the density 1 / (2 pi sx sy) is float32


def _check_params(mux, muy, sx, sy, rho) -> None:
    for name, v in zip(Params._fields, (mux, muy, sx, sy, rho), strict=True):
        if not np.all(np.isfinite(np.asarray(v, dtype=float))):
            raise JaxscratchError(f"{name} = {v} is not finite; give a finite number")
    if np.any(np.asarray(sx) <= 0) or np.any(np.asarray(sy) <= 0):
        raise JaxscratchError(
            f"sigmas must be > 0, got sx = {sx}, sy = {sy}; give positive values"
        )
    if np.any(np.abs(np.asarray(rho)) >= 1):
        raise JaxscratchError(f"correlation rho = {rho} must satisfy |rho| < 1; give e.g. 0.6")
    for name, v in (("sx", sx), ("sy", sy)):
        if np.any(np.asarray(v) < 1 / SCALE_MAX) or np.any(np.asarray(v) > SCALE_MAX):
            raise JaxscratchError(
                f"{name} = {v} lies outside [{1 / SCALE_MAX:g}, {SCALE_MAX:g}], the range whose "
                "densities and axes float32 can hold; rescale the data"
            )
    for name, v in (("mux", mux), ("muy", muy)):
        if np.any(np.abs(np.asarray(v)) > SCALE_MAX):
            raise JaxscratchError(
                f"{name} = {v} exceeds {SCALE_MAX:g} in size; shift the data towards 0"
            )


def params(mux=0.0, muy=0.0, sx=1.0, sy=1.0, rho=0.0) -> Params:
    """Validated ``Params``: finite means, sx, sy > 0 and |rho| < 1."""
    _check_params(mux, muy, sx, sy, rho)
    return Params(*(jnp.asarray(v, jnp.result_type(float)) for v in (mux, muy, sx, sy, rho)))


def from_cov(mean, cov) -> Params:
    """``Params`` from a mean (2,) and a covariance (2, 2), validated positive definite."""
    mean_np, cov_np = np.asarray(mean, dtype=float), np.asarray(cov, dtype=float)
    if mean_np.shape != (2,) or cov_np.shape != (2, 2):
        raise JaxscratchError(
            f"a bivariate normal needs 2 means and a 2x2 covariance, got shapes "
            f"{mean_np.shape} and {cov_np.shape}; give --mean a b --cov s11 s12 s21 s22"
        )
    if not (np.all(np.isfinite(mean_np)) and np.all(np.isfinite(cov_np))):
        raise JaxscratchError("mean or covariance contains NaN or inf; give finite values")
    if abs(cov_np[0, 1] - cov_np[1, 0]) > 1e-6 * np.max(np.abs(cov_np)):
        raise JaxscratchError(
            f"covariance is not symmetric ({cov_np[0, 1]:g} != {cov_np[1, 0]:g}); "
            "give equal off-diagonal entries"
        )
    var_x, var_y, cxy = cov_np[0, 0], cov_np[1, 1], 0.5 * (cov_np[0, 1] + cov_np[1, 0])
    for name, v in (("s11", var_x), ("s22", var_y)):
        if v > 0 and not SCALE_MAX**-2 <= v <= SCALE_MAX**2:  # sx = sqrt(s11) in range
            raise JaxscratchError(
                f"variance {name} = {v:g} lies outside [{SCALE_MAX**-2:g}, {SCALE_MAX**2:g}], "
                "the range whose densities and axes float32 can hold; rescale the data"
            )
    if var_x <= 0 or var_y <= 0 or cxy * cxy >= var_x * var_y:
        raise JaxscratchError(
            f"covariance {cov_np.tolist()} is not positive definite (det = "
            f"{var_x * var_y - cxy * cxy:.3g}); give variances > 0 and s12^2 < s11 s22"
        )
    sx, sy = math.sqrt(var_x), math.sqrt(var_y)
    return params(mean_np[0], mean_np[1], sx, sy, cxy / (sx * sy))


def mean(p: Params) -> Array:
    """(..., 2) mean vector."""
    return jnp.stack([p.mux, p.muy], axis=-1)


def cov(p: Params) -> Array:
    """(..., 2, 2) covariance: correlation to covariance, S_xy = rho sx sy."""
    sxy = p.rho * p.sx * p.sy
    return jnp.stack([jnp.stack([p.sx**2, sxy], -1), jnp.stack([sxy, p.sy**2], -1)], -2)


def scale(p: Params) -> Array:
    """(2, 2) Cholesky factor L = [[sx, 0], [rho sy, sy sqrt(1 - rho^2)]] of Sigma."""
    zero = jnp.zeros_like(p.sx)
    return jnp.array([[p.sx, zero], [p.rho * p.sy, p.sy * jnp.sqrt(1.0 - p.rho**2)]])


def to_mvn(p: Params) -> MVN:
    """The same distribution as a ``MVN`` (mean, Cholesky factor)."""
    return MVN(mean(p), scale(p))


def density(p: Params, x: Array, y: Array) -> Array:
    """p(x, y) = exp(-q / 2) / (2 pi sx sy sqrt(1 - rho^2)), q the squared Mahalanobis distance."""
    u, v = (x - p.mux) / p.sx, (y - p.muy) / p.sy
    one_m_r2 = 1.0 - p.rho**2
    q = (u * u - 2.0 * p.rho * u * v + v * v) / one_m_r2
    return jnp.exp(-0.5 * q) / (2.0 * math.pi * p.sx * p.sy * jnp.sqrt(one_m_r2))


@jax.jit
def density_grid(p: Params, xs: Array, ys: Array) -> Array:
    """(len(ys), len(xs)) density on the grid xs x ys (rows along y, as ``contour`` expects)."""
    return density(p, xs[None, :], ys[:, None])


def marginal_x(p: Params, xs: Array) -> Array:
    """p(x) = N(x | mux, sx^2)."""
    return normal_pdf(xs, p.mux, p.sx)


def marginal_y(p: Params, ys: Array) -> Array:
    """p(y) = N(y | muy, sy^2)."""
    return normal_pdf(ys, p.muy, p.sy)


def conditional_y(p: Params, x0: Array) -> tuple[Array, Array]:
    """Mean and sd of p(y | x = x0): muy + rho sy (x0 - mux) / sx, sy sqrt(1 - rho^2)."""
    return p.muy + p.rho * p.sy * (x0 - p.mux) / p.sx, p.sy * jnp.sqrt(1.0 - p.rho**2)


def conditional_x(p: Params, y0: Array) -> tuple[Array, Array]:
    """Mean and sd of p(x | y = y0): mux + rho sx (y0 - muy) / sy, sx sqrt(1 - rho^2)."""
    return p.mux + p.rho * p.sx * (y0 - p.muy) / p.sy, p.sx * jnp.sqrt(1.0 - p.rho**2)


def ellipse(p: Params, k: float | Array, num: int = 181) -> Array:
    """(num, 2) closed contour {x : (x - mu)^T Sigma^-1 (x - mu) = k^2}, as mu + k L [cos, sin]."""
    t = jnp.linspace(0.0, 2.0 * math.pi, num)
    circle = jnp.stack([jnp.cos(t), jnp.sin(t)], axis=-1)  # (num, 2)
    return mean(p) + k * circle @ scale(p).T


def ellipse_mass(k: float | Array) -> Array:
    """P(inside the k-sigma ellipse) = 1 - exp(-k^2 / 2): the chi-square(2) CDF at k^2."""
    return 1.0 - jnp.exp(-0.5 * jnp.square(jnp.asarray(k, jnp.result_type(float))))


class Coverage(NamedTuple):
    """How many samples fall inside each k-sigma ellipse, against the exact probability."""

    k: Array  # (K,) ellipse radii in Mahalanobis units
    mass: Array  # (K,) exact probability inside, 1 - exp(-k^2 / 2)
    fraction: Array  # (K,) fraction of the n samples inside
    se: Array  # (K,) binomial standard error of that fraction, sqrt(mass (1 - mass) / n)


def ellipse_coverage(p: Params, samples: Array, ks: float | Array) -> Coverage:
    """Fraction of ``samples`` (n, 2) inside each k-sigma ellipse of p, with its standard error.

    A point is inside when its Mahalanobis distance is <= k. If the samples are n independent
    draws of p, the count inside is Binomial(n, mass), so the fraction has mean ``mass`` and
    standard error sqrt(mass (1 - mass) / n): the check is |fraction - mass| of a few se.
    """
    n = samples.shape[0]
    k = jnp.atleast_1d(jnp.asarray(ks, samples.dtype))  # (K,)
    dist = mahalanobis(to_mvn(p), samples)  # (n,)
    fraction = jnp.mean(dist[None, :] <= k[:, None], axis=1).astype(samples.dtype)  # (K,)
    mass = ellipse_mass(k)
    return Coverage(k, mass, fraction, jnp.sqrt(mass * (1.0 - mass) / n))


def eigen(p: Params) -> tuple[Array, Array]:
    """Eigenvalues (2,) in descending order and unit eigenvectors as columns (2, 2)."""
    lam, vecs = jnp.linalg.eigh(cov(p))
    return lam[::-1], vecs[:, ::-1]


def tilt(p: Params) -> Array:
    """Angle of the major axis to the x axis: theta = atan2(2 S_xy, S_xx - S_yy) / 2."""
    return 0.5 * jnp.arctan2(2.0 * p.rho * p.sx * p.sy, p.sx**2 - p.sy**2)


def eigen_axes(p: Params) -> Array:
    """(2, 2, 2) segments mu -/+ sqrt(lambda_i) v_i along each eigenvector, major first."""
    lam, vecs = eigen(p)
    half = (vecs * jnp.sqrt(lam)).T  # (2, 2): row i is sqrt(lambda_i) v_i
    return mean(p) + jnp.stack([-half, half], axis=1)
