"""Optimizers written here as ``Optimizer(init, update)`` closures over pytrees.

Contract (the shape of JAX's example_libraries and optax): ``state = opt.init(params)``;
``updates, state = opt.update(grads, state, params)``; ``params = apply_updates(params, updates)``.
Updates already carry the sign and the learning rate. ``chain`` composes transformations left to
right, e.g. ``chain(clip_by_global_norm(1.0), adamw(3e-3, weight_decay=1e-4))``.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.nn.schedules import Schedule, as_schedule

PyTree = Any


class Optimizer(NamedTuple):
    init: Callable[[PyTree], PyTree]
    update: Callable[..., tuple[PyTree, PyTree]]  # (grads, state, params=None) -> (updates, state)


class EmptyState(NamedTuple):
    pass


class SGDState(NamedTuple):
    count: Array  # () int32, steps taken
    velocity: PyTree  # like params; () for plain SGD


class AdamState(NamedTuple):
    count: Array  # () int32
    mu: PyTree  # first-moment estimate
    nu: PyTree  # second-moment estimate


def apply_updates(params: PyTree, updates: PyTree) -> PyTree:
    """params + updates, leaf by leaf (dtypes kept)."""
    return jax.tree.map(lambda p, u: (p + u).astype(p.dtype), params, updates)


def global_norm(tree: PyTree) -> Array:
    """sqrt(sum of squares of every leaf)."""
    return jnp.sqrt(sum(jnp.sum(jnp.square(x)) for x in jax.tree.leaves(tree)))


def _zeros(params):
    return jax.tree.map(jnp.zeros_like, params)


def _check_unit(value: float, name: str) -> float:
    if not 0.0 <= value < 1.0:
        raise JaxscratchError(f"{name} must be in [0, 1), got {value}")
    return float(value)


def sgd(
    learning_rate: float | Schedule, momentum: float = 0.0, nesterov: bool = False
) -> Optimizer:
    """Stochastic gradient descent with optional heavy-ball or Nesterov momentum.

    Sutskever et al. (2013), in the form PyTorch uses:
    v <- mu v + g;  plain: u = -lr g;  momentum: u = -lr v;  Nesterov: u = -lr (g + mu v).
    """
    lr = as_schedule(learning_rate)
    mu = _check_unit(momentum, "momentum")
    if nesterov and mu == 0.0:
        raise JaxscratchError("Nesterov needs momentum > 0; pass e.g. momentum=0.9")

    def init(params):
        return SGDState(jnp.zeros((), jnp.int32), _zeros(params) if mu else ())

    def update(grads, state, params=None):
        step = lr(state.count)
        if not mu:
            return jax.tree.map(lambda g: -step * g, grads), SGDState(state.count + 1, ())
        v = jax.tree.map(lambda v, g: mu * v + g, state.velocity, grads)
        direction = jax.tree.map(lambda v, g: g + mu * v, v, grads) if nesterov else v
        return jax.tree.map(lambda d: -step * d, direction), SGDState(state.count + 1, v)

    return Optimizer(init, update)


def momentum(learning_rate: float | Schedule, beta: float = 0.9) -> Optimizer:
    """Heavy-ball momentum (Polyak 1964): ``sgd(lr, momentum=beta)``."""
    return sgd(learning_rate, momentum=beta)


def nesterov(learning_rate: float | Schedule, beta: float = 0.9) -> Optimizer:
    """Nesterov's accelerated gradient (Sutskever et al. 2013): ``sgd(lr, beta, True)``."""
    return sgd(learning_rate, momentum=beta, nesterov=True)


def _default_decay_mask(params):
    """Decay weight matrices only (ndim >= 2), not biases or batch-norm scales."""
    return jax.tree.map(lambda p: p.ndim >= 2, params)


def adamw(
    learning_rate: float | Schedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 1e-4,
    mask: Callable[[PyTree], PyTree] | None = _default_decay_mask,
) -> Optimizer:
    """Adam (Kingma & Ba 2015, Alg. 1) with decoupled weight decay (Loshchilov & Hutter 2019).

    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  m^ = m / (1 - b1^t);  v^ = v / (1 - b2^t);
    u = -lr (m^ / (sqrt(v^) + eps) + wd * p)   (the decay only on leaves selected by ``mask``).
    """
    lr = as_schedule(learning_rate)
    b1, b2 = _check_unit(b1, "b1"), _check_unit(b2, "b2")
    if weight_decay < 0:
        raise JaxscratchError(f"weight decay must be >= 0, got {weight_decay}")

    def init(params):
        return AdamState(jnp.zeros((), jnp.int32), _zeros(params), _zeros(params))

    def update(grads, state, params=None):
        t = state.count + 1
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state.mu, grads)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * jnp.square(g), state.nu, grads)
        c1 = 1 - jnp.power(jnp.float32(b1), t)
        c2 = 1 - jnp.power(jnp.float32(b2), t)
        direction = jax.tree.map(lambda m, v: (m / c1) / (jnp.sqrt(v / c2) + eps), m, v)
        if weight_decay:
            if params is None:
                raise JaxscratchError(
                    "AdamW's weight decay needs the parameters: update(g, s, params)"
                )
            selected = mask(params) if mask else jax.tree.map(lambda p: True, params)
            direction = jax.tree.map(
                lambda d, p, on: d + weight_decay * p if on else d, direction, params, selected
            )
        step = lr(state.count)
        return jax.tree.map(lambda d: -step * d, direction), AdamState(t, m, v)

    return Optimizer(init, update)


def adam(
    learning_rate: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> Optimizer:
    """Adam (Kingma & Ba 2015): ``adamw`` without weight decay."""
    return adamw(learning_rate, b1, b2, eps, weight_decay=0.0)


def clip_by_global_norm(max_norm: float) -> Optimizer:
    """Rescale g by min(1, max_norm / ||g||) (Pascanu et al. 2013). Put it first in a chain."""
    if not max_norm > 0:
        raise JaxscratchError(f"clipping norm must be > 0, got {max_norm}")

    def update(grads, state, params=None):
        norm = global_norm(grads)
        factor = jnp.minimum(1.0, max_norm / jnp.maximum(norm, 1e-30))
        return jax.tree.map(lambda g: (g * factor).astype(g.dtype), grads), state

    return Optimizer(lambda params: EmptyState(), update)


def chain(*optimizers: Optimizer) -> Optimizer:
    """Apply transformations in order, each one's output feeding the next."""

    def init(params):
        return tuple(opt.init(params) for opt in optimizers)

    def update(grads, state, params=None):
        new_state = []
        for opt, s in zip(optimizers, state, strict=True):
            grads, s = opt.update(grads, s, params)
            new_state.append(s)
        return grads, tuple(new_state)

    return Optimizer(init, update)


OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw")


def make(
    name: str, learning_rate: float | Schedule, *, weight_decay: float = 0.0, beta: float = 0.9
):
    """An optimizer by name (``OPTIMIZERS``); ``weight_decay`` is used only by AdamW."""
    if name == "sgd":
        return sgd(learning_rate)
    if name == "momentum":
        return momentum(learning_rate, beta)
    if name == "nesterov":
        return nesterov(learning_rate, beta)
    if name == "adam":
        return adam(learning_rate)
    if name == "adamw":
        return adamw(learning_rate, weight_decay=weight_decay)
    raise JaxscratchError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
