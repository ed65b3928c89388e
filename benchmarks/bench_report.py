"""Slider/click-to-redraw latency of the live report's panels, in headless chromium, offline.

Opens a live page from file:// with the network off and times every move in the page, from
just before a slider's value is set (or from the release of the mouse button on the scatter,
or just before a scripted move of the regression or digit panel) until the redrawn frame has
been painted (two animation frames after the panel's data changed). Warm-up moves are not
counted. The page is a demo folder's report.html (``--run-dir``: all four panels), or else a
demo-sized page written here by the library (10,000 base normals for the bivariate panel;
running sums of a d = 10 sample of 100,000 rows at 120 sample sizes for the MVN panel; no
regression or digit panel).

    python benchmarks/bench_report.py --json    # {"p50_ms": ..., "p95_ms": ..., "moves": ...}
    python benchmarks/bench_report.py --run-dir runs/demo --json   # a real demo's four panels
    python benchmarks/bench_report.py --rival   # also the server explorer's rho slider

The JSON also has ``per_kind`` (bivariate slider, bivariate click, mvn slider, blr move, mnist
move) and ``per_panel`` (bivariate, mvn, blr, mnist), each with the same three keys.
"""

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _timing import latency_summary  # noqa: E402
from harness import LOCAL_SCHEMES, chromium_missing, live_report, offline_page  # noqa: E402

READY = "() => window.jaxscratch && window.jaxscratch.bivariate && window.jaxscratch.mvn"
# The regression and digit panels' scripted moves (their js: move(i)), timed in the page.
SCRIPTED_JS = """async ([name, moves, warmup]) => {
  const api = window.jaxscratch[name]
  const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  const times = []
  for (let i = 0; i < warmup + moves; i++) {
    const t0 = performance.now()
    api.move(i)
    await painted()
    if (i >= warmup) times.push(performance.now() - t0)
  }
  return times
}"""
PANEL_OF = {"bivariate slider": "bivariate", "bivariate click": "bivariate",
            "mvn slider": "mvn", "blr move": "blr", "mnist move": "mnist"}  # fmt: skip
# Set a named slider's value (its CustomJS redraws at once) and resolve with the milliseconds
# until the next frame has been painted.
MOVE_JS = """async ([name, value]) => {
  const model = Bokeh.documents[0].get_model_by_name(name)
  const t0 = performance.now()
  model.value = value
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
  return performance.now() - t0
}"""
# Arm a promise that resolves with the milliseconds from the release of the mouse button (the
# pointerup event's timestamp: when the browser took the input) until the frame after the
# slice moved has been painted; the click is then sent by the browser's input. The move is
# seen through the slice source's own change signal, at once (a polling timer would add its
# own delay), and the clock starts at the release, not at this call, so the time Playwright
# takes to send the two mouse events is not counted.
ARM_CLICK_JS = """() => {
  const slice = Bokeh.documents[0].get_model_by_name('live-bv-slice')
  const changed = slice.properties.data.change
  let released = null
  const release = (e) => { released = e.timeStamp }
  document.addEventListener('pointerup', release, { capture: true, once: true })
  window.__moved = new Promise((resolve) => {
    const moved = () => {
      changed.disconnect(moved)
      clearTimeout(missed)
      const start = released ?? performance.now()
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)))
    }
    const missed = setTimeout(() => {
      changed.disconnect(moved)
      resolve(null) // the click missed the scatter: reported, never waited for
    }, 5000)
    changed.connect(moved)
  })
}"""


def _slider_moves(moves: int, seed: int) -> list[tuple[str, float]]:
    """Bivariate slider moves: a random slider to a random value of its range and step."""
    from jaxscratch.scenes import controls

    rng = np.random.default_rng(seed)
    names = list(controls.SLIDERS)
    out = []
    for _ in range(moves):
        name = names[rng.integers(len(names))]
        c = controls.SLIDERS[name]
        steps = round((c.end - c.start) / c.step)
        out.append((f"live-bv-{name}", round(c.start + c.step * int(rng.integers(steps + 1)), 6)))
    return out


def _mvn_moves(moves: int, d_max: int, k: int, seed: int) -> list[tuple[str, float]]:
    """MVN moves: mostly the n slider (an index into the stored sizes), every fifth one d."""
    rng = np.random.default_rng(seed)
    return [("live-mvn-d", int(rng.integers(1, d_max + 1))) if i % 5 == 4
            else ("live-mvn-n", int(rng.integers(k))) for i in range(moves)]  # fmt: skip


def measure(page_path: Path, moves: int, warmup: int = 5) -> dict[str, list[float]]:
    """Latencies (ms) per kind of move: bivariate sliders, clicks on the scatter, MVN sliders,
    and the regression and digit panels' scripted moves when the page has those panels."""
    with offline_page(page_path, READY) as (page, errors, requests):
        k = page.evaluate("() => Bokeh.documents[0].get_model_by_name('live-mvn-n').end + 1")
        d_max = page.evaluate("() => Bokeh.documents[0].get_model_by_name('live-mvn-d').end")
        result: dict[str, list[float]] = {}
        for kind, plan in (
            ("bivariate slider", _slider_moves(warmup + moves, 0)),
            ("mvn slider", _mvn_moves(warmup + moves, d_max, k, 1)),
        ):
            times = [page.evaluate(MOVE_JS, list(move)) for move in plan]
            result[kind] = times[warmup:]
        figure = page.locator("#bivariate .bk-Figure").nth(1)
        figure.scroll_into_view_if_needed()  # a demo's page has the panel below the fold
        scatter = figure.bounding_box()
        rng = np.random.default_rng(2)
        clicks = []
        for i in range(warmup + moves):
            # inside the plot frame, alternating halves so that every click moves the slice
            u = rng.uniform(0.3, 0.55) if i % 2 else rng.uniform(0.6, 0.85)
            v = rng.uniform(0.2, 0.8)
            page.evaluate(ARM_CLICK_JS)
            page.mouse.click(scatter["x"] + u * scatter["width"],
                             scatter["y"] + v * scatter["height"])  # fmt: skip
            clicks.append(page.evaluate("() => window.__moved"))
        missed = sum(c is None for c in clicks[warmup:])  # reported below, never hidden
        result["bivariate click"] = [c for c in clicks[warmup:] if c is not None]
        if not result["bivariate click"]:
            raise RuntimeError("no click on the scatter moved the slice")
        for name in ("blr", "mnist"):
            if page.evaluate(f"() => window.jaxscratch.{name} !== undefined"):
                result[f"{name} move"] = page.evaluate(SCRIPTED_JS, [name, moves, warmup])
        if errors:
            raise RuntimeError(f"browser console errors: {errors}")
        if missed:
            print(f"{missed} of {moves} measured clicks did not move the slice", file=sys.stderr)
        if stray := [u for u in requests if not u.startswith(LOCAL_SCHEMES)]:
            raise RuntimeError(f"the page requested {stray}")
    return result


def per_panel(per_kind: dict[str, list[float]]) -> dict[str, dict]:
    """The summary of every panel's moves (the bivariate panel: its sliders and clicks)."""
    panels: dict[str, list[float]] = {}
    for kind, times in per_kind.items():
        panels.setdefault(PANEL_OF[kind], []).extend(times)
    return {name: latency_summary(times) for name, times in panels.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=100, help="measured moves per kind (>= 100)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="time this demo folder's report.html, not a fresh page")  # fmt: skip
    parser.add_argument("--rival", action="store_true",
                        help="also time the server explorer's rho slider (no --json)")  # fmt: skip
    args = parser.parse_args()
    if reason := chromium_missing():
        sys.exit(f"cannot run the browser benchmark: {reason}")
    with tempfile.TemporaryDirectory() as tmp:
        page = (args.run_dir / "report.html" if args.run_dir
                else live_report(Path(tmp), n=10_000, d=10, n_mvn=100_000))  # fmt: skip
        size = page.stat().st_size
        per_kind = measure(page, args.moves)
    result = latency_summary(np.concatenate(list(per_kind.values())))
    panels = per_panel(per_kind)
    if args.json:
        kinds = {k: latency_summary(v) for k, v in per_kind.items()}
        print(json.dumps(result | {"per_kind": kinds, "per_panel": panels}))
        return
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, python {platform.python_version()}, page {size / 1e6:.1f} MB")
    rows = [(f"live page, {kind}", latency_summary(v)) for kind, v in per_kind.items()]
    rows += [(f"live page, {name} panel", r) for name, r in panels.items()]
    rows.append(("live page, all moves", result))
    if args.rival:
        from bench_explorer import measure as explorer_measure

        rows.append(("rival: server explorer, rho slider (Python per move)",
                     latency_summary(explorer_measure(args.moves))))  # fmt: skip
    for label, r in rows:
        print(f"{label}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms over {r['moves']} moves")


if __name__ == "__main__":
    main()
