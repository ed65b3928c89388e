"""The MVN sampler tab: pick d, method, condition number, seed; watch the reconstruction converge.

Wiring only. The base normals z (N_max, D_MAX) are drawn once per (seed, method, largest n); a
move of d or the condition number calls one jitted ``gaussian.convergence_padded`` (the problem
is padded to D_MAX coordinates, so every d shares one compiled function: ~40 ms at n = 10^5)
and replaces the data of a few ``ColumnDataSource``s inside one held document change.
"""

import jax
import jax.numpy as jnp
import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, LinearColorMapper, Range1d
from bokeh.palettes import RdBu11
from bokeh.plotting import figure

from jaxscratch import gaussian as g

D_MAX = 50
ALPHA = 1e-3  # family-wise level of the Bonferroni bound
N_MAX = {"10³": 1_000, "10⁴": 10_000, "10⁵": 100_000, "10⁶": 1_000_000}
KAPPAS = [1, 3, 10, 30, 100, 300, 1000, 10_000]
MEAN_COLOR, COV_COLOR, BOUND_COLOR = "#1f77b4", "#d62728", "black"


def sizes(n_max: int) -> tuple[int, ...]:
    """10^2, 10^3, ... up to n_max."""
    return tuple(10**k for k in range(2, int(round(np.log10(n_max))) + 1))


def _sup(k: int) -> str:
    return "10" + str(k).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))


def _table_html(c: g.Convergence, v: g.Verdicts, d: int) -> str:
    """The readout: the test family, then one row per n (errors in standard-error units)."""
    rows = []
    for i, n in enumerate(c.ns):
        cells = (
            _sup(int(round(np.log10(n)))),
            f"{c.max_z_mean[i]:.2f}",
            f"{c.max_z_cov[i]:.2f}",
            f"{c.mean_err[i]:.2e} ({v.mean_err_ratio[i]:.2f})",
            f"{c.cov_err[i]:.2e} ({v.cov_err_ratio[i]:.2f})",
            "✓" if v.consistent[i] else "✗",
        )
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    verdict = "consistent" if v.consistent[-1] else "INCONSISTENT"
    alpha, n_last = _sup(int(round(np.log10(v.alpha)))), _sup(int(round(np.log10(c.ns[-1]))))
    return (
        f"<div class='mvn-readout'><p>d = {d}: {v.n_tests} estimated quantities ({d} mean + "
        f"{v.n_tests - d} covariance entries); Bonferroni bound |z| ≤ {v.threshold:.2f} (α = "
        f"{alpha}). At n = {n_last}: max |z| = {v.max_abs_z[-1]:.2f}, <b>{verdict}</b>.</p>"
        "<table style='font-size:90%'><tr><th>n</th><th>max|z| μ</th><th>max|z| Σ</th>"
        "<th>‖μ̂−μ‖ (/rms)</th><th>‖Σ̂−Σ‖<sub>F</sub> (/rms)</th><th>≤ bound</th></tr>"
        + "".join(rows)
        + "</table></div>"
    )


def _data(c: g.Convergence, d: int, bound: float) -> dict[str, dict]:
    ns = np.asarray(c.ns, float)
    z_cov = np.asarray(c.z_cov)[:d, :d]
    return {
        "z": {"n": ns, "mean": c.max_z_mean, "cov": c.max_z_cov},
        "bound": {"n": ns[[0, -1]], "z": [bound, bound]},
        "err": {
            "n": ns,
            "mean": c.mean_err,
            "cov": c.cov_err,
            "mean_rms": c.mean_err_rms,
            "cov_rms": c.cov_err_rms,
        },  # fmt: skip
        "heat": {"image": [z_cov], "x": [0], "y": [0], "dw": [d], "dh": [d]},
    }


def _figures(src: dict[str, ColumnDataSource], mapper: LinearColorMapper):
    zfig = figure(width=430, height=300, x_axis_type="log", tools="", toolbar_location=None,
                  x_axis_label="n", y_axis_label="max |z|  (standard errors)",
                  title="largest error in standard-error units", name="mvn-zfig")  # fmt: skip
    for col, color, label in (("mean", MEAN_COLOR, "mean μ̂"), ("cov", COV_COLOR, "covariance Σ̂")):
        zfig.line("n", col, source=src["z"], color=color, line_width=2, legend_label=label)
        zfig.scatter("n", col, source=src["z"], color=color, size=7, legend_label=label)
    zfig.line("n", "z", source=src["bound"], color=BOUND_COLOR, line_dash="dashed",
              line_width=2, legend_label="Bonferroni bound")  # fmt: skip
    zfig.y_range = Range1d(0, 5)
    zfig.legend.location = "top_left"
    zfig.legend.orientation = "horizontal"
    zfig.legend.background_fill_alpha = 0.6
    efig = figure(width=430, height=300, x_axis_type="log", y_axis_type="log", tools="",
                  toolbar_location=None, x_axis_label="n", y_axis_label="error norm",
                  title="errors fall like 1/√n (dashed: expected rms)")  # fmt: skip
    for col, color, label in (("mean", MEAN_COLOR, "‖μ̂−μ‖"), ("cov", COV_COLOR, "‖Σ̂−Σ‖_F")):
        efig.line("n", col, source=src["err"], color=color, line_width=2, legend_label=label)
        efig.scatter("n", col, source=src["err"], color=color, size=7, legend_label=label)
        efig.line("n", f"{col}_rms", source=src["err"], color=color, line_dash="dashed")
    efig.legend.location = "bottom_left"
    efig.legend.background_fill_alpha = 0.6
    heat = figure(width=360, height=340, x_range=Range1d(0, 1), y_range=Range1d(1, 0),
                  tools="", toolbar_location=None, title="z of Σ̂ entries at the largest n",
                  x_axis_label="j", y_axis_label="i")  # fmt: skip
    heat.image(image="image", x="x", y="y", dw="dw", dh="dh", source=src["heat"],
               color_mapper=mapper)  # fmt: skip
    heat.add_tools(HoverTool(tooltips=[("z", "@image{0.00}")]))
    return zfig, efig, heat


def tab(seed: int = 0) -> pn.viewable.Viewable:
    """The sampler explorer for one browser session."""
    d = pn.widgets.IntSlider(label="dimension d", start=1, end=D_MAX, value=5,
                             css_classes=["mvn-d"])  # fmt: skip
    method = pn.widgets.Select(label="normal method", options=list(g.METHODS), value="box-muller",
                               css_classes=["mvn-method"])  # fmt: skip
    kappa = pn.widgets.DiscreteSlider(label="condition number of Σ", options=KAPPAS, value=10,
                                      css_classes=["mvn-kappa"])  # fmt: skip
    seed_w = pn.widgets.IntInput(label="seed", value=seed, start=0, css_classes=["mvn-seed"])
    n_max = pn.widgets.Select(label="largest n", options=N_MAX, value=100_000,
                              css_classes=["mvn-nmax"])  # fmt: skip
    src = {name: ColumnDataSource(name=f"mvn-{name}") for name in ("z", "bound", "err", "heat")}
    mapper = LinearColorMapper(palette=RdBu11[::-1], low=-4, high=4, nan_color="white")
    zfig, efig, heat = _figures(src, mapper)
    readout = pn.pane.HTML("", css_classes=["mvn-readout-pane"], width=640)
    state: dict = {"z_key": None, "z": None}

    def keys() -> tuple[jax.Array, jax.Array]:
        """(k_params, k_z): the random problem's key and the base normals' key, from the seed."""
        k_params, k_z = jax.random.split(jax.random.key(seed_w.value))
        return k_params, k_z

    def base_normals() -> jax.Array:
        """z (N_max, D_MAX), redrawn only when the seed, method or largest n change."""
        wanted = (seed_w.value, method.value, n_max.value)
        if state["z_key"] != wanted:
            z_shape = (n_max.value, D_MAX)
            state["z"] = g.standard_normal(keys()[1], z_shape, jnp.float32, method.value)
            state["z_key"] = wanted
        return state["z"]

    def redraw(*_events) -> None:
        ns = sizes(n_max.value)
        c = jax.device_get(g.convergence_padded(keys()[0], base_normals(), d.value,
                                                float(kappa.value), ns))  # fmt: skip
        v = g.convergence_verdicts(c, d.value, ALPHA)
        with pn.io.hold():
            for name, data in _data(c, d.value, v.threshold).items():
                src[name].data = data
            mapper.update(low=-v.threshold, high=v.threshold)
            top = 1.3 * max(v.threshold, float(np.max(v.max_abs_z)))
            zfig.y_range.update(start=0, end=top)
            heat.x_range.update(start=0, end=d.value)
            heat.y_range.update(start=d.value, end=0)
            readout.object = _table_html(c, v, d.value)

    for widget in (d, kappa):
        widget._debounce = 0  # ~40 ms per update at n = 10^5: skip Panel's 50 ms coalescing
    for widget in (d, method, kappa, seed_w, n_max):
        widget.param.watch(redraw, "value")
    redraw()
    controls = pn.Column(
        pn.pane.Markdown(
            "### Multivariate normal sampler\nA random N(μ, Σ) in d dimensions (Σ with the chosen "
            "condition number, random rotation) is sampled once at the largest n with our own "
            "normals; its first n rows give μ̂ and Σ̂ for n = 10², 10³, …. Errors are shown in "
            "standard-error units: a correct sampler keeps every |z| under the Bonferroni bound "
            "for the d + d(d+1)/2 quantities at family-wise level α = 10⁻³, while the raw "
            "errors shrink like 1/√n."
        ),
        d,
        kappa,
        method,
        seed_w,
        n_max,
        width=320,
    )
    return pn.Row(
        controls,
        pn.Column(
            pn.Row(pn.pane.Bokeh(zfig), pn.pane.Bokeh(efig)), pn.Row(pn.pane.Bokeh(heat), readout)
        ),  # fmt: skip
    )
