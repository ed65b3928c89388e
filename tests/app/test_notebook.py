"""The Jupyter explorer: sliders redraw in place, presets, resampling, Sigma valid everywhere."""

import itertools

import numpy as np
import pytest

from jaxscratch.app.notebook import bivariate_widget
from jaxscratch.gaussian import bivariate as bv
from jaxscratch.scenes import controls


@pytest.fixture(scope="module")
def widget():
    return bivariate_widget(n=500)


def test_moving_rho_redraws_the_image_and_the_readout(widget):
    image, readout = bytes(widget.image.value), widget.readout.value
    widget.sliders["rho"].value = -0.5
    assert bytes(widget.image.value) != image and bytes(widget.image.value)[:4] == b"\x89PNG"
    assert widget.readout.value != readout
    sxy = -0.5 * widget.sliders["sx"].value * widget.sliders["sy"].value
    assert f"{sxy:.3f}" in widget.readout.value


def test_presets_set_the_shape_sliders(widget):
    widget.preset.value = "needle"
    sx, sy, rho = controls.PRESETS["needle"]
    assert widget.sliders["rho"].value == pytest.approx(rho)
    assert widget.sliders["sx"].value == pytest.approx(sx)
    assert "0.98" in widget.readout.value or "2.205" in widget.readout.value


def test_resample_draws_new_points_and_n_sets_their_count(widget):
    before = np.asarray(widget.scene().samples)
    widget.resample.click()
    after = np.asarray(widget.scene().samples)
    assert before.shape == after.shape and not np.allclose(before, after)
    widget.sliders["n"].value = 300
    assert widget.scene().samples.shape == (300, 2)
    assert "n = 300" in widget.readout.value


def test_every_slider_corner_gives_a_valid_covariance(widget):
    """Sigma is valid by construction: check the extreme positions of every slider."""
    s = widget.sliders
    for sx, sy, rho in itertools.product(
        (s["sx"].min, s["sx"].max), (s["sy"].min, s["sy"].max), (s["rho"].min, s["rho"].max)
    ):
        cov = np.asarray(bv.cov(bv.params(0.0, 0.0, sx, sy, rho)), dtype=float)
        assert np.all(np.linalg.eigvalsh(cov) > 0)


def test_the_2d_view_is_a_toggle_away(widget):
    image = bytes(widget.image.value)
    widget.view.value = "2d"
    assert bytes(widget.image.value) != image
