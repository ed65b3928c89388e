"""The Bayesian regression tab: click to add points; posterior, both bands and evidence follow.

Wiring only. Points live in a fixed-capacity buffer with a mask, so a click calls one jitted
``blr.scene`` (compiled once per basis) and replaces the data of a few ``ColumnDataSource``s in
one held document change. The math runs in float64 (inside ``jax.enable_x64``, as the ``blr``
CLI does) so high polynomial degrees stay well conditioned.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import panel as pn
from bokeh.events import DoubleTap, Tap
from bokeh.models import ColumnDataSource, Range1d
from bokeh.plotting import figure

from jaxscratch import blr
from jaxscratch.errors import JaxscratchError
from jaxscratch.scenes import blr as scene_blr
from jaxscratch.viz import blr as viz_blr

CAPACITY = 256  # clicked points held; a fuller buffer refuses new points
X_WINDOW = (-1.0, 1.0)
Y_WINDOW = (-2.5, 2.5)
GRID = 241  # prediction inputs across the window
N_DRAWS = 5
BASES = {label: kind for kind, label in scene_blr.BASIS_LABELS.items()}  # shared with the report
LOG_ALPHA, LOG_BETA = scene_blr.LOG10_ALPHA, scene_blr.LOG10_BETA  # slider ranges
MEAN_COLOR, EPI_COLOR, PRED_COLOR = viz_blr.MEAN_COLOR, viz_blr.EPI_COLOR, viz_blr.PRED_COLOR
DRAW_COLOR = "#fd8d3c"


def _basis(kind: str, degree: int, centres: int) -> blr.Basis:
    """The basis over the fixed window (its scaling never moves as points arrive)."""
    return blr.make_basis(kind, np.array(X_WINDOW), degree=degree, n_centres=centres)


def _readout_html(
    sc: scene_blr.RegressionScene, alpha: float, beta: float, basis: blr.Basis, note: str
) -> str:
    n = int(sc.n)
    ev = float(sc.log_evidence)
    return (
        f"<div class='blr-readout'><b>n = {n} points</b>; basis {basis.kind}, M = {basis.size} "
        f"weights<br>α = {alpha:.3g} (prior precision), β = {beta:.3g} (noise sd "
        f"{1 / math.sqrt(beta):.3g})<br><b>log evidence</b> ln p(y | α, β) = {ev:.3f}"
        + (f" ({ev / n:.3f} per point)" if n else "")
        + (f"<br><i>{note}</i>" if note else "")
        + "</div>"
    )


def _figure(src: dict[str, ColumnDataSource]):
    fig = figure(width=700, height=460, x_range=Range1d(*X_WINDOW), y_range=Range1d(*Y_WINDOW),
                 tools="", toolbar_location=None, x_axis_label="x", y_axis_label="y",
                 title="click to add a point", name="blr-fig")  # fmt: skip
    fig.varea("x", "pred_lo", "pred_hi", source=src["bands"], color=PRED_COLOR,
              alpha=viz_blr.BAND_ALPHA, legend_label=viz_blr.PREDICTIVE_LABEL)  # fmt: skip
    fig.varea("x", "epi_lo", "epi_hi", source=src["bands"], color=EPI_COLOR,
              alpha=viz_blr.BAND_ALPHA, legend_label=viz_blr.EPISTEMIC_LABEL)  # fmt: skip
    fig.multi_line("xs", "ys", source=src["draws"], color=DRAW_COLOR, alpha=0.8, line_width=1,
                   legend_label="posterior draws of f")  # fmt: skip
    fig.line("x", "mean", source=src["bands"], color=MEAN_COLOR, line_width=2.5,
             legend_label="predictive mean")  # fmt: skip
    fig.scatter("x", "y", source=src["points"], size=8, color="black", legend_label="data")
    fig.legend.location = "top_left"
    fig.legend.label_text_font_size = "9pt"
    fig.legend.background_fill_alpha = 0.7
    return fig


def tab(seed: int = 0) -> pn.viewable.Viewable:
    """The regression explorer for one browser session."""
    basis_w = pn.widgets.Select(label="basis", options=list(BASES), value="polynomial",
                                css_classes=["blr-basis"])  # fmt: skip
    most = scene_blr.MAX_WEIGHTS - 1  # the bias is the other weight
    degree = pn.widgets.IntSlider(label="polynomial degree", start=1, end=most, value=3,
                                  css_classes=["blr-degree"])  # fmt: skip
    centres = pn.widgets.IntSlider(label="centres", start=2, end=most, value=9,
                                   css_classes=["blr-centres"])  # fmt: skip
    log_alpha = pn.widgets.FloatSlider(label="log₁₀ α (prior precision)", start=LOG_ALPHA[0],
                                       end=LOG_ALPHA[1], step=0.05, value=0.0,
                                       css_classes=["blr-alpha"])  # fmt: skip
    log_beta = pn.widgets.FloatSlider(label="log₁₀ β (noise precision)", start=LOG_BETA[0],
                                      end=LOG_BETA[1], step=0.05, value=1.4,
                                      css_classes=["blr-beta"])  # fmt: skip
    empirical = pn.widgets.Button(label="empirical Bayes (MacKay)", color="primary",
                                  css_classes=["blr-eb"])  # fmt: skip
    sample_btn = pn.widgets.Button(label="add 10 points from sin(πx)", css_classes=["blr-add"])
    clear = pn.widgets.Button(label="clear points", css_classes=["blr-clear"])
    prior_w = pn.widgets.Checkbox(name="show the prior predictive (before any data)",
                                  css_classes=["blr-prior"])  # fmt: skip
    for w in (log_alpha, log_beta):
        w._debounce = 0  # one jitted call per move is ~ms: handle each at once (see bivariate)
    src = {name: ColumnDataSource(name=f"blr-{name}") for name in ("bands", "draws", "points")}
    fig = _figure(src)
    readout = pn.pane.HTML("", css_classes=["blr-readout-pane"], width=420)
    grid = np.linspace(*X_WINDOW, GRID)
    k_draws, k_points = jax.random.split(jax.random.key(seed))  # function draws; sampled points
    state = {"x": np.zeros(CAPACITY), "y": np.zeros(CAPACITY), "n": 0, "note": "",
             "key": k_draws, "added": 0, "quiet": False}  # fmt: skip

    def current_basis() -> blr.Basis:
        return _basis(BASES[basis_w.value], degree.value, centres.value)

    def redraw(*_events) -> None:
        if state["quiet"]:
            return
        alpha, beta = 10.0**log_alpha.value, 10.0**log_beta.value
        basis = current_basis()
        shown = 0 if prior_w.value else state["n"]  # the prior is the posterior of no points
        mask = np.arange(CAPACITY) < shown
        with jax.enable_x64(True):
            sc = jax.device_get(scene_blr.scene(state["key"], basis, jnp.asarray(state["x"]),
                                          jnp.asarray(state["y"]), jnp.asarray(mask),
                                          jnp.asarray(grid), jnp.array([alpha, beta]),
                                          N_DRAWS))  # fmt: skip
        bands = blr.Predictive(sc.mean, sc.epistemic_sd, sc.predictive_sd)
        (epi_lo, epi_hi), (pred_lo, pred_hi) = bands.epistemic_band, bands.predictive_band
        with pn.io.hold():
            src["bands"].data = {"x": grid, "mean": sc.mean, "epi_lo": epi_lo, "epi_hi": epi_hi,
                                 "pred_lo": pred_lo, "pred_hi": pred_hi}  # fmt: skip
            src["draws"].data = {"xs": [grid] * N_DRAWS, "ys": list(sc.draws)}
            src["points"].data = {"x": state["x"][:shown], "y": state["y"][:shown]}
            fig.title.text = (
                "prior predictive: draws and bands before any data"
                if prior_w.value
                else "click to add a point"
            )
            readout.object = _readout_html(sc, alpha, beta, basis, state["note"])
        state["note"] = ""

    def add_points(xs: np.ndarray, ys: np.ndarray) -> None:
        room = CAPACITY - state["n"]
        if room < len(xs):
            state["note"] = f"the buffer holds {CAPACITY} points; clear some to add more"
        k = min(room, len(xs))
        state["x"][state["n"] : state["n"] + k] = xs[:k]
        state["y"][state["n"] : state["n"] + k] = ys[:k]
        state["n"] += k
        redraw()

    def on_tap(event: Tap | DoubleTap) -> None:
        add_points(np.array([event.x]), np.array([event.y]))

    def add_sample(_event) -> None:
        state["added"] += 1
        key = jax.random.fold_in(k_points, state["added"])  # one fresh key per button press
        d = blr.make_data(key, 10, truth="sin", noise=0.2, x_range=X_WINDOW)
        add_points(np.asarray(d.x, float), np.asarray(d.y, float))

    def clear_points(_event) -> None:
        state["n"] = 0
        redraw()

    def fit_evidence(_event) -> None:
        """MacKay's fixed point from the current sliders; the sliders then move to the optimum."""
        mask = np.arange(CAPACITY) < state["n"]
        try:
            with jax.enable_x64(True):
                s = scene_blr.masked_stats(current_basis(), jnp.asarray(state["x"]),
                                     jnp.asarray(state["y"]), jnp.asarray(mask))  # fmt: skip
                eb = jax.device_get(blr.mackay(s, 10.0**log_alpha.value, 10.0**log_beta.value))
        except JaxscratchError as err:
            state["note"] = str(err)
            redraw()
            return
        alpha, beta = float(eb.alpha), float(eb.beta)
        if not (math.isfinite(alpha) and math.isfinite(beta) and alpha > 0 and beta > 0):
            state["note"] = (
                f"empirical Bayes found no optimum (α = {alpha:.3g}, β = {beta:.3g}): with "
                f"{state['n']} points the evidence keeps rising towards a degenerate prior; "
                "add points or use fewer weights"
            )
            redraw()
            return
        la, lb = math.log10(alpha), math.log10(beta)
        clipped = not (LOG_ALPHA[0] <= la <= LOG_ALPHA[1] and LOG_BETA[0] <= lb <= LOG_BETA[1])
        state["note"] = (
            f"empirical Bayes: α = {alpha:.3g}, β = {beta:.3g}"
            + (" (outside the sliders: clipped)" if clipped else "")
            + ("" if bool(eb.converged) else " (not converged)")
        )
        state["quiet"] = True
        try:
            log_alpha.value = float(np.clip(round(la, 2), *LOG_ALPHA))
            log_beta.value = float(np.clip(round(lb, 2), *LOG_BETA))
        finally:
            state["quiet"] = False
        redraw()

    def show_basis_options(*_events) -> None:
        degree.visible = basis_w.value == "polynomial"
        centres.visible = BASES[basis_w.value] in ("rbf", "sigmoid")

    for widget in (basis_w, degree, centres, log_alpha, log_beta, prior_w):
        widget.param.watch(redraw, "value")
    basis_w.param.watch(show_basis_options, "value")
    empirical.on_click(fit_evidence)
    sample_btn.on_click(add_sample)
    clear.on_click(clear_points)
    fig.on_event(Tap, on_tap)
    fig.on_event(DoubleTap, on_tap)  # a quick second click arrives as a double tap
    show_basis_options()
    redraw()
    controls = pn.Column(
        pn.pane.Markdown(
            "### Bayesian linear regression\nClick the plot to add a point. The posterior over "
            "weights is exact (PRML §3.3): the dark band is where the regression function f(x) "
            f"lies (epistemic, ± {blr.BAND_SDS:g} sd), the light band where a new noisy y lies "
            "(predictive, "
            "adds the noise 1/β). The log evidence ln p(y | α, β) scores the model; "
            "*empirical Bayes* maximises it over α and β."
        ),
        basis_w,
        degree,
        centres,
        log_alpha,
        log_beta,
        pn.Row(empirical, clear),
        sample_btn,
        prior_w,
        readout,
        width=440,
    )
    return pn.Row(controls, pn.pane.Bokeh(fig))
