"""Bivariate normal figures: the classic 3-D box, a 2-D view with marginals, and their animation.

Contract: every function draws a ``scenes.bivariate.BivariateScene`` it is given (computed
elsewhere) and returns the figure or animation; nothing here computes a statistic or calls
``show()``.
Artists carry a ``gid`` (``floor-scatter``, ``hist-x``, ``hist-y``, ``pdf-x``, ``pdf-y``,
``ellipse``...) so tests and callers can find them, and animations update them in place.
"""

from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from jaxscratch._shared import lookup
from jaxscratch.scenes.bivariate import BivariateScene

# re-exported (``x as x``): the bivariate faces check and save their files through ``vb``
from jaxscratch.viz.files import ANIMATION_FORMATS as ANIMATION_FORMATS
from jaxscratch.viz.files import FIGURE_FORMATS as FIGURE_FORMATS
from jaxscratch.viz.files import check_figure_path as check_figure_path
from jaxscratch.viz.files import save_animation as save_animation

SAMPLE_COLOR = "#1f5fa8"
HIST_COLOR = "#9ecae1"
PDF_COLOR = "#c0392b"
COND_COLOR = "#2e8b57"


def _np(scene: BivariateScene) -> BivariateScene:
    return BivariateScene(*(np.asarray(a, dtype=float) for a in scene))


def _wall_bars(edges: np.ndarray, heights: np.ndarray, wall: float, along: str) -> list:
    """Rectangles (bin x height) standing on the floor of the wall at ``wall``."""
    polys = []
    for lo, hi, h in zip(edges[:-1], edges[1:], heights, strict=True):
        pts = [(lo, 0.0), (hi, 0.0), (hi, h), (lo, h)]
        if along == "x":
            polys.append([(a, wall, z) for a, z in pts])
        else:
            polys.append([(wall, a, z) for a, z in pts])
    return polys


def _title(scene: BivariateScene) -> str:
    (mx, my), c = scene.mean, scene.cov
    return (
        f"μ = ({mx:.2f}, {my:.2f}),  Σ = [[{c[0, 0]:.2f}, {c[0, 1]:.2f}], "
        f"[{c[1, 0]:.2f}, {c[1, 1]:.2f}]],  n = {scene.samples.shape[0]:,}"
    )


def classic(
    scene: BivariateScene, *, fig: Figure | None = None, title: str | None = None
) -> Figure:
    """The encyclopaedia figure: samples and the outermost k-sigma ellipse on the floor of a
    3-D box, each marginal (sample histogram + exact PDF) on a back wall."""
    s = _np(scene)
    fig = fig or Figure(figsize=(7.5, 6.5), layout="constrained")
    ax = fig.add_subplot(projection="3d")
    xlo, xhi, ylo, yhi = s.xs[0], s.xs[-1], s.ys[0], s.ys[-1]
    ax.scatter(s.samples[:, 0], s.samples[:, 1], 0.0, s=2, c=SAMPLE_COLOR, alpha=0.35,
               depthshade=False, gid="floor-scatter", rasterized=True)  # fmt: skip
    k, mass = s.ks[-1], s.masses[-1]
    ax.plot(s.ellipses[-1, :, 0], s.ellipses[-1, :, 1], 0.0, color="k", lw=1.6,
            gid="ellipse", label=f"{k:g}σ ellipse (mass {mass:.1%})")  # fmt: skip
    for gid, edges, hist, wall, along in (
        ("hist-x", s.edges_x, s.hist_x, yhi, "x"),
        ("hist-y", s.edges_y, s.hist_y, xlo, "y"),
    ):
        bars = Poly3DCollection(_wall_bars(edges, hist, wall, along), facecolor=HIST_COLOR,
                                edgecolor="white", linewidth=0.3, alpha=0.9)  # fmt: skip
        bars.set_gid(gid)
        ax.add_collection3d(bars)
    ax.plot(s.xs, np.full_like(s.xs, yhi), s.pdf_x, color=PDF_COLOR, lw=2, gid="pdf-x",
            label="exact marginal PDF")  # fmt: skip
    ax.plot(np.full_like(s.ys, xlo), s.ys, s.pdf_y, color=PDF_COLOR, lw=2, gid="pdf-y")
    top = 1.15 * max(s.pdf_x.max(), s.pdf_y.max(), s.hist_x.max(), s.hist_y.max())
    ax.set(xlim=(xlo, xhi), ylim=(ylo, yhi), zlim=(0.0, top), xlabel="x", ylabel="y",
           zlabel="density")  # fmt: skip
    ax.view_init(elev=22, azim=-55)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title or _title(s), fontsize=9)
    return fig


def flat(scene: BivariateScene, *, fig: Figure | None = None, title: str | None = None) -> Figure:
    """2-D view: scatter, density contours, k-sigma ellipses and eigen-axes, marginal panels."""
    s = _np(scene)
    fig = fig or Figure(figsize=(7.0, 7.0), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(4, 1), height_ratios=(1, 4))
    ax = fig.add_subplot(grid[1, 0])
    top = fig.add_subplot(grid[0, 0], sharex=ax)
    right = fig.add_subplot(grid[1, 1], sharey=ax)
    ax.scatter(s.samples[:, 0], s.samples[:, 1], s=3, c=SAMPLE_COLOR, alpha=0.35,
               gid="floor-scatter", rasterized=True)  # fmt: skip
    ax.contour(s.xs, s.ys, s.density, levels=8, cmap="viridis", linewidths=0.8)
    for i, (k, m) in enumerate(zip(s.ks, s.masses, strict=True)):
        ax.plot(s.ellipses[i, :, 0], s.ellipses[i, :, 1], color="k", lw=1.0 + 0.3 * i,
                gid=f"ellipse-{k:g}", label=f"{k:g}σ: {m:.1%}")  # fmt: skip
    for i, seg in enumerate(s.axes):
        ax.plot(seg[:, 0], seg[:, 1], color=PDF_COLOR, lw=2, gid=f"eigen-axis-{i}")
    ax.set(xlim=(s.xs[0], s.xs[-1]), ylim=(s.ys[0], s.ys[-1]), xlabel="x", ylabel="y")
    ax.legend(loc="upper left", fontsize=8, title="ellipse mass")
    top.bar(s.edges_x[:-1], s.hist_x, width=np.diff(s.edges_x), align="edge",
            color=HIST_COLOR, gid="hist-x")  # fmt: skip
    top.plot(s.xs, s.pdf_x, color=PDF_COLOR, lw=2, gid="pdf-x")
    right.barh(s.edges_y[:-1], s.hist_y, height=np.diff(s.edges_y), align="edge",
               color=HIST_COLOR, gid="hist-y")  # fmt: skip
    right.plot(s.pdf_y, s.ys, color=PDF_COLOR, lw=2, gid="pdf-y")
    top.set_ylabel("p(x)")
    right.set_xlabel("p(y)")
    top.tick_params(labelbottom=False)
    right.tick_params(labelleft=False)
    top.set_title(title or _title(s), fontsize=9)
    return fig


def by_gid(fig: Figure, gid: str) -> list:
    """Every artist in ``fig`` whose gid is ``gid``."""
    return fig.findobj(lambda a: a.get_gid() == gid)


def _frame(frames: BivariateScene, i: int) -> BivariateScene:
    return BivariateScene(*(a[i] for a in frames))


def _update_classic(fig: Figure, s: BivariateScene, title: str) -> None:
    ax = fig.axes[0]
    xlo, yhi = s.xs[0], s.ys[-1]
    (scatter,) = by_gid(fig, "floor-scatter")
    scatter.set_offsets(s.samples)
    scatter.set_3d_properties(np.zeros(len(s.samples)), "z")  # on the floor z = 0 of the box
    (ell,) = by_gid(fig, "ellipse")
    ell.set_data_3d(s.ellipses[-1, :, 0], s.ellipses[-1, :, 1], np.zeros(s.ellipses.shape[1]))
    by_gid(fig, "hist-x")[0].set_verts(_wall_bars(s.edges_x, s.hist_x, yhi, "x"))
    by_gid(fig, "hist-y")[0].set_verts(_wall_bars(s.edges_y, s.hist_y, xlo, "y"))
    by_gid(fig, "pdf-x")[0].set_data_3d(s.xs, np.full_like(s.xs, yhi), s.pdf_x)
    by_gid(fig, "pdf-y")[0].set_data_3d(np.full_like(s.ys, xlo), s.ys, s.pdf_y)
    ax.set_title(title, fontsize=9)


def _update_flat(fig: Figure, s: BivariateScene, title: str) -> None:
    ax, top, right = fig.axes[:3]
    by_gid(fig, "floor-scatter")[0].set_offsets(s.samples)
    for c in list(ax.collections[1:]):  # contour sets cannot be reshaped in place
        c.remove()
    ax.contour(s.xs, s.ys, s.density, levels=8, cmap="viridis", linewidths=0.8)
    for i, k in enumerate(s.ks):
        by_gid(fig, f"ellipse-{k:g}")[0].set_data(s.ellipses[i, :, 0], s.ellipses[i, :, 1])
    for i, seg in enumerate(s.axes):
        by_gid(fig, f"eigen-axis-{i}")[0].set_data(seg[:, 0], seg[:, 1])
    for bar, h in zip(by_gid(fig, "hist-x"), s.hist_x, strict=True):
        bar.set_height(h)
    for bar, w in zip(by_gid(fig, "hist-y"), s.hist_y, strict=True):
        bar.set_width(w)
    by_gid(fig, "pdf-x")[0].set_ydata(s.pdf_x)
    by_gid(fig, "pdf-y")[0].set_xdata(s.pdf_y)
    top.set_title(title, fontsize=9)


def animate(
    frames: BivariateScene, titles: Sequence[str], *, view: str = "3d", fps: int = 20
) -> FuncAnimation:
    """Animate stacked scenes (F, ...): one figure whose artists are updated in place per frame.

    All frames must share one window (``bivariate.frames`` ensures it) so the axes stay still.
    """
    views = {"3d": (classic, _update_classic), "2d": (flat, _update_flat)}
    draw, update = lookup(views, view, "view")
    stacked = _np(frames)
    fig = draw(_frame(stacked, 0), title=titles[0])
    if view == "3d":  # fix the wall height to the tallest frame so the box does not jump
        top = 1.15 * max(stacked.pdf_x.max(), stacked.pdf_y.max(), stacked.hist_x.max(),
                         stacked.hist_y.max())  # fmt: skip
        fig.axes[0].set_zlim(0.0, top)
    n = len(titles)
    return FuncAnimation(fig, lambda i: update(fig, _frame(stacked, i), titles[i]), frames=n,
                         interval=1000 / fps, blit=False)  # fmt: skip


def _mat(a: np.ndarray) -> str:
    return f"[[{a[0, 0]:.3f}, {a[0, 1]:.3f}], [{a[1, 0]:.3f}, {a[1, 1]:.3f}]]"


def readout_html(scene: BivariateScene) -> str:
    """The numbers beside an interactive figure, as a small HTML table (no computation)."""
    s = _np(scene)
    masses = " · ".join(f"{k:g}σ {m:.1%}" for k, m in zip(s.ks, s.masses, strict=True))
    rows = [
        ("Σ", _mat(s.cov)),
        ("det Σ", f"{s.det:.4f}"),
        ("eigenvalues λ", f"{s.eigvals[0]:.3f}, {s.eigvals[1]:.3f}"),
        ("tilt θ", f"{np.degrees(s.tilt):+.1f}°"),
        ("ellipse mass", masses),
        (f"sample μ̂ (n = {s.samples.shape[0]:,})", f"({s.mean_hat[0]:.3f}, {s.mean_hat[1]:.3f})"),
        ("sample Σ̂", _mat(s.cov_hat)),
        (f"p(y | x₀ = {s.x0:.2f})", f"N({s.cond_y_mean:.3f}, {s.cond_y_sd:.3f}²)"),
        (f"p(x | y₀ = {s.y0:.2f})", f"N({s.cond_x_mean:.3f}, {s.cond_x_sd:.3f}²)"),
    ]
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{k}</th>"
        f"<td class='bv-{i}' style='font-family:monospace'>{v}</td></tr>"
        for i, (k, v) in enumerate(rows)
    )
    return f"<table class='bv-readout'>{body}</table>"
