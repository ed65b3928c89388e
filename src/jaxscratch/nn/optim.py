"""Optimizers as small gradient transformations that compose: ``Optimizer(init, update)`` pairs.

Contract (the shape of optax and JAX's example_libraries): ``state = opt.init(params)``;
``updates, state = opt.update(grads, state, params)``; ``params = apply_updates(params,
updates)``. Each transform keeps one small state NamedTuple and turns its input updates into
new ones; ``chain`` feeds them left to right. The aliases are chains of these transforms:

    sgd      = chain(scale_by_learning_rate(lr))
    momentum = chain(trace(beta), scale_by_learning_rate(lr))
    nesterov = chain(trace(beta, nesterov=True), scale_by_learning_rate(lr))
    adam     = chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(lr))
    adamw    = chain(scale_by_adam(b1, b2, eps), add_decayed_weights(wd),
                     scale_by_learning_rate(lr))

so an optimizer of one's own is a chain too: ``chain(clip_by_global_norm(1.0), adamw(3e-3))``.
The final updates carry the sign and the learning rate; ``OPTIMIZERS`` maps a name to its alias.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch._shared import lookup
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn.schedules import Schedule, as_schedule

PyTree = Any


class Optimizer(NamedTuple):
    init: Callable[[PyTree], PyTree]
    update: Callable[..., tuple[PyTree, PyTree]]  # (grads, state, params=None) -> (updates, state)


class EmptyState(NamedTuple):
    pass


class TraceState(NamedTuple):
    trace: PyTree  # like params: the velocity v


class AdamState(NamedTuple):
    count: Array  # () int32, steps taken
    mu: PyTree  # first-moment estimate, like params
    nu: PyTree  # second-moment estimate, like params


class ScheduleState(NamedTuple):
    count: Array  # () int32, steps taken: the schedule's argument


def apply_updates(params: PyTree, updates: PyTree) -> PyTree:
    """params + updates, leaf by leaf (dtypes kept)."""
    return jax.tree.map(lambda p, u: (p + u).astype(p.dtype), params, updates)


# -- tree helpers, written once ------------------------------------------------------------


def global_norm(tree: PyTree) -> Array:
    """sqrt(sum of squares of every leaf)."""
    return jnp.sqrt(sum(jnp.sum(jnp.square(x)) for x in jax.tree.leaves(tree)))


def update_moment(moments: PyTree, grads: PyTree, decay: float, order: int) -> PyTree:
    """Exponential moving average of g (``order`` 1) or g^2 (``order`` 2), leaf by leaf:
    m <- decay m + (1 - decay) g^order (Kingma & Ba 2015, Alg. 1)."""
    power = {1: lambda g: g, 2: jnp.square}[order]
    return jax.tree.map(lambda m, g: decay * m + (1 - decay) * power(g), moments, grads)


def bias_correction(moments: PyTree, decay: float, count: Array) -> PyTree:
    """m / (1 - decay^t) after t = ``count`` updates of an EMA started at zero, computed in
    each moment's own dtype."""
    return jax.tree.map(lambda m: m / (1 - jnp.power(jnp.asarray(decay, m.dtype), count)), moments)


def _zeros(params: PyTree) -> PyTree:
    return jax.tree.map(jnp.zeros_like, params)


def _count() -> Array:
    return jnp.zeros((), jnp.int32)


def _check_unit(value: float, name: str) -> float:
    if not 0.0 <= value < 1.0:
        raise JaxscratchError(f"{name} must be in [0, 1), got {value}")
    return float(value)


# -- transforms -----------------------------------------------------------------------------


def trace(decay: float, nesterov: bool = False) -> Optimizer:
    """Momentum in the form PyTorch uses (Sutskever et al. 2013): v <- decay v + g;
    the output is v (heavy ball, Polyak 1964) or g + decay v (Nesterov)."""
    mu = _check_unit(decay, "momentum")
    if nesterov and mu == 0.0:
        raise JaxscratchError("Nesterov needs momentum > 0; pass e.g. beta=0.9")

    def update(grads, state, params=None):
        v = jax.tree.map(lambda v, g: mu * v + g, state.trace, grads)
        out = jax.tree.map(lambda v, g: g + mu * v, v, grads) if nesterov else v
        return out, TraceState(v)

    return Optimizer(lambda params: TraceState(_zeros(params)), update)


def scale_by_adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """Adam's direction (Kingma & Ba 2015, Alg. 1): m^ / (sqrt(v^) + eps), where m and v are
    the EMAs of g and g^2 and ^ their bias corrections."""
    b1, b2 = _check_unit(b1, "b1"), _check_unit(b2, "b2")

    def init(params):
        return AdamState(_count(), _zeros(params), _zeros(params))

    def update(grads, state, params=None):
        t = state.count + 1
        m = update_moment(state.mu, grads, b1, 1)
        v = update_moment(state.nu, grads, b2, 2)
        m_hat, v_hat = bias_correction(m, b1, t), bias_correction(v, b2, t)
        out = jax.tree.map(lambda m, v: m / (jnp.sqrt(v) + eps), m_hat, v_hat)
        return out, AdamState(t, m, v)

    return Optimizer(init, update)


def matrices(params: PyTree) -> PyTree:
    """The default decay mask: weight matrices only (ndim >= 2), not biases or batch-norm."""
    return jax.tree.map(lambda p: p.ndim >= 2, params)


def add_decayed_weights(
    weight_decay: float, mask: Callable[[PyTree], PyTree] | None = matrices
) -> Optimizer:
    """u + wd * p on the leaves ``mask(params)`` selects (all of them for ``mask=None``).

    After Adam's scaling this is decoupled weight decay (Loshchilov & Hutter 2019); before any
    scaling it is the gradient of the L2 penalty wd/2 ||W||^2 (coupled decay).
    """
    if weight_decay < 0:
        raise JaxscratchError(f"weight decay must be >= 0, got {weight_decay}")

    def update(updates, state, params=None):
        if not weight_decay:
            return updates, state
        if params is None:
            raise JaxscratchError("weight decay needs the parameters: update(g, s, params)")
        selected = mask(params) if mask else jax.tree.map(lambda p: True, params)
        decayed = jax.tree.map(
            lambda u, p, on: u + weight_decay * p if on else u, updates, params, selected
        )
        return decayed, state

    return Optimizer(lambda params: EmptyState(), update)


def scale_by_schedule(schedule: Schedule) -> Optimizer:
    """u * schedule(t) at step t = 0, 1, ...; the state carries the step count."""

    def update(updates, state, params=None):
        factor = schedule(state.count)
        return jax.tree.map(lambda u: factor * u, updates), ScheduleState(state.count + 1)

    return Optimizer(lambda params: ScheduleState(_count()), update)


def scale_by_learning_rate(learning_rate: float | Schedule) -> Optimizer:
    """The descent step: u * -lr(t), for a fixed rate or a schedule of the step count."""
    lr = as_schedule(learning_rate)
    return scale_by_schedule(lambda count: -lr(count))


def clip_by_global_norm(max_norm: float) -> Optimizer:
    """Rescale g by min(1, max_norm / ||g||) (Pascanu et al. 2013). Put it first in a chain."""
    if not max_norm > 0:
        raise JaxscratchError(f"clipping norm must be > 0, got {max_norm}")

    def update(grads, state, params=None):
        norm = global_norm(grads)
        factor = jnp.minimum(1.0, max_norm / jnp.maximum(norm, 1e-30))
        return jax.tree.map(lambda g: (g * factor).astype(g.dtype), grads), state

    return Optimizer(lambda params: EmptyState(), update)


def chain(*transforms: Optimizer) -> Optimizer:
    """Apply transforms in order, each one's output updates feeding the next."""

    def init(params):
        return tuple(t.init(params) for t in transforms)

    def update(updates, state, params=None):
        new_state = []
        for t, s in zip(transforms, state, strict=True):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, tuple(new_state)

    return Optimizer(init, update)


# -- aliases ----------------------------------------------------------------------------------


def sgd(learning_rate: float | Schedule) -> Optimizer:
    """Plain stochastic gradient descent: u = -lr g (Robbins & Monro 1951)."""
    return chain(scale_by_learning_rate(learning_rate))


def momentum(learning_rate: float | Schedule, beta: float = 0.9) -> Optimizer:
    """Heavy-ball momentum (Polyak 1964): v <- beta v + g; u = -lr v."""
    return chain(trace(beta), scale_by_learning_rate(learning_rate))


def nesterov(learning_rate: float | Schedule, beta: float = 0.9) -> Optimizer:
    """Nesterov's accelerated gradient (Sutskever et al. 2013): u = -lr (g + beta v)."""
    return chain(trace(beta, nesterov=True), scale_by_learning_rate(learning_rate))


def adam(
    learning_rate: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> Optimizer:
    """Adam (Kingma & Ba 2015): u = -lr m^ / (sqrt(v^) + eps)."""
    return chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(learning_rate))


def adamw(
    learning_rate: float | Schedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 1e-4,
    mask: Callable[[PyTree], PyTree] | None = matrices,
) -> Optimizer:
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019):
    u = -lr (m^ / (sqrt(v^) + eps) + wd p), the decay only on the leaves ``mask`` selects."""
    return chain(
        scale_by_adam(b1, b2, eps),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(learning_rate),
    )


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adam": adam,
    "adamw": adamw,
}


def by_name(name: str) -> Callable[..., Optimizer]:
    """The alias called ``name`` (a key of ``OPTIMIZERS``); raises naming the choices."""
    return lookup(OPTIMIZERS, name, "optimizer")
