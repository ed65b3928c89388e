"""Uniforms from bits: open interval, moments, determinism, dtype errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import uniform_open

N = 1_000_000


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_open_interval_and_moments(key, x64, dtype):
    u = np.asarray(uniform_open(key, (N,), dtype), dtype=np.float64)
    assert u.dtype == np.float64 and u.min() > 0.0 and u.max() < 1.0
    # mean 1/2 and variance 1/12: compare within 5 standard errors of each estimate
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / N)
    var_se = np.sqrt((1 / 80 - 1 / 144) / N)  # Var((u - 1/2)^2) = 1/80 - 1/144
    assert abs(u.var() - 1 / 12) < 5 * var_se


def test_extreme_bits_stay_inside(key):
    # the grid's end points: the smallest and largest values the construction can give
    lo = (0 + 0.5) * 2.0**-23
    hi = (2**23 - 1 + 0.5) * 2.0**-23
    assert np.float32(lo) > 0 and np.float32(hi) < 1


def test_same_key_same_draws_different_key_different(key):
    a = uniform_open(key, (64,))
    assert jnp.array_equal(a, uniform_open(key, (64,)))
    assert not jnp.array_equal(a, uniform_open(jax.random.fold_in(key, 1), (64,)))


def test_float64_without_x64_is_a_clear_error(key):
    with jax.enable_x64(False), pytest.raises(JaxscratchError, match="float64 needs 64-bit"):
        uniform_open(key, (3,), jnp.float64)


def test_unsupported_dtype_is_a_clear_error(key):
    with pytest.raises(JaxscratchError, match="float16 is not supported"):
        uniform_open(key, (3,), jnp.float16)
