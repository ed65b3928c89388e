"""Figures for Bayesian linear regression: fit with both bands, traces, evidence, animation.

Every function draws what it is given and returns a matplotlib ``Figure`` (or GIF bytes); none
computes a statistic. The two bands are always labelled by what they cover.
"""

import io
import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from jaxscratch._io import save_figure, save_npz, write_json
from jaxscratch.blr.evidence import DegreeComparison
from jaxscratch.blr.posterior import Predictive
from jaxscratch.runs.blr_fit import FitReport
from jaxscratch.scenes.blr_frames import Frames

PREDICTIVE_LABEL = "predictive band: new y, mean ± 2 sd (includes noise 1/β)"
EPISTEMIC_LABEL = "epistemic band: f(x), mean ± 2 sd (weights only)"
_PRED_COLOR, _EPI_COLOR, _MEAN_COLOR = "#9ecae1", "#3182bd", "#08306b"


def _a(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def draw_bands(ax, grid, pred: Predictive, *, data=None, draws=None, truth=None) -> None:
    """Data, predictive mean, both ±2 sd bands, function draws and the truth on one axes."""
    g = _a(grid)
    lo, hi = pred.predictive_band
    ax.fill_between(g, _a(lo), _a(hi), color=_PRED_COLOR, alpha=0.45, lw=0, label=PREDICTIVE_LABEL)
    lo, hi = pred.epistemic_band
    ax.fill_between(g, _a(lo), _a(hi), color=_EPI_COLOR, alpha=0.45, lw=0, label=EPISTEMIC_LABEL)
    if draws is not None and len(draws):
        for i, f in enumerate(_a(draws)):
            ax.plot(g, f, color="#e6550d", lw=0.8, alpha=0.8,
                    label="posterior function draws" if i == 0 else None)  # fmt: skip
    ax.plot(g, _a(pred.mean), color=_MEAN_COLOR, lw=2, label="predictive mean")
    if truth is not None:
        ax.plot(g, _a(truth), "k--", lw=1, label="true f(x)")
    if data is not None:
        x, y = data
        ax.plot(_a(x), _a(y), "o", ms=3.5, color="k", alpha=0.7, label=f"data (n = {len(x)})")


def fit_figure(report: FitReport) -> Figure:
    """The data, the exact predictive mean, both bands, posterior draws (and MCMC's bands)."""
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    ax = fig.add_subplot()
    draw_bands(
        ax,
        report.grid,
        report.predictive,
        data=(report.data.x, report.data.y),
        draws=report.function_draws,
        truth=report.truth_curve,
    )
    mp = report.mcmc_predictive
    if mp is not None:
        g = _a(report.grid)
        lo, hi = mp.predictive_band
        ax.plot(g, _a(lo), ":", color="#756bb1", lw=1.5,
                label="MCMC predictive band (y ± 2 sd, from draws)")  # fmt: skip
        ax.plot(g, _a(hi), ":", color="#756bb1", lw=1.5)
    s = report.summary
    ax.set_title(
        f"Bayesian linear regression, {s['basis']} basis: α = {s['alpha']:.3g}, "
        f"β = {s['beta']:.3g} ({s['hyperparameters']})",
        fontsize=10,
    )
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="best")
    return fig


def _normal_curve(mean: float, sd: float, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(mean - 4 * sd, mean + 4 * sd, n)
    return x, np.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))


def trace_figure(report: FitReport) -> Figure:
    """Trace and density of every sampled coordinate; the exact posterior of each weight overlaid.

    The exact curves are N(m_N, S_N) at the figure's alpha, beta; with alpha, beta sampled too,
    MCMC's weight marginals are slightly wider (they average over alpha, beta).
    """
    draws, names = _a(report.draws), report.mcmc.names  # (C, S, D)
    d = draws.shape[-1]
    fig = Figure(figsize=(10, 2.0 * d + 0.6), layout="constrained")
    axes = fig.subplots(d, 2, squeeze=False)
    exact_mean, exact_sd = _a(report.posterior.mean), _a(report.exact_sd)
    s = report.summary
    for j in range(d):
        tr, de = axes[j]
        for c in range(draws.shape[0]):
            tr.plot(draws[c, :, j], lw=0.5, alpha=0.7)
        tr.set_ylabel(names[j])
        de.hist(draws[:, :, j].ravel(), bins=50, density=True, color="#bdbdbd",
                label=f"{s['mcmc']['sampler']} draws")  # fmt: skip
        if j < exact_mean.shape[0]:
            de.plot(*_normal_curve(exact_mean[j], exact_sd[j]), "k-", lw=1.5,
                    label="exact posterior N(m_N, S_N)")  # fmt: skip
        elif names[j] in ("log_alpha", "log_beta"):
            value = math.log(s["alpha"] if names[j] == "log_alpha" else s["beta"])
            de.axvline(value, color="k", ls="--", label="empirical-Bayes value")
        de.set_title(f"R-hat {report.mcmc.rhat[j]:.3f}, ESS {report.mcmc.ess[j]:.0f}", fontsize=8)
        de.legend(fontsize=7)
    axes[-1, 0].set_xlabel("draw")
    axes[-1, 1].set_xlabel("value")
    fig.suptitle(
        f"{s['mcmc']['sampler'].upper()}: {s['mcmc']['chains']} chains, "
        f"{s['mcmc']['divergent']} divergent of {s['mcmc']['transitions']}",
        fontsize=10,
    )
    return fig


def evidence_figure(comparison: DegreeComparison) -> Figure:
    """Optimised log evidence against polynomial degree, the best degree marked."""
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(comparison.degrees, comparison.log_evidence, "o-", color=_EPI_COLOR)
    best = comparison.best_degree
    ax.axvline(best, color="k", ls=":", label=f"highest evidence: degree {best}")
    ax.set_xlabel("polynomial degree M")
    ax.set_ylabel("log evidence ln p(y | α*, β*)")
    ax.set_title("model comparison by evidence (empirical Bayes per degree)", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def _frame_image(frames: Frames, i: int) -> Image.Image:
    fig = Figure(figsize=(10, 4.2), dpi=80, layout="constrained")
    canvas = FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    left.contourf(_a(frames.w0), _a(frames.w1), _a(frames.density[i]), levels=20, cmap="Blues")
    left.plot(*frames.true_w, "r+", ms=12, mew=2, label="true weights")
    left.set_xlabel("w0 (intercept)")
    left.set_ylabel("w1 (slope)")
    left.set_title("posterior density in weight space", fontsize=9)
    left.legend(fontsize=7, loc="upper right")
    k = int(frames.counts[i])
    pred = Predictive(frames.mean[i], frames.epistemic_sd[i], frames.predictive_sd[i])
    draw_bands(right, frames.grid, pred, data=(frames.x[:k], frames.y[:k]))
    right.set_ylim(-2.0, 1.5)
    right.set_xlim(-1.0, 1.0)
    right.set_xlabel("x")
    right.set_ylabel("y")
    right.set_title("data space", fontsize=9)
    right.legend(fontsize=6, loc="lower right")
    fig.suptitle(f"after {k} point{'s' if k != 1 else ''} (α = {frames.alpha:g}, "
                 f"β = {frames.beta:g} known)", fontsize=10)  # fmt: skip
    canvas.draw()
    return Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).convert(
        "P", palette=Image.Palette.ADAPTIVE
    )


def sequential_gif(frames: Frames, ms_per_frame: int = 600) -> bytes:
    """The sequential-learning animation as GIF bytes (Pillow), looping forever."""
    images = [_frame_image(frames, i) for i in range(len(frames.counts))]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:],
                   duration=ms_per_frame, loop=0)  # fmt: skip
    return buf.getvalue()


def write_fit(report: FitReport, out: Path) -> None:
    """``fit.png``, ``traces.png``, ``draws.npz``, ``evidence.png`` and ``summary.json``."""
    out.mkdir(parents=True, exist_ok=True)
    save_figure(out / "fit.png", fit_figure(report), dpi=110)
    if report.mcmc is not None:
        save_figure(out / "traces.png", trace_figure(report), dpi=90)
        save_npz(out / "draws.npz", draws=report.draws, names=np.asarray(report.mcmc.names))
    if report.comparison is not None:
        save_figure(out / "evidence.png", evidence_figure(report.comparison), dpi=110)
    write_json(out / "summary.json", report.summary)
