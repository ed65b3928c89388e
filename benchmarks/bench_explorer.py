"""Slider-to-redraw latency of the explorer in a real browser (Debian chromium, headless).

Starts ``jaxscratch explore`` on a free 127.0.0.1 port, focuses the rho slider and presses an
arrow key; a move's latency runs from just before the key press until the plotted sample data
in the page has changed and the browser has painted the next frame (two animation frames).
Warm-up moves are not counted.

    python benchmarks/bench_explorer.py --json   # {"p50_ms": ..., "p95_ms": ..., "moves": ...}
    python benchmarks/bench_explorer.py --rival  # also the rival: a matplotlib PNG per move
    python benchmarks/bench_explorer.py --tab mvn  # the MVN tab's d slider (n = 10^5 rows)
    python benchmarks/bench_explorer.py --tab blr  # the regression tab's alpha slider
"""

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _timing import latency_summary  # noqa: E402
from harness import browser_page, chromium_missing, explorer_server  # noqa: E402

# What is drawn now: the first plotted y of the live scatter, or the classic figure's image
# source (found through Panel's shadow roots).
SIGNATURES = {
    "live": "() => Bokeh.documents[0].get_model_by_name('bv-samples').data.y[0]",
    "mvn": "() => Bokeh.documents[0].get_model_by_name('mvn-z').data.cov[0]",
    "blr": "() => Bokeh.documents[0].get_model_by_name('blr-bands').data.epi_hi[0]",
    "classic": """() => {
      const find = (root) => {
        for (const el of root.querySelectorAll('*')) {
          if (el.classList.contains('bv-classic')) {
            const img = (el.shadowRoot || el).querySelector('img');
            if (img) return img.src;
          }
          if (el.shadowRoot) { const hit = find(el.shadowRoot); if (hit) return hit; }
        }
        return null;
      };
      return find(document);
    }""",
}
# Per view: (tab title to open or None, selector the page is ready at, slider handle to move).
VIEWS = {
    "live": (None, ".bv-readout", ".bv-rho .noUi-handle"),
    "classic": (None, ".bv-readout", ".bv-rho .noUi-handle"),
    "mvn": ("MVN sampler", ".mvn-readout", ".mvn-d .noUi-handle"),
    "blr": ("Bayesian regression", ".blr-readout", ".blr-alpha .noUi-handle"),
}

# Arms a promise resolving with the milliseconds until the signature changes and is painted.
ARM_JS = """(signature) => {
  const now = eval(signature);
  const before = now();
  const t0 = performance.now();
  window.__moved = new Promise((resolve) => {
    const check = () => {
      if (now() !== before) {
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  });
}"""


def measure(moves: int, view: str = "live", warmup: int = 5) -> list[float]:
    """Latencies (ms) of ``moves`` rho-slider moves after ``warmup`` unmeasured ones.

    ``view="classic"`` shows the matplotlib 3-D sub-tab instead: the rival design, a PNG
    re-rendered on the server per move.
    """
    latencies = []
    tab, ready, handle = VIEWS[view]
    with explorer_server() as url, browser_page() as (page, errors):
        page.goto(url)
        page.wait_for_selector(".bv-readout")
        if tab is not None:
            page.get_by_text(tab, exact=True).click()
        page.wait_for_selector(ready)
        if view == "classic":
            page.get_by_text("Classic 3-D").click()
            page.locator(".bv-classic img").wait_for()
        page.locator(handle).focus()
        for i in range(warmup + moves):
            key = "ArrowRight" if (i // 20) % 2 == 0 else "ArrowLeft"  # stay inside the range
            page.evaluate(ARM_JS, SIGNATURES[view])
            page.keyboard.press(key)
            ms = page.evaluate("() => window.__moved")
            if i >= warmup:
                latencies.append(ms)
        if errors:
            raise RuntimeError(f"browser console errors: {errors}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60, help="measured slider moves (>= 50)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--tab", choices=("bivariate", "mvn", "blr"), default="bivariate",
                        help="which tab's slider to move (default: bivariate)")  # fmt: skip
    parser.add_argument(
        "--rival", action="store_true", help="also time the matplotlib-PNG design (no --json)"
    )
    args = parser.parse_args()
    if reason := chromium_missing():
        sys.exit(f"cannot run the browser benchmark: {reason}")
    view = "live" if args.tab == "bivariate" else args.tab
    result = latency_summary(np.asarray(measure(args.moves, view=view)))
    if args.json:
        print(json.dumps(result))
        return
    machine = platform.processor() or platform.machine()
    what = {"live": "rho slider, n = 2000 samples", "mvn": "d slider, n up to 10^5",
            "blr": "alpha slider, no points"}[view]  # fmt: skip
    print(f"machine: {machine}, python {platform.python_version()}, {args.tab} tab: {what}")
    rows = [("Bokeh sources updated in place (the explorer)", result)]
    if args.rival:
        rows.append(("rival: matplotlib 3-D PNG per move", latency_summary(np.asarray(
            measure(args.moves, view="classic")))))  # fmt: skip
    for label, r in rows:
        print(f"{label}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms over {r['moves']} moves")


if __name__ == "__main__":
    main()
