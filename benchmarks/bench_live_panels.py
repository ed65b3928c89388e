"""Move-to-redraw latency of the live report's BLR and MNIST panels in headless chromium.

Each panel of a finished demo folder is embedded alone (``bokeh.embed.file_html``, resources
inline) and opened from ``file://`` offline. A move is ``window.jaxscratch.<panel>.move(i)``:
for BLR one of a fixed script of alpha / beta slider moves, basis and size changes and clicks
that add or remove a point; for MNIST a new pen stroke (rasterize, crop, Lanczos box, centre of
mass, the forward pass, the bars and the preview). Its latency runs from just before the move
until the browser has painted the next frame (two animation frames), as bench_explorer.py
measures the server explorer. Warm-up moves are not counted. The rival is the same work done
by the library in Python (warm, jitted): ``scenes.blr.scene`` for the regression, the run's JAX
forward pass plus ``data.drawing`` for a stroke.

    python benchmarks/bench_live_panels.py --demo runs/demo --json
    # {"blr": {"p50_ms": ..., "p95_ms": ..., "moves": ...}, "mnist": {...}, "rival": {...}}
"""

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _timing import latency_summary  # noqa: E402
from bench_report import SCRIPTED_JS  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS, chromium_missing  # noqa: E402


def _page_times(browser, layout, path: Path, name: str, moves: int, warmup: int) -> list[float]:
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    path.write_text(file_html(layout, resources=INLINE, title=name), encoding="utf-8")
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 950})
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function(f"() => window.jaxscratch && window.jaxscratch.{name}")
    times = page.evaluate(SCRIPTED_JS, [name, moves, warmup])
    context.close()
    return times


def _rival_blr(section: Path, moves: int) -> list[float]:
    """scenes.blr.scene per move in Python at the demo's data, a few bases."""
    import jax
    import jax.numpy as jnp

    from jaxscratch import blr
    from jaxscratch.scenes import blr as scene_blr

    with np.load(section / "data.npz") as f:
        x, y = np.asarray(f["x"]), np.asarray(f["y"])
    grid = np.linspace(x.min(), x.max(), 200)
    times = []
    with jax.enable_x64(True):
        bases = [blr.make_basis(k, x, degree=5, n_centres=9) for k in blr.KINDS]
        args = (jnp.asarray(x), jnp.asarray(y), jnp.ones(len(x)), jnp.asarray(grid))
        for b in bases:  # warm-up: one compilation per basis
            jax.block_until_ready(scene_blr.scene(jax.random.key(0), b, *args,
                                                  jnp.array([1.0, 10.0]), 0))  # fmt: skip
        for i in range(moves):
            t0 = time.perf_counter()
            sc = scene_blr.scene(jax.random.key(0), bases[i % len(bases)], *args,
                                 jnp.array([1.0 + i % 7, 10.0]), 0)  # fmt: skip
            jax.device_get(sc)
            times.append(1e3 * (time.perf_counter() - t0))
    return times


def _rival_mnist(section: Path, moves: int) -> list[float]:
    """data.drawing on a stroke and the run's JAX forward pass, per move."""
    from jaxscratch.data import drawing
    from jaxscratch.report.live import mnist as live
    from jaxscratch.runs import training

    opened = training.open_run(section / "run")
    shape = tuple(opened.config.data.input_shape)
    t = np.linspace(0, 1, 40)
    times = []
    for i in range(moves + 3):
        stroke = ((0.5 + 0.25 * np.sin(2 * np.pi * t) + 0.3 * np.sin(i) * (t - 0.5)).tolist(),
                  (0.5 + 0.35 * np.cos(2 * np.pi * t)).tolist())  # fmt: skip
        t0 = time.perf_counter()
        ink = drawing.rasterize([stroke], radius=live.PEN_PX / 2 / live.CANVAS_PX)
        opened.predict(drawing.mnist_like(ink, shape)[None])
        if i >= 3:  # the first calls compile
            times.append(1e3 * (time.perf_counter() - t0))
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=Path("runs/demo"), help="a finished demo folder")
    ap.add_argument("--moves", type=int, default=120)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if why := chromium_missing():
        sys.exit(f"cannot run: {why}")
    from playwright.sync_api import sync_playwright

    from jaxscratch.report.live import blr, mnist

    panels = {"blr": blr, "mnist": mnist}
    rivals = {"blr": _rival_blr, "mnist": _rival_mnist}
    out: dict = {"machine": platform.processor() or platform.machine(), "rival": {}}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        for name, module in panels.items():
            layout = module.build(a.demo / name)
            if layout is None:
                out[name] = None
                continue
            path = Path(tmp) / f"{name}.html"
            times = _page_times(browser, layout, path, name, a.moves, a.warmup)
            out[name] = latency_summary(times)
            out[name]["page_bytes"] = path.stat().st_size
            out["rival"][name] = latency_summary(rivals[name](a.demo / name, a.moves))
        browser.close()
    if a.json:
        print(json.dumps(out))
        return
    for name in panels:
        r, lib = out[name], out["rival"].get(name)
        if r is None:
            print(f"{name}: the demo folder has no {name} part")
            continue
        print(f"{name}: page p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms over "
              f"{r['moves']} moves ({r['page_bytes'] / 1e6:.2f} MB alone); library in Python "
              f"p50 {lib['p50_ms']:.1f} ms, p95 {lib['p95_ms']:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
