"""Timing helpers shared by the benchmarks: warm up, block, take the median of repeats."""

import os
import platform
import statistics
import time
from collections.abc import Callable

import jax
import numpy as np


def median_seconds(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        jax.block_until_ready(fn())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(
    fns: dict[str, Callable[[], object]], repeats: int = 5
) -> dict[str, float]:
    """Median wall time of each callable, timed in turns (a, b, c, a, b, c, ...) after one
    warm-up each, so that every side sees the same drift in machine load."""
    for fn in fns.values():
        jax.block_until_ready(fn())
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            jax.block_until_ready(fn())
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def best_seconds_per_call(fn: Callable[[], object], calls: int = 50, rounds: int = 5) -> float:
    """Seconds per call of ``fn`` for operations too short to time one by one: ``calls``
    back-to-back calls per round, blocked at the end of the round; the fastest round's mean
    (after one warm-up call)."""
    jax.block_until_ready(fn())
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            out = fn()
        jax.block_until_ready(out)
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def machine() -> dict:
    """What the numbers were measured on."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "device": str(jax.devices()[0]),
    }


def latency_summary(ms) -> dict:
    """``{"p50_ms", "p95_ms", "moves"}`` of per-move latencies in milliseconds (the browser
    benchmarks' JSON keys), rounded to 0.1 ms."""
    lat = np.asarray(ms, dtype=float)
    return {
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p95_ms": round(float(np.percentile(lat, 95)), 1),
        "moves": int(lat.size),
    }
