"""Figures of a training run: learning curves, confusion matrix, reliability diagram.

Each builder takes already computed numbers (a history dict, a confusion matrix, reliability
bins), draws on a fresh ``matplotlib.figure.Figure`` (no pyplot, no global state) and returns it.
``write_run_figures(run_dir)`` draws a run directory's three figures from its records.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from jaxscratch._io import save_figure
from jaxscratch.runs.records import RunResult
from jaxscratch.viz.evaluation import write_evaluation_figures

DPI = 110  # the run and sweep figures on disk


def curves(history: dict) -> Figure:
    """Loss vs iteration; train/test loss and accuracy vs epoch."""
    fig = Figure(figsize=(13, 3.8), layout="constrained")
    ax_it, ax_loss, ax_acc = fig.subplots(1, 3)
    losses = np.asarray(history["loss_per_iteration"], float)
    it = np.arange(1, len(losses) + 1)
    ax_it.plot(it, losses, lw=0.6, alpha=0.5, color="C0", label="mini-batch loss")
    per_epoch = history["steps_per_epoch"]
    epochs = np.asarray(history["epoch"])
    ax_it.plot(
        epochs * per_epoch, history["train_loss"], "o-", color="C3", ms=3, label="epoch mean"
    )
    ax_it.set(xlabel="iteration", ylabel="cross-entropy", title="loss vs iterations")
    if losses.size and np.all(losses > 0):
        ax_it.set_yscale("log")
    ax_it.legend()
    for ax, name, label in ((ax_loss, "loss", "cross-entropy"), (ax_acc, "accuracy", "accuracy")):
        ax.plot(epochs, history[f"train_{name}"], "o-", ms=3, label="train (mini-batch mean)")
        test = [np.nan if v is None else v for v in history[f"test_{name}"]]
        if not np.all(np.isnan(test)):
            ax.plot(epochs, test, "s-", ms=3, label="test")
        ax.set(xlabel="epoch", ylabel=label, title=f"{name} per epoch")
        ax.legend()
    return fig


def confusion(cm, class_names: Sequence[str] | None = None) -> Figure:
    """Row-normalised confusion matrix (colour) with counts written in each cell."""
    cm = np.asarray(cm)
    K = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(k) for k in range(K)]
    rows = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)  # recall on the diagonal
    fig = Figure(figsize=(2.0 + 0.6 * K, 1.5 + 0.5 * K), layout="constrained")
    ax = fig.subplots()
    im = ax.imshow(rows, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, label="fraction of the true class")
    if K <= 20:
        for i in range(K):
            for j in range(K):
                color = "white" if rows[i, j] > 0.5 else "black"
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7, color=color)
    ax.set(xticks=range(K), yticks=range(K), xticklabels=names, yticklabels=names)
    ax.set(xlabel="predicted class", ylabel="true class", title="confusion matrix")
    if max(len(n) for n in names) > 2:
        ax.tick_params(axis="x", labelrotation=45)
    return fig


def reliability(edges, confidence, accuracy, count, ece: float | None = None) -> Figure:
    """Reliability diagram: accuracy per confidence bin against the diagonal, counts below."""
    edges = np.asarray(edges, float)
    conf = np.asarray([np.nan if v is None else v for v in confidence], float)
    acc = np.asarray([np.nan if v is None else v for v in accuracy], float)
    count = np.asarray(count, float)
    width = np.diff(edges)
    fig = Figure(figsize=(5, 5.6), layout="constrained")
    ax, ax_n = fig.subplots(2, 1, height_ratios=(3, 1), sharex=True)
    ok = count > 0
    ax.bar(edges[:-1][ok], acc[ok], width=width[ok], align="edge", edgecolor="k", label="accuracy")
    ax.bar(
        edges[:-1][ok], conf[ok] - acc[ok], bottom=acc[ok], width=width[ok], align="edge",
        fill=False, hatch="//", edgecolor="C3", label="gap to mean confidence",
    )  # fmt: skip
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    title = "reliability diagram" + (f" (ECE = {ece:.4f})" if ece is not None else "")
    ax.set(ylabel="accuracy in bin", title=title, xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    ax_n.bar(edges[:-1], count, width=width, align="edge", color="grey")
    ax_n.set(xlabel="top-label confidence", ylabel="examples")
    if count.max(initial=0) > 0:
        ax_n.set_yscale("log")
    return fig


def write_run_figures(run_dir: str | Path) -> tuple[Path, ...]:
    """``curves.png``, ``confusion.png`` and ``reliability.png`` of a run directory, drawn from
    its ``history.json``, ``metrics.json`` and ``config.json``; returns their paths."""
    run = RunResult.read(run_dir)
    m = run.metrics.report
    rel = m["reliability"]
    figures = {
        "curves.png": curves(run.history),
        "confusion.png": confusion(m["confusion_matrix"], list(run.config.data.classes) or None),
        "reliability.png": reliability(
            rel["edges"], rel["confidence"], rel["accuracy"], rel["count"], run.metrics.ece
        ),
    }
    saved = tuple(save_figure(run.out / name, fig, dpi=DPI) for name, fig in figures.items())
    return saved + write_evaluation_figures(run_dir)  # coverage, calibration, galleries
