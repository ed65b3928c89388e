"""The web explorer, server side: each tab's callbacks, the port check, ``explore``."""

import os
import socket

import numpy as np
import panel as pn
import pytest
from bokeh.events import Tap

from jaxscratch import gaussian as g
from jaxscratch.app import TABS, build, check_port, mnist, mvn
from jaxscratch.app import blr as blr_app
from jaxscratch.app.bivariate import tab
from jaxscratch.errors import JaxscratchError


def _slider(root, name):
    (widget,) = [w for w in root.select(pn.widgets.FloatSlider) if w.label.startswith(name)]
    return widget


def _source(root, name):
    for pane in root.select(pn.pane.Bokeh):
        found = pane.object.select(name=name)
        if found:
            return list(found)[0]
    raise LookupError(name)


@pytest.fixture(scope="module")
def bivariate_tab():
    return tab()


def test_page_has_one_tab_per_part():
    page = build()
    assert isinstance(page, pn.Tabs) and len(page) == len(TABS)
    assert [title for title, _ in TABS][:2] == ["Bivariate normal", "MVN sampler"]


def test_rho_slider_updates_the_plotted_data_in_place(bivariate_tab):
    samples = _source(bivariate_tab, "bv-samples")
    x, y = np.array(samples.data["x"]), np.array(samples.data["y"])
    readout = bivariate_tab.select(pn.pane.HTML)[0]
    _slider(bivariate_tab, "ρ").value = -0.8
    assert _source(bivariate_tab, "bv-samples") is samples  # same model, new data
    np.testing.assert_allclose(samples.data["x"], x)  # x = mux + sx z0 does not depend on rho
    assert not np.allclose(samples.data["y"], y)
    sx, sy = _slider(bivariate_tab, "σx").value, _slider(bivariate_tab, "σy").value
    assert f"{-0.8 * sx * sy:.3f}" in readout.object


def test_slices_follow_x0_and_y0(bivariate_tab):
    _slider(bivariate_tab, "x₀").value = -2.0
    slices = _source(bivariate_tab, "bv-slices")
    ys, cond = np.asarray(slices.data["y"]), np.asarray(slices.data["cond_y"])
    rho, sx, sy = (_slider(bivariate_tab, s).value for s in ("ρ", "σx", "σy"))
    mu_y = (
        _slider(bivariate_tab, "μy").value
        + rho * sy * (-2.0 - _slider(bivariate_tab, "μx").value) / sx
    )
    assert ys[np.argmax(cond)] == pytest.approx(mu_y, abs=float(ys[1] - ys[0]))
    # drawn standing on the line x0 = -2: its peak is the bump's farthest point
    vx = np.asarray(slices.data["vx"], dtype=float)
    assert np.nanmin(vx) >= -2.0 and ys[np.nanargmax(vx)] == ys[np.argmax(cond)]


def test_a_busy_port_is_named_with_the_fix():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(
            JaxscratchError, match=f"port {port} on 127.0.0.1 is already in use.*--port"
        ):
            check_port("127.0.0.1", port)


def test_port_zero_picks_a_free_port():
    assert 0 < check_port("127.0.0.1", 0) <= 65535


def test_explore_on_a_busy_port_is_one_line_exit_2(cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = cli("explore", "--port", port, "--no-browser")
    assert code == 2
    assert f"port {port}" in err and "--port" in err and len(err.strip().splitlines()) == 1


def test_explore_on_another_host_warns_first(cli):
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = cli("explore", "--host", "0.0.0.0", "--port", port, "--no-browser")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 2
    assert lines[0].startswith("warning: serving on 0.0.0.0") and f"port {port}" in lines[1]


def test_explore_rejects_an_out_of_range_port(cli):
    code, _, err = cli("explore", "--port", "70000", "--no-browser")
    assert code == 2 and "out of range" in err


@pytest.fixture(scope="module")
def mvn_tab():
    return mvn.tab()


def test_mvn_dimension_slider_updates_sources_in_place(mvn_tab):
    (d,) = [w for w in mvn_tab.select(pn.widgets.IntSlider) if "mvn-d" in w.css_classes]
    errors = _source(mvn_tab, "mvn-z")
    before = np.array(errors.data["cov"])
    d.value = 12
    assert _source(mvn_tab, "mvn-z") is errors
    assert not np.allclose(errors.data["cov"], before)
    heat = _source(mvn_tab, "mvn-heat").data["image"][0]
    assert heat.shape == (12, 12)
    bound = _source(mvn_tab, "mvn-bound").data["z"][0]
    assert bound == pytest.approx(g.bonferroni_z(12 + 78, mvn.ALPHA))
    readout = mvn_tab.select(pn.pane.HTML)[0].object
    assert "d = 12: 90 estimated quantities" in readout and "consistent" in readout


def test_mvn_largest_n_sets_the_prefix_sizes(mvn_tab):
    (n_max,) = [w for w in mvn_tab.select(pn.widgets.Select) if w.label == "largest n"]
    n_max.value = 1_000
    np.testing.assert_array_equal(_source(mvn_tab, "mvn-err").data["n"], [100, 1000])
    assert mvn.sizes(1_000_000) == (100, 1000, 10_000, 100_000, 1_000_000)


@pytest.fixture(scope="module")
def blr_tab():
    return blr_app.tab()


def _button(root, label):
    (button,) = [b for b in root.select(pn.widgets.Button) if b.label == label]
    return button


def test_blr_tap_adds_a_point_and_the_posterior_follows(blr_tab):
    _button(blr_tab, "clear points").clicks += 1
    fig = blr_tab.select(pn.pane.Bokeh)[0].object
    bands = _source(blr_tab, "blr-bands")
    prior_sd = np.array(bands.data["epi_hi"]) - np.array(bands.data["mean"])
    fig._trigger_event(Tap(fig, x=0.25, y=1.5))
    assert list(_source(blr_tab, "blr-points").data["x"]) == [0.25]
    assert _source(blr_tab, "blr-bands") is bands
    sd = np.array(bands.data["epi_hi"]) - np.array(bands.data["mean"])
    i = int(np.argmin(np.abs(bands.data["x"] - 0.25)))
    assert sd[i] < prior_sd[i] and bands.data["mean"][i] > 0.5  # pulled towards the point
    readout = blr_tab.select(pn.pane.HTML)[0].object
    assert "n = 1 points" in readout and "ln p(y | α, β) = 0.000" not in readout


def test_blr_empirical_bayes_needs_two_points_and_says_so(blr_tab):
    _button(blr_tab, "clear points").clicks += 1
    _button(blr_tab, "empirical Bayes (MacKay)").clicks += 1
    assert "at least 2 points" in blr_tab.select(pn.pane.HTML)[0].object
    _button(blr_tab, "add 10 points from sin(πx)").clicks += 1
    (log_alpha,) = [w for w in blr_tab.select(pn.widgets.FloatSlider) if "α" in w.label]
    before = log_alpha.value
    _button(blr_tab, "empirical Bayes (MacKay)").clicks += 1
    readout = blr_tab.select(pn.pane.HTML)[0].object
    assert "n = 10 points" in readout and "empirical Bayes: α =" in readout
    assert log_alpha.value != before


def test_mnist_tab_without_a_run_says_how_to_train_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no runs/demo/mnist* here
    (text,) = [m.object for m in mnist.tab().select(pn.pane.Markdown)]
    assert "No trained network found" in text and "jaxscratch mnist train" in text


def test_mnist_tab_finds_the_newest_demo_run(tmp_path):
    for i, name in enumerate(["mnist-old", "mnist", "other"]):
        (tmp_path / name).mkdir()
        (tmp_path / name / "checkpoint.npz").write_bytes(b"")
        os.utime(tmp_path / name / "checkpoint.npz", (1e9 + i, 1e9 + i))
    assert mnist.find_run(tmp_path) == tmp_path / "mnist"
    assert mnist.find_run(tmp_path / "nothing") is None


def test_mnist_tab_on_a_broken_run_names_the_problem(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (text,) = [m.object for m in mnist.tab(run=tmp_path).select(pn.pane.Markdown)]
    assert f"Cannot open the run `{tmp_path}`" in text and "jaxscratch mnist train" in text


def test_explore_with_a_run_that_is_not_a_run_is_one_line_exit_2(cli, tmp_path):
    code, _, err = cli("explore", "--run", tmp_path, "--port", "0", "--no-browser")
    assert code == 2 and "is not a training run directory" in err
    assert len(err.strip().splitlines()) == 1
