"""The live BLR and MNIST panels in headless chromium agree with the library, offline.

Each panel is built from a tiny fake demo folder and embedded with ``bokeh.embed.file_html``
(resources inlined), opened from ``file://`` in an offline browser context; the tests call the
page's own functions (``window.jaxscratch.blr`` / ``.mnist``), drive it with the mouse, and
compare with ``jaxscratch.blr``, ``data.drawing`` and the run's JAX forward pass.
"""

import json
from pathlib import Path

import jax
import numpy as np
import pytest
from bokeh.embed import file_html
from bokeh.resources import Resources
from harness import CHROMIUM, CHROMIUM_ARGS, chromium_missing

from jaxscratch import blr
from jaxscratch.data import drawing
from jaxscratch.report.live import blr as live_blr
from jaxscratch.report.live import mnist as live_mnist
from jaxscratch.scenes import blr as blr_spec

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing())),
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LOCAL = ("file:", "data:", "blob:")

# Screen position of data point (x, y) in the named Bokeh figure.
SCREEN_JS = """([name, x, y]) => {
  const v = Bokeh.index.all_views().find((v) => v.model.name === name)
  const r = v.el.getBoundingClientRect()
  return [r.left + v.frame.x_scale.compute(x), r.top + v.frame.y_scale.compute(y)]
}"""
COLUMN_JS = "([name, col]) => Array.from(Bokeh.documents[0].get_model_by_name(name).data[col])"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield b
        b.close()


def _page_html(layout, title: str) -> str:
    """``file_html`` with Bokeh's inline resources, minus the ``__javascript__`` URLs of every
    imported model class: Bokeh collects those even for models the page does not use, so once
    Panel is imported (the explorer's tests, in the same process) the page would name Panel's
    ES-module shim by a relative URL. The real report is built where Panel is not imported."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Resources, "_collect_external_resources", lambda self, attr: [])
        return file_html(layout, resources=Resources(mode="inline"), title=title)


def _opened(browser, layout, path: Path):
    """Yield the page of ``layout`` from file:// in an offline context, its console errors and
    the URLs it requested; close its context afterwards."""
    path.write_text(_page_html(layout, path.stem), encoding="utf-8")
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 950})
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" else None)  # fmt: skip
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function("() => window.jaxscratch !== undefined")
    yield page, errors, requests
    context.close()


# ---------------------------------------------------------------------------------------- BLR


@pytest.fixture(scope="module")
def blr_demo(tmp_path_factory):
    """A fake demo ``blr`` folder: 40 points, the empirical-Bayes alpha, beta, fake draws."""
    out = tmp_path_factory.mktemp("demo") / "blr"
    out.mkdir()
    with jax.enable_x64(True):
        d = blr.make_data(jax.random.key(3), 40, truth="sin", noise=0.2, dtype=np.float64)
        x, y = np.asarray(d.x), np.asarray(d.y)
        eb = blr.mackay(blr.stats(blr.design(blr.make_basis("linear", x), x), y))
    alpha, beta = float(eb.alpha), float(eb.beta)
    np.savez(out / "data.npz", x=x, y=y)
    (out / "summary.json").write_text(json.dumps({"alpha": alpha, "beta": beta}))
    draws = np.random.default_rng(0).normal(size=(2, 50, 4))
    np.savez(out / "draws.npz", draws=draws, names=np.array(["w0", "w1", "log_alpha", "log_beta"]))
    return out, x, y, alpha, beta


@pytest.fixture(scope="module")
def blr_page(browser, blr_demo, tmp_path_factory):
    yield from _opened(
        browser, live_blr.build(blr_demo[0]), tmp_path_factory.mktemp("p") / "b.html"
    )


CAPACITY = 24  # reference points padded to one shape (a 0/1 mask), so each basis compiles once


def _library(basis, xs, ys, alpha, beta, grid):
    pad = CAPACITY - len(xs)
    mask = np.r_[np.ones(len(xs)), np.zeros(pad)]
    with jax.enable_x64(True):
        phi = blr.design(basis, np.r_[xs, np.zeros(pad)])
        s = blr.stats(phi, np.r_[ys, np.zeros(pad)], mask)
        post = blr.exact_posterior(s, alpha, beta)
        pred = blr.predict(post, blr.design(basis, np.asarray(grid)))
        return {
            "mean": np.asarray(post.mean),
            "cov_diag": np.diag(np.asarray(blr.covariance(post))),
            "log_evidence": float(blr.log_evidence(s, alpha, beta)),
            "pred_mean": np.asarray(pred.mean),
            "epistemic_sd": np.asarray(pred.epistemic_sd),
            "predictive_sd": np.asarray(pred.predictive_sd),
        }


PAGE_FIT_JS = """([kind, degree, k, shift, scale, xs, ys, alpha, beta, grid]) => {
  const B = window.jaxscratch.blr
  const post = B.fit(B.makeBasis(kind, degree, k, shift, scale), xs, ys, alpha, beta)
  const p = B.predict(post, grid)
  const a = Array.from
  return {mean: a(post.mean), cov_diag: a(post.covDiag), log_evidence: post.logEvidence,
          pred_mean: a(p.mean), epistemic_sd: a(p.epistemicSd), predictive_sd: a(p.predictiveSd)}
}"""


def _close(got: dict, want: dict) -> None:
    for name, w in want.items():
        g = np.asarray(got[name], float)
        scale = np.max(np.abs(w)) if np.ndim(w) else abs(w)
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-12 * max(scale, 1.0), err_msg=name)


@pytest.mark.parametrize("kind", blr.KINDS)
def test_the_page_posterior_equals_the_library_for_every_basis(blr_page, blr_demo, kind):
    page, _, _ = blr_page
    _, x_demo, _, _, _ = blr_demo
    rng = np.random.default_rng(sum(map(ord, kind)))
    grid = np.linspace(-1.3, 1.3, 37)
    scaling = blr.make_basis("poly", x_demo)  # the page's input scaling
    most = blr_spec.MAX_WEIGHTS - 1  # degree or centres: M <= 16
    for n, size in ((0, 3), (int(rng.integers(1, CAPACITY)), most),
                    (CAPACITY, int(rng.integers(1, most)))):  # fmt: skip
        xs, ys = rng.uniform(-1.2, 1.2, n), rng.normal(size=n)
        alpha, beta = 10 ** rng.uniform(-1, 1.5), 10 ** rng.uniform(0, 2)
        basis = blr.make_basis(kind, x_demo, degree=size, n_centres=size)
        args = [kind, size, size, scaling.shift, scaling.scale, xs.tolist(), ys.tolist(),
                alpha, beta, grid.tolist()]  # fmt: skip
        _close(page.evaluate(PAGE_FIT_JS, args), _library(basis, xs, ys, alpha, beta, grid))


def _bands(page) -> dict:
    return {c: np.asarray(page.evaluate(COLUMN_JS, ["blr-bands", c]), float)
            for c in ("x", "mean", "epi_lo", "epi_hi", "pred_lo", "pred_hi")}  # fmt: skip


def _check_bands(page, basis, alpha, beta) -> None:
    b = _bands(page)
    xs = page.evaluate(COLUMN_JS, ["blr-points", "x"])
    ys = page.evaluate(COLUMN_JS, ["blr-points", "y"])
    with jax.enable_x64(True):
        s = blr.stats(blr.design(basis, np.asarray(xs)), np.asarray(ys))
        pred = blr.predict(blr.exact_posterior(s, alpha, beta), blr.design(basis, b["x"]))
        (epi_lo, epi_hi), (pred_lo, pred_hi) = pred.epistemic_band, pred.predictive_band
    want = {"mean": pred.mean, "epi_lo": epi_lo, "epi_hi": epi_hi, "pred_lo": pred_lo,
            "pred_hi": pred_hi}  # fmt: skip
    _close(b, {k: np.asarray(v) for k, v in want.items()})


def test_the_page_opens_on_the_demo_fit_and_follows_the_widgets(blr_page, blr_demo):
    page, errors, requests = blr_page
    _, x, _, alpha, beta = blr_demo
    readout = page.evaluate("() => Bokeh.documents[0].get_model_by_name('blr-readout').text")
    with jax.enable_x64(True):
        s = blr.stats(blr.design(blr.make_basis("linear", x), x), blr_demo[2])
        ev = float(blr.log_evidence(s, alpha, beta))
    assert f"n = {len(x)} points" in readout and f"{ev:.3f}" in readout
    _check_bands(page, blr.make_basis("linear", x), alpha, beta)
    page.evaluate("""() => {
      const get = (n) => Bokeh.documents[0].get_model_by_name(n)
      get('blr-basis').value = 'poly'; get('blr-degree').value = 5
      get('blr-alpha').value = 0.5; get('blr-beta').value = 1.5
    }""")
    _check_bands(page, blr.make_basis("poly", x, degree=5), 10**0.5, 10**1.5)
    assert not errors, errors
    assert all(u.startswith(LOCAL) for u in requests), requests


def test_a_click_adds_a_point_and_a_click_on_it_removes_it(blr_page, blr_demo):
    page, errors, _ = blr_page
    n0 = len(page.evaluate(COLUMN_JS, ["blr-points", "x"]))
    page.mouse.click(*page.evaluate(SCREEN_JS, ["blr-fit", 0.25, 1.6]))
    xs = page.evaluate(COLUMN_JS, ["blr-points", "x"])
    ys = page.evaluate(COLUMN_JS, ["blr-points", "y"])
    assert len(xs) == n0 + 1 and abs(xs[-1] - 0.25) < 0.02 and abs(ys[-1] - 1.6) < 0.05
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-blr.png"), full_page=True)
    page.wait_for_timeout(700)  # a second, separate click: two within ~300 ms are a double tap
    page.mouse.click(*page.evaluate(SCREEN_JS, ["blr-fit", xs[-1], ys[-1]]))
    assert len(page.evaluate(COLUMN_JS, ["blr-points", "x"])) == n0
    readout = page.evaluate("() => Bokeh.documents[0].get_model_by_name('blr-readout').text")
    assert f"n = {n0} points" in readout
    assert not errors, errors


def test_no_data_no_panel(tmp_path):
    assert live_blr.build(tmp_path) is None
    assert live_mnist.build(tmp_path) is None


# -------------------------------------------------------------------------------------- MNIST


@pytest.fixture(scope="module")
def mnist_demo(tmp_path_factory):
    """A fake demo ``mnist`` folder: a tiny batch-norm network trained briefly on 8x8 digits."""
    from jaxscratch import nn
    from jaxscratch.runs import training

    out = tmp_path_factory.mktemp("demo") / "mnist"
    key = jax.random.key(0)
    data = training.load_data("digits", key=key)
    model = nn.MLPConfig((64, 32, 16, 10), "relu", batchnorm=True, dropout=0.0)
    recipe = nn.TrainConfig(epochs=2, batch_size=64, optimizer="adam", lr=3e-3)
    training.train_run(out / "run", data, model, recipe, key=key, test_every_epoch=False)
    return out, data, training.open_run(out / "run")


@pytest.fixture(scope="module")
def mnist_page(browser, mnist_demo, tmp_path_factory):
    yield from _opened(
        browser, live_mnist.build(mnist_demo[0]), tmp_path_factory.mktemp("p") / "m.html"
    )


FORWARD_JS = """(images) => {
  const net = Bokeh.documents[0].get_model_by_name('mnist-net').data
  const M = window.jaxscratch.mnist
  return images.map((x) => M.forward(x, net.w, net.b, M.spec.activation))
}"""


def test_the_page_forward_pass_equals_the_jax_prediction(mnist_page, mnist_demo):
    page, errors, _ = mnist_page
    _, data, opened = mnist_demo
    x = np.asarray(data.x_test[:200], np.float32)  # (200, 8, 8)
    want = opened.predict(x)  # (200, 10) the unfolded network in JAX
    got = np.asarray(page.evaluate(FORWARD_JS, x.reshape(len(x), -1).tolist()))
    np.testing.assert_array_equal(got.argmax(axis=1), want.argmax(axis=1))
    np.testing.assert_allclose(got, want, atol=1e-4)  # float32 weights: nothing quantised
    assert not errors, errors


def _strokes(rng) -> list[tuple[list[float], list[float]]]:
    """A few hand-like polylines (random walks) and a dot, in the unit square."""
    out = []
    for _ in range(int(rng.integers(1, 4))):
        k = int(rng.integers(5, 40))
        start = rng.uniform(0.2, 0.8, 2)
        walk = np.clip(start + np.cumsum(rng.normal(scale=0.03, size=(k, 2)), axis=0), 0, 1)
        out.append((walk[:, 0].tolist(), walk[:, 1].tolist()))
    if rng.random() < 0.5:
        out.append(([float(rng.uniform(0.2, 0.8))], [float(rng.uniform(0.2, 0.8))]))
    return out


PREPROCESS_JS = """([xs, ys, shape, box]) => {
  const M = window.jaxscratch.mnist
  return Array.from(M.preprocess(xs, ys, {...M.spec, shape, box}))
}"""


@pytest.mark.parametrize("shape", [(28, 28), (8, 8)])
def test_the_page_prepares_a_drawing_as_the_explorer_does(mnist_page, shape):
    page, _, _ = mnist_page
    rng = np.random.default_rng(shape[0])
    radius = live_mnist.PEN_PX / 2 / live_mnist.CANVAS_PX
    for _ in range(5):
        strokes = _strokes(rng)
        want = drawing.mnist_like(drawing.rasterize(strokes, radius=radius), shape)
        xs, ys = [s[0] for s in strokes], [s[1] for s in strokes]
        got = page.evaluate(PREPROCESS_JS, [xs, ys, list(shape), drawing.fit_box(shape)])
        np.testing.assert_allclose(np.reshape(got, shape), want, atol=1e-5)


def test_drawing_with_the_mouse_shows_the_probabilities(mnist_page, mnist_demo):
    page, errors, requests = mnist_page
    _, _, opened = mnist_demo
    points = [(0.5 + 0.25 * np.sin(t), 0.5 + 0.35 * np.cos(t)) for t in np.linspace(0, 6.3, 30)]
    page.mouse.move(*page.evaluate(SCREEN_JS, ["mnist-canvas", *points[0]]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*page.evaluate(SCREEN_JS, ["mnist-canvas", *p]), steps=2)
    page.mouse.up()
    page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('mnist-readout').text.includes('prediction')"
    )
    p = np.asarray(page.evaluate(COLUMN_JS, ["mnist-proba", "p"]))
    xs = page.evaluate("() => Bokeh.documents[0].get_model_by_name('mnist-strokes').data.xs"
                       ".map((s) => Array.from(s))")  # fmt: skip
    ys = page.evaluate("() => Bokeh.documents[0].get_model_by_name('mnist-strokes').data.ys"
                       ".map((s) => Array.from(s))")  # fmt: skip
    radius = live_mnist.PEN_PX / 2 / live_mnist.CANVAS_PX
    image = drawing.mnist_like(drawing.rasterize(list(zip(xs, ys, strict=True)), radius=radius),
                               (8, 8))  # fmt: skip
    np.testing.assert_allclose(p, opened.predict(image[None])[0], atol=1e-4)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-mnist.png"), full_page=True)
    assert not errors, errors
    assert all(u.startswith(LOCAL) for u in requests), requests


REPORT_COLUMN_PX = 990  # a section's inner width in report.html (62rem less its 1-px borders)


def _width(model) -> int:
    """The width a Bokeh layout asks for: a row's children side by side, a column's widest."""
    from bokeh.layouts import Column, Row

    if isinstance(model, Row):
        return sum(_width(child) for child in model.children)
    if isinstance(model, Column):
        return max(_width(child) for child in model.children)
    return model.width or 0


def test_the_panels_fit_the_report_column(blr_demo, mnist_demo):
    """The regression panel once asked for 1,140 pixels: its fit was cut off at the right and
    the section scrolled sideways."""
    for layout in (live_blr.build(blr_demo[0]), live_mnist.build(mnist_demo[0])):
        assert 0 < _width(layout) <= REPORT_COLUMN_PX
