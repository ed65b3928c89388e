"""Figures of a run's evaluation: accuracy against coverage, reliability before and after
temperature scaling, and the galleries (confidently wrong, most uncertain, confused pairs).

Each builder draws numbers and images it is given (``metrics.json``'s ``accuracy_coverage``,
``temperature_scaling`` and ``galleries``, the arrays of ``galleries.npz``) on a fresh
``Figure`` and returns it; ``write_evaluation_figures(run_dir)`` draws a run directory's.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from jaxscratch._io import save_figure
from jaxscratch.runs.markdown import EVALUATION_FIGURES
from jaxscratch.runs.records import RunResult

DPI = 110
FIGURES = EVALUATION_FIGURES  # coverage, calibration, wrong, uncertain, confused


def coverage(cov: dict[str, Any]) -> Figure:
    """Accuracy on the kept predictions against the share kept (least confident rejected)."""
    fig = Figure(figsize=(5, 3.8), layout="constrained")
    ax = fig.subplots()
    c, acc = np.asarray(cov["coverage"]), np.asarray(cov["accuracy"])
    ax.plot(100 * c, 100 * acc, "o-", ms=3)
    ax.axhline(100 * acc[-1], color="grey", ls="--", lw=1, label="all predictions kept")
    ax.set(xlabel="coverage: share of test images kept (%)", ylabel="accuracy on kept (%)",
           title="accuracy against coverage (least confident rejected)")  # fmt: skip
    ax.legend(loc="lower left")
    return fig


def _bins(ax, rel: dict[str, Any], title: str) -> None:
    edges = np.asarray(rel["edges"], float)
    acc = np.asarray([np.nan if v is None else v for v in rel["accuracy"]], float)
    ok = np.asarray(rel["count"]) > 0
    ax.bar(edges[:-1][ok], acc[ok], width=np.diff(edges)[ok], align="edge", edgecolor="k")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set(xlabel="top-label confidence", xlim=(0, 1), ylim=(0, 1), title=title)


def calibration(before: dict[str, Any], ts: dict[str, Any]) -> Figure:
    """Reliability diagrams of the test part before and after temperature scaling."""
    fig = Figure(figsize=(9, 4), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    b, a = ts["before"], ts["after"]
    _bins(left, before, f"before: ECE {b['ece']:.4f}, log loss {b['log_loss']:.4f}")
    after = f"T = {ts['temperature']:.3f}: ECE {a['ece']:.4f}, log loss {a['log_loss']:.4f}"
    _bins(right, ts["reliability_after"], after)
    left.set_ylabel("accuracy in bin")
    fig.suptitle(f"temperature fitted on {ts['n_validation']:,} held-out training images")
    return fig


def gallery(
    images: np.ndarray, entries: Sequence[dict], names: Sequence[str], title: str, ncols: int = 8
) -> Figure:
    """One panel per image: true → predicted class, the predicted probability (and entropy)."""
    n = len(entries)
    nrows = max(1, -(-n // ncols))
    fig = Figure(figsize=(1.25 * ncols, 1.45 * nrows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes:
        ax.set_axis_off()
    for ax, image, e in zip(axes, images, entries, strict=False):
        ax.imshow(image, cmap="gray_r", interpolation="nearest")
        label = f"{names[e['true']]}→{names[e['predicted']]}\np {e['probability']:.2f}"
        ax.set_title(label, fontsize=7, pad=2, color="C3" if e["true"] != e["predicted"] else "k")
    if not n:
        axes[0].text(0.5, 0.5, "none", ha="center", va="center", transform=axes[0].transAxes)
    fig.suptitle(title, fontsize=10)
    return fig


def confused(pairs: Sequence[dict], images: dict[str, np.ndarray], names: Sequence[str]) -> Figure:
    """One row per most-confused pair: its count, then its most confident examples."""
    ncols = max([len(p["examples"]) for p in pairs] + [1])
    nrows = max(1, len(pairs))
    fig = Figure(figsize=(max(6.0, 1.2 * ncols + 1.6), 1.4 * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols + 1, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for r, pair in enumerate(pairs):
        label = f"true {names[pair['true']]}\nread as {names[pair['predicted']]}\n{pair['count']}×"
        axes[r, 0].text(0.5, 0.5, label, ha="center", va="center", fontsize=9)
        for c, (image, e) in enumerate(zip(images[f"pair_{r}"], pair["examples"], strict=True)):
            axes[r, c + 1].imshow(image, cmap="gray_r", interpolation="nearest")
            axes[r, c + 1].set_title(f"p {e['probability']:.2f}", fontsize=7, pad=2)
    fig.suptitle("most-confused pairs (true → predicted), most confident examples", fontsize=10)
    return fig


def evaluation_figures(run: RunResult, images: dict[str, np.ndarray]) -> dict[str, Figure]:
    """The run's evaluation figures by file name (those its ``metrics.json`` has data for)."""
    m = run.metrics.report
    if "galleries" not in m:
        return {}
    names = run.config.data.class_names(m["num_classes"])
    g = m["galleries"]
    figures = {"coverage.png": coverage(m["accuracy_coverage"])}
    if m.get("temperature_scaling"):
        figures["calibration.png"] = calibration(m["reliability"], m["temperature_scaling"])
    titles = {"confidently_wrong": "the most confidently wrong test images",
              "most_uncertain": "the most uncertain test images (highest entropy)"}  # fmt: skip
    for file, key in (("wrong.png", "confidently_wrong"), ("uncertain.png", "most_uncertain")):
        figures[file] = gallery(images[key], g[key], names, titles[key])
    figures["confused.png"] = confused(g["confused_pairs"], images, names)
    return figures


def write_evaluation_figures(run_dir: str | Path) -> tuple[Path, ...]:
    """The evaluation figures of a run directory, from ``metrics.json`` and ``galleries.npz``."""
    run = RunResult.read(run_dir)
    path = run.out / "galleries.npz"
    if not path.is_file():
        return ()
    with np.load(path, allow_pickle=False) as z:
        images = {k: z[k] for k in z.files}
    figures = evaluation_figures(run, images)
    return tuple(save_figure(run.out / name, fig, dpi=DPI) for name, fig in figures.items())
