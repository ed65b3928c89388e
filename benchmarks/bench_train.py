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

Each side warms up (compiles) first; then the sides take turns, one epoch each, so that all see
the same load; we report medians of the timed epochs and of the paired ratios.

    python benchmarks/bench_train.py [--epochs 3] [--json]
"""

import argparse
import json
import platform
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch import nn

SIZES = (784, 1024, 1024, 10)
BATCH, LR = 128, 1e-3


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


def ours(x, y):
    """Yields seconds per epoch: exactly ``nn.fit``'s path with one chunk per epoch."""
    model = nn.MLPConfig(SIZES, "tanh")
    recipe = nn.TrainConfig(epochs=1000, batch_size=BATCH, optimizer="sgd", lr=LR)
    trainer = nn.make_trainer(model, recipe, len(y))
    state = trainer.init(jax.random.key(0))
    x, y = jnp.asarray(x), jnp.asarray(y)
    while True:
        t0 = time.perf_counter()
        perm = trainer.permutation(state, len(y))
        state, _ = trainer.run_steps(state, x, y, perm)
        state = state._replace(epoch=state.epoch + 1)
        jax.block_until_ready(state)
        yield time.perf_counter() - t0


def straight(x, y):
    """Yields seconds per epoch of JAX's own from-scratch MNIST example loop (our initialiser)."""
    params, _ = nn.init_mlp(key=jax.random.key(0), config=nn.MLPConfig(SIZES, "tanh"))
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


def torch_loop(x, y):
    """Yields seconds per epoch of the same loop in PyTorch; None without torch."""
    try:
        import torch
    except ImportError:
        return None
    return _torch_epochs(torch, x, y)


def _torch_epochs(torch, x, y):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    layers = []
    for a, b in zip(SIZES[:-1], SIZES[1:], strict=True):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    steps, epoch = len(y) // BATCH, 0
    while True:
        epoch += 1
        perm = torch.from_numpy(np.asarray(jax.random.permutation(jax.random.key(epoch), len(y))))
        t0 = time.perf_counter()
        for i in range(steps):
            idx = perm[i * BATCH : (i + 1) * BATCH]
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx]).backward()
            opt.step()
        yield time.perf_counter() - t0


def flop_bound(n: int) -> tuple[float, float]:
    """(seconds per epoch at the measured matmul rate, GFLOP/s) for forward + backward."""
    weights = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))
    flop = 6.0 * weights * (n // BATCH) * BATCH  # 2 forward + 4 backward per weight per example
    a = jnp.ones((BATCH, 1024), jnp.float32)
    b = jnp.ones((1024, 1024), jnp.float32)
    mm = jax.jit(lambda a, b: jnp.tanh(a @ b))
    mm(a, b).block_until_ready()
    reps, best = 200, float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            out = mm(a, b)
        out.block_until_ready()
        best = min(best, (time.perf_counter() - t0) / reps)
    rate = 2.0 * BATCH * 1024 * 1024 / best
    return flop / rate, rate / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per side")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    x, y, source = load_images()
    sides = {"ours": ours(x, y), "straight": straight(x, y), "torch": torch_loop(x, y)}
    sides = {k: v for k, v in sides.items() if v is not None}
    times = {k: [] for k in sides}
    for epochs in sides.values():  # warm-up epoch: compilation
        next(epochs)
    for _ in range(args.epochs):  # interleaved, so every side sees the same machine load
        for k, epochs in sides.items():
            times[k].append(next(epochs))
    t_ours, t_straight, t_torch = times["ours"], times["straight"], times.get("torch")
    bound, gflops = flop_bound(len(y))
    ratios = [b / a for a, b in zip(t_ours, t_straight, strict=True)]
    result = {
        "ours_s_per_epoch": statistics.median(t_ours),
        "straight_jax_s_per_epoch": statistics.median(t_straight),
        "torch_s_per_epoch": statistics.median(t_torch) if t_torch else None,
        "flop_bound_s_per_epoch": bound,
        "matmul_gflops": gflops,
        "speedup_vs_straight_jax": statistics.median(ratios),  # median of paired epochs
        "data": source,
        "epochs_timed": args.epochs,
        "machine": f"{platform.machine()}, {jax.device_count()} device(s), jax {jax.__version__}",
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for k, v in result.items():
        print(f"{k:>26}: {v:.3f}" if isinstance(v, float) else f"{k:>26}: {v}")
    print("per-epoch seconds: ours", [round(t, 3) for t in t_ours])
    print("                   straight", [round(t, 3) for t in t_straight])


if __name__ == "__main__":
    main()
