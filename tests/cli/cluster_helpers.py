"""Start jaxscratch processes on 127.0.0.1 for the multi-process tests, and stop them."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

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
