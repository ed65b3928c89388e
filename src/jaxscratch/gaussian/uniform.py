"""Uniform variates on the open interval (0, 1), built from raw random bits.

Contract: ``uniform_open(key, shape, dtype)`` never returns 0 or 1, so ``log(u)`` and
``log(1 - u)`` are always finite. Only ``jax.random.bits`` supplies randomness.
"""

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError

# dtype -> (unsigned word, bits kept, shift that drops the rest). Keeping one bit fewer than the
# significand holds makes (k + 1/2) exact, so the largest value is 1 - 2**-(bits+1), never 1.
_LAYOUT = {
    jnp.dtype(jnp.float32): (jnp.uint32, 23, 32 - 23),
    jnp.dtype(jnp.float64): (jnp.uint64, 52, 64 - 52),
}


def check_float_dtype(dtype) -> jnp.dtype:
    dtype = jnp.dtype(dtype)
    if dtype not in _LAYOUT:
        raise JaxscratchError(f"dtype {dtype} is not supported; use float32 or float64")
    if dtype == jnp.float64 and not jax.config.jax_enable_x64:
        raise JaxscratchError(
            "float64 needs 64-bit JAX; wrap the call in `with jax.enable_x64(True):` "
            "or set JAX_ENABLE_X64=1"
        )
    return dtype


def uniform_open(key: Array, shape: tuple[int, ...] = (), dtype=jnp.float32) -> Array:
    """Draw U(0, 1) variates that are never exactly 0 or 1.

    u = (k + 1/2) 2^-m with k the top m random bits of a word (m = 23 for float32, 52 for
    float64), so u lies on a grid of midpoints of [0, 1).

    Args:
        key: PRNG key (any implementation; ``impl='rbg'`` keys are fastest on CPU).
        shape: output shape.
        dtype: float32 or float64.

    Returns:
        Array of ``shape`` and ``dtype`` with 0 < u < 1.
    """
    dtype = check_float_dtype(dtype)
    word, mbits, shift = _LAYOUT[dtype]
    bits = jax.random.bits(key, shape, word)
    k = (bits >> shift).astype(dtype)
    return (k + 0.5) * jnp.asarray(2.0**-mbits, dtype)
