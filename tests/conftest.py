"""Shared fixtures: fixed keys, a float64 context, and a CLI runner.

XLA's persistent compilation cache is switched on for the whole run (both xdist workers and
every subprocess a test starts inherit it through the environment): many tests build the same
small network or sampler and would otherwise compile identical programs again and again. It
changes no result, only how often XLA compiles; ``JAX_COMPILATION_CACHE_DIR`` overrides where.
"""

import hashlib
import importlib.util
import os
import platform
from pathlib import Path


def _cpu_identity() -> str:
    """A short hash of the CPU's model and feature flags: XLA compiles for the host CPU, so a
    checkout that moves to another kind of machine must never reuse the old programs."""
    try:
        info = Path("/proc/cpuinfo").read_text()
        lines = [ln for ln in info.splitlines() if ln.startswith(("model name", "flags"))][:2]
    except OSError:
        lines = [platform.machine(), platform.processor()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


os.environ.setdefault(
    "JAX_COMPILATION_CACHE_DIR",
    str(Path(__file__).parents[1] / ".pytest_cache" / "xla" / _cpu_identity()),
)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.1")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
# a size bound turns on JAX's file lock, so two workers never read a half-written entry; JAX
# needs the filelock package for it (a dev dependency) and warns on every read without it
if importlib.util.find_spec("filelock") is not None:
    os.environ.setdefault("JAX_COMPILATION_CACHE_MAX_SIZE", str(4 * 2**30))

import jax  # noqa: E402  (the cache settings above must be in the environment first)
import pytest  # noqa: E402

from jaxscratch.cli import main  # noqa: E402


@pytest.fixture
def key():
    return jax.random.key(20261125)


@pytest.fixture
def x64():
    with jax.enable_x64(True):
        yield


@pytest.fixture
def cli(capsys):
    """Run ``jaxscratch ARGS``; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
