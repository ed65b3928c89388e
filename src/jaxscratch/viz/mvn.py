"""Figures for the MVN sampler: reconstruction of the moments from samples."""

import numpy as np
from matplotlib.figure import Figure


def reconstruction_figure(
    error: np.ndarray,
    se: np.ndarray,
    n_mean: int,
    z: np.ndarray,
    grid: np.ndarray,
    pdf: np.ndarray,
    *,
    title: str = "",
) -> Figure:
    """Left: every estimate's error (estimate - truth) with ±2 se bars; right: histogram of the
    z-scores against the N(0, 1) density they should follow.

    Args:
        error, se: (m,) errors and standard errors, the first ``n_mean`` for the mean entries,
            the rest for the covariance entries.
        z: (m,) standardised errors.
        grid, pdf: the reference density curve to draw over the histogram.
    """
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax_err, ax_z = fig.subplots(1, 2)
    idx = np.arange(error.size)
    for part, sl, color in (
        ("mean", slice(0, n_mean), "C0"),
        ("covariance", slice(n_mean, None), "C1"),
    ):
        ax_err.errorbar(idx[sl], error[sl], yerr=2 * se[sl], fmt="o", ms=3, capsize=2, color=color,
                        label=f"{part} entries ± 2 se")  # fmt: skip
    ax_err.axhline(0.0, color="0.4", lw=1)
    ax_err.set(
        xlabel="parameter index", ylabel="estimate − truth", title="errors of the estimates"
    )
    ax_err.legend(loc="upper left")
    ax_z.hist(z, bins=min(30, max(5, z.size // 3)), density=True, alpha=0.6, label="z-scores")
    ax_z.plot(grid, pdf, color="C3", label="N(0, 1)")
    ax_z.set(xlabel="(estimate − truth) / standard error", ylabel="density",
             title="errors in standard-error units")  # fmt: skip
    ax_z.legend(loc="upper right")
    if title:
        fig.suptitle(title)
    return fig
