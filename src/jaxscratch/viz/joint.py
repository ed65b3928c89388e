"""The Bokeh joint plot of a 2-D normal, the scatter with its marginals, for the explorer and the
live report alike.

Contract: ``figures`` lays out three Bokeh figures over the data sources it is given, named as in
``COLUMNS`` and with its columns:
- the scatter with the density, the 1/2/3σ ellipses, the eigen-axes, the two slice lines
  x = x₀ and y = y₀, and on each line its conditional density, standing on it;
- the x-marginal above it, p(x) over the histogram of x;
- the y-marginal on its right, p(y) over the histogram of y.
Whoever fills the sources draws the picture: the explorer from Python, the report page in the
browser. Nothing here computes a statistic: `slice_heights` only places a given density on its
line, as the page does.

A move redraws these figures in the browser, so the layout keeps that cheap:
- the y tick labels stand along the axis, so a new range never changes the axis's width (Bokeh
  lays the whole plot out again whenever a side panel changes size);
- the marginals show only their density axis; the shared one is the scatter's;
- the conditional slices are drawn in the scatter, on their lines: a click moves them and
  repaints one figure, not three, and a slider repaints a marginal only when it changed;
- the legend is one static HTML key in the free corner, not legends painted on every frame;
- in the report page (``cloud="raster"``) the cloud is one RGBA image that the page rasterises,
  as datashader does, not thousands of dots that the canvas fills one by one on every frame;
  and the page shades the density with ``shade``'s palette itself (Bokeh's colour mapping of
  the grid took longer than the page's). The explorer draws the dots and lets ``shade`` colour
  the density (``cloud="dots"``): its frames come from Python anyway.
"""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from bokeh.models import ColumnDataSource, LinearColorMapper, PrintfTickFormatter, Range1d, Span
from bokeh.plotting import figure

from jaxscratch.gaussian import bivariate as bv
from jaxscratch.viz import bivariate as vb

# the data sources and their columns, one spelling for both faces
COLUMNS = {
    "samples": ("x", "y"),
    "density": ("image", "x", "y", "dw", "dh"),
    # cloud="raster": the density shaded by the page, and the samples as one RGBA image
    "shading": ("image", "x", "y", "dw", "dh"),
    "cloud": ("image", "x", "y", "dw", "dh"),
    "ellipses": ("xs", "ys", "width"),
    "axes": ("xs", "ys"),
    "hist_x": ("left", "right", "top"),
    "hist_y": ("bottom", "top", "right"),
    "curves_x": ("x", "pdf"),
    "curves_y": ("y", "pdf"),
    # p(x | y0) over the x grid, drawn at height hy; p(y | x0) over the y grid, drawn at vx
    "slices": ("x", "cond_x", "hy", "y", "cond_y", "vx"),
}
CLOUDS = ("dots", "raster")
DENSITY_HEADROOM = 1.15  # a marginal's density axis ends this far above its tallest
DENSITY_ALPHA = 0.55  # the density's shading, under the cloud
DOT_SIZE, DOT_ALPHA = 3.5, 0.35  # a sample's diameter in screen pixels and its opacity
ELLIPSE_KS = (1.0, 2.0, 3.0)  # the ellipses' radii in Mahalanobis units, as the static figure
ELLIPSE_WIDTHS = (1.0, 1.5, 2.0)  # and their line widths
SLICE_LINE = {"line_color": vb.COND_COLOR, "line_dash": "dashed", "line_width": 2}
SLICE_REACH = 0.15  # a slice's peak stands this fraction of the window off its line
SLICE_TAIL = 0.01  # a slice is drawn where it is at least this fraction of its peak
BORDER = 60  # pixels left of the scatter and the x-marginal: their frames line up


class Joint(NamedTuple):
    """The three figures, the two slice lines (x = x0, y = y0) and the key's HTML."""

    main: figure
    top: figure
    right: figure
    spans: tuple[Span, Span]
    key_html: str


def _mark(color: str, *, width: float = 2.0, dash: str = "", bar: bool = False) -> str:
    """A legend swatch, as inline SVG: a bar or a (dashed) line."""
    if bar:
        shape = f'<rect x="2" y="2" width="20" height="8" fill="{color}"/>'
    else:
        shape = (f'<line x1="0" y1="6" x2="24" y2="6" stroke="{color}" stroke-width="{width}" '
                 f'stroke-dasharray="{dash}"/>')  # fmt: skip
    return f'<svg width="24" height="12" style="vertical-align:middle">{shape}</svg>'


def ellipse_labels(ks: Sequence[float] = ELLIPSE_KS) -> list[str]:
    """ "1σ: 39.3%" and so on: each radius with the mass inside it (``ellipse_mass``)."""
    mass = bv.ellipse_mass(np.asarray(ks, dtype=float)).tolist()
    return [f"{k:g}σ: {m:.1%}" for k, m in zip(ks, mass, strict=True)]


def key_html(ellipse_labels: Sequence[str]) -> str:
    """The plot's key: each ellipse with its mass, then what the marginals' bars, solid and
    dashed curves are."""
    rows = [(_mark("black", width=w), label)
            for label, w in zip(ellipse_labels, ELLIPSE_WIDTHS, strict=True)]  # fmt: skip
    rows += [
        (_mark(vb.SAMPLE_COLOR, width=4), "samples (the cloud)"),
        (_mark(vb.HIST_COLOR, bar=True), "their histograms"),
        (_mark(vb.PDF_COLOR), "p(x), p(y): exact marginals"),
        (_mark(vb.COND_COLOR, dash="5,3"), "the slices x = x₀, y = y₀ (click)"),
        (_mark(vb.COND_COLOR), "p(y | x₀), p(x | y₀) on them"),
    ]
    body = "".join(f"<div>{mark} {text}</div>" for mark, text in rows)
    return (f'<div class="bv-key" style="font-size:8pt;line-height:1.45">'
            f"<div><i>ellipse mass</i></div>{body}</div>")  # fmt: skip


def figures(
    src: Mapping[str, ColumnDataSource],
    shade: LinearColorMapper,
    ellipse_labels: Sequence[str],
    *,
    cloud: str = "dots",
    size: int = 470,
    side: int = 150,
    prefix: str = "bv",
) -> Joint:
    """The joint plot over ``src``: a ``size``-pixel square scatter and marginals ``side`` pixels
    deep sharing its ranges. The models are named ``{prefix}-main``, ``-xr``, ``-yr``,
    ``-top-y``, ``-right-x``, ``-span-x`` and ``-span-y`` for the faces and tests that look
    them up. ``cloud`` is one of ``CLOUDS``."""
    if cloud not in CLOUDS:
        raise ValueError(f"cloud must be one of {CLOUDS}, not {cloud!r}")
    xr, yr = Range1d(-4, 4, name=f"{prefix}-xr"), Range1d(-4, 4, name=f"{prefix}-yr")
    main = figure(width=size, height=size, x_range=xr, y_range=yr, tools="pan,reset",
                  toolbar_location=None, x_axis_label="x", y_axis_label="y",
                  min_border_left=BORDER, name=f"{prefix}-main")  # fmt: skip
    for axis in (main.xaxis, main.yaxis):
        axis.formatter = PrintfTickFormatter(format="%.1f")
    main.yaxis.major_label_orientation = "vertical"  # one width, whatever the labels say
    where = {"x": "x", "y": "y", "dw": "dw", "dh": "dh"}
    if cloud == "raster":
        main.image_rgba(image="image", source=src["shading"], alpha=DENSITY_ALPHA, **where)
        main.image_rgba(image="image", source=src["cloud"], **where)
    else:
        main.image(image="image", source=src["density"], color_mapper=shade, alpha=DENSITY_ALPHA,
                   **where)  # fmt: skip
        # filled dots without an outline: one fill per point, not a fill and a stroke
        main.scatter("x", "y", source=src["samples"], size=DOT_SIZE, alpha=DOT_ALPHA,
                     color=vb.SAMPLE_COLOR, line_color=None)  # fmt: skip
    main.multi_line("xs", "ys", source=src["ellipses"], color="black", line_width="width")
    main.multi_line("xs", "ys", source=src["axes"], color=vb.PDF_COLOR, line_width=2.5)
    spans = (Span(dimension="height", name=f"{prefix}-span-x", **SLICE_LINE),
             Span(dimension="width", name=f"{prefix}-span-y", **SLICE_LINE))  # fmt: skip
    for span in spans:
        main.add_layout(span)
    main.line("vx", "y", source=src["slices"], color=vb.COND_COLOR, line_width=2)
    main.line("x", "hy", source=src["slices"], color=vb.COND_COLOR, line_width=2)
    # the density axes: fixed ranges that the faces set, not data ranges recomputed per move
    density_x = Range1d(0, 1, name=f"{prefix}-top-y")
    density_y = Range1d(0, 1, name=f"{prefix}-right-x")
    top = figure(width=size, height=side, x_range=xr, y_range=density_x, tools="",
                 toolbar_location=None, y_axis_label="p(x)", min_border_left=BORDER)  # fmt: skip
    top.quad(left="left", right="right", top="top", bottom=0, source=src["hist_x"],
             color=vb.HIST_COLOR, line_color="white")  # fmt: skip
    top.line("x", "pdf", source=src["curves_x"], color=vb.PDF_COLOR, line_width=2)
    right = figure(width=side + 40, height=size, x_range=density_y, y_range=yr, tools="",
                   toolbar_location=None, x_axis_label="p(y)", min_border_left=20)  # fmt: skip
    right.quad(left=0, right="right", bottom="bottom", top="top", source=src["hist_y"],
               color=vb.HIST_COLOR, line_color="white")  # fmt: skip
    right.line("pdf", "y", source=src["curves_y"], color=vb.PDF_COLOR, line_width=2)
    top.yaxis.formatter = right.xaxis.formatter = PrintfTickFormatter(format="%.2f")
    top.xaxis.visible = right.yaxis.visible = False  # the scatter's own axes read for both
    right.xaxis.ticker.desired_num_ticks = 3  # a narrow panel: a few density ticks only
    return Joint(main, top, right, spans, key_html(ellipse_labels))


def slice_heights(cond: np.ndarray, sd: float, at: float, extent: float) -> np.ndarray:
    """Where a conditional density is drawn on its slice line: ``at`` (the line) plus the
    density in units of its own peak 1 / (sd sqrt(2 pi)), so that the peak stands
    ``SLICE_REACH`` of the window's ``extent`` off the line; NaN (a gap in the line) where it is
    below ``SLICE_TAIL`` of its peak, so that the dashed line shows. As ``js/bivariate.js``."""
    height = np.asarray(cond, dtype=float) * sd * np.sqrt(2 * np.pi)  # 1 at the peak
    return np.where(height < SLICE_TAIL, np.nan, at + SLICE_REACH * extent * height)


def density_top(tallest: float) -> float:
    """The end of a marginal's density axis: 15 % above the tallest bar or curve, rounded up to
    half a power of ten (0.05, 0.5, 5, ...), so that most moves keep the axis as it is. As
    ``densityTop`` in ``js/bivariate.js``."""
    step = 10.0 ** np.floor(np.log10(DENSITY_HEADROOM * tallest)) / 2
    return float(np.ceil(DENSITY_HEADROOM * tallest / step) * step)
