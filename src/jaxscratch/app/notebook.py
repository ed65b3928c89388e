"""Jupyter explorers built from ipywidgets; ``bivariate_widget()`` is the bivariate normal.

Wiring only: each slider move calls ``scenes.bivariate.scene`` once and redraws the figure into
an ``Image`` widget, whose bytes are swapped in place (no flicker, no output-area clearing).
Sigma is valid by construction: the sliders (``app.controls``, shared with the Panel tab) are
sigma_x, sigma_y > 0 and |rho| <= ``controls.RHO_MAX``.
"""

import io

import ipywidgets as widgets
import jax

from jaxscratch.gaussian import bivariate as bv
from jaxscratch.scenes import bivariate as sb
from jaxscratch.scenes import controls
from jaxscratch.viz import bivariate as vb


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


class BivariateExplorer(widgets.HBox):
    """Sliders for (mux, muy, sx, sy, rho, n), presets, resample, the figure and a readout.

    Attributes ``sliders`` (dict by parameter name, plus ``"n"``), ``preset``, ``resample``,
    ``view``, ``image`` and ``readout`` are the widgets, for scripting and tests.
    """

    def __init__(self, seed: int = 0, n: int = controls.N_DEFAULT, view: str = "3d") -> None:
        slider = dict(continuous_update=True, readout_format=".2f")
        self.sliders = {
            name: widgets.FloatSlider(
                c.value, min=c.start, max=c.end, step=c.step, description=c.label, **slider
            )
            for name, c in controls.SLIDERS.items()
        } | {
            "n": widgets.IntSlider(
                n,
                min=controls.N_MIN,
                max=controls.N_MAX,
                step=controls.N_STEP,
                description="n",
                continuous_update=False,
            ),
        }
        self.preset = widgets.Dropdown(options=list(controls.PRESETS), value="reference",
                                       description="preset")  # fmt: skip
        self.view = widgets.ToggleButtons(options=["3d", "2d"], value=view, description="view")
        self.resample = widgets.Button(description="resample", button_style="primary")
        self.image = widgets.Image(format="png")
        self.readout = widgets.HTML()
        self._base, self._draw, self._quiet = jax.random.key(seed), 0, False
        # the seed's key is never used itself: draw k uses fold_in(base, k)
        self._z = sb.base_normals(jax.random.fold_in(self._base, 0), controls.N_MAX)
        for w in (*self.sliders.values(), self.view):
            w.observe(self._redraw, names="value")
        self.preset.observe(self._apply_preset, names="value")
        self.resample.on_click(self._new_draw)
        column = widgets.VBox([self.preset, *self.sliders.values(), self.resample, self.view,
                               self.readout])  # fmt: skip
        super().__init__([column, self.image])
        self._redraw()

    def scene(self) -> sb.BivariateScene:
        """The scene the sliders describe (host numpy arrays)."""
        p = bv.params(*(self.sliders[f].value for f in controls.PARAMS))
        z = self._z[: self.sliders["n"].value]
        return jax.device_get(sb.scene(p, z, sb.box(p, 3.5, snap=controls.SNAP, square=True)))

    def _redraw(self, *_change) -> None:
        if self._quiet:
            return
        s = self.scene()
        draw = vb.classic if self.view.value == "3d" else vb.flat
        self.image.value = _png(draw(s))
        self.readout.value = vb.readout_html(s)

    def _apply_preset(self, change) -> None:
        sx, sy, rho = controls.PRESETS[change["new"]]
        self._quiet = True
        try:
            self.sliders["sx"].value, self.sliders["sy"].value = sx, sy
            self.sliders["rho"].value = round(rho, 2)
        finally:
            self._quiet = False
        self._redraw()

    def _new_draw(self, _button) -> None:
        self._draw += 1
        key = jax.random.fold_in(self._base, self._draw)
        self._z = sb.base_normals(key, controls.N_MAX)
        self._redraw()


def bivariate_widget(
    seed: int = 0, n: int = controls.N_DEFAULT, view: str = "3d"
) -> BivariateExplorer:
    """The bivariate-normal explorer for Jupyter: show it by making it a cell's last value."""
    return BivariateExplorer(seed=seed, n=n, view=view)
