"""Weight initialisers from an explicit key: He and Glorot, uniform and (Box-Muller) normal.

Contract: ``init(key, shape, dtype) -> Array`` with ``shape = (fan_in, fan_out)``; every draw comes
from ``jax.random.uniform`` or ``jaxscratch.gaussian.standard_normal`` (never a library normal).
"""

import math

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch._shared import lookup
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import standard_normal


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) != 2 or min(shape) < 1:
        raise JaxscratchError(f"weight shape {shape} must be (fan_in, fan_out) with both >= 1")
    return int(shape[0]), int(shape[1])


def _uniform(key: Array, shape, dtype, limit: float) -> Array:
    return jax.random.uniform(key, shape, dtype, minval=-limit, maxval=limit)


def he_uniform(key: Array, shape: tuple[int, int], dtype=jnp.float32) -> Array:
    """He et al. (2015): U(-a, a), a = sqrt(6 / fan_in), so Var = 2 / fan_in (for ReLU)."""
    fan_in, _ = _fans(shape)
    return _uniform(key, shape, dtype, math.sqrt(6.0 / fan_in))


def glorot_uniform(key: Array, shape: tuple[int, int], dtype=jnp.float32) -> Array:
    """Glorot & Bengio (2010): U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (for tanh)."""
    fan_in, fan_out = _fans(shape)
    return _uniform(key, shape, dtype, math.sqrt(6.0 / (fan_in + fan_out)))


def he_normal(key: Array, shape: tuple[int, int], dtype=jnp.float32) -> Array:
    """He et al. (2015): N(0, 2 / fan_in), normals from uniforms by Box-Muller."""
    fan_in, _ = _fans(shape)
    return math.sqrt(2.0 / fan_in) * standard_normal(key, shape, dtype)


def glorot_normal(key: Array, shape: tuple[int, int], dtype=jnp.float32) -> Array:
    """Glorot & Bengio (2010): N(0, 2 / (fan_in + fan_out)), normals by Box-Muller."""
    fan_in, fan_out = _fans(shape)
    return math.sqrt(2.0 / (fan_in + fan_out)) * standard_normal(key, shape, dtype)


INITIALISERS = {
    "he-uniform": he_uniform,
    "glorot-uniform": glorot_uniform,
    "he-normal": he_normal,
    "glorot-normal": glorot_normal,
}


def get(name: str):
    """The initialiser called ``name``; raises naming the choices."""
    return lookup(INITIALISERS, name, "initialiser")
