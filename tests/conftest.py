"""Shared fixtures: fixed keys, a float64 context, and a CLI runner."""

import jax
import pytest

from jaxscratch.cli import main


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
