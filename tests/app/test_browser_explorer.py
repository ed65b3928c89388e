"""End to end in Debian's headless chromium: one explorer server and one browser for the module;
each test opens a fresh page (a fresh session), works one tab and checks the console."""

import re
from pathlib import Path

import pytest
from harness import COLUMN_JS, browser_page, chromium_missing, explorer_server

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing())),
]


def _readout(page) -> str:
    return page.locator(".bv-readout").inner_text()


@pytest.fixture(scope="module")
def digit_run(tmp_path_factory):
    """A tiny network trained for a few seconds on scikit-learn's 8x8 digits."""
    import jax

    from jaxscratch import nn
    from jaxscratch.runs import training

    run = tmp_path_factory.mktemp("explorer") / "mnist-tiny"
    key = jax.random.key(0)
    data = training.load_data("digits", key=key)
    model = nn.MLPConfig((64, 32, 10), "relu", False, 0.0)
    recipe = nn.TrainConfig(epochs=2, batch_size=64, optimizer="adam", lr=3e-3)
    training.train_run(run, data, model, recipe, key=key, seed=0)
    return run


@pytest.fixture(scope="module")
def session(digit_run):
    ARTIFACTS.mkdir(exist_ok=True)
    with (
        explorer_server(extra_args=("--run", str(digit_run))) as url,
        browser_page() as (page, errors),
    ):
        yield url, page, errors


@pytest.fixture
def page(session):
    """The shared page, freshly loaded, with the console error list emptied."""
    url, page, errors = session
    errors.clear()
    page.goto(url)
    return page, errors


def test_rho_slider_redraws_the_plot_and_readout_without_console_errors(page):
    page, errors = page
    page.wait_for_selector(".bv-readout")
    assert "[[1.000, 0.594], [0.594, 2.000]]" in _readout(page)  # rho = 0.42 at start
    x0 = page.evaluate(COLUMN_JS, ["bv-samples", "x"])
    y0 = page.evaluate(COLUMN_JS, ["bv-samples", "y"])
    assert len(x0) == 2000
    page.locator(".bv-rho .noUi-handle").focus()
    for _ in range(10):  # step 0.01 each: rho 0.42 -> 0.52
        page.keyboard.press("ArrowRight")
    page.locator(".bv-readout").get_by_text("0.735").first.wait_for(timeout=15000)
    assert "[[1.000, 0.735], [0.735, 2.000]]" in _readout(page)  # 0.52 * 1 * sqrt(2)
    x1 = page.evaluate(COLUMN_JS, ["bv-samples", "x"])
    y1 = page.evaluate(COLUMN_JS, ["bv-samples", "y"])
    assert x1 == pytest.approx(x0, abs=1e-6)  # x = mux + sx z0 ignores rho: the cloud shears
    assert max(abs(a - b) for a, b in zip(y0, y1, strict=True)) > 0.05
    page.screenshot(path=ARTIFACTS / "explorer-bivariate.png", full_page=True)
    # a click on the scatter (the 520 x 520 canvas) moves the slices to the clicked point
    box = next(b for c in page.locator("canvas").all() if (b := c.bounding_box())["height"] == 520)
    assert "x₀ = 1.00" in _readout(page)
    page.mouse.click(box["x"] + 0.85 * box["width"], box["y"] + 0.2 * box["height"])
    page.locator(".bv-readout").get_by_text("x₀ = 1.00").wait_for(state="detached")
    x0 = float(re.search(r"x₀ = (-?[\d.]+)", _readout(page)).group(1))
    assert x0 > 2.0  # to the right of the centre, where we clicked
    page.get_by_text("Classic 3-D").click()
    image = page.locator(".bv-classic img")
    image.wait_for(timeout=30000)
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) > 100
    page.screenshot(path=ARTIFACTS / "explorer-bivariate-classic.png", full_page=True)
    assert errors == []


def test_mvn_dimension_slider_updates_the_reconstruction_readout(page):
    page, errors = page
    page.get_by_text("MVN sampler").click()
    readout = page.locator(".mvn-readout")
    readout.wait_for()
    assert "d = 5: 20 estimated quantities" in readout.inner_text()
    cov_z = page.evaluate(COLUMN_JS, ["mvn-z", "cov"])
    assert len(cov_z) == 4  # n = 10^2 .. 10^5
    page.locator(".mvn-d .noUi-handle").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    readout.get_by_text("d = 8: 44 estimated quantities").wait_for(timeout=15000)
    assert page.evaluate(COLUMN_JS, ["mvn-z", "cov"]) != cov_z
    bound = page.evaluate(COLUMN_JS, ["mvn-bound", "z"])
    shown = float(re.search(r"\|z\| ≤ ([\d.]+)", readout.inner_text())[1])
    assert bound[0] == pytest.approx(shown, abs=0.01)
    page.screenshot(path=ARTIFACTS / "explorer-mvn.png", full_page=True)
    assert errors == []


def _canvas_box(page, height: int) -> dict:
    """Bounding box of the visible plot canvas of the given height."""
    for canvas in page.locator("canvas").all():
        box = canvas.bounding_box()
        if box is not None and box["height"] == height:
            return box
    raise LookupError(f"no visible canvas {height} px high")


def test_blr_click_adds_a_point_and_updates_posterior_and_evidence(page):
    page, errors = page
    page.get_by_text("Bayesian regression").click()
    readout = page.locator(".blr-readout")
    readout.wait_for()
    assert "n = 0 points" in readout.inner_text() and "= 0.000" in readout.inner_text()
    hi0 = page.evaluate(COLUMN_JS, ["blr-bands", "epi_hi"])
    box = _canvas_box(page, 460)
    for i, (fx, fy) in enumerate([(0.3, 0.4), (0.5, 0.6), (0.7, 0.5)]):
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        readout.get_by_text(f"n = {i + 1} point").wait_for(timeout=15000)
    text = readout.inner_text()
    ev = float(re.search(r"ln p\(y \| α, β\) = (-?[\d.]+)", text)[1])
    assert ev != 0.0
    assert len(page.evaluate(COLUMN_JS, ["blr-points", "x"])) == 3
    hi1 = page.evaluate(COLUMN_JS, ["blr-bands", "epi_hi"])
    assert max(a - b for a, b in zip(hi0, hi1, strict=True)) > 0.1  # data shrink the band
    page.get_by_text("add 10 points from sin(πx)").click()
    readout.get_by_text("n = 13 points").wait_for(timeout=15000)
    ev = float(re.search(r"ln p\(y \| α, β\) = (-?[\d.]+)", readout.inner_text())[1])
    page.get_by_text("empirical Bayes (MacKay)").click()
    readout.get_by_text("empirical Bayes: α =").wait_for(timeout=15000)
    assert float(re.search(r"ln p\(y \| α, β\) = (-?[\d.]+)", readout.inner_text())[1]) >= ev
    page.screenshot(path=ARTIFACTS / "explorer-blr.png", full_page=True)
    assert errors == []


def test_mnist_drawing_a_stroke_shows_class_probabilities(page):
    page, errors = page
    page.get_by_text("MNIST", exact=True).click()
    readout = page.locator(".mnist-readout")
    readout.wait_for()
    assert readout.inner_text() == "draw a digit"
    assert sum(page.evaluate(COLUMN_JS, ["mnist-proba", "p"])) == 0
    box = _canvas_box(page, 280)
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.15 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.48 * box["width"], box["y"] + 0.85 * box["height"], steps=15)
    page.mouse.up()
    readout.get_by_text("prediction:").wait_for(timeout=15000)
    p = page.evaluate(COLUMN_JS, ["mnist-proba", "p"])
    assert len(p) == 10 and sum(p) == pytest.approx(1.0, abs=1e-4) and max(p) > 0.1
    shown = re.search(r"prediction: (\d) \(p = ([\d.]+)\)", readout.inner_text())
    assert int(shown[1]) == max(range(10), key=p.__getitem__)
    assert float(shown[2]) == pytest.approx(max(p), abs=0.006)
    page.screenshot(path=ARTIFACTS / "explorer-mnist.png", full_page=True)
    page.get_by_text("clear", exact=True).click()
    readout.get_by_text("draw a digit").wait_for(timeout=15000)
    assert errors == []
