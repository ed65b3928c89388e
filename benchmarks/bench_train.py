"""Seconds per training epoch, side by side: our trainer vs a straightforward JAX loop (vs torch).

The reference configuration: 784-1024-1024-10, tanh, plain SGD (step 0.001), batch 128, float32,
the 60,000 Fashion-MNIST training images (synthetic uniform pixels of the same shape when the
set is not on the machine; speed does not depend on the pixel values).

* ours: ``jaxscratch.nn`` — data on device, each epoch one ``lax.scan`` over batches inside one
  jit with the training state donated.
* straight: the loop of JAX's ``examples/mnist_classifier_fromscratch.py``: a jit-compiled
  update per mini-batch, batches sliced on the host and sent to the device one at a time.
* torch: the same loop in PyTorch with 2 threads, if ``torch`` is installed (benchmark only).
* flop bound: 6 x (matmul parameters) x 60,000 FLOP per epoch over the machine's measured
  float32 matmul rate.
* matmul only: the epoch's matrix products alone (forward, weight gradients, and input
  gradients of every layer but the first, which no program computes), each one timed as its
  own jitted XLA op at its real shape, times the number of steps: what XLA's kernels cost
  before any activation, loss, update or loop overhead.
* torch matmul only: the same products through ``torch.mm`` (2 threads), when torch is there.
* bf16 (#15): ``ours_bf16`` is our trainer with ``precision="bf16"`` (bfloat16 operands of
  every product, float32 accumulation, weights and state); ``bf16_matmul_only`` the same
  products as "matmul only" with bfloat16 operands and float32 results, its floor;
  ``torch_bf16`` the torch loop under ``torch.autocast("cpu", dtype=torch.bfloat16)``.
  ``cpu_flags`` lists which of amx_bf16, avx512_bf16, avx512f the CPU reports; without the
  first two there is no fast bfloat16 arithmetic and ``bf16_targets`` is null (nothing is
  claimed about speed there). The floor is a best-of-rounds figure, so besides the median
  epoch (``ours_bf16_s_per_epoch``, which the target uses) the JSON gives the fastest timed
  epoch against it (``bf16_best_vs_matmul_only``): on a shared machine the median takes every
  other job's interference and the floor almost none. ``load_average`` gives the load.

Each side warms up (compiles) first; then the sides take turns, one epoch each, so that all see
the same load; we report medians of the timed epochs and of the paired ratios.

    python benchmarks/bench_train.py [--epochs 3] [--images N] [--json]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_seconds_per_call  # noqa: E402

from jaxscratch import nn  # noqa: E402

SIZES = (784, 1024, 1024, 10)
BATCH, LR = 128, 1e-3
MODEL = nn.MLPConfig(SIZES, "tanh", batchnorm=False, dropout=0.0)  # the reference network


def load_images() -> tuple[np.ndarray, np.ndarray, str]:
    try:
        from jaxscratch import data

        ds = data.load("fashion-mnist")
        x = np.asarray(data.scale(ds.x_train), np.float32).reshape(len(ds.y_train), -1)
        return x, np.asarray(ds.y_train, np.int32), f"fashion-mnist ({ds.source})"
    except Exception as err:  # noqa: BLE001 - fall back to synthetic pixels of the same shape
        x = np.asarray(jax.random.uniform(jax.random.key(0), (60_000, 784)), np.float32)
        y = np.asarray(jax.random.randint(jax.random.key(1), (60_000,), 0, 10), np.int32)
        return x, y, f"synthetic ({type(err).__name__})"


BF16_FLAGS = ("amx_bf16", "avx512_bf16")  # either gives fast bfloat16 products
# #15's targets for ours_bf16 on a CPU with BF16_FLAGS: at most this many times its products'
# floor, at least these many times faster than our float32 epoch and than torch's autocast
BF16_TARGETS = {"vs_matmul_only": 1.15, "vs_f32": 1.8, "vs_torch_bf16": 1.2}


def cpu_flags() -> list[str]:
    """Which of amx_bf16, avx512_bf16, avx512f the CPU reports (Linux /proc/cpuinfo)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    have = {w for line in text.splitlines() if line.startswith("flags") for w in line.split()}
    return [f for f in (*BF16_FLAGS, "avx512f") if f in have]


def ours(x, y, precision: str = "f32"):
    """Yields seconds per epoch: exactly ``nn.fit``'s path with one chunk per epoch."""
    model = MODEL
    recipe = nn.TrainConfig(epochs=1000, batch_size=BATCH, optimizer="sgd", lr=LR,
                            schedule="constant", warmup_epochs=0.0, weight_decay=0.0,
                            precision=precision)  # fmt: skip
    trainer = nn.make_trainer(model, recipe, len(y))
    state = trainer.init(jax.random.key(0))
    x, y = jnp.asarray(x), jnp.asarray(y)
    while True:
        t0 = time.perf_counter()
        state, _ = trainer.run_epoch(state, x, y)
        jax.block_until_ready(state)
        yield time.perf_counter() - t0


def straight(x, y):
    """Yields seconds per epoch of JAX's own from-scratch MNIST example loop (our initialiser)."""
    params, _ = nn.init_mlp(key=jax.random.key(0), config=MODEL)
    params = [(d.w, d.b) for d in params.dense]

    def predict(params, inputs):
        activations = inputs
        for w, b in params[:-1]:
            activations = jnp.tanh(jnp.dot(activations, w) + b)
        w, b = params[-1]
        logits = jnp.dot(activations, w) + b
        return logits - jax.scipy.special.logsumexp(logits, axis=1, keepdims=True)

    def loss(params, batch):
        inputs, targets = batch
        return -jnp.mean(jnp.sum(predict(params, inputs) * targets, axis=1))

    @jax.jit
    def update(params, batch):
        grads = jax.grad(loss)(params, batch)
        return [(w - LR * dw, b - LR * db) for (w, b), (dw, db) in zip(params, grads, strict=True)]

    onehot = np.eye(10, dtype=np.float32)[y]
    steps = len(y) // BATCH
    epoch = 0
    while True:
        epoch += 1
        perm = np.asarray(jax.random.permutation(jax.random.key(epoch), len(y)))
        t0 = time.perf_counter()
        for i in range(steps):
            idx = perm[i * BATCH : (i + 1) * BATCH]
            params = update(params, (x[idx], onehot[idx]))
        jax.block_until_ready(params)
        yield time.perf_counter() - t0


def torch_loop(x, y, bf16: bool = False):
    """Yields seconds per epoch of the same loop in PyTorch (under bfloat16 autocast with
    ``bf16``); None without torch."""
    try:
        import torch
    except ImportError:
        return None
    return _torch_epochs(torch, x, y, bf16)


def _torch_epochs(torch, x, y, bf16: bool):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    layers = []
    for a, b in zip(SIZES[:-1], SIZES[1:], strict=True):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    xt, yt = torch.from_numpy(np.array(x)), torch.from_numpy(y.astype(np.int64))
    steps, epoch = len(y) // BATCH, 0
    while True:
        epoch += 1
        perm = torch.from_numpy(np.array(jax.random.permutation(jax.random.key(epoch), len(y))))
        t0 = time.perf_counter()
        for i in range(steps):
            idx = perm[i * BATCH : (i + 1) * BATCH]
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        yield time.perf_counter() - t0


def flop_bound(n: int) -> tuple[float, float]:
    """(seconds per epoch at the measured matmul rate, GFLOP/s) for forward + backward."""
    weights = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))
    flop = 6.0 * weights * (n // BATCH) * BATCH  # 2 forward + 4 backward per weight per example
    a = jnp.ones((BATCH, 1024), jnp.float32)
    b = jnp.ones((1024, 1024), jnp.float32)
    mm = jax.jit(lambda a, b: jnp.tanh(a @ b))
    best = best_seconds_per_call(lambda: mm(a, b), calls=200)
    rate = 2.0 * BATCH * 1024 * 1024 / best
    return flop / rate, rate / 1e9


def _products() -> list[tuple[int, int, int]]:
    """(m, k, n) of every matrix product in one training step."""
    out = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        out += [(BATCH, a, b), (a, BATCH, b)]  # forward x W; weight gradient x^T dz
        if i:
            out.append((BATCH, b, a))  # input gradient dz W^T (never for the first layer)
    return out


def bf16_matmul_only(n: int) -> float:
    """Seconds per epoch of the step's products with bfloat16 operands, float32 results."""
    mm = jax.jit(lambda a, b: jnp.matmul(a, b, preferred_element_type=jnp.float32))
    total = 0.0
    for m, k, p in _products():
        a, b = jnp.ones((m, k), jnp.bfloat16), jnp.ones((k, p), jnp.bfloat16)
        total += best_seconds_per_call(lambda a=a, b=b: mm(a, b).block_until_ready())
    return total * (n // BATCH)


def _paired(slow, fast) -> float | None:
    """Median over the paired turns of slow / fast (None when a side is missing)."""
    ratios = [s / f for s, f in zip(slow or [], fast or [], strict=False)]
    return statistics.median(ratios) if ratios else None


def bf16_targets(result: dict, flags: list[str]) -> dict | None:
    """#15's three targets as {name: {value, target, met}}; None on a CPU without fast bf16."""
    if not set(BF16_FLAGS) & set(flags):
        return None
    floor = result["ours_bf16_s_per_epoch"] / result["bf16_matmul_only_s_per_epoch"]
    faster = {"vs_f32": result["bf16_speedup_vs_f32"],
              "vs_torch_bf16": result["bf16_speedup_vs_torch_bf16"]}  # fmt: skip
    out = {"vs_matmul_only": {"value": floor, "target": BF16_TARGETS["vs_matmul_only"],
                              "met": floor <= BF16_TARGETS["vs_matmul_only"]}}  # fmt: skip
    for name, value in faster.items():
        met = None if value is None else value >= BF16_TARGETS[name]
        out[name] = {"value": value, "target": BF16_TARGETS[name], "met": met}
    return out


def matmul_only(n: int) -> tuple[float, float | None]:
    """(XLA, torch or None) seconds per epoch of the step's matrix products alone."""
    steps, xla, tch = n // BATCH, 0.0, 0.0
    try:
        import torch

        torch.set_num_threads(2)
    except ImportError:
        torch = None
    mm = jax.jit(jnp.matmul)
    for m, k, p in _products():
        a, b = jnp.ones((m, k), jnp.float32), jnp.ones((k, p), jnp.float32)
        xla += best_seconds_per_call(lambda a=a, b=b: mm(a, b).block_until_ready())
        if torch is not None:
            ta, tb = torch.ones(m, k), torch.ones(k, p)
            tch += best_seconds_per_call(lambda ta=ta, tb=tb: torch.mm(ta, tb))
    return xla * steps, (tch * steps if torch is not None else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per side")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--images", type=int, default=0, help="the first N images (0 = all)")
    args = parser.parse_args()
    load_before = [round(a, 2) for a in os.getloadavg()]
    x, y, source = load_images()
    if args.images:  # a quick look on a busy machine; the reference figures use all
        x, y, source = x[: args.images], y[: args.images], f"{source}, first {args.images}"
    sides = {
        "ours": ours(x, y),
        "straight": straight(x, y),
        "torch": torch_loop(x, y),
        "ours_bf16": ours(x, y, "bf16"),
        "torch_bf16": torch_loop(x, y, bf16=True),
    }
    sides = {k: v for k, v in sides.items() if v is not None}
    times = {k: [] for k in sides}
    for epochs in sides.values():  # warm-up epoch: compilation
        next(epochs)
    for _ in range(args.epochs):  # interleaved, so every side sees the same machine load
        for k, epochs in sides.items():
            times[k].append(next(epochs))
    t_ours, t_straight, t_torch = times["ours"], times["straight"], times.get("torch")
    bound, gflops = flop_bound(len(y))
    mm_xla, mm_torch = matmul_only(len(y))
    mm_bf16, flags = bf16_matmul_only(len(y)), cpu_flags()
    t_bf16, t_torch_bf16 = times["ours_bf16"], times.get("torch_bf16")
    ratios = [b / a for a, b in zip(t_ours, t_straight, strict=True)]
    torch_ratios = [b / a for a, b in zip(t_ours, t_torch or [], strict=False)]
    result = {
        "ours_s_per_epoch": statistics.median(t_ours),
        "straight_jax_s_per_epoch": statistics.median(t_straight),
        "torch_s_per_epoch": statistics.median(t_torch) if t_torch else None,
        "flop_bound_s_per_epoch": bound,
        "matmul_gflops": gflops,
        "speedup_vs_straight_jax": statistics.median(ratios),  # median of paired epochs
        "speedup_vs_torch": statistics.median(torch_ratios) if torch_ratios else None,
        "matmul_only_s_per_epoch": mm_xla,
        "torch_matmul_only_s_per_epoch": mm_torch,
        "ours_bf16_s_per_epoch": statistics.median(t_bf16),
        "bf16_matmul_only_s_per_epoch": mm_bf16,
        # the floor is a best-of-rounds figure: its like-for-like is our fastest timed epoch
        "ours_bf16_best_s_per_epoch": min(t_bf16),
        "bf16_best_vs_matmul_only": min(t_bf16) / mm_bf16,
        "torch_bf16_s_per_epoch": statistics.median(t_torch_bf16) if t_torch_bf16 else None,
        "bf16_speedup_vs_f32": _paired(t_ours, t_bf16),
        "bf16_speedup_vs_torch_bf16": _paired(t_torch_bf16, t_bf16),
        "cpu_flags": flags,
        "data": source,
        "epochs_timed": args.epochs,
        "machine": f"{platform.machine()}, {jax.device_count()} device(s), jax {jax.__version__}",
        # uptime's 1, 5 and 15 minute load averages when the run started and when it ended
        "load_average": {"start": load_before, "end": [round(a, 2) for a in os.getloadavg()]},
    }
    result["bf16_targets"] = bf16_targets(result, flags)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for k, v in result.items():
        print(f"{k:>30}: {v:.3f}" if isinstance(v, float) else f"{k:>30}: {v}")
    if result["bf16_targets"] is None:
        print("    this CPU reports neither amx_bf16 nor avx512_bf16: bfloat16 has no fast")
        print("    arithmetic here, so the bf16 figures are shown but no speed target applies")
    print("    per-epoch seconds: ours", [round(t, 3) for t in t_ours])
    print("                       straight", [round(t, 3) for t in t_straight])
    if t_torch:
        print("                       torch", [round(t, 3) for t in t_torch])
    print("                       ours_bf16", [round(t, 3) for t in t_bf16])
    if t_torch_bf16:
        print("                       torch_bf16", [round(t, 3) for t in t_torch_bf16])


if __name__ == "__main__":
    main()
