"""Figures for Bayesian linear regression: fit with both bands, traces, evidence, animation.

Every function draws what it is given and returns a matplotlib ``Figure`` (or animation); none
computes a statistic (the exact-posterior curves come from ``gaussian.normal_pdf``). The two
bands are always labelled by what they cover. Animations are written by ``viz.files``.
"""

import math
import os
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from jaxscratch._io import save_figure, save_npz, write_json
from jaxscratch.blr.diagnostics import E_BFMI_MIN, energy_transitions, rank_histograms
from jaxscratch.blr.evidence import DegreeComparison
from jaxscratch.blr.posterior import BAND_SDS, Predictive
from jaxscratch.gaussian import normal_pdf
from jaxscratch.runs.blr_fit import FitReport
from jaxscratch.scenes.blr_frames import Frames
from jaxscratch.viz.files import save_animation

PREDICTIVE_LABEL = f"predictive band: new y, mean ± {BAND_SDS:g} sd (includes noise 1/β)"
EPISTEMIC_LABEL = f"epistemic band: f(x), mean ± {BAND_SDS:g} sd (weights only)"
PRED_COLOR, EPI_COLOR, MEAN_COLOR = "#9ecae1", "#3182bd", "#08306b"  # shared with live pictures
BAND_ALPHA = 0.45


def _a(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def draw_bands(
    ax, grid, pred: Predictive, *, data=None, draws=None, truth=None, what="posterior"
) -> None:
    """Data, predictive mean, both bands, function draws and the truth on one axes."""
    g = _a(grid)
    lo, hi = pred.predictive_band
    ax.fill_between(
        g, _a(lo), _a(hi), color=PRED_COLOR, alpha=BAND_ALPHA, lw=0, label=PREDICTIVE_LABEL
    )
    lo, hi = pred.epistemic_band
    ax.fill_between(
        g, _a(lo), _a(hi), color=EPI_COLOR, alpha=BAND_ALPHA, lw=0, label=EPISTEMIC_LABEL
    )
    if draws is not None and len(draws):
        for i, f in enumerate(_a(draws)):
            ax.plot(g, f, color="#e6550d", lw=0.8, alpha=0.8,
                    label=f"{what} function draws" if i == 0 else None)  # fmt: skip
    ax.plot(g, _a(pred.mean), color=MEAN_COLOR, lw=2, label="predictive mean")
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
        band = f"y ± {BAND_SDS:g} sd"
        if report.summary.likelihood != "gaussian":
            band = f"± {BAND_SDS:g} (var f + t scale²)^½; the t tails reach further"
        ax.plot(g, _a(lo), ":", color="#756bb1", lw=1.5,
                label=f"MCMC predictive band ({band}, from draws)")  # fmt: skip
        ax.plot(g, _a(hi), ":", color="#756bb1", lw=1.5)
        if report.summary.likelihood != "gaussian":
            label = "Student-t posterior mean (NUTS); the bands are the Gaussian fit's"
            ax.plot(g, _a(mp.mean), "-", color="#d62728", lw=2, label=label)
    s = report.summary
    ax.set_title(
        f"Bayesian linear regression, {s.basis} basis: α = {s.alpha:.3g}, "
        f"β = {s.beta:.3g} ({s.hyperparameters})",
        fontsize=10,
    )
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="best")
    return fig


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
                label=f"{s.mcmc.sampler} draws")  # fmt: skip
        if j < exact_mean.shape[0]:
            m, sd = exact_mean[j], exact_sd[j]
            x = np.linspace(m - 4 * sd, m + 4 * sd, 200)  # the drawn range: m_N +- 4 sd
            de.plot(x, _a(normal_pdf(x, m, sd)), "k-", lw=1.5,
                    label="exact posterior N(m_N, S_N)")  # fmt: skip
        elif names[j] in ("log_alpha", "log_beta"):
            value = math.log(s.alpha if names[j] == "log_alpha" else s.beta)
            de.axvline(value, color="k", ls="--", label="empirical-Bayes value")
        de.set_title(f"R-hat {report.mcmc.rhat[j]:.3f}, ESS {report.mcmc.ess[j]:.0f}", fontsize=8)
        de.legend(fontsize=7)
    axes[-1, 0].set_xlabel("draw")
    axes[-1, 1].set_xlabel("value")
    fig.suptitle(
        f"{s.mcmc.sampler.upper()}: {s.mcmc.chains} chains, "
        f"{s.mcmc.divergent} divergent of {s.mcmc.transitions}",
        fontsize=10,
    )
    return fig


def evidence_figure(comparison: DegreeComparison) -> Figure:
    """Optimised log evidence against polynomial degree, the best degree marked."""
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(comparison.degrees, comparison.log_evidence, "o-", color=EPI_COLOR)
    best = comparison.best_degree
    ax.axvline(best, color="k", ls=":", label=f"highest evidence: degree {best}")
    ax.set_xlabel("polynomial degree M")
    ax.set_ylabel("log evidence ln p(y | α*, β*)")
    ax.set_title("model comparison by evidence (empirical Bayes per degree)", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def prior_figure(report: FitReport) -> Figure:
    """Before any data: prior function draws and the prior predictive bands at the fit's
    alpha, beta; beside them the posterior, so the two read as before and after."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    before, after = fig.subplots(1, 2, sharey=True)
    draw_bands(before, report.grid, report.prior_predictive, draws=report.prior_draws,
               what="prior")  # fmt: skip
    before.set_title("prior: w ~ N(0, I/α), y = f(x) + noise, no data yet", fontsize=9)
    draw_bands(after, report.grid, report.predictive, data=(report.data.x, report.data.y),
               draws=report.function_draws, truth=report.truth_curve)  # fmt: skip
    after.set_title(f"posterior after n = {report.summary.n} points", fontsize=9)
    for ax in (before, after):
        ax.set_xlabel("x")
        ax.legend(fontsize=7, loc="best")
    before.set_ylabel("y")
    s = report.summary
    fig.suptitle(f"prior predictive vs posterior predictive (α = {s.alpha:.3g}, "
                 f"β = {s.beta:.3g})", fontsize=10)  # fmt: skip
    return fig


def diagnostics_figure(report: FitReport, n_bins: int = 20) -> Figure:
    """HMC diagnostics: per chain, the centred energy against the energy transitions (their
    ratio of spreads is E-BFMI), and a rank plot of every sampled coordinate."""
    chains, hmc = report.chains, report.summary.mcmc.hmc
    centred, jumps = energy_transitions(chains.energy)
    ranks = rank_histograms(report.draws, n_bins)  # (D, C, n_bins)
    names = report.mcmc.names
    d, c = ranks.shape[:2]
    cols = max(2, min(4, d))
    rows = 1 + -(-d // cols)
    fig = Figure(figsize=(3.2 * cols, 2.6 * rows + 0.5), layout="constrained")
    grid = fig.add_gridspec(rows, cols)
    ax = fig.add_subplot(grid[0, :])
    for k in range(c):
        ax.hist(centred[k], bins=40, histtype="step", lw=1.2, color=f"C{k}",
                label=f"chain {k}: E − mean E, E-BFMI {hmc.e_bfmi[k]:.2f}")  # fmt: skip
        ax.hist(jumps[k], bins=40, alpha=0.25, color=f"C{k}")
    ax.set_xlabel("energy (lines: marginal, centred; filled: transitions E_n − E_(n−1))")
    ax.set_title(
        f"energy: the filled transitions should be about as wide as the lines "
        f"(E-BFMI ≥ {E_BFMI_MIN:g}); divergent per chain {list(hmc.divergent)}",
        fontsize=9,
    )
    ax.legend(fontsize=7)
    expected = report.draws.shape[1] / n_bins
    for j in range(d):
        rax = fig.add_subplot(grid[1 + j // cols, j % cols])
        for k in range(c):
            rax.step(np.arange(n_bins), ranks[j, k], where="mid", color=f"C{k}", lw=1)
        rax.axhline(expected, color="k", ls="--", lw=0.8)
        rax.set_title(f"rank plot: {names[j]}", fontsize=8)
        rax.set_xticks([])
    fig.suptitle("NUTS diagnostics: uniform ranks in every chain mean the chains agree",
                 fontsize=10)  # fmt: skip
    return fig


def sequential_animation(frames: Frames, ms_per_frame: int = 600) -> FuncAnimation:
    """Sequential learning, one frame per count: the posterior density in weight space beside
    the data seen so far with both bands (Bishop PRML Fig. 3.7). Save it with
    ``save_sequential`` (or ``viz.files.save_animation``)."""
    fig = Figure(figsize=(10, 4.2), dpi=80, layout="constrained")
    left, right = fig.subplots(1, 2)

    def draw(i: int) -> None:  # contour sets and bands cannot be reshaped: redraw both axes
        left.clear()
        right.clear()
        left.contourf(_a(frames.w0), _a(frames.w1), _a(frames.density[i]), levels=20,
                      cmap="Blues")  # fmt: skip
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

    draw(0)
    return FuncAnimation(fig, draw, frames=len(frames.counts), interval=ms_per_frame,
                         blit=False)  # fmt: skip


def save_sequential(path: str | os.PathLike, frames: Frames, ms_per_frame: int = 600) -> Path:
    """Write the sequential-learning animation (.gif, .mp4 or .html), each frame shown for
    ``ms_per_frame`` ms and the GIF looping forever; returns the path."""
    # the GIF writer holds a frame int(1000 / fps) ms: half a millisecond more keeps it exact
    fps = 1000.0 / (ms_per_frame + 0.5)
    return save_animation(path, sequential_animation(frames, ms_per_frame), fps=fps, dpi=80)


FIT_FILES = (
    "fit.png",
    "prior.png",
    "traces.png",
    "diagnostics.png",
    "draws.npz",
    "evidence.png",
    "summary.json",
    "posterior.nc",
)


def write_fit(report: FitReport, out: Path) -> None:
    """``fit.png``, ``prior.png``, ``traces.png``, ``diagnostics.png`` (NUTS), ``draws.npz``,
    ``evidence.png`` and ``summary.json``."""
    out.mkdir(parents=True, exist_ok=True)
    save_figure(out / "fit.png", fit_figure(report), dpi=110)
    if report.prior_predictive is not None:
        save_figure(out / "prior.png", prior_figure(report), dpi=100)
    if report.mcmc is not None:
        save_figure(out / "traces.png", trace_figure(report), dpi=90)
        if report.summary.mcmc.hmc is not None:
            save_figure(out / "diagnostics.png", diagnostics_figure(report), dpi=90)
        save_npz(out / "draws.npz", draws=report.draws, names=np.asarray(report.mcmc.names))
    if report.comparison is not None:
        save_figure(out / "evidence.png", evidence_figure(report.comparison), dpi=110)
    write_json(out / "summary.json", report.summary.to_json())
