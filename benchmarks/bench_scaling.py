"""Scaling over devices and processes: MVN samples/s and training steps/s, one script.

Configurations, each a fresh Python process (the device count is fixed when JAX starts):
1, 2 and 4 forced host CPU devices in one process
(``XLA_FLAGS=--xla_force_host_platform_device_count=N``), and 2 processes with one CPU device
each on 127.0.0.1 (``jax.distributed``, gloo collectives).

* mvn: ``gaussian.stream_moments`` of a d = 10 normal, the streamed path of ``mvn sample
  --devices N``; each device draws its own chunks of 2^18 rows. Samples per second.
* train: the data-parallel trainer (``nn.make_trainer(..., devices=N)``), 784-256-128-10 ReLU
  MLP, global batch 256, one epoch of 12,800 synthetic images per timed run. Steps per second.

Each worker warms up (compiles) first, then takes the best of ``--repeats`` timed runs. The
rival of every configuration is the one-device process: ``speedup`` is its rate over the
one-device rate and ``efficiency`` the speedup over the device count. On a machine with C
cores, more than C devices cannot gain: forced host devices share the same cores (and XLA's
CPU backend already spreads one device's work over the cores), so what the figures measure
there is the overhead of splitting and reducing, not parallel speed.

    python benchmarks/bench_scaling.py [--repeats 3] [--json]
"""

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
MVN_N, CHUNK, DIM = 4 * 1024 * 1024, 1 << 18, 10
TRAIN_N, BATCH, WIDTHS = 12_800, 256, (784, 256, 128, 10)


def _worker(kind: str, devices: int, repeats: int) -> dict:
    """One configuration, in this process: the best of ``repeats`` timed runs after a warm-up."""
    import jax

    from jaxscratch import gaussian, nn

    if kind == "mvn":
        k_mean, k_cov, k_draw = jax.random.split(jax.random.key(0), 3)
        dist = gaussian.from_cov(gaussian.random_mean(k_mean, DIM),
                                 gaussian.random_covariance(k_cov, DIM))  # fmt: skip
        where = gaussian.spread_devices(devices)

        def run() -> float:
            gaussian.stream_moments(k_draw, dist, MVN_N, chunk=CHUNK, devices=where)
            return MVN_N

    else:
        import numpy as np

        rng = np.random.default_rng(0)
        x = rng.random((TRAIN_N, 784), np.float32)
        y = rng.integers(0, 10, TRAIN_N).astype(np.int32)
        model = nn.MLPConfig(WIDTHS, "relu", batchnorm=False, dropout=0.0)
        recipe = nn.TrainConfig(optimizer="sgd", lr=0.01, batch_size=BATCH, epochs=100)
        trainer = nn.make_trainer(model, recipe, TRAIN_N, devices=devices)
        if trainer.processes == 1:
            x, y = jax.numpy.asarray(x), jax.numpy.asarray(y)
        state = trainer.init(jax.random.key(0))

        def run() -> float:
            nonlocal state
            state, _ = trainer.run_epoch(state, x, y)
            jax.block_until_ready(state)
            return trainer.steps_per_epoch

    run()  # warm-up: compiles
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        done = run()
        best = max(best, done / (time.perf_counter() - t0))
    return {"rate": best, "devices": devices, "processes": jax.process_count()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(kind: str, devices_per_process: int, processes: int, repeats: int) -> dict:
    flags = f"--xla_force_host_platform_device_count={devices_per_process}"
    env = {**os.environ, "PYTHONPATH": str(SRC), "JAX_PLATFORMS": "cpu", "XLA_FLAGS": flags}
    port = _free_port()
    procs = []
    for i in range(processes):
        args = [sys.executable, __file__, "--worker", kind, "--repeats", str(repeats),
                "--devices", str(devices_per_process * processes)]  # fmt: skip
        if processes > 1:
            args += ["--coordinator", f"127.0.0.1:{port}", "--num-processes", str(processes),
                     "--process-id", str(i)]  # fmt: skip
        procs.append(subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True))
    outs = []
    for p in procs:
        try:
            outs.append(p.communicate(timeout=900)[0])
        except subprocess.TimeoutExpired:
            p.kill()
            raise
        if p.returncode:
            raise RuntimeError(f"{kind} worker failed with exit code {p.returncode}")
    return json.loads(outs[0].strip().splitlines()[-1])


def _machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(),
            "load_1min": os.getloadavg()[0]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", choices=("mvn", "train"))
    parser.add_argument("--devices", type=int, default=1)
    parser.add_argument("--coordinator")
    parser.add_argument("--num-processes", type=int, default=1)
    parser.add_argument("--process-id", type=int, default=0)
    a = parser.parse_args()
    if a.worker:
        if a.coordinator:
            import jax

            jax.config.update("jax_cpu_collectives_implementation", "gloo")
            jax.distributed.initialize(a.coordinator, a.num_processes, a.process_id,
                                       initialization_timeout=120)  # fmt: skip
        print(json.dumps(_worker(a.worker, a.devices, a.repeats)))
        return
    configs = [(1, 1), (2, 1), (4, 1), (1, 2)]  # (devices per process, processes)
    rows = []
    load_before = os.getloadavg()[0]
    for kind in ("mvn", "train"):
        base = None
        for per, procs in configs:
            r = _spawn(kind, per, procs, a.repeats)
            base = base or r["rate"]
            devices = per * procs
            rows.append({"kind": kind, "devices": devices, "processes": procs,
                         "rate": r["rate"], "unit": "samples/s" if kind == "mvn" else "steps/s",
                         "speedup": r["rate"] / base,
                         "efficiency": r["rate"] / base / devices})  # fmt: skip
            if not a.json:
                print(f"{kind:5} {devices} device(s) in {procs} process(es): "
                      f"{r['rate']:.4g} {rows[-1]['unit']}  speedup {rows[-1]['speedup']:.2f}  "
                      f"efficiency {rows[-1]['efficiency']:.2f}", flush=True)  # fmt: skip
    result = {
        "machine": {**_machine(), "load_1min_before": load_before},
        "mvn": {"n": MVN_N, "chunk": CHUNK, "dim": DIM},
        "train": {"n": TRAIN_N, "batch": BATCH, "widths": list(WIDTHS)},
        "rows": rows,
    }
    if a.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
