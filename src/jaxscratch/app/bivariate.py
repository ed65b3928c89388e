"""The bivariate-normal tab: sliders call ``scenes.bivariate.scene``; Bokeh sources update.

Wiring only. A slider move recomputes one jitted ``scene`` and replaces the data of a few
``ColumnDataSource``s inside one held document change, so the browser redraws the existing
plots without rebuilding them (no flicker, one websocket message per move). The classic 3-D
matplotlib figure (a PNG, ~0.5 s) is rendered on slider release and only while it is shown.
"""

import jax
import panel as pn
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, LinearColorMapper
from bokeh.palettes import Blues256

from jaxscratch.gaussian import bivariate as bv
from jaxscratch.scenes import bivariate as sb
from jaxscratch.scenes import controls
from jaxscratch.viz import bivariate as vb
from jaxscratch.viz import joint as vj

# the sources the explorer fills (the page's rasters are the report's own)
SOURCES = tuple(name for name in vj.COLUMNS if name not in ("shading", "cloud"))


def _data(s: sb.BivariateScene) -> dict[str, dict]:
    """Column data of every source from one scene (numpy arrays)."""
    x, y = s.samples[:, 0], s.samples[:, 1]
    lo_x, hi_x, lo_y, hi_y = s.xs[0], s.xs[-1], s.ys[0], s.ys[-1]
    return {
        "samples": {"x": x, "y": y},
        "density": {
            "image": [s.density],
            "x": [lo_x],
            "y": [lo_y],
            "dw": [hi_x - lo_x],
            "dh": [hi_y - lo_y],
        },
        "ellipses": {
            "xs": list(s.ellipses[:, :, 0]),
            "ys": list(s.ellipses[:, :, 1]),
            "width": list(vj.ELLIPSE_WIDTHS[: len(s.ks)]),
        },
        "axes": {"xs": list(s.axes[:, :, 0]), "ys": list(s.axes[:, :, 1])},
        "hist_x": {"left": s.edges_x[:-1], "right": s.edges_x[1:], "top": s.hist_x},
        "hist_y": {"bottom": s.edges_y[:-1], "top": s.edges_y[1:], "right": s.hist_y},
        "curves_x": {"x": s.xs, "pdf": s.pdf_x},
        "curves_y": {"y": s.ys, "pdf": s.pdf_y},
        "slices": {
            "x": s.xs,
            "cond_x": s.cond_x,
            "hy": vj.slice_heights(s.cond_x, s.cond_x_sd, s.y0, hi_y - lo_y),
            "y": s.ys,
            "cond_y": s.cond_y,
            "vx": vj.slice_heights(s.cond_y, s.cond_y_sd, s.x0, hi_x - lo_x),
        },
    }


def tab(seed: int = 0) -> pn.viewable.Viewable:
    """The bivariate explorer for one browser session."""
    w = {
        name: pn.widgets.FloatSlider(
            label=c.label, start=c.start, end=c.end, step=c.step, value=c.value
        )
        for name, c in controls.SLIDERS.items()
    } | {
        "x0": pn.widgets.FloatSlider(
            label="x₀ (slice p(y | x₀))", start=-8, end=8, step=0.05, value=1.0
        ),
        "y0": pn.widgets.FloatSlider(
            label="y₀ (slice p(x | y₀))", start=-8, end=8, step=0.05, value=1.0
        ),
    }
    for name, widget in w.items():
        widget.css_classes = [f"bv-{name}"]
        # Panel holds a browser change for 50 ms to coalesce bursts (Syncable._debounce); a
        # redraw here costs < 10 ms, so handle each move at once: ~50 ms off every redraw.
        widget._debounce = 0
    n = pn.widgets.IntSlider(label="samples n", start=controls.N_MIN, end=controls.N_MAX,
                             step=controls.N_STEP, value=controls.N_DEFAULT,
                             css_classes=["bv-n"])  # fmt: skip
    preset = pn.widgets.Select(label="preset", options=list(controls.PRESETS), value="reference",
                               css_classes=["bv-preset"])  # fmt: skip
    resample = pn.widgets.Button(label="resample", color="primary", css_classes=["bv-resample"])
    src = {name: ColumnDataSource(name=f"bv-{name}") for name in SOURCES}
    labels = vj.ellipse_labels()
    shade = LinearColorMapper(palette=Blues256[::-1])  # from the data: 0 to the peak
    joint = vj.figures(src, shade, labels, cloud="dots", size=520, side=170, prefix="bv")
    main, top, right, spans = joint.main, joint.top, joint.right, joint.spans
    readout = pn.pane.HTML("", css_classes=["bv-readout-pane"], width=420)
    classic = pn.pane.Matplotlib(None, dpi=72, tight=True, format="png", width=640, height=560,
                                 css_classes=["bv-classic"])  # fmt: skip
    views = pn.Tabs(
        (
            "Live 2-D",
            pn.Column(
                pn.Row(pn.pane.Bokeh(top), pn.pane.HTML(joint.key_html, width=right.width)),
                pn.Row(pn.pane.Bokeh(main), pn.pane.Bokeh(right)),
            ),
        ),
        ("Classic 3-D", classic),
        dynamic=False,
    )
    base = jax.random.key(seed)  # never used itself: draw k uses fold_in(base, k)
    state = {"z": sb.base_normals(jax.random.fold_in(base, 0), controls.N_MAX), "draw": 0,
             "quiet": False}  # fmt: skip

    def current() -> sb.BivariateScene:
        p = bv.params(*(w[f].value for f in controls.PARAMS))
        z = state["z"][: n.value]
        window = sb.box(p, 3.5, snap=controls.SNAP, square=True)
        return jax.device_get(sb.scene(p, z, window, x0=w["x0"].value, y0=w["y0"].value))

    def redraw(*_events) -> None:
        if state["quiet"]:
            return
        s = current()
        with pn.io.hold():
            for name, data in _data(s).items():
                src[name].data = data
            for rng, lo, hi in (
                (main.x_range, s.xs[0], s.xs[-1]),
                (main.y_range, s.ys[0], s.ys[-1]),
            ):
                if (rng.start, rng.end) != (float(lo), float(hi)):
                    rng.update(start=float(lo), end=float(hi))
            for rng, heights in (
                (top.y_range, (s.hist_x, s.pdf_x)),
                (right.x_range, (s.hist_y, s.pdf_y)),
            ):
                rng.update(start=0.0, end=vj.density_top(max(float(h.max()) for h in heights)))
            spans[0].location, spans[1].location = float(s.x0), float(s.y0)
            readout.object = vb.readout_html(s)

    def redraw_classic(*_events) -> None:
        """The 3-D PNG takes ~0.5 s: drawn on slider release, and only while it is shown."""
        if views.active == 1 and not state["quiet"]:
            classic.object = vb.classic(current())

    def slice_at(event: Tap) -> None:
        """A click on the scatter moves both slices there (x0, y0 = the clicked point)."""
        state["quiet"] = True
        try:
            w["x0"].value, w["y0"].value = round(event.x, 2), round(event.y, 2)
        finally:
            state["quiet"] = False
        redraw_all()

    def redraw_all(*_events) -> None:
        redraw()
        redraw_classic()

    def apply_preset(event) -> None:
        sx, sy, rho = controls.PRESETS[event.new]
        state["quiet"] = True
        try:
            w["sx"].value, w["sy"].value, w["rho"].value = sx, sy, round(rho, 2)
        finally:
            state["quiet"] = False
        redraw_all()

    def new_draw(_event) -> None:
        state["draw"] += 1
        key = jax.random.fold_in(base, state["draw"])
        state["z"] = sb.base_normals(key, controls.N_MAX)
        redraw_all()

    for widget in w.values():
        widget.param.watch(redraw, "value")
        widget.param.watch(redraw_classic, "value_throttled")
    n.param.watch(redraw_all, "value_throttled")
    preset.param.watch(apply_preset, "value")
    resample.on_click(new_draw)
    views.param.watch(redraw_classic, "active")
    main.on_event(Tap, slice_at)
    redraw()
    held = ", ".join(label.replace(":", "") for label in labels)
    column = pn.Column(
        pn.pane.Markdown(
            "### Bivariate normal\nΣ = [[σx², ρσxσy], [ρσxσy, σy²]] is positive definite for "
            f"every slider position (σ > 0, |ρ| ≤ {controls.RHO_MAX}). Ellipses hold {held}; red "
            "segments are the eigen-axes scaled by √λ; dashed green lines are the slices x = x₀ "
            "and y = y₀ (click the scatter to move them), and the green curves on them the "
            "conditionals p(y | x₀) and p(x | y₀)."
        ),
        preset,
        *(w[f] for f in controls.PARAMS),
        n,
        resample,
        w["x0"],
        w["y0"],
        readout,
        width=440,
    )
    return pn.Row(column, views)
