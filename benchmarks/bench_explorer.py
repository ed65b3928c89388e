"""Slider-to-redraw latency of the explorer in a real browser (Debian chromium, headless).

Starts ``jaxscratch explore`` on a free 127.0.0.1 port, focuses the rho slider and presses an
arrow key; a move's latency runs from just before the key press until the plotted sample data
in the page has changed and the browser has painted the next frame (two animation frames).
Warm-up moves are not counted.

    python benchmarks/bench_explorer.py --json   # {"p50_ms": ..., "p95_ms": ..., "moves": ...}
"""

import argparse
import json
import platform
import sys

import numpy as np

from jaxscratch.app.harness import browser_page, chromium_missing, explorer_server

# Resolves with the milliseconds until a data source's column entry changes and is painted.
ARM_JS = """([name, col]) => {
  const src = Bokeh.documents[0].get_model_by_name(name);
  const before = src.data[col][0];
  const t0 = performance.now();
  window.__moved = new Promise((resolve) => {
    const check = () => {
      if (src.data[col][0] !== before) {
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  });
}"""


def measure(moves: int, warmup: int = 5) -> list[float]:
    """Latencies (ms) of ``moves`` rho-slider moves after ``warmup`` unmeasured ones."""
    latencies = []
    with explorer_server() as url, browser_page() as (page, errors):
        page.goto(url)
        page.wait_for_selector(".bv-readout")
        handle = page.locator(".bv-rho .noUi-handle")
        handle.focus()
        for i in range(warmup + moves):
            key = "ArrowRight" if (i // 20) % 2 == 0 else "ArrowLeft"  # stay inside |rho| < 1
            page.evaluate(ARM_JS, ["bv-samples", "y"])
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
    args = parser.parse_args()
    if reason := chromium_missing():
        sys.exit(f"cannot run the browser benchmark: {reason}")
    lat = np.asarray(measure(args.moves))
    result = {
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p95_ms": round(float(np.percentile(lat, 95)), 1),
        "moves": int(lat.size),
    }
    if args.json:
        print(json.dumps(result))
        return
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, python {platform.python_version()}")
    print(
        f"rho slider -> redraw with n = 2000 samples, {result['moves']} moves: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {lat.max():.1f} ms"
    )


if __name__ == "__main__":
    main()
