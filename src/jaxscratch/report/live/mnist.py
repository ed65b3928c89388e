"""The live digit panel: draw with the mouse, read the demo network's class probabilities.

Contract: ``build(section_dir)`` opens the demo's trained run ``run/`` (config and checkpoint)
and embeds its network with batch norm folded into the dense layers
(``nn.fold_batch_norm``), as float32: the default 784-512-256-10 network is 2.1 MB of weights
(2.9 MB in the page's base64), well inside the page's 12 MB, so nothing is quantised. None
when the demo trained no network. ``js/mnist.js`` applies the explorer's preprocessing
(``data.drawing``: the same pen width relative to the canvas, raster and box) to each stroke
and runs the forward pass.
"""

from pathlib import Path

import numpy as np
from bokeh.layouts import column, row
from bokeh.models import (
    Button,
    ColumnDataSource,
    CustomJS,
    Div,
    FreehandDrawTool,
    LayoutDOM,
    Range1d,
)
from bokeh.plotting import figure

from jaxscratch.data import drawing
from jaxscratch.nn import fold_batch_norm
from jaxscratch.report.live.assets import script

CANVAS_PX = 280  # the canvas and pen of this panel and of the explorer's tab (app.mnist)
PEN_PX = 22  # pen width on screen; the rasterizer uses the same width relative to the canvas
RASTER = 84  # drawing.rasterize's default resolution
INK = 0.05  # drawing's crop threshold
BAR_COLOR = "#3182bd"


def drawing_canvas(strokes: ColumnDataSource, title: str | None = None):
    """The black square a ``FreehandDrawTool`` draws white pen strokes on, into ``strokes``
    (columns xs, ys): this panel's and the explorer tab's one canvas."""
    canvas = figure(width=CANVAS_PX, height=CANVAS_PX, x_range=Range1d(0, 1),
                    y_range=Range1d(0, 1), tools="", toolbar_location=None,
                    background_fill_color="black", name="mnist-canvas",
                    title=title)  # fmt: skip
    canvas.axis.visible = False
    canvas.grid.visible = False
    pen = canvas.multi_line("xs", "ys", source=strokes, color="white", line_width=PEN_PX,
                            line_cap="round", line_join="round")  # fmt: skip
    draw = FreehandDrawTool(renderers=[pen])
    canvas.add_tools(draw)
    canvas.toolbar.active_drag = draw
    return canvas


def build(section_dir: Path) -> LayoutDOM | None:
    """The digit panel of a demo's ``mnist`` folder, or None when it holds no trained run."""
    run = section_dir / "run"
    if not ((run / "checkpoint.npz").is_file() and (run / "config.json").is_file()):
        return None
    from jaxscratch.runs import training  # the training stack loads only with a run

    opened = training.open_run(run)
    cfg = opened.config
    layers = fold_batch_norm(opened.state.params, opened.state.model_state)
    shape, k = tuple(cfg.data.input_shape), cfg.model.sizes[-1]
    classes = [str(c) for c in cfg.data.class_names(k)]
    net = ColumnDataSource(
        {"w": [np.asarray(d.w, np.float32).ravel() for d in layers],
         "b": [np.asarray(d.b, np.float32) for d in layers]},
        name="mnist-net",
    )  # fmt: skip
    strokes = ColumnDataSource({"xs": [], "ys": []}, name="mnist-strokes")
    proba = ColumnDataSource({"cls": classes, "p": np.zeros(k)}, name="mnist-proba")
    preview = ColumnDataSource({"image": [np.zeros(shape)]}, name="mnist-input")
    readout = Div(text="draw a digit", width=300, name="mnist-readout")
    spec = {
        "shape": list(shape), "raster": RASTER, "radius": PEN_PX / 2 / CANVAS_PX,
        "box": drawing.fit_box(shape), "ink": INK, "activation": cfg.model.activation,
        "classes": classes,
    }  # fmt: skip
    models = {"strokes": strokes, "net": net, "proba": proba, "preview": preview,
              "readout": readout, "spec": spec}  # fmt: skip
    code = script("mnist")
    canvas = drawing_canvas(strokes, "draw a digit here")
    predict = CustomJS(args={**models, "action": "predict"}, code=code)
    strokes.js_on_change("data", predict)
    canvas.js_on_change("inner_width", predict)  # installs the page's functions at load
    clear = Button(label="clear", name="mnist-clear", width=CANVAS_PX)
    clear.js_on_click(CustomJS(args={**models, "action": "clear"}, code=code))

    seen = figure(width=150, height=150, x_range=Range1d(0, shape[1]),
                  y_range=Range1d(0, shape[0]), tools="", toolbar_location=None,
                  title=f"network input {shape[0]}x{shape[1]}")  # fmt: skip
    seen.axis.visible = False
    seen.grid.visible = False
    seen.image(image="image", x=0, y=0, dw=shape[1], dh=shape[0], source=preview,
               palette="Greys256", level="image")  # fmt: skip
    bars = figure(width=420, height=280, x_range=classes, y_range=Range1d(0, 1), tools="",
                  toolbar_location=None, x_axis_label="class", y_axis_label="probability",
                  title="class probabilities", name="mnist-bars")  # fmt: skip
    bars.vbar(x="cls", top="p", source=proba, width=0.8, color=BAR_COLOR)
    if max(map(len, classes)) > 2:  # Fashion-MNIST's names: slanted so they do not overlap
        bars.xaxis.major_label_orientation = 0.7
    acc = _accuracy(run)
    accuracy = "" if acc is None else f", test accuracy {acc:.2%}"
    intro = Div(
        width=CANVAS_PX + 160,
        text=(
            f"<b>Draw a digit.</b> The drawing is cropped, scaled into a "
            f"{drawing.fit_box(shape)}-pixel box and centred by mass in {shape[0]}x{shape[1]}, "
            f"as MNIST was prepared, and the demo's network (trained on {cfg.data.name}"
            f"{accuracy}) reads it in this page."
        ),
    )  # fmt: skip
    return row(column(intro, canvas, clear), column(bars, row(seen, readout)))


def _accuracy(run: Path) -> float | None:
    from jaxscratch.runs import records

    if not (run / "metrics.json").is_file():
        return None
    return records.RunResult.read(run).metrics.accuracy
