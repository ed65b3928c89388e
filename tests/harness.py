"""Drive the explorer in a real browser: for the end-to-end tests and the latency benchmark.

``explorer_server()`` starts ``jaxscratch explore`` as a subprocess on a free 127.0.0.1 port and
yields its URL; ``browser_page()`` opens Debian's chromium through Playwright (never a
downloaded browser) and collects console errors. Playwright is a dev dependency, imported here
only when a page is opened.
"""

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking")  # fmt: skip
_URL = re.compile(r"(http://127\.0\.0\.1:\d+/)")


def chromium_missing() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium; `make browser` does it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "python playwright is not installed (pip install -e '.[dev]')"
    return None


@contextmanager
def explorer_server(timeout: float = 90.0, extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """Run ``jaxscratch explore --port 0 --no-browser``; yield its URL; stop it afterwards."""
    src = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-c", "from jaxscratch.cli import main; main()",
           "explore", "--port", "0", "--no-browser", *extra_args]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    try:
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise RuntimeError(f"explorer did not start within {timeout} s") from None
            if match := _URL.search(line):
                break
        yield match.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def browser_page(width: int = 1300, height: int = 1000) -> Iterator[tuple[Any, list[str]]]:
    """A Playwright page in headless chromium and the list its console errors land in."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page, errors
        finally:
            browser.close()


LOCAL_SCHEMES = ("file:", "data:", "blob:")  # all a self-contained page may request


@contextmanager
def offline_page(
    path: Path, ready: str, width: int = 1300, height: int = 1000, timeout: float = 60_000
) -> Iterator[tuple[Any, list[str], list[str]]]:
    """``path`` opened from file:// in headless chromium with the network off, once the
    JavaScript predicate ``ready`` holds; yields the page, its console errors and every URL it
    requested (the live report's tests and benchmarks open their pages this one way)."""
    with browser_page(width=width, height=height) as (page, errors):
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.context.set_offline(True)
        page.goto(path.as_uri())
        page.wait_for_function(ready, timeout=timeout)
        yield page, errors, requests


# JavaScript: the column of a named Bokeh data source in the page's document.
COLUMN_JS = "([name, col]) => Array.from(Bokeh.documents[0].get_model_by_name(name).data[col])"


def live_report(out: Path, n: int = 500, d: int = 3, n_mvn: int = 2000) -> Path:
    """A tiny demo folder with what the live panels read (our sampler's base normals for the
    bivariate panel, the running sums of a d-dimensional sample for the MVN panel), and its
    live ``report.html``, written by the library; returns the page."""
    import jax
    import jax.numpy as jnp

    from jaxscratch import gaussian as g
    from jaxscratch._io import save_npy, save_npz, write_json, write_text
    from jaxscratch.report import Code, Section, Text, section_to_dict
    from jaxscratch.report.live import bivariate, mvn
    from jaxscratch.report.live.page import live_html
    from jaxscratch.scenes import bivariate as sb

    k_bv, k_mvn = jax.random.split(jax.random.key(16))
    a = jnp.tril(0.3 * jnp.ones((d, d))) + jnp.eye(d)
    dist = g.from_cov(jnp.linspace(-1.0, 1.0, d), a @ a.T)
    draw = jax.jit(lambda: (sb.base_normals(k_bv, n), g.sample(k_mvn, dist, (n_mvn,))))
    z, x = draw()  # one compiled program, not one per operation: seconds off every test run
    save_npy(out / "bivariate" / bivariate.BASE_NORMALS, z)
    sums = g.running_sums(x, g.running_grid(n_mvn, points=40), dist.mean)
    save_npz(out / "mvn" / mvn.RUNNING, mean_true=dist.mean, cov_true=dist.cov, **sums._asdict())
    sections = [
        Section(part, title, (Text(f"A tiny {part} part."), Code(("jaxscratch demo",))))
        for part, title in (("bivariate", "The bivariate normal"), ("mvn", "An MVN"))
    ]
    for section in sections:  # what `jaxscratch report RUN_DIR` reads back
        write_json(out / section.key / "section.json", section_to_dict(section))
    page = live_html(out, sections, title="live report", intro="", environment={"test": "yes"})
    return write_text(out / "report.html", page)
