"""A grid of labelled images (data set previews); draws what it is given, computes nothing."""

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure


def image_grid(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    names: Sequence[str] | None = None,
    ncols: int | None = None,
    title: str | None = None,
) -> Figure:
    """One small grey panel per image with its label above it.

    Args:
      images: (n, h, w) pixels, 0 = background.
      labels: (n,) class indices.
      names: class names to print instead of the indices.
      ncols: panels per row (default: about square).
      title: figure title.

    Returns:
      The figure (not shown; save it with ``jaxscratch._io.save_figure``).
    """
    n = len(images)
    ncols = ncols or max(1, int(np.ceil(np.sqrt(n))))
    nrows = max(1, int(np.ceil(n / ncols)))
    fig = Figure(figsize=(1.1 * ncols, 1.25 * nrows + (0.4 if title else 0)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes:
        ax.set_axis_off()
    for ax, image, label in zip(axes, images, labels, strict=False):
        ax.imshow(image, cmap="gray_r", interpolation="nearest")
        ax.set_title(names[int(label)] if names else str(int(label)), fontsize=8, pad=2)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
