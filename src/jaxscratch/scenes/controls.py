"""The one control spec of the bivariate pictures: slider ranges, presets and sample sizes.

Contract: the Panel tab (``app.bivariate``), the Jupyter widget (``app.notebook``) and the live
report's panel (``report.live.bivariate``) build their sliders from ``SLIDERS`` and ``PRESETS``
and nothing else, so every explorer always offers the same ranges. It lives with the scenes
(plain data, no widget library) so that both faces and pictures may read it. Every position of
every slider is a valid distribution: sigma_x, sigma_y > 0 and |rho| <= ``RHO_MAX`` < 1, so
Sigma is positive definite by construction.
"""

import math
from typing import NamedTuple

RHO_MAX = 0.99  # sliders stop here: beyond it the ellipse is a needle thinner than a pixel
PARAMS = ("mux", "muy", "sx", "sy", "rho")  # slider order, the fields of gaussian.bivariate.Params


class Slider(NamedTuple):
    """One float slider: its label, range, step and starting value."""

    label: str
    start: float
    end: float
    step: float
    value: float


# Named shapes for the explorers: (sx, sy, rho); "reference" is Sigma = [[1, 0.6], [0.6, 2]].
PRESETS = {
    "reference": (1.0, math.sqrt(2.0), 0.6 / math.sqrt(2.0)),
    "independent": (1.0, 1.0, 0.0),
    "positive": (1.0, 1.0, 0.8),
    "negative": (1.0, 1.0, -0.8),
    "needle": (1.5, 1.5, 0.98),
}
_SX0, _SY0, _RHO0 = PRESETS["reference"]
SLIDERS = {
    "mux": Slider("μx", -3.0, 3.0, 0.05, 0.0),
    "muy": Slider("μy", -3.0, 3.0, 0.05, 0.0),
    "sx": Slider("σx", 0.2, 3.0, 0.05, _SX0),
    "sy": Slider("σy", 0.2, 3.0, 0.05, _SY0),
    "rho": Slider("ρ", -RHO_MAX, RHO_MAX, 0.01, round(_RHO0, 2)),
}
N_MAX = 10_000  # base normals drawn once per resample; the n slider takes a prefix
N_MIN, N_STEP, N_DEFAULT = 100, 100, 2_000
SNAP = 2.0  # window edges snap to multiples of this, so the axes rarely move
