"""Jupyter explorers built from ipywidgets; ``bivariate_widget()`` is the bivariate normal.

Wiring only: each slider move calls ``bivariate.scene`` once and redraws the figure into an
``Image`` widget, whose bytes are swapped in place (no flicker, no output-area clearing).
Sigma is valid by construction: the sliders are sigma_x, sigma_y > 0 and |rho| <= 0.99.
"""

import io

import ipywidgets as widgets
import jax

from jaxscratch import bivariate as bv
from jaxscratch.viz import bivariate as vb

N_MAX = 10_000  # base normals drawn once per resample; the n slider takes a prefix


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


class BivariateExplorer(widgets.HBox):
    """Sliders for (mux, muy, sx, sy, rho, n), presets, resample, the figure and a readout.

    Attributes ``sliders`` (dict by parameter name, plus ``"n"``), ``preset``, ``resample``,
    ``view``, ``image`` and ``readout`` are the widgets, for scripting and tests.
    """

    def __init__(self, seed: int = 0, n: int = 2_000, view: str = "3d") -> None:
        sx0, sy0, rho0 = bv.PRESETS["reference"]
        slider = dict(continuous_update=True, readout_format=".2f")
        self.sliders = {
            "mux": widgets.FloatSlider(0.0, min=-3, max=3, step=0.05, description="μx", **slider),
            "muy": widgets.FloatSlider(0.0, min=-3, max=3, step=0.05, description="μy", **slider),
            "sx": widgets.FloatSlider(sx0, min=0.2, max=3, step=0.05, description="σx", **slider),
            "sy": widgets.FloatSlider(sy0, min=0.2, max=3, step=0.05, description="σy", **slider),
            "rho": widgets.FloatSlider(
                round(rho0, 2),
                min=-bv.RHO_MAX,
                max=bv.RHO_MAX,
                step=0.01,
                description="ρ",
                **slider,
            ),
            "n": widgets.IntSlider(
                n, min=100, max=N_MAX, step=100, description="n", continuous_update=False
            ),
        }
        self.preset = widgets.Dropdown(options=list(bv.PRESETS), value="reference",
                                       description="preset")  # fmt: skip
        self.view = widgets.ToggleButtons(options=["3d", "2d"], value=view, description="view")
        self.resample = widgets.Button(description="resample", button_style="primary")
        self.image = widgets.Image(format="png")
        self.readout = widgets.HTML()
        self._seed, self._draw, self._quiet = seed, 0, False
        self._z = bv.base_normals(jax.random.key(seed), N_MAX)
        for w in (*self.sliders.values(), self.view):
            w.observe(self._redraw, names="value")
        self.preset.observe(self._apply_preset, names="value")
        self.resample.on_click(self._new_draw)
        controls = widgets.VBox([self.preset, *self.sliders.values(), self.resample, self.view,
                                 self.readout])  # fmt: skip
        super().__init__([controls, self.image])
        self._redraw()

    def scene(self) -> bv.Scene:
        """The scene the sliders describe (host numpy arrays)."""
        p = bv.params(*(self.sliders[f].value for f in bv.PARAMS))
        z = self._z[: self.sliders["n"].value]
        return jax.device_get(bv.scene(p, z, bv.box(p, 3.5, snap=2.0, square=True)))

    def _redraw(self, *_change) -> None:
        if self._quiet:
            return
        s = self.scene()
        draw = vb.classic if self.view.value == "3d" else vb.flat
        self.image.value = _png(draw(s))
        self.readout.value = vb.readout_html(s)

    def _apply_preset(self, change) -> None:
        sx, sy, rho = bv.PRESETS[change["new"]]
        self._quiet = True
        try:
            self.sliders["sx"].value, self.sliders["sy"].value = sx, sy
            self.sliders["rho"].value = round(rho, 2)
        finally:
            self._quiet = False
        self._redraw()

    def _new_draw(self, _button) -> None:
        self._draw += 1
        key = jax.random.fold_in(jax.random.key(self._seed), self._draw)
        self._z = bv.base_normals(key, N_MAX)
        self._redraw()


def bivariate_widget(seed: int = 0, n: int = 2_000, view: str = "3d") -> BivariateExplorer:
    """The bivariate-normal explorer for Jupyter: show it by making it a cell's last value."""
    return BivariateExplorer(seed=seed, n=n, view=view)
