"""The live MVN panel: pick d, drag n, and watch the reconstruction errors and the verdict settle.

The demo stores the running sums of its one sample at ~120 sample sizes (``running.npz``);
here, at report time, the library (``gaussian.running_reconstruction``) turns them into the
z-scores and the Bonferroni verdict at each of those n, for every leading d coordinates (the
marginal of a normal is normal, so the first d of the demo's d coordinates are a d-dimensional
sample). The page only looks numbers up (``js/mvn.js``): nothing is resampled or recomputed.
"""

from pathlib import Path

import numpy as np
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, CustomJS, Div, LayoutDOM, Range1d, Slider, Span
from bokeh.plotting import figure

from jaxscratch import gaussian
from jaxscratch.report.live.assets import ON_LOAD, script

RUNNING = "running.npz"  # written by the demo's MVN part
ALPHA = 1e-3  # family-wise level of the verdict, as the demo's
MEAN_COLOR, COV_COLOR = "#1f77b4", "#ff7f0e"  # matplotlib's C0 and C1, as viz.mvn


def tables(section_dir: Path) -> dict[str, object] | None:
    """Everything the page shows, per d = 1..D: the library's reconstruction at each stored n."""
    path = section_dir / RUNNING
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as f:
        sums = gaussian.RunningSums(f["ns"], f["shift"], f["s1"], f["s2"])
        mean_true, cov_true = f["mean_true"], f["cov_true"]
    per_d = []
    for d in range(1, sums.shift.shape[0] + 1):
        rec = gaussian.running_reconstruction(sums, mean_true, cov_true, d, ALPHA)
        per_d.append({"d": d, "m": rec.z.shape[1], "z": rec.z.ravel(), "threshold": rec.threshold,
                      "max_mean": rec.max_z_mean, "max_cov": rec.max_z_cov})  # fmt: skip
    return {"ns": sums.ns.astype(np.float64), "per_d": per_d, "alpha": ALPHA}


def _figures(src: dict[str, ColumnDataSource], n_span: Span, bounds: tuple[Span, Span]):
    zfig = figure(width=440, height=300, tools="", toolbar_location=None, name="live-mvn-zfig",
                  x_axis_label="parameter index", y_axis_label="(estimate − truth) / se",
                  title="errors in standard-error units")  # fmt: skip
    zfig.scatter("i", "z", source=src["z_mean"], color=MEAN_COLOR, size=6,
                 legend_label="mean entries")  # fmt: skip
    zfig.scatter("i", "z", source=src["z_cov"], color=COV_COLOR, size=5,
                 legend_label="covariance entries")  # fmt: skip
    for span in bounds:
        zfig.add_layout(span)
    zfig.y_range = Range1d(-5, 5, name="live-mvn-zrange")
    path = figure(width=440, height=300, x_axis_type="log", tools="", toolbar_location=None,
                  x_axis_label="n", y_axis_label="max |z|", name="live-mvn-pathfig",
                  title="largest |z| as n grows (dashed: the Bonferroni bound)")  # fmt: skip
    for col, color, label in (("mean", MEAN_COLOR, "mean μ̂"), ("cov", COV_COLOR, "covariance Σ̂")):
        path.line("n", col, source=src["path"], color=color, line_width=2, legend_label=label)
    path.line("n", "bound", source=src["path"], color="black", line_dash="dashed", line_width=2)
    path.add_layout(n_span)
    path.y_range = Range1d(0, 5, name="live-mvn-pathrange")
    for fig in (zfig, path):  # along the top, over the headroom the page keeps free (mvn.js)
        fig.legend.location = "top_left"
        fig.legend.orientation = "horizontal"
        fig.legend.background_fill_alpha = 0.6
        fig.legend.label_text_font_size = "8pt"
    return zfig, path


def build(section_dir: Path) -> LayoutDOM | None:
    """The panel for the demo's MVN part, or None when its running sums are absent."""
    table = tables(section_dir)
    if table is None:
        return None
    big_d, k = len(table["per_d"]), len(table["ns"])
    d = Slider(title="dimension d (leading coordinates)", start=1, end=max(big_d, 2), step=1,
               value=big_d, width=300, name="live-mvn-d", disabled=big_d < 2)  # fmt: skip
    n = Slider(title="n", start=0, end=k - 1, step=1, value=k - 1, show_value=False, width=300,
               name="live-mvn-n")  # fmt: skip
    columns = {"z_mean": ("i", "z"), "z_cov": ("i", "z"), "path": ("n", "mean", "cov", "bound")}
    src = {name: ColumnDataSource({c: [] for c in cols}, name=f"live-mvn-{name}")
           for name, cols in columns.items()}  # fmt: skip
    dashed = {"line_color": "black", "line_dash": "dashed", "line_width": 1.5}
    bounds = (Span(dimension="width", **dashed), Span(dimension="width", **dashed))
    n_span = Span(dimension="height", line_color="#555555", line_width=1.5, name="live-mvn-at")
    zfig, path = _figures(src, n_span, bounds)
    readout = Div(width=300, name="live-mvn-readout")
    redraw = CustomJS(name=ON_LOAD, code=script("mvn"),
                      args={"table": table, "d_slider": d, "n_slider": n, "src": src,
                            "bounds": bounds, "n_span": n_span, "zfig": zfig, "path": path,
                            "readout": readout})  # fmt: skip
    for slider in (d, n):
        slider.js_on_change("value", redraw)
    note = Div(width=300, text=(
        "<p>The demo's sample, read in prefixes: drag n and the estimates of every mean and "
        "covariance entry tighten, while their errors in standard-error units stay N(0, 1). "
        "The verdict holds while every |z| is under the Bonferroni bound. All numbers were "
        "computed by the library when the report was written; the page only looks them up.</p>"
    ))  # fmt: skip
    return row(column(note, d, n, readout), column(zfig, path), name="live-mvn")
