"""The CLI's shared helpers: one key implementation, and 64-bit JAX only inside a command."""

import ast
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.cli._common import make_key, precision
from jaxscratch.errors import JaxscratchError

SRC = Path(__file__).resolve().parents[2] / "src" / "jaxscratch"


def test_keys_are_threefry_and_a_seed_names_one_key():
    assert str(jax.random.key_impl(make_key(0))) == str(jax.random.key_impl(jax.random.key(0)))
    assert "threefry" in str(jax.random.key_impl(make_key(0)))
    data = lambda seed: np.asarray(jax.random.key_data(make_key(seed)))  # noqa: E731
    np.testing.assert_array_equal(data(7), data(7))
    assert not np.array_equal(data(7), data(8))


def test_float64_is_switched_on_only_inside_the_context():
    assert not jax.config.jax_enable_x64
    dtype, context = precision("float64")
    with context:
        assert jax.config.jax_enable_x64 and jnp.ones(2, dtype).dtype == jnp.float64
    assert not jax.config.jax_enable_x64
    dtype, context = precision("float32")
    with context:
        assert not jax.config.jax_enable_x64 and dtype == jnp.float32


def test_unknown_dtype_names_the_choices():
    with pytest.raises(JaxscratchError, match="unknown dtype 'float16'; choose one of float32, "):
        precision("float16")


def test_no_module_flips_a_jax_switch_for_the_whole_process():
    """``jax.config.update`` would leak into everything after it: use ``jax.enable_x64``."""
    calls = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "update":
                target = node.value
                if isinstance(target, ast.Attribute) and target.attr == "config":
                    calls.append(f"{path.relative_to(SRC)}:{node.lineno}")
    # the one exception: a multi-process run IS the whole process, and JAX reads the CPU
    # collectives choice once, when ``jax.distributed`` brings the backend up
    assert [c for c in calls if not c.startswith("cli/_cluster.py:")] == []
