"""Where a naive bfloat16 step loses its speed: one step of the reference network, four ways.

The reference network of ``bench_train.py`` (784-1024-1024-10, tanh, SGD, batch 128), 100 steps
as one scanned, donated program, each way compiled first and then timed in turns:

* f32: float32 products (``precision.F32``);
* naive bf16: casts to bfloat16 before ``jnp.dot(..., preferred_element_type=float32)`` and
  autodiff for the backward pass: XLA gets the weight gradient x^T dz contracted over the batch
  axis and runs it in float32;
* ours bf16: ``nn.precision.dot`` with its custom VJP (x^T saved as a row-major bf16 copy);
* bf16 products only: the step's products, each its own jitted call, summed (the floor).

Seconds are CPU seconds of this process (``time.process_time``) as well as wall seconds: on a
machine shared with other jobs the CPU time is the steadier measure of the work done.

    python benchmarks/bench_bf16_step.py [--turns 3] [--json]
"""

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
from jax import lax

sys.path.insert(0, str(Path(__file__).parent))
from bench_train import BATCH, LR, SIZES, _products, cpu_flags  # noqa: E402

from jaxscratch.nn import precision  # noqa: E402

STEPS = 100


def _naive(x, w):
    bf16 = jnp.bfloat16
    return jnp.dot(x.astype(bf16), w.astype(bf16), preferred_element_type=jnp.float32)


def _epoch(dot):
    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = jnp.tanh(dot(h, w) + b)  # (B, width)
        w, b = params[-1]
        logp = jax.nn.log_softmax(dot(h, w) + b)  # (B, 10)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    def step(params, batch):
        grads = jax.grad(loss)(params, *batch)
        return jax.tree.map(lambda p, g: p - LR * g, params, grads), None

    return jax.jit(lambda p, xs, ys: lax.scan(step, p, (xs, ys), unroll=2)[0], donate_argnums=0)


def _timed(f, *args):
    t0, c0 = time.perf_counter(), time.process_time()
    jax.block_until_ready(f(*args))
    return time.process_time() - c0, time.perf_counter() - t0


def _floor() -> tuple[float, float]:
    """(CPU, wall) seconds of the step's bf16 products alone, best of 20 calls each, x STEPS."""
    mm = jax.jit(lambda a, b: jnp.matmul(a, b, preferred_element_type=jnp.float32))
    cpu = wall = 0.0
    for m, k, n in _products():
        a, b = jnp.ones((m, k), jnp.bfloat16), jnp.ones((k, n), jnp.bfloat16)
        mm(a, b).block_until_ready()
        best = min((_timed(mm, a, b) for _ in range(20)), key=lambda t: t[0])
        cpu, wall = cpu + best[0], wall + best[1]
    return cpu * STEPS, wall * STEPS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=3, help="timed turns per way")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    keys = jax.random.split(jax.random.key(0), len(SIZES) + 1)
    params = [
        (0.03 * jax.random.normal(k, (a, b)), jnp.zeros((b,)))
        for k, a, b in zip(keys[:3], SIZES[:-1], SIZES[1:], strict=True)
    ]
    xs = jax.random.uniform(keys[-1], (STEPS, BATCH, SIZES[0]))
    ys = jax.random.randint(keys[-2], (STEPS, BATCH), 0, SIZES[-1])
    ways = {
        "f32": _epoch(lambda x, w: precision.dot(x, w, precision.F32)),
        "naive_bf16": _epoch(_naive),
        "ours_bf16": _epoch(lambda x, w: precision.dot(x, w, precision.BF16)),
    }
    state = {k: jax.block_until_ready(f(jax.tree.map(jnp.copy, params), xs, ys))
             for k, f in ways.items()}  # fmt: skip
    cpu = {k: [] for k in ways}
    wall = {k: [] for k in ways}
    for _ in range(args.turns):
        for k, f in ways.items():
            t0, c0 = time.perf_counter(), time.process_time()
            state[k] = jax.block_until_ready(f(state[k], xs, ys))
            cpu[k].append(time.process_time() - c0)
            wall[k].append(time.perf_counter() - t0)
    floor_cpu, floor_wall = _floor()
    result = {f"{k}_cpu_ms_per_step": 1e3 * min(v) / STEPS for k, v in cpu.items()}
    result |= {f"{k}_wall_ms_per_step": 1e3 * min(v) / STEPS for k, v in wall.items()}
    result |= {
        "bf16_products_cpu_ms_per_step": 1e3 * floor_cpu / STEPS,
        "bf16_products_wall_ms_per_step": 1e3 * floor_wall / STEPS,
        "cpu_flags": cpu_flags(),
        "turns": args.turns,
        "jax": jax.__version__,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for k, v in result.items():
        print(f"{k:>32}: {v:.2f}" if isinstance(v, float) else f"{k:>32}: {v}")


if __name__ == "__main__":
    main()
