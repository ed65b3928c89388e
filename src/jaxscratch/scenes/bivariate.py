"""What one frame of a bivariate-normal picture shows, computed in one jitted call.

Contract: ``scene(p, z, window)`` returns a ``BivariateScene`` of arrays (samples, grid density,
marginals, histograms, conditional slices, ellipses and their mass, eigen-axes, sample moments)
for ``Params`` p; ``frames`` stacks it over an animation. Samples are x = mu + L z from base
normals z (``base_normals``), so reusing z across parameter values morphs one cloud smoothly.
A view-model knows no drawing library.
"""

import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch._shared import check_choice
from jaxscratch.gaussian import normal_pdf, sample_moments, standard_normal
from jaxscratch.gaussian.bivariate import (
    Params,
    conditional_x,
    conditional_y,
    cov,
    density_grid,
    eigen,
    eigen_axes,
    ellipse,
    ellipse_mass,
    marginal_x,
    marginal_y,
    mean,
    params,
    scale,
    tilt,
)


class BivariateScene(NamedTuple):
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


def base_normals(key: Array, n: int, dtype=None) -> Array:
    """(n, 2) standard normals from our own generator; reuse them to morph one cloud."""
    return standard_normal(key, (n, 2), dtype or jnp.result_type(float))


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


def param_sweep(p: Params, name: str, values) -> Params:
    """``Params`` stacked over frames (F,), with parameter ``name`` taking ``values``."""
    check_choice(name, "sweep parameter", Params._fields)
    values = np.asarray(values, dtype=float)
    stacked = {f: np.full(values.shape, float(getattr(p, f))) for f in Params._fields}
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
) -> BivariateScene:
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
    mean_hat, cov_hat = sample_moments(x)
    return BivariateScene(
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


def frames(p: Params, z: Array, square: bool = False, **kwargs) -> BivariateScene:
    """``scene`` for every frame of stacked ``p`` (F,), one shared window and base normals z.

    ``square`` gives the window equal half-widths (see ``box``), for views drawn 1:1.
    """
    window = box(p, square=square)
    return jax.vmap(lambda q: scene(q, z, window, **kwargs))(p)
