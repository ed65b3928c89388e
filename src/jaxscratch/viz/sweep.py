"""The width-search heat map: validation accuracy over (h1, h2) (draw only)."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jaxscratch._io import save_figure
from jaxscratch.runs.records import SweepResult
from jaxscratch.viz.nn import DPI


def heatmap(
    h1: Sequence[int], h2: Sequence[int], accuracy, chosen: tuple[int, int] | None = None
) -> Figure:
    """Colour = validation accuracy (len(h1), len(h2)); NaN cells are pairs not yet run;
    the chosen pair is outlined."""
    acc = np.asarray(accuracy, float)
    fig = Figure(
        figsize=(max(5.0, 2.2 + 0.9 * len(h2)), 1.6 + 0.6 * len(h1)), layout="constrained"
    )
    ax = fig.subplots()
    finite = acc[np.isfinite(acc)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    im = ax.imshow(100 * acc, cmap="viridis", vmin=100 * lo, vmax=100 * max(hi, lo + 1e-6))
    fig.colorbar(im, ax=ax, label="validation accuracy (%)")
    for i in range(acc.shape[0]):
        for j in range(acc.shape[1]):
            if np.isfinite(acc[i, j]):
                light = acc[i, j] < (lo + hi) / 2
                ax.text(j, i, f"{100 * acc[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if light else "black")  # fmt: skip
    if chosen is not None and chosen[0] in h1 and chosen[1] in h2:
        i, j = list(h1).index(chosen[0]), list(h2).index(chosen[1])
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="red", lw=2.5))
    ax.set(xticks=range(len(h2)), yticks=range(len(h1)), xticklabels=h2, yticklabels=h1)
    ax.set(xlabel="h2 (second hidden layer)", ylabel="h1 (first hidden layer)",
           title="validation accuracy (chosen pair: red)")  # fmt: skip
    return fig


def write_heatmap(sweep_dir: str | Path) -> Path:
    """``heatmap.png`` of a sweep directory, drawn from its ``sweep.json``; returns its path."""
    result = SweepResult.read(sweep_dir)
    chosen = (result.chosen.h1, result.chosen.h2)
    fig = heatmap(result.h1, result.h2, result.accuracy_grid(), chosen)
    return save_figure(Path(sweep_dir) / "heatmap.png", fig, dpi=DPI)
