"""The live regression panel: click points, move alpha and beta, pick a basis; the page solves.

Contract: ``build(section_dir)`` reads the demo's ``data.npz`` (x, y) and ``summary.json`` (the
empirical-Bayes alpha, beta) and, when present, ``draws.npz`` (the NUTS draws); None without
data or summary. The exact posterior, both bands and the log evidence are recomputed in the
page by ``js/blr.js`` on every click or slider move (a Cholesky factor of an M <= 16 basis).
Beside it, the demo's NUTS draws of (w0, w1), thinned, over the exact posterior's 1, 2, 3 sd
ellipses at the same alpha, beta (those numbers from the library, at build time).
"""

import json
import math
from pathlib import Path

import jax
import numpy as np
from bokeh.layouts import column, row
from bokeh.models import (
    Button,
    ColumnDataSource,
    CustomJS,
    Div,
    LayoutDOM,
    Range1d,
    Select,
    Slider,
)
from bokeh.plotting import figure

from jaxscratch.blr.basis import design, make_basis
from jaxscratch.blr.posterior import BAND_SDS, covariance, exact_posterior, stats
from jaxscratch.gaussian import bivariate
from jaxscratch.report.live.assets import script
from jaxscratch.scenes import blr as spec
from jaxscratch.viz import blr as viz

GRID = 200  # inputs the bands are drawn at, as the static fit figure
MAX_DRAWS = 600  # NUTS draws shown in weight space
SDS = (1, 2, 3)  # ellipses of the exact posterior
_PAD = 0.15  # the x window extends 15 % beyond the data, as the static figure's grid
_DRAW_COLOR = "#756bb1"  # the MCMC colour of the static fit figure
# the fit beside its 440-pixel controls inside the report's 62rem column (html.CSS): no overflow
FIT_WIDTH = 510


def _window(lo: float, hi: float, pad: float) -> tuple[float, float]:
    span = max(hi - lo, 1e-9)
    return lo - pad * span, hi + pad * span


def _weights_figure(x, y, alpha: float, beta: float, draws_path: Path):
    """NUTS draws of (w0, w1) over the exact posterior's ellipses; None without draws."""
    if not draws_path.is_file():
        return None
    with np.load(draws_path) as f:
        draws, names = np.asarray(f["draws"], float), [str(n) for n in f["names"]]
    flat = draws.reshape(-1, draws.shape[-1])[:, :2]  # (C S, 2) the first two weights
    thin = max(1, math.ceil(len(flat) / MAX_DRAWS))
    kept = flat[::thin]
    with jax.enable_x64(True):
        s = stats(design(make_basis("linear", x), x), y)
        post = exact_posterior(s, alpha, beta)
        p = bivariate.from_cov(np.asarray(post.mean), np.asarray(covariance(post)))
        ellipses = [np.asarray(bivariate.ellipse(p, float(k))) for k in SDS]
    fig = figure(width=440, height=460, tools="pan,wheel_zoom,reset", name="blr-weights",
                 title="weights: NUTS draws and the exact posterior",
                 x_axis_label=names[0], y_axis_label=names[1])  # fmt: skip
    drawn = f"NUTS draws, α and β unknown ({len(kept)} of {len(flat)})"
    exact = "exact posterior at the empirical-Bayes α, β: 1, 2, 3 sd"
    fig.scatter(kept[:, 0], kept[:, 1], size=3, color=_DRAW_COLOR, alpha=0.5, legend_label=drawn)
    for k, e in zip(SDS, ellipses, strict=True):
        fig.line(e[:, 0], e[:, 1], color=viz.MEAN_COLOR, line_width=1.5 if k == 1 else 1,
                 legend_label=exact)  # fmt: skip
    fig.legend.label_text_font_size = "8pt"
    fig.add_layout(fig.legend[0], "below")  # the draws fill the plot; the legend goes under it
    return fig


def _fit_figure(points, bands, x_range, y_range):
    fig = figure(width=FIT_WIDTH, height=500, x_range=Range1d(*x_range), y_range=Range1d(*y_range),
                 tools="", toolbar_location=None, x_axis_label="x", y_axis_label="y",
                 title="click to add a point, click a point to remove it",
                 name="blr-fit")  # fmt: skip
    fig.varea("x", "pred_lo", "pred_hi", source=bands, color=viz.PRED_COLOR,
              alpha=viz.BAND_ALPHA, legend_label=viz.PREDICTIVE_LABEL)  # fmt: skip
    fig.varea("x", "epi_lo", "epi_hi", source=bands, color=viz.EPI_COLOR,
              alpha=viz.BAND_ALPHA, legend_label=viz.EPISTEMIC_LABEL)  # fmt: skip
    fig.line("x", "mean", source=bands, color=viz.MEAN_COLOR, line_width=2,
             legend_label="predictive mean")  # fmt: skip
    fig.scatter("x", "y", source=points, size=5, color="black", alpha=0.7, legend_label="data")
    # the legend below the plot, in two columns: inside it would cover points and clicks
    fig.add_layout(fig.legend[0], "below")
    fig.legend.ncols = 2
    fig.legend.label_text_font_size = "8pt"
    fig.legend.border_line_color = None
    return fig


def build(section_dir: Path) -> LayoutDOM | None:
    """The regression panel of a demo's ``blr`` folder, or None when the demo wrote no data."""
    data_path, summary_path = section_dir / "data.npz", section_dir / "summary.json"
    if not (data_path.is_file() and summary_path.is_file()):
        return None
    with np.load(data_path) as f:
        x, y = np.asarray(f["x"], float), np.asarray(f["y"], float)
    summary = json.loads(summary_path.read_text())
    alpha, beta = float(summary["alpha"]), float(summary["beta"])
    x_range = _window(float(x.min()), float(x.max()), _PAD)
    y_range = _window(float(y.min()), float(y.max()), 0.35)
    scaling = make_basis("poly", x)  # the input scaling every non-linear basis keeps
    most = spec.MAX_WEIGHTS - 1
    points = ColumnDataSource({"x": x.tolist(), "y": y.tolist()}, name="blr-points")
    demo = ColumnDataSource({"x": x, "y": y}, name="blr-demo")
    grid = np.linspace(*x_range, GRID)
    empty = np.full(GRID, np.nan)  # filled by the page's first redraw, when the figure lays out
    bands = ColumnDataSource({"x": grid, **{k: empty for k in
                              ("mean", "epi_lo", "epi_hi", "pred_lo", "pred_hi")}},
                             name="blr-bands")  # fmt: skip
    basis = Select(title="basis", value="linear", name="blr-basis",
                   options=list(spec.BASIS_LABELS.items()))  # fmt: skip
    degree = Slider(title="polynomial degree", start=1, end=most, step=1, value=3,
                    name="blr-degree", disabled=True)  # fmt: skip
    centres = Slider(title="centres", start=1, end=most, step=1, value=9,
                     name="blr-centres", disabled=True)  # fmt: skip
    log_alpha = Slider(title="log₁₀ α (prior precision)", start=spec.LOG10_ALPHA[0],
                       end=spec.LOG10_ALPHA[1], step=0.01, value=math.log10(alpha),
                       name="blr-alpha")  # fmt: skip
    log_beta = Slider(title="log₁₀ β (noise precision)", start=spec.LOG10_BETA[0],
                      end=spec.LOG10_BETA[1], step=0.01, value=math.log10(beta),
                      name="blr-beta")  # fmt: skip
    readout = Div(
        width=420, height=60, name="blr-readout"
    )  # fixed: a new text re-lays out nothing
    reset = Button(label="demo data and its empirical-Bayes α, β", name="blr-reset")
    clear = Button(label="clear points", name="blr-clear")
    models = {
        "points": points, "demo": demo, "bands": bands, "readout": readout, "basis": basis,
        "degree": degree, "centres": centres, "alpha": log_alpha, "beta": log_beta,
        "spec": {
            "shift": scaling.shift, "scale": scaling.scale, "band_sds": BAND_SDS,
            "labels": spec.BASIS_LABELS, "x_range": x_range, "y_range": y_range,
            "log10_alpha": spec.LOG10_ALPHA, "log10_beta": spec.LOG10_BETA,
            "max_weights": spec.MAX_WEIGHTS,
        },
    }  # fmt: skip
    code = script("blr")

    def callback(action: str) -> CustomJS:
        return CustomJS(args={**models, "action": action}, code=code)

    fig = _fit_figure(points, bands, x_range, y_range)
    redraw = callback("redraw")
    fig.js_on_change("inner_width", redraw)  # the first layout draws the bands
    fig.js_on_event("tap", callback("tap"))
    for widget in (basis, degree, centres, log_alpha, log_beta):
        widget.js_on_change("value", redraw)
    reset.js_on_click(
        CustomJS(args={"alpha": log_alpha, "beta": log_beta, "a": log_alpha.value,
                       "b": log_beta.value}, code="alpha.value = a; beta.value = b")
    )  # fmt: skip
    reset.js_on_click(callback("demo"))
    clear.js_on_click(callback("clear"))
    intro = Div(
        width=420,
        text=(
            "<b>Bayesian linear regression, live.</b> The demo's data and its empirical-Bayes "
            "α, β. Click to add or remove points, move the sliders, pick a basis: the exact "
            "posterior, both bands and the log evidence are solved in this page."
        ),
    )  # fmt: skip
    controls = column(intro, basis, degree, centres, log_alpha, log_beta, row(reset, clear),
                      readout, width=440)  # fmt: skip
    weights = _weights_figure(x, y, alpha, beta, section_dir / "draws.npz")
    return row(controls, fig) if weights is None else column(row(controls, fig), weights)
