"""The bivariate normal in closed form: density, marginals, conditionals, ellipses, eigen-axes.

Contract: a distribution is ``Params(mux, muy, sx, sy, rho)`` (validated by ``params`` or
``from_cov``), so Sigma = [[sx^2, rho sx sy], [rho sx sy, sy^2]] is positive definite by
construction. Every other function is pure and jit-friendly; ``scene`` gathers all a figure
draws in one jitted call. Samples come from ``jaxscratch.gaussian`` as x = mu + L z, so reusing
the base normals z across parameter values morphs one cloud smoothly (Bishop PRML §2.3).
"""

import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch import gaussian
from jaxscratch.errors import JaxscratchError

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
RHO_MAX = 0.99  # sliders stop here: beyond it the ellipse is a needle thinner than a pixel
PARAMS = ("mux", "muy", "sx", "sy", "rho")
# Named shapes for the explorers: (sx, sy, rho); "reference" is Sigma = [[1, 0.6], [0.6, 2]].
PRESETS = {
    "reference": (1.0, math.sqrt(2.0), 0.6 / math.sqrt(2.0)),
    "independent": (1.0, 1.0, 0.0),
    "positive": (1.0, 1.0, 0.8),
    "negative": (1.0, 1.0, -0.8),
    "needle": (1.5, 1.5, 0.98),
}


class Params(NamedTuple):
    """Means, standard deviations and correlation of (x, y); fields are scalars or (F,) stacks."""

    mux: Array
    muy: Array
    sx: Array
    sy: Array
    rho: Array


class Scene(NamedTuple):
    """Everything a bivariate figure draws, for one parameter value (or stacked over frames)."""

    samples: Array  # (n, 2)
    xs: Array  # (g,) grid along x
    ys: Array  # (g,) grid along y
    density: Array  # (g, g) p(x, y), rows along y
    pdf_x: Array  # (g,) marginal p(x)
    pdf_y: Array  # (g,) marginal p(y)
    edges_x: Array  # (b + 1,) histogram bin edges
    edges_y: Array  # (b + 1,)
    hist_x: Array  # (b,) sample density histogram of x
    hist_y: Array  # (b,)
    x0: Array  # () conditioning value of x
    y0: Array  # () conditioning value of y
    cond_y: Array  # (g,) p(y | x = x0) over ys
    cond_x: Array  # (g,) p(x | y = y0) over xs
    cond_y_mean: Array  # () E[y | x0]
    cond_y_sd: Array  # () sd[y | x0]
    cond_x_mean: Array  # () E[x | y0]
    cond_x_sd: Array  # () sd[x | y0]
    ks: Array  # (K,) ellipse radii in Mahalanobis units
    ellipses: Array  # (K, m, 2) k-sigma contours
    masses: Array  # (K,) probability inside each ellipse
    axes: Array  # (2, 2, 2) eigen-axis segments mu +- sqrt(lambda_i) v_i, major axis first
    eigvals: Array  # (2,) descending
    tilt: Array  # () major-axis angle in radians
    mean: Array  # (2,)
    cov: Array  # (2, 2)
    det: Array  # () det Sigma = sx^2 sy^2 (1 - rho^2)
    mean_hat: Array  # (2,) sample mean
    cov_hat: Array  # (2, 2) sample covariance


def _check_params(mux, muy, sx, sy, rho) -> None:
    for name, v in zip(PARAMS, (mux, muy, sx, sy, rho), strict=True):
        if not np.all(np.isfinite(np.asarray(v, dtype=float))):
            raise JaxscratchError(f"{name} = {v} is not finite; give a finite number")
    if np.any(np.asarray(sx) <= 0) or np.any(np.asarray(sy) <= 0):
        raise JaxscratchError(
            f"sigmas must be > 0, got sx = {sx}, sy = {sy}; give positive values"
        )
    if np.any(np.abs(np.asarray(rho)) >= 1):
        raise JaxscratchError(f"correlation rho = {rho} must satisfy |rho| < 1; give e.g. 0.6")


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


def to_mvn(p: Params) -> gaussian.MVN:
    """The same distribution as a ``gaussian.MVN`` (mean, Cholesky factor)."""
    return gaussian.MVN(mean(p), scale(p))


def normal_pdf(t: Array, mu: Array, sigma: Array) -> Array:
    """One-dimensional N(t | mu, sigma^2)."""
    u = (t - mu) / sigma
    return _INV_SQRT_2PI / sigma * jnp.exp(-0.5 * u * u)


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


def base_normals(key: Array, n: int, dtype=None) -> Array:
    """(n, 2) standard normals from our own generator; reuse them to morph one cloud."""
    return gaussian.standard_normal(key, (n, 2), dtype or jnp.result_type(float))


def transform(p: Params, z: Array) -> Array:
    """(n, 2) samples x = mu + L z from base normals z (n, 2)."""
    return mean(p) + z @ scale(p).T


def sample(key: Array, p: Params, n: int) -> Array:
    """(n, 2) draws from the bivariate normal."""
    return transform(p, base_normals(key, n))


def box(p: Params, k: float = 3.5, snap: float = 0.0, square: bool = False) -> Array:
    """(4,) plotting window (xlo, xhi, ylo, yhi) = mu -/+ k sigma, the union over stacked p.

    With ``snap`` > 0 the edges are rounded outwards to multiples of it, so a window that
    follows slowly changing parameters only moves now and then; ``square`` gives both axes
    the larger half-width, so right angles look right on a square plot.
    """
    hx, hy = k * p.sx, k * p.sy
    if square:
        hx = hy = jnp.maximum(jnp.max(hx), jnp.max(hy))
    lo_x, hi_x = p.mux - hx, p.mux + hx
    lo_y, hi_y = p.muy - hy, p.muy + hy
    w = jnp.array([jnp.min(lo_x), jnp.max(hi_x), jnp.min(lo_y), jnp.max(hi_y)])
    if snap > 0:
        w = jnp.where(jnp.arange(4) % 2 == 0, jnp.floor(w / snap), jnp.ceil(w / snap)) * snap
    return w


def histogram(values: Array, edges: Array) -> Array:
    """(b,) density histogram of values on equal-width edges (b + 1,); area = fraction inside."""
    b = edges.shape[0] - 1
    width = (edges[-1] - edges[0]) / b
    idx = jnp.floor((values - edges[0]) / width).astype(jnp.int32)
    inside = (idx >= 0) & (idx < b)
    counts = jnp.zeros(b, values.dtype).at[jnp.where(inside, idx, b)].add(1.0, mode="drop")
    return counts / (values.shape[0] * width)


def sweep_values(start: float, stop: float, frames: int) -> np.ndarray:
    """(frames,) a seamless loop start -> stop -> start, eased as (1 - cos 2 pi t) / 2."""
    t = np.arange(frames) / frames
    return start + (stop - start) * 0.5 * (1.0 - np.cos(2.0 * math.pi * t))


def sweep(p: Params, name: str, values) -> Params:
    """``Params`` stacked over frames (F,), with parameter ``name`` taking ``values``."""
    if name not in PARAMS:
        raise JaxscratchError(f"unknown sweep parameter {name!r}; choose one of {PARAMS}")
    values = np.asarray(values, dtype=float)
    stacked = {f: np.full(values.shape, float(getattr(p, f))) for f in PARAMS}
    stacked[name] = values
    return params(**stacked)


@partial(jax.jit, static_argnames=("ks", "grid", "bins"))
def scene(
    p: Params,
    z: Array,
    window: Array,
    x0: Array | None = None,
    y0: Array | None = None,
    ks: tuple[float, ...] = (1.0, 2.0, 3.0),
    grid: int = 121,
    bins: int = 40,
) -> Scene:
    """All a figure draws for ``p``, samples from base normals z (n, 2), inside ``window`` (4,).

    ``x0``, ``y0`` are the conditioning values of the slices (default: the means).
    """
    x0 = p.mux if x0 is None else jnp.asarray(x0, p.mux.dtype)
    y0 = p.muy if y0 is None else jnp.asarray(y0, p.muy.dtype)
    x = transform(p, z)  # (n, 2)
    xs = jnp.linspace(window[0], window[1], grid)
    ys = jnp.linspace(window[2], window[3], grid)
    edges_x = jnp.linspace(window[0], window[1], bins + 1)
    edges_y = jnp.linspace(window[2], window[3], bins + 1)
    cy, sy_c = conditional_y(p, x0)
    cx, sx_c = conditional_x(p, y0)
    k_arr = jnp.asarray(ks, x.dtype)
    mean_hat, cov_hat = gaussian.sample_moments(x)
    return Scene(
        samples=x,
        xs=xs,
        ys=ys,
        density=density_grid(p, xs, ys),
        pdf_x=marginal_x(p, xs),
        pdf_y=marginal_y(p, ys),
        edges_x=edges_x,
        edges_y=edges_y,
        hist_x=histogram(x[:, 0], edges_x),
        hist_y=histogram(x[:, 1], edges_y),
        x0=x0,
        y0=y0,
        cond_y=normal_pdf(ys, cy, sy_c),
        cond_x=normal_pdf(xs, cx, sx_c),
        cond_y_mean=cy,
        cond_y_sd=sy_c,
        cond_x_mean=cx,
        cond_x_sd=sx_c,
        ks=k_arr,
        ellipses=jax.vmap(lambda k: ellipse(p, k))(k_arr),
        masses=ellipse_mass(k_arr),
        axes=eigen_axes(p),
        eigvals=eigen(p)[0],
        tilt=tilt(p),
        mean=mean(p),
        cov=cov(p),
        det=(p.sx * p.sy) ** 2 * (1.0 - p.rho**2),
        mean_hat=mean_hat,
        cov_hat=cov_hat,
    )


def frames(p: Params, z: Array, square: bool = False, **kwargs) -> Scene:
    """``scene`` for every frame of stacked ``p`` (F,), one shared window and base normals z.

    ``square`` gives the window equal half-widths (see ``box``), for views drawn 1:1.
    """
    window = box(p, square=square)
    return jax.vmap(lambda q: scene(q, z, window, **kwargs))(p)
