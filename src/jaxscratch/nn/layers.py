"""Layers as pure functions over NamedTuple parameters: dense, activations, batch norm, dropout.

Contract: parameters are pytrees built by ``init_*``; ``apply``-style functions take parameters
first, are jit/vmap friendly and never mutate. Batch norm returns its updated running statistics.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch._shared import lookup
from jaxscratch.nn import precision

_SQRT_2_OVER_PI = 0.7978845608028654
BN_EPS = 1e-5  # added to the variance before the square root, in training and when folded


class Dense(NamedTuple):
    w: Array  # (fan_in, fan_out)
    b: Array  # (fan_out,)


class BatchNorm(NamedTuple):
    """Learned scale and shift."""

    gamma: Array  # (d,)
    beta: Array  # (d,)


class BatchStats(NamedTuple):
    """Running averages used at evaluation time (state, not trained)."""

    mean: Array  # (d,)
    var: Array  # (d,)


def init_dense(key: Array, fan_in: int, fan_out: int, init, dtype=jnp.float32) -> Dense:
    return Dense(init(key, (fan_in, fan_out), dtype), jnp.zeros((fan_out,), dtype))


def dense(p: Dense, x: Array, policy: precision.Policy = precision.F32) -> Array:
    """x W + b for x (n, fan_in) -> (n, fan_out); the product in ``policy``'s precision, the
    result and the bias float32 (``nn.precision``)."""
    return precision.dot(x, p.w, policy) + p.b


def relu(x: Array) -> Array:
    return jnp.maximum(x, 0)


def gelu(x: Array) -> Array:
    """Hendrycks & Gimpel (2016), tanh approximation."""
    return 0.5 * x * (1.0 + jnp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))


def tanh(x: Array) -> Array:
    return jnp.tanh(x)


ACTIVATIONS = {"relu": relu, "gelu": gelu, "tanh": tanh}


def activation(name: str):
    """The activation called ``name``; raises naming the choices."""
    return lookup(ACTIVATIONS, name, "activation")


def init_batch_norm(d: int, dtype=jnp.float32) -> tuple[BatchNorm, BatchStats]:
    ones, zeros = jnp.ones((d,), dtype), jnp.zeros((d,), dtype)
    return BatchNorm(ones, zeros), BatchStats(zeros, ones)


def batch_norm(
    p: BatchNorm,
    stats: BatchStats,
    x: Array,
    *,
    train: bool,
    momentum: float = 0.1,
    eps: float = BN_EPS,
) -> tuple[Array, BatchStats]:
    """Ioffe & Szegedy (2015): normalise with batch statistics in training, running ones in eval.

    Running averages follow r <- (1 - momentum) r + momentum * batch, with the unbiased batch
    variance (n / (n - 1)), as PyTorch does.

    Args:
        x: (n, d) pre-activations.
    Returns:
        (y (n, d), updated stats; unchanged when ``train`` is False).
    """
    if not train:
        return p.gamma * (x - stats.mean) * jax.lax.rsqrt(stats.var + eps) + p.beta, stats
    n = x.shape[0]
    mean = jnp.mean(x, axis=0)  # (d,)
    var = jnp.mean(jnp.square(x - mean), axis=0)  # (d,) biased, used to normalise
    y = p.gamma * (x - mean) * jax.lax.rsqrt(var + eps) + p.beta
    unbiased = var * (n / max(n - 1, 1))
    new = BatchStats(
        (1 - momentum) * stats.mean + momentum * jax.lax.stop_gradient(mean),
        (1 - momentum) * stats.var + momentum * jax.lax.stop_gradient(unbiased),
    )
    return y, new


def dropout(key: Array, x: Array, rate: float, *, train: bool) -> Array:
    """Inverted dropout (Srivastava et al. 2014): zero with prob ``rate``, scale by 1/(1-rate).

    The expectation over the mask equals ``x``; at evaluation time it is the identity.
    """
    if not train or rate == 0.0:
        return x
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0).astype(x.dtype)
