"""The live bivariate panel: the demo's own base normals, morphed in the page by the sliders.

The demo stores the (n, 2) standard normals z behind its figures (``base_normals.npy``); they are
embedded once, and ``js/bivariate.js`` turns the first n of them (the explorer's n slider) into
x = mu + L z with the 2x2 Cholesky factor
of the sliders' Sigma, then redraws the density, the 1/2/3-sigma ellipses, the eigen-axes, the
marginals over their histograms and, where the reader clicks, the two conditional slices. The
sliders, presets and window follow ``scenes.controls``, the explorer's spec; the colours follow
``viz.bivariate``.
"""

from pathlib import Path

import numpy as np
from bokeh.layouts import column, row
from bokeh.models import (
    ColumnDataSource,
    CustomJS,
    Div,
    LayoutDOM,
    LinearColorMapper,
    PrintfTickFormatter,
    Range1d,
    Select,
    Slider,
    Span,
)
from bokeh.palettes import Blues256
from bokeh.plotting import figure

from jaxscratch.gaussian import bivariate as bv
from jaxscratch.report.live.assets import ON_LOAD, script
from jaxscratch.scenes import controls
from jaxscratch.viz import bivariate as vb

BASE_NORMALS = "base_normals.npy"  # written by the demo's bivariate part
GRID = 121  # density grid points per axis, as scenes.bivariate.scene; the page reads it here
KS = (1.0, 2.0, 3.0)  # ellipse radii in Mahalanobis units, as the static figure
SLICE0 = (1.0, 1.0)  # where the conditional slices start, as in the explorer
SLICE_EVENTS = ("tap", "press", "doubletap")  # clicks on the scatter that move the slices
_COLUMNS = {
    "samples": ("x", "y"),
    "density": ("image", "x", "y", "dw", "dh"),
    "ellipses": ("xs", "ys", "label", "width"),
    "axes": ("xs", "ys"),
    "hist_x": ("left", "right", "top"),
    "hist_y": ("bottom", "top", "right"),
    "curves_x": ("x", "pdf", "cond"),
    "curves_y": ("y", "pdf", "cond"),
}


def _sources(z: np.ndarray) -> dict[str, ColumnDataSource]:
    src = {name: ColumnDataSource({c: [] for c in cols}, name=f"live-bv-{name}")
           for name, cols in _COLUMNS.items()}  # fmt: skip
    src["z"] = ColumnDataSource({"z0": z[:, 0], "z1": z[:, 1]}, name="live-bv-z")
    # the density image's first array: the page makes the next ones like it (2-D, float64)
    src["density"].data = {"image": [np.zeros((GRID, GRID))], "x": [0], "y": [0], "dw": [1],
                           "dh": [1]}  # fmt: skip
    src["slice"] = ColumnDataSource({"x0": [SLICE0[0]], "y0": [SLICE0[1]]}, name="live-bv-slice")
    return src


def _figures(src: dict[str, ColumnDataSource], spans: tuple[Span, Span],
             shade: LinearColorMapper):  # fmt: skip
    """The scatter with the two marginal panels sharing its ranges (the explorer's layout)."""
    xr, yr = Range1d(-4, 4, name="live-bv-xr"), Range1d(-4, 4, name="live-bv-yr")
    main = figure(width=470, height=470, x_range=xr, y_range=yr, tools="pan,reset",
                  toolbar_location=None, x_axis_label="x", y_axis_label="y", min_border_left=60,
                  name="live-bv-main")  # fmt: skip
    # tick labels of one format (one decimal) inside a border wide enough for the widest
    # ("-12.5"): a move that changes the ticks does not change the axes' sizes (no relayout)
    for axis in (main.xaxis, main.yaxis):
        axis.formatter = PrintfTickFormatter(format="%.1f")
    main.image(image="image", x="x", y="y", dw="dw", dh="dh", source=src["density"],
               color_mapper=shade, alpha=0.55)  # fmt: skip
    # filled dots, no outline: one fill per point, not a fill and a stroke
    main.scatter("x", "y", source=src["samples"], size=3.5, alpha=0.35, color=vb.SAMPLE_COLOR,
                 line_color=None)  # fmt: skip
    main.multi_line("xs", "ys", source=src["ellipses"], color="black", line_width="width",
                    legend_field="label")  # fmt: skip
    main.multi_line("xs", "ys", source=src["axes"], color=vb.PDF_COLOR, line_width=2.5)
    for span in spans:
        main.add_layout(span)
    main.legend.location = "top_left"
    main.legend.title = "ellipse mass"
    main.legend.background_fill_alpha = 0.7
    # the density axes: fixed ranges the page sets, labels of one width (no relayout per move)
    density_x, density_y = (
        Range1d(0, 1, name="live-bv-top-y"),
        Range1d(0, 1, name="live-bv-right-x"),
    )
    top = figure(width=470, height=150, x_range=xr, y_range=density_x, tools="",
                 toolbar_location=None, y_axis_label="p(x)", min_border_left=60)  # fmt: skip
    top.yaxis.formatter = PrintfTickFormatter(format="%.2f")
    top.quad(left="left", right="right", top="top", bottom=0, source=src["hist_x"],
             color=vb.HIST_COLOR, line_color="white")  # fmt: skip
    top.line("x", "pdf", source=src["curves_x"], color=vb.PDF_COLOR, line_width=2,
             legend_label="p(x)")  # fmt: skip
    top.line("x", "cond", source=src["curves_x"], color=vb.COND_COLOR, line_width=2,
             line_dash="dashed", legend_label="p(x | y₀)")  # fmt: skip
    right = figure(width=170, height=470, x_range=density_y, y_range=yr, tools="",
                   toolbar_location=None, x_axis_label="p(y)")  # fmt: skip
    right.xaxis.formatter = PrintfTickFormatter(format="%.2f")
    right.quad(left=0, right="right", bottom="bottom", top="top", source=src["hist_y"],
               color=vb.HIST_COLOR, line_color="white")  # fmt: skip
    right.line("pdf", "y", source=src["curves_y"], color=vb.PDF_COLOR, line_width=2,
               legend_label="p(y)")  # fmt: skip
    right.line("cond", "y", source=src["curves_y"], color=vb.COND_COLOR, line_width=2,
               line_dash="dashed", legend_label="p(y | x₀)")  # fmt: skip
    top.xaxis.formatter = right.yaxis.formatter = main.xaxis.formatter  # the shared axes alike
    right.xaxis.ticker.desired_num_ticks = 3  # a narrow panel: a few density ticks only
    for fig in (top, right):
        fig.legend.label_text_font_size = "8pt"
        fig.legend.background_fill_alpha = 0.6
    return main, top, right


def build(section_dir: Path) -> LayoutDOM | None:
    """The panel for the demo's bivariate part, or None when its base normals are absent."""
    path = section_dir / BASE_NORMALS
    if not path.is_file():
        return None
    z = np.load(path, allow_pickle=False)  # (n, 2)
    sliders = {
        name: Slider(
            title=c.label,
            start=c.start,
            end=c.end,
            step=c.step,
            value=c.value,
            width=250,
            name=f"live-bv-{name}",
        )  # fmt: skip
        for name, c in controls.SLIDERS.items()
    }
    n_all = z.shape[0]  # the cloud draws the first n; its slider is the explorer's
    n_end = max(min(controls.N_MAX, n_all), controls.N_MIN + controls.N_STEP)
    sliders["n"] = Slider(title="samples n", start=controls.N_MIN, end=n_end,
                          step=controls.N_STEP, value=min(controls.N_DEFAULT, n_all), width=250,
                          name="live-bv-n")  # fmt: skip
    preset = Select(title="preset", options=list(controls.PRESETS), value="reference",
                    width=250, name="live-bv-preset")  # fmt: skip
    src = _sources(z)
    dashed = {"line_color": vb.COND_COLOR, "line_dash": "dashed", "line_width": 2}
    spans = (Span(dimension="height", name="live-bv-span-x", **dashed),
             Span(dimension="width", name="live-bv-span-y", **dashed))  # fmt: skip
    shade = LinearColorMapper(palette=Blues256[::-1], low=0.0, high=1.0)  # high: the peak
    main, top, right = _figures(src, spans, shade)
    readout = Div(width=250, name="live-bv-readout")
    mass = bv.ellipse_mass(np.array(KS)).tolist()  # the legend's numbers, by the library
    labels = [f"{k:g}σ: {m:.1%}" for k, m in zip(KS, mass, strict=True)]
    redraw = CustomJS(
        name=ON_LOAD,
        args={
            "sliders": sliders,
            "preset": preset,
            "presets": controls.PRESETS,
            "src": src,
            "spans": spans,
            "main": main,
            "ranges": {"top_y": top.y_range, "right_x": right.x_range},
            "shade": shade,
            "readout": readout,
            "ks": list(KS),
            "labels": labels,
            "snap": controls.SNAP,
        },
        code=script("bivariate"),
    )
    for slider in sliders.values():
        slider.js_on_change("value", redraw)
    # a click is a tap; a slow one a press; the second of two quick ones a double tap
    for event in SLICE_EVENTS:
        main.js_on_event(event, redraw)
    preset.js_on_change("value", redraw)
    note = Div(width=250, text=(
        "<p>Drag a slider: the cloud is the demo's own base normals z, moved in your browser "
        "as x = μ + L z. Σ stays positive definite for every position (σ &gt; 0, "
        f"|ρ| ≤ {controls.RHO_MAX}). Click the scatter to move the dashed conditional slices.</p>"
    ))  # fmt: skip
    controls_col = column(note, preset, *(sliders[f] for f in (*controls.PARAMS, "n")), readout)
    return row(controls_col, column(row(top), row(main, right)), name="live-bivariate")
