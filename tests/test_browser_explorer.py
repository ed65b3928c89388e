"""End to end in Debian's headless chromium: serve the explorer, move the rho slider, look."""

import re
from pathlib import Path

import pytest

from jaxscratch.app.harness import COLUMN_JS, browser_page, chromium_missing, explorer_server

ARTIFACTS = Path(__file__).parent / "artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing())),
]


def _readout(page) -> str:
    return page.locator(".bv-readout").inner_text()


def test_rho_slider_redraws_the_plot_and_readout_without_console_errors():
    ARTIFACTS.mkdir(exist_ok=True)
    with explorer_server() as url, browser_page() as (page, errors):
        page.goto(url)
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
        box = next(
            b for c in page.locator("canvas").all() if (b := c.bounding_box())["height"] == 520
        )
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
