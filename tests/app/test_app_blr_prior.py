"""The regression tab's prior predictive switch: the bands of no data, points kept aside."""

import numpy as np
import panel as pn
from bokeh.events import Tap

from jaxscratch.app import blr as blr_app


def _source(root, name):
    (found,) = root.select(pn.pane.Bokeh)[0].object.select(name=name)
    return found


def test_prior_switch_shows_the_prior_bands_and_hides_the_points():
    tab = blr_app.tab()
    fig = tab.select(pn.pane.Bokeh)[0].object
    fig._trigger_event(Tap(fig, x=0.25, y=1.5))
    (prior,) = [w for w in tab.select(pn.widgets.Checkbox) if "blr-prior" in w.css_classes]
    prior.value = True
    bands = _source(tab, "blr-bands")
    sd = np.array(bands.data["epi_hi"]) - np.array(bands.data["mean"])
    (log_alpha,) = [w for w in tab.select(pn.widgets.FloatSlider) if "α" in w.label]
    # prior: f(x) = phi(x)^T w, w ~ N(0, I / alpha); at x = 0 only the bias feature (1) is on
    # for the default cubic basis, so sd f(0) = alpha^(-1/2) and the mean is 0 everywhere
    i = int(np.argmin(np.abs(bands.data["x"])))
    alpha = 10.0**log_alpha.value
    np.testing.assert_allclose(sd[i] / blr_app.blr.BAND_SDS, alpha**-0.5, rtol=1e-6)
    np.testing.assert_allclose(bands.data["mean"], 0.0, atol=1e-12)
    assert len(_source(tab, "blr-points").data["x"]) == 0 and "prior" in fig.title.text
    prior.value = False
    assert list(_source(tab, "blr-points").data["x"]) == [0.25]
