"""The live bivariate panel: the demo's own base normals, morphed in the page by the sliders.

The demo stores the (n, 2) standard normals z behind its figures (``base_normals.npy``); they are
embedded once, and ``js/bivariate.js`` turns the first n of them (the explorer's n slider) into
x = mu + L z with the 2x2 Cholesky factor of the sliders' Sigma. It then redraws the density,
the cloud (one image it rasterises), the 1/2/3-sigma ellipses, the eigen-axes, the marginals
over their histograms and, where the reader clicks, the two conditional slices on their lines.
The sliders, presets and window follow ``scenes.controls``, the explorer's spec; the figures
are ``viz.joint``'s, the explorer's too.
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
    Select,
    Slider,
)
from bokeh.palettes import Blues256

from jaxscratch.report.live.assets import ON_LOAD, script
from jaxscratch.scenes import controls
from jaxscratch.viz import bivariate as vb
from jaxscratch.viz import joint as vj

BASE_NORMALS = "base_normals.npy"  # written by the demo's bivariate part
GRID = 121  # density grid points per axis, as scenes.bivariate.scene; the page reads it here
SLICE0 = (1.0, 1.0)  # where the conditional slices start, as in the explorer
SLICE_EVENTS = ("tap", "press", "doubletap")  # clicks on the scatter that move the slices


def _rgb(color: str) -> list[int]:
    """'#rrggbb' as [r, g, b]."""
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


def _pixel(color: str) -> int:
    """'#rrggbb' as one opaque RGBA pixel, packed as the page's little-endian uint32s."""
    r, g, b = _rgb(color)
    return r | g << 8 | b << 16 | 255 << 24


def _sources(z: np.ndarray) -> dict[str, ColumnDataSource]:
    src = {name: ColumnDataSource({c: [] for c in cols}, name=f"live-bv-{name}")
           for name, cols in vj.COLUMNS.items()}  # fmt: skip
    src["z"] = ColumnDataSource({"z0": z[:, 0], "z1": z[:, 1]}, name="live-bv-z")
    # the first arrays of the two images: the page makes the next ones of their kind (2-D;
    # float64 densities, uint32 RGBA pixels)
    for name, dtype in (("density", np.float64), ("shading", np.uint32), ("cloud", np.uint32)):
        src[name].data = {"image": [np.zeros((GRID, GRID), dtype)], "x": [0], "y": [0],
                          "dw": [1], "dh": [1]}  # fmt: skip
    src["slice"] = ColumnDataSource({"x0": [SLICE0[0]], "y0": [SLICE0[1]]}, name="live-bv-slice")
    return src


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
    shade = LinearColorMapper(palette=Blues256[::-1], low=0.0, high=1.0)  # high: the peak
    labels = vj.ellipse_labels()
    joint = vj.figures(src, shade, labels, cloud="raster", prefix="live-bv")
    readout = Div(width=250, name="live-bv-readout")
    redraw = CustomJS(
        name=ON_LOAD,
        args={
            "sliders": sliders,
            "preset": preset,
            "presets": controls.PRESETS,
            "src": src,
            "spans": joint.spans,
            "main": joint.main,
            "ranges": {"top_y": joint.top.y_range, "right_x": joint.right.x_range},
            "palette": [_pixel(c) for c in shade.palette],
            "readout": readout,
            "ks": list(vj.ELLIPSE_KS),
            "labels": labels,
            "snap": controls.SNAP,
            "sliceLook": {"reach": vj.SLICE_REACH, "tail": vj.SLICE_TAIL},
            "dot": {"size": vj.DOT_SIZE, "alpha": vj.DOT_ALPHA, "rgb": _rgb(vb.SAMPLE_COLOR)},
        },
        code=script("bivariate"),
    )
    for slider in sliders.values():
        slider.js_on_change("value", redraw)
    # a click is a tap; a slow one a press; the second of two quick ones a double tap
    for event in SLICE_EVENTS:
        joint.main.js_on_event(event, redraw)
    preset.js_on_change("value", redraw)
    # the cloud image is the frame's size in pixels: drawn again once the frame has its size
    for size in ("inner_width", "inner_height"):
        joint.main.js_on_change(size, redraw)
    note = Div(width=250, text=(
        "<p>Drag a slider: the cloud is the demo's own base normals z, moved in your browser "
        "as x = μ + L z. Σ stays positive definite for every position (σ &gt; 0, "
        f"|ρ| ≤ {controls.RHO_MAX}). Click the scatter to move the dashed conditional slices.</p>"
    ))  # fmt: skip
    controls_col = column(note, preset, *(sliders[f] for f in (*controls.PARAMS, "n")), readout)
    key = Div(text=joint.key_html, width=joint.right.width, height=joint.top.height)
    plots = column(row(joint.top, key), row(joint.main, joint.right))
    return row(controls_col, plots, name="live-bivariate")
