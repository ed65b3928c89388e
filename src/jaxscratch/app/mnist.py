"""The MNIST tab: draw a digit with the mouse; the trained network's class probabilities follow.

Wiring only. A Bokeh ``FreehandDrawTool`` records pen strokes in a ``ColumnDataSource``; each
finished stroke is rasterized and preprocessed like MNIST (``data.drawing``: 20x20 box, centre
of mass) at the run's input size, and one forward pass of the run's network
(``training.open_run``) gives the probabilities, drawn as bars. The run is ``--run DIR``, or
the newest ``runs/demo/mnist*`` checkpoint; without one the tab says how to train it.
"""

from pathlib import Path

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Range1d
from bokeh.plotting import figure

from jaxscratch.data import drawing
from jaxscratch.errors import JaxscratchError
from jaxscratch.report.live.mnist import (
    CANVAS_PX,
    PEN_PX,
    drawing_canvas,
)  # shared with the report

DEMO_RUNS = Path("runs/demo")
HOW_TO_TRAIN = (
    "Train one (a few minutes on CPU) and reopen the explorer:\n\n"
    "```bash\njaxscratch mnist train --out runs/demo/mnist\n"
    "jaxscratch explore --run runs/demo/mnist\n```\n"
    "(`--dataset digits` trains on scikit-learn's bundled 8x8 digits in seconds, offline.)"
)


def find_run(root: Path = DEMO_RUNS) -> Path | None:
    """The newest run directory ``root/mnist*`` (or one level below) holding a checkpoint."""
    found = [*root.glob("mnist*/checkpoint.npz"), *root.glob("mnist*/*/checkpoint.npz")]
    if not found:
        return None
    return max(found, key=lambda p: p.stat().st_mtime).parent


def _missing(message: str) -> pn.viewable.Viewable:
    return pn.Column(
        pn.pane.Markdown(
            f"### Draw a digit\n{message}\n\n{HOW_TO_TRAIN}",
            css_classes=["mnist-missing"],
            width=640,
        )  # fmt: skip
    )


def tab(run: Path | None = None) -> pn.viewable.Viewable:
    """The digit canvas for one browser session, or how to get a checkpoint when none is found."""
    run = run if run is not None else find_run()
    if run is None:
        return _missing(f"No trained network found (looked for `{DEMO_RUNS}/mnist*/`).")
    from jaxscratch.runs import records, training  # the training stack loads only with a run

    try:
        opened = training.open_run(run)
    except JaxscratchError as err:
        return _missing(f"Cannot open the run `{run}`: {err}.")
    except (KeyError, TypeError, ValueError) as err:  # a config.json we did not write
        return _missing(f"Cannot open the run `{run}`: its config.json is malformed ({err!r}).")
    cfg = opened.config
    shape, k = cfg.data.input_shape, cfg.model.sizes[-1]
    classes = cfg.data.class_names(k)

    strokes = ColumnDataSource({"xs": [], "ys": []}, name="mnist-strokes")
    canvas = drawing_canvas(strokes)

    seen = ColumnDataSource({"image": [np.zeros(shape)]}, name="mnist-input")
    preview = figure(width=140, height=140, x_range=Range1d(0, shape[1]),
                     y_range=Range1d(0, shape[0]), tools="", toolbar_location=None,
                     title=f"network input {shape[0]}x{shape[1]}")  # fmt: skip
    preview.axis.visible = False
    preview.image(image="image", x=0, y=0, dw=shape[1], dh=shape[0], source=seen,
                  palette="Greys256", level="image")  # fmt: skip
    proba = ColumnDataSource({"cls": classes, "p": np.zeros(k)}, name="mnist-proba")
    bars = figure(width=420, height=280, x_range=classes, y_range=Range1d(0, 1), tools="",
                  toolbar_location=None, x_axis_label="class", y_axis_label="probability",
                  title="class probabilities")  # fmt: skip
    bars.vbar(x="cls", top="p", source=proba, width=0.8, color="#3182bd")
    readout = pn.pane.HTML("<div class='mnist-readout'>draw a digit</div>", width=420)
    clear = pn.widgets.Button(label="clear", css_classes=["mnist-clear"])

    def predict(_attr, _old, new) -> None:
        ink = drawing.rasterize(list(zip(new.get("xs", []), new.get("ys", []), strict=True)),
                                radius=PEN_PX / 2 / CANVAS_PX)  # fmt: skip
        x = drawing.mnist_like(ink, shape)  # (h, w)
        if not x.any():
            p = np.zeros(k)
            text = "draw a digit"
        else:
            p = opened.predict(x[None])[0]
            best = int(np.argmax(p))
            text = f"prediction: <b>{classes[best]}</b> (p = {p[best]:.2f})"
        with pn.io.hold():
            seen.data = {"image": [x[::-1]]}  # Bokeh images have row 0 at the bottom
            proba.data = {"cls": classes, "p": p}
            readout.object = f"<div class='mnist-readout'>{text}</div>"

    strokes.on_change("data", predict)
    clear.on_click(lambda _event: setattr(strokes, "data", {"xs": [], "ys": []}))
    metrics = Path(run) / "metrics.json"
    accuracy = records.RunResult.read(run).metrics.accuracy if metrics.is_file() else None
    acc = "" if accuracy is None else f", test accuracy {accuracy:.2%}"
    intro = pn.pane.Markdown(
        f"### Draw a digit\nDraw with the mouse on the black square (several strokes are "
        f"fine). The drawing is cropped, scaled into a {drawing.fit_box(shape)}-pixel box and "
        f"centred by mass in {shape[0]}x{shape[1]}, as MNIST was prepared. Network: `{run}` "
        f"(trained on {cfg.data.name}{acc}).",
        width=440,
    )
    return pn.Row(
        pn.Column(intro, pn.pane.Bokeh(canvas), clear),
        pn.Column(pn.pane.Bokeh(bars), pn.Row(pn.pane.Bokeh(preview), readout)),
    )
