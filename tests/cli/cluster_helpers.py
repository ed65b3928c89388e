"""Start jaxscratch processes on 127.0.0.1 for the multi-process tests, and stop them."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from jaxscratch.data import registry
from jaxscratch.data.idx import write_idx

SRC = Path(__file__).resolve().parents[2] / "src"
HARD_TIMEOUT = 500  # seconds (under pytest-timeout's 600): a hung process is killed
_MAIN = "from jaxscratch.cli import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], *, devices: int = 1) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC), "JAX_PLATFORMS": "cpu"}
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    return subprocess.Popen(
        [sys.executable, "-c", _MAIN, *map(str, args)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def cluster_args(port: int, n: int, i: int) -> list[str]:
    return ["--coordinator", f"127.0.0.1:{port}", "--num-processes", n, "--process-id", i]


def start_all(args: list[str], n: int = 2) -> list[subprocess.Popen]:
    port = free_port()
    return [start([*args, *cluster_args(port, n, i)]) for i in range(n)]


def finish(procs: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of each; killed (SIGKILL: JAX catches SIGTERM) past the
    hard timeout."""
    results = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=HARD_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        results.append((p.returncode, out, err))
    return results


def leaves(run: Path) -> list[np.ndarray]:
    """The arrays of a run's checkpoint, in order."""
    with np.load(run / "checkpoint.npz") as z:
        return [z[k] for k in sorted(z.files) if k.startswith("leaf_")]


def synthetic_set(folder: Path, n_train: int = 600, n_test: int = 200) -> Path:
    """A learnable 8x8, 10-class set in the four IDX files of ``--data-dir``: each class a
    fixed random picture, each image its picture plus noise (``--split official`` keeps the
    parts). It loads without scikit-learn, a few seconds cheaper per process than digits."""
    rng = np.random.default_rng(18)
    pictures = rng.uniform(0, 255, (10, 8, 8))
    parts = []
    for n in (n_train, n_test):
        y = np.arange(n) % 10
        x = np.clip(pictures[y] + rng.normal(0, 60, (n, 8, 8)), 0, 255)
        parts += [x.astype(np.uint8), y.astype(np.uint8)]
    for name, a in zip(registry.STANDARD_NAMES, parts, strict=True):
        write_idx(folder / name.removesuffix(".gz"), a)
    return folder


def kill_when(path: Path, victim: subprocess.Popen, others: list[subprocess.Popen]) -> float:
    """SIGKILL ``victim`` as soon as ``path`` exists (a file the run writes, never a sleep);
    returns the time it was killed. Fails if a process ends first or nothing comes in time."""
    deadline = time.monotonic() + HARD_TIMEOUT
    while not path.exists():
        ended = [p.returncode for p in (victim, *others) if p.poll() is not None]
        if ended or time.monotonic() > deadline:
            for p in (victim, *others):
                p.kill()
            said = [p.communicate()[1][-2000:] for p in (victim, *others)]
            raise AssertionError(f"{path} never appeared (exit codes {ended}): {said}")
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    return time.monotonic()
