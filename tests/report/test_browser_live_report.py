"""The live report in headless chromium: offline, no request but file:/data:/blob:, no console
error, and the page's JavaScript gives the library's numbers (one browser for the module)."""

from pathlib import Path

import numpy as np
import pytest
from harness import chromium_missing, live_report, offline_page

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
SETTINGS = 50  # random valid parameter settings for the closed forms
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing())),
]
READY = "() => window.jaxscratch && window.jaxscratch.bivariate && window.jaxscratch.mvn"
MODEL_JS = "([name, attr]) => Bokeh.documents[0].get_model_by_name(name)[attr]"
SET_JS = "([name, value]) => { Bokeh.documents[0].get_model_by_name(name).value = value }"
DATA_JS = "(name) => Object.fromEntries(Object.entries(Bokeh.documents[0].get_model_by_name(name).data).map(([k, v]) => [k, Array.from(v, (e) => (typeof e === 'number' ? e : Array.from(e)))]))"  # noqa: E501


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    return live_report(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def session(page_path):
    """The page opened offline; the URLs it requested and the console errors it logged."""
    ARTIFACTS.mkdir(exist_ok=True)
    with offline_page(page_path, READY, timeout=30_000) as opened:
        yield opened


def _data(page, name: str) -> dict[str, np.ndarray]:
    """The numeric columns of a named source (labels left out)."""
    data = page.evaluate(DATA_JS, name)
    return {k: np.asarray(v, dtype=float) for k, v in data.items() if k != "label"}


def _settings(n: int) -> list[dict[str, float]]:
    """Random valid parameters over the sliders' ranges, with points and slice positions."""
    from jaxscratch.scenes import controls

    rng = np.random.default_rng(16)
    s = controls.SLIDERS
    out = []
    for _ in range(n):
        p = {name: float(rng.uniform(c.start, c.end)) for name, c in s.items()}
        u = rng.normal(size=(5, 2)) * 2
        out.append({
            "p": p,
            "points": (np.array([p["mux"], p["muy"]]) + u * [p["sx"], p["sy"]]).tolist(),
            "x0": p["mux"] + 1.5 * p["sx"] * float(rng.normal()),
            "y0": p["muy"] + 1.5 * p["sy"] * float(rng.normal()),
        })  # fmt: skip
    return out


CLOSED_FORMS_JS = """(settings) => settings.map(({p, points, x0, y0}) => {
  const b = window.jaxscratch.bivariate
  return {
    density: points.map(([x, y]) => b.density(p, x, y)),
    ellipses: [1, 2, 3].map((k) => { const e = b.ellipse(p, k); return [Array.from(e.xs), Array.from(e.ys)] }),
    condY: b.conditionalY(p, x0), condX: b.conditionalX(p, y0),
    eigen: b.eigen(p).values, axes: b.eigenAxes(p).map((a) => [a.xs, a.ys]),
  }
})"""  # noqa: E501


def test_page_is_offline_quiet_and_self_contained(session, page_path):
    page, errors, requests = session
    for key in ("bivariate", "mvn"):
        page.locator(f"#{key} .live").screenshot(path=str(ARTIFACTS / f"live-{key}.png"))
    assert errors == []
    assert requests and all(url.startswith(("file:", "data:", "blob:")) for url in requests)
    assert page_path.stat().st_size <= 12_000_000
    assert page.locator(".bv-readout").count() == 1 and page.locator(".mvn-live").count() == 1
    # every panel fits its section: nothing cut off, no sideways scrolling
    widths = page.evaluate(
        "() => [...document.querySelectorAll('.live')].map((e) => [e.scrollWidth, e.clientWidth])"
    )
    assert len(widths) == 2 and all(scroll <= client for scroll, client in widths)


def test_bivariate_closed_forms_equal_the_library(session, x64):
    import jax
    import jax.numpy as jnp

    from jaxscratch.gaussian import bivariate as bv

    page, errors, _ = session
    settings = _settings(SETTINGS)
    got = page.evaluate(CLOSED_FORMS_JS, settings)
    p = bv.params(**{f: [s["p"][f] for s in settings] for f in bv.Params._fields})  # (F,) each
    pts = jnp.asarray([s["points"] for s in settings])  # (F, 5, 2)
    x0, y0 = (jnp.asarray([s[c] for s in settings]) for c in ("x0", "y0"))

    @jax.vmap
    def library(q, pts, x0, y0):  # one setting's closed forms, vmapped over the F settings
        ells = jax.vmap(lambda k: bv.ellipse(q, k))(jnp.array([1.0, 2.0, 3.0]))  # (3, 181, 2)
        return (bv.density(q, pts[:, 0], pts[:, 1]), ells, jnp.stack(bv.conditional_y(q, x0)),
                jnp.stack(bv.conditional_x(q, y0)), bv.eigen(q)[0], bv.eigen_axes(q))  # fmt: skip

    lib = [np.asarray(a) for a in library(p, pts, x0, y0)]
    js = [np.asarray([g[name] for g in got]) for name in ("density", "ellipses", "eigen", "axes")]
    js_cond = [np.asarray([[g[c]["mean"], g[c]["sd"]] for g in got]) for c in ("condY", "condX")]
    # coordinates cross zero: compare them relative to the picture's size, 1 + max |coordinate|
    scale = 1.0 + np.abs(lib[1]).max(axis=(1, 2, 3))[:, None, None, None]  # (F, 1, 1, 1)
    np.testing.assert_allclose(js[0], lib[0], rtol=1e-9)
    assert np.all(np.abs(np.transpose(js[1], (0, 1, 3, 2)) - lib[1]) <= 1e-9 * scale)
    np.testing.assert_allclose(js_cond[0], lib[2], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(js_cond[1], lib[3], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(js[2], lib[4], rtol=1e-9)
    # an axis is a segment: compare its two ends as a set (an eigenvector's sign is free)
    js_axes = np.sort(np.transpose(js[3], (0, 1, 3, 2)), axis=2)  # (F, 2 axes, 2 ends, 2)
    assert np.all(np.abs(js_axes - np.sort(lib[5], axis=2)) <= 1e-9 * scale)
    assert len(got) == SETTINGS >= 50 and errors == []


def test_slider_moves_redraw_the_library_scene(session, page_path, x64):
    """After moving every slider, the page's cloud, ellipses, marginals and histograms are the
    library's scene for those parameters and the same base normals."""
    import jax.numpy as jnp

    from jaxscratch.gaussian import bivariate as bv
    from jaxscratch.scenes import bivariate as sb
    from jaxscratch.viz import joint as vj

    page, errors, _ = session
    values = {"mux": 0.5, "muy": -1.25, "sx": 1.6, "sy": 0.7, "rho": -0.63, "n": 300}
    for name, value in values.items():
        page.evaluate(SET_JS, [f"live-bv-{name}", value])
    slice_ = _data(page, "live-bv-slice")
    x0, y0 = float(slice_["x0"][0]), float(slice_["y0"][0])
    p = bv.params(**{f: values[f] for f in bv.Params._fields})
    n = page.evaluate(MODEL_JS, ["live-bv-n", "value"])  # the cloud is the first n draws
    z = jnp.asarray(np.load(page_path.parent / "bivariate" / "base_normals.npy"), jnp.float64)[:n]
    window = sb.box(p, 3.5, snap=2.0, square=True)
    scene = sb.scene(p, z, window, x0=x0, y0=y0)
    samples = _data(page, "live-bv-samples")
    assert n == 300 and samples["x"].shape == (300,)
    np.testing.assert_allclose(np.c_[samples["x"], samples["y"]], scene.samples, rtol=1e-9,
                               atol=1e-12)  # fmt: skip
    curves_x, slices = _data(page, "live-bv-curves_x"), _data(page, "live-bv-slices")
    np.testing.assert_allclose(curves_x["x"], scene.xs, rtol=1e-12)
    np.testing.assert_allclose(curves_x["pdf"], scene.pdf_x, rtol=1e-9)
    np.testing.assert_allclose(slices["cond_y"], scene.cond_y, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(slices["cond_x"], scene.cond_x, rtol=1e-9, atol=1e-300)
    # each slice stands on its line as viz.joint places it, with gaps (NaN) in its tails
    width, height = float(window[1] - window[0]), float(window[3] - window[2])
    vx = vj.slice_heights(scene.cond_y, float(scene.cond_y_sd), x0, width)
    hy = vj.slice_heights(scene.cond_x, float(scene.cond_x_sd), y0, height)
    np.testing.assert_allclose(slices["vx"], vx, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(slices["hy"], hy, rtol=1e-9, equal_nan=True)
    assert 0 < np.isnan(vx).sum() < vx.size  # the tails are cut, the bump is drawn
    np.testing.assert_allclose(_data(page, "live-bv-hist_x")["top"], scene.hist_x, rtol=1e-9)
    np.testing.assert_allclose(_data(page, "live-bv-hist_y")["right"], scene.hist_y, rtol=1e-9)
    image = _data(page, "live-bv-density")["image"]  # (1, grid * grid), rows along y
    np.testing.assert_allclose(image[0], np.ravel(scene.density), rtol=1e-9, atol=1e-300)
    ells = _data(page, "live-bv-ellipses")
    np.testing.assert_allclose(np.stack([ells["xs"], ells["ys"]], -1), scene.ellipses,
                               rtol=1e-9, atol=1e-9)  # fmt: skip
    assert page.evaluate(MODEL_JS, ["live-bv-xr", "start"]) == float(window[0])
    page.locator("#bivariate .live").screenshot(path=str(ARTIFACTS / "live-bivariate-moved.png"))
    assert errors == []


def test_a_click_moves_the_conditional_slices(session):
    from jaxscratch.gaussian import bivariate as bv
    from jaxscratch.gaussian import normal_pdf

    page, errors, _ = session
    before = _data(page, "live-bv-slice")
    marginals = [_data(page, f"live-bv-{name}") for name in ("curves_x", "hist_y")]
    canvas = page.locator("#bivariate .bk-Figure").nth(1)  # top marginal, scatter, right marginal
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 0.7 * box["width"], box["y"] + 0.3 * box["height"])
    page.wait_for_function(
        "(x0) => Bokeh.documents[0].get_model_by_name('live-bv-slice').data.x0[0] !== x0",
        arg=float(before["x0"][0]),
    )
    after = _data(page, "live-bv-slice")
    x0 = float(after["x0"][0])
    assert page.evaluate(MODEL_JS, ["live-bv-span-x", "location"]) == x0
    p = bv.params(*(page.evaluate(MODEL_JS, [f"live-bv-{f}", "value"]) for f in bv.Params._fields))
    mean, sd = bv.conditional_y(p, x0)
    slices = _data(page, "live-bv-slices")
    np.testing.assert_allclose(slices["cond_y"], normal_pdf(slices["y"], mean, sd), rtol=1e-5,
                               atol=1e-30)  # fmt: skip
    drawn = slices["vx"][~np.isnan(slices["vx"])]  # the bump stands right of the new line
    assert drawn.size > 0 and np.all(drawn >= x0) and drawn.max() > x0
    # a click redraws the scatter only: the marginals keep their data (and are not repainted)
    for old, name in zip(marginals, ("curves_x", "hist_y"), strict=True):
        new = _data(page, f"live-bv-{name}")
        assert all(np.array_equal(old[c], new[c]) for c in old)
    assert errors == []


SHAPE_JS = "(name) => Bokeh.documents[0].get_model_by_name(name).data.image[0].shape"


def _pixels(page, name: str) -> np.ndarray:
    """A source's RGBA image as (rows from the bottom, columns, RGBA bytes)."""
    height, width = page.evaluate(SHAPE_JS, name)
    packed = _data(page, name)["image"][0].astype(np.uint32).reshape(height, width)
    return packed.view(np.uint8).reshape(height, width, 4)  # little-endian: R, G, B, A


def test_the_shading_is_the_palette_of_the_density(session):
    """The page colours the density grid as Bokeh's LinearColorMapper from 0 to the peak would,
    with the explorer's palette: the darkest colour at the peak."""
    from bokeh.palettes import Blues256

    from jaxscratch.gaussian import bivariate as bv

    page, errors, _ = session
    page.evaluate(SET_JS, ["live-bv-rho", 0.3])
    density = _data(page, "live-bv-density")["image"][0]  # (grid * grid,)
    p = bv.params(*(page.evaluate(MODEL_JS, [f"live-bv-{f}", "value"]) for f in bv.Params._fields))
    peak = float(bv.density(p, p.mux, p.muy))  # p(mu), the top of the palette
    rgba = _pixels(page, "live-bv-shading").reshape(-1, 4)
    palette = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in Blues256[::-1]])
    index = np.clip(np.floor(density / peak * 256), 0, 255).astype(int)
    # float32 (the library) against float64 (the page) may put a value at a step either side
    assert np.mean(np.all(rgba[:, :3] == palette[index], axis=1)) > 0.999
    assert np.all(rgba[:, 3] == 255) and errors == []
    assert tuple(rgba[np.argmax(density), :3]) in {tuple(palette[-1]), tuple(palette[-2])}


def test_the_cloud_raster_draws_every_sample_and_nothing_else(session):
    """The cloud image has a dot of the sample colour under every sample in the window, at least
    one dot's opacity there, and no coloured pixel farther than a dot's radius from a sample."""
    from jaxscratch.viz import bivariate as vb
    from jaxscratch.viz import joint as vj

    page, errors, _ = session
    page.evaluate(SET_JS, ["live-bv-sx", 1.3])
    rgba = _pixels(page, "live-bv-cloud")  # (h, w, 4)
    height, width = rgba.shape[:2]
    assert (width, height) == (
        round(page.evaluate(MODEL_JS, ["live-bv-main", "inner_width"])),
        round(page.evaluate(MODEL_JS, ["live-bv-main", "inner_height"])),
    )
    cloud, samples = _data(page, "live-bv-cloud"), _data(page, "live-bv-samples")
    cx = (samples["x"] - cloud["x"][0]) / cloud["dw"][0] * width  # pixels from the lower left
    cy = (samples["y"] - cloud["y"][0]) / cloud["dh"][0] * height
    inside = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
    assert inside.mean() > 0.99
    col, row = np.floor(cx[inside]).astype(int), np.floor(cy[inside]).astype(int)
    assert np.all(rgba[row, col, 3] >= np.floor(255 * vj.DOT_ALPHA))
    coloured = rgba[..., 3] > 0
    rgb = [int(vb.SAMPLE_COLOR[i : i + 2], 16) for i in (1, 3, 5)]
    assert np.all(rgba[coloured][:, :3] == rgb)
    # every coloured pixel's centre lies within a dot's radius (+ half a pixel) of a sample
    rows, cols = np.nonzero(coloured)
    d2 = (cols[:, None] + 0.5 - cx[inside]) ** 2 + (rows[:, None] + 0.5 - cy[inside]) ** 2
    assert np.all(np.sqrt(d2.min(axis=1)) < vj.DOT_SIZE / 2 + 0.5) and errors == []


def test_preset_sets_the_shared_control_spec(session):
    from jaxscratch.scenes import controls

    page, errors, _ = session
    page.evaluate(SET_JS, ["live-bv-preset", "needle"])
    sx, sy, rho = controls.PRESETS["needle"]
    got = [page.evaluate(MODEL_JS, [f"live-bv-{f}", "value"]) for f in ("sx", "sy", "rho")]
    np.testing.assert_allclose(got, [sx, sy, round(rho, 2)])
    assert "N(" in page.locator(".bv-readout").inner_text() and errors == []


@pytest.mark.parametrize(("d", "index"), [(3, None), (2, 5), (1, 0)])
def test_mvn_panel_shows_the_library_reconstruction_at_that_n(session, page_path, d, index):
    from jaxscratch import gaussian as g
    from jaxscratch.report.live import mvn

    page, errors, _ = session
    table = mvn.tables(page_path.parent / "mvn")
    k = len(table["ns"]) - 1 if index is None else index
    page.evaluate(SET_JS, ["live-mvn-d", d])
    page.evaluate(SET_JS, ["live-mvn-n", k])
    with np.load(page_path.parent / "mvn" / mvn.RUNNING) as f:
        sums = g.RunningSums(f["ns"], f["shift"], f["s1"], f["s2"])
        rec = g.running_reconstruction(sums, f["mean_true"], f["cov_true"], d)
    z_mean, z_cov = _data(page, "live-mvn-z_mean"), _data(page, "live-mvn-z_cov")
    np.testing.assert_array_equal(np.r_[z_mean["z"], z_cov["z"]], rec.z[k])
    np.testing.assert_array_equal(_data(page, "live-mvn-path")["cov"], rec.max_z_cov)
    text = page.locator(".mvn-live").inner_text()
    verdict = "consistent" if rec.consistent[k] else "NOT consistent"
    assert f"n = {int(sums.ns[k]):,}" in text and f"is {rec.max_abs_z[k]:.2f}" in text
    assert f"Verdict: {verdict}" in text and f"{rec.threshold:.2f}" in text
    page.locator("#mvn .live").screenshot(path=str(ARTIFACTS / f"live-mvn-d{d}.png"))
    assert errors == []


def test_on_a_hidpi_screen_the_cloud_image_has_the_screen_s_pixels(session, page_path):
    """At two device pixels to a CSS pixel the cloud image has twice the frame's pixels each way
    and its dots twice the pixels across, so they look as big as on any screen, and sharp."""
    from jaxscratch.viz import joint as vj

    browser = session[0].context.browser  # the module's browser, a second context
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, device_scale_factor=2)
    try:
        context.set_offline(True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_path.as_uri())
        page.wait_for_function(READY, timeout=30_000)
        page.wait_for_function(  # the frame's size arrives after the first layout: redrawn then
            "() => { const m = Bokeh.documents[0].get_model_by_name('live-bv-main');"
            " const c = Bokeh.documents[0].get_model_by_name('live-bv-cloud');"
            " return c.data.image[0].shape[1] === 2 * m.inner_width }"
        )
        page.evaluate(SET_JS, ["live-bv-n", 100])  # a sparse cloud: most dots stand alone
        rgba = _pixels(page, "live-bv-cloud")
        inner = [page.evaluate(MODEL_JS, ["live-bv-main", f"inner_{side}"])
                 for side in ("height", "width")]  # fmt: skip
    finally:
        context.close()
    assert rgba.shape[:2] == tuple(2 * round(v) for v in inner) and errors == []
    # a lone dot of diameter 3.5 screen pixels is a disc of diameter 7 device pixels
    coloured = int((rgba[..., 3] > 0).sum())
    per_dot = np.pi * (vj.DOT_SIZE + 0.5) ** 2  # radius 3.5 device pixels and its rim
    assert 0.7 * 100 * per_dot < coloured <= 100 * per_dot
