"""Throughput of our MVN sampler against jax.random.multivariate_normal and numpy, side by side.

    python benchmarks/bench_mvn.py [--json] [--repeats 5]

Every rival draws the same n samples of the same distribution in the same process; each time is
the median of >= 5 runs after a warm-up, the sides timed in turns so that they share the
machine's load. Our sampler uses an 'rbg' key (jax.random.bits under the hood); the jax rival
gets the faster of its threefry and rbg keys; numpy uses method='cholesky'.
"""

import argparse
import json
import sys
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians, machine  # noqa: E402

from jaxscratch import gaussian  # noqa: E402

DIMS = (2, 10, 100, 1000)
FLOATS_PER_RUN = 20_000_000  # n * d per timed call: large enough to amortise dispatch
KEY_IMPLS = ("threefry2x32", "rbg")


def _dist(d, dtype):
    k_mean, k_cov = jax.random.split(jax.random.key(d))
    mean = gaussian.random_mean(k_mean, d, dtype=dtype)
    cov = gaussian.random_covariance(k_cov, d, condition_number=10.0, dtype=dtype)
    return gaussian.from_cov(mean, cov)


def _jax_mvn(n, dtype):
    return jax.jit(lambda k, m, c: jax.random.multivariate_normal(k, m, c, (n,), dtype=dtype))


def _row(d, dtype, repeats):
    n = max(FLOATS_PER_RUN // d, 10_000)
    dist = _dist(d, dtype)
    cov = dist.cov
    # parameters are arguments, not closed over: constants baked into a compiled program
    # slow its compilation and change what is measured
    ours = jax.jit(lambda k, dist: gaussian.sample(k, dist, (n,)))
    theirs = _jax_mvn(n, dtype)
    key_rbg = jax.random.key(1, impl="rbg")
    fns = {"ours": lambda: ours(key_rbg, dist)}
    for impl in KEY_IMPLS:
        key = jax.random.key(1, impl=impl)
        fns[f"jax_{impl}"] = lambda k=key: theirs(k, dist.mean, cov)
    if dtype == jnp.float64:
        rng = np.random.default_rng(1)
        mean_np, cov_np = np.asarray(dist.mean), np.asarray(cov)
        fns["numpy"] = lambda: rng.multivariate_normal(mean_np, cov_np, n, method="cholesky")
    # the memory bound: writing n * d floats and nothing else
    fill = jax.jit(lambda c: jnp.broadcast_to(c, (n, d)) + 0.0)
    one = jnp.ones((), dtype)
    fns["write"] = lambda: fill(one)
    if d == DIMS[-1]:
        # the matrix-multiply bound: the product z L^T alone, z already drawn
        z = gaussian.standard_normal(jax.random.key(2), (n, d), dtype)
        matmul = jax.jit(lambda z, dist: dist.mean + z @ dist.scale.T)
        fns["matmul"] = lambda: matmul(z, dist)
    t = interleaved_medians(fns, repeats)
    row = {
        "d": d,
        "dtype": jnp.dtype(dtype).name,
        "n": n,
        "ours_per_s": n / t["ours"],
        "jax_per_s": n / min(t[f"jax_{impl}"] for impl in KEY_IMPLS),
        "numpy_per_s": n / t["numpy"] if "numpy" in t else None,
        "write_bound_per_s": n / t["write"],
    }
    if "matmul" in t:
        row["matmul_bound_per_s"] = n / t["matmul"]
    return row


def _normal_stage(repeats):
    n = FLOATS_PER_RUN
    ours = jax.jit(gaussian.standard_normal, static_argnames=("shape", "dtype"))
    theirs = jax.jit(jax.random.normal, static_argnames=("shape", "dtype"))
    bits = jax.jit(lambda k: jax.random.bits(k, (n,), jnp.uint32))
    rng = np.random.default_rng(3)
    fns = {"numpy_float64": lambda: rng.standard_normal(n)}
    for impl in KEY_IMPLS:
        key = jax.random.key(3, impl=impl)
        fns[f"ours_{impl}"] = lambda k=key: ours(k, (n,))
        fns[f"jax_{impl}"] = lambda k=key: theirs(k, (n,))
        fns[f"bits_{impl}"] = lambda k=key: bits(k)
        fns[f"ours64_{impl}"] = lambda k=key: ours(k, (n,), jnp.float64)
    t = interleaved_medians(fns, repeats)
    out = {
        impl: {
            "ours_per_s": n / t[f"ours_{impl}"],
            "jax_normal_per_s": n / t[f"jax_{impl}"],
            "bits_per_s": n / t[f"bits_{impl}"],
            "ours_float64_per_s": n / t[f"ours64_{impl}"],
        }
        for impl in KEY_IMPLS
    }
    out["numpy_float64_per_s"] = n / t["numpy_float64"]
    return out


def _print_table(result):
    print(f"{'d':>5} {'dtype':>8} {'n':>9} {'ours M/s':>9} {'jax M/s':>8} {'numpy M/s':>9} "
          f"{'vs jax':>7} {'vs numpy':>8}")  # fmt: skip
    for r in result["rows"]:
        np_rate = r["numpy_per_s"]
        vs_np = f"{r['ours_per_s'] / np_rate:8.2f}" if np_rate else f"{'-':>8}"
        print(
            f"{r['d']:>5} {r['dtype']:>8} {r['n']:>9} {r['ours_per_s'] / 1e6:>9.3f} "
            f"{r['jax_per_s'] / 1e6:>8.3f} {(np_rate or 0) / 1e6:>9.3f} "
            f"{r['ours_per_s'] / r['jax_per_s']:>7.2f} {vs_np}"
        )
        if "matmul_bound_per_s" in r:
            print(f"      matmul bound {r['matmul_bound_per_s'] / 1e6:.4f} M/s: ours at "
                  f"{r['matmul_bound_per_s'] / r['ours_per_s']:.2f}x its time")  # fmt: skip
    for impl in KEY_IMPLS:
        s = result["normal_stage"][impl]
        print(f"standard normals, {impl}: ours {s['ours_per_s'] / 1e6:.1f} M/s, "
              f"jax.random.normal {s['jax_normal_per_s'] / 1e6:.1f} M/s, "
              f"bits {s['bits_per_s'] / 1e6:.1f} M words/s, "
              f"ours float64 {s['ours_float64_per_s'] / 1e6:.1f} M/s")  # fmt: skip
    print(f"numpy standard_normal float64: "
          f"{result['normal_stage']['numpy_float64_per_s'] / 1e6:.1f} M/s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per case (>= 5)")
    args = parser.parse_args()
    rows = [_row(d, dt, args.repeats) for d in DIMS for dt in (jnp.float32, jnp.float64)]
    result = {"machine": machine(), "rows": rows, "normal_stage": _normal_stage(args.repeats)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_table(result)


if __name__ == "__main__":
    main()
