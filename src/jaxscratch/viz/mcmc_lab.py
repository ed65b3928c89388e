"""The MCMC lab's figure: which diagnostic flags which fault, and how wrong each answer is.

Draws a ``runs.mcmc_lab.LabResult`` as given; computes nothing. ``write_lab`` saves the
figure with the lab's JSON and Markdown.
"""

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jaxscratch._io import save_figure, write_json, write_text
from jaxscratch.runs.mcmc_lab import CLAIMS, DIAGNOSTICS, THRESHOLDS, LabResult, markdown

_LABELS = {
    "rhat": f"R-hat > {THRESHOLDS['rhat']:g}",
    "ess": f"ESS < {THRESHOLDS['ess']:g}",
    "divergent": "divergences > 0",
    "e_bfmi": f"E-BFMI < {THRESHOLDS['e_bfmi']:g}",
    "z": f"exact |z| > {THRESHOLDS['z']:g}",
}


def _fmt(name: str, v: float) -> str:
    if not np.isfinite(v):
        return "inf"
    if name == "rhat":
        return f"{v:.3f}" if v < 10 else (f"{v:.0f}" if v < 1e4 else f"{v:.1e}")
    if name in ("ess", "divergent"):
        return f"{v:.0f}"
    return f"{v:.2f}" if v < 100 else f"{v:.0f}"


def lab_figure(result: LabResult) -> Figure:
    """Left: runs x diagnostics, red where a diagnostic flags the run (values printed, claimed
    catches outlined). Right: each run's largest |z| against the exact posterior, log scale."""
    runs = result.runs
    labels = [r.fault + ("" if i < len(runs) // (1 if result.quick else 2) else " (rep.)")
              for i, r in enumerate(runs)]  # fmt: skip
    flagged = np.array([[d in r.flags for d in DIAGNOSTICS] for r in runs], dtype=float)
    fig = Figure(figsize=(12, 0.5 * len(runs) + 2.2), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1.6, 1))
    left.imshow(flagged, cmap="RdYlGn_r", vmin=-0.3, vmax=1.3, aspect="auto")
    for i, r in enumerate(runs):
        values = r.values()
        for j, d in enumerate(DIAGNOSTICS):
            left.text(j, i, _fmt(d, values[d]), ha="center", va="center", fontsize=8)
            if d in CLAIMS[r.fault]:
                left.add_patch(_box(j, i))
    left.set_xticks(range(len(DIAGNOSTICS)), [_LABELS[d] for d in DIAGNOSTICS], fontsize=8)
    left.set_yticks(range(len(runs)), labels, fontsize=8)
    left.set_title("red: the diagnostic flags the run; outlined: the lab's claim", fontsize=9)
    z = np.array([r.max_abs_z for r in runs])
    z_plot = np.where(np.isfinite(z), np.maximum(z, 1e-2), np.nan)
    colors = ["#d62728" if v > THRESHOLDS["z"] else "#2ca02c" for v in z]
    right.barh(range(len(runs)), z_plot, color=colors)
    right.axvline(THRESHOLDS["z"], color="k", ls="--", lw=1, label=f"|z| = {THRESHOLDS['z']:g}")
    right.set_xscale("log")
    right.set_yticks(range(len(runs)), labels, fontsize=8)
    right.invert_yaxis()
    right.set_xlabel("max |mean − exact| / MCSE over (w0, w1, log α, log β)")
    right.set_title("error against the exact posterior (in MCSEs)", fontsize=9)
    right.legend(fontsize=8)
    fig.suptitle(f"MCMC lab: one fault at a time ({result.seconds:.0f} s)", fontsize=10)
    return fig


def _box(j: int, i: int) -> Rectangle:
    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="k", lw=2)


def write_lab(result: LabResult, out: Path) -> None:
    """``lab.png``, ``lab.json`` and ``lab.md`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    save_figure(out / "lab.png", lab_figure(result), dpi=100)
    write_json(out / "lab.json", result.to_json())
    write_text(out / "lab.md", markdown(result))
