"""report.html in real headless chromium: loads offline, no console errors, every image renders."""

import pytest
from harness import browser_page, chromium_missing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    import jax

    from jaxscratch.pipeline.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return run_demo(out, jax.random.key(0), quick=True, parts=["bivariate", "mvn"])


def test_report_renders_every_image_without_console_errors(report, tmp_path):
    if reason := chromium_missing():
        pytest.skip(reason)
    with browser_page() as (page, errors):
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
        )
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        sections = page.eval_on_selector_all("section h2", "hs => hs.map(h => h.textContent)")
    assert errors == []
    assert len(sizes) >= 4 and all(ok and w > 0 and h > 0 for ok, w, h in sizes)
    assert "The bivariate normal" in sections and "Environment" in sections
    # self-contained: nothing but the page itself and inline data was requested
    assert all(url.startswith(("file:", "data:")) for url in requests)
