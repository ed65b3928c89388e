"""An exponential moving average of the weights, kept beside the optimizer and evaluated instead
of the raw weights (Polyak & Juditsky 1992; the decay warm-up of TensorFlow's
``ExponentialMovingAverage``).

Contract: ``with_ema(optimizer, decay)`` is an ``Optimizer`` whose updates are ``optimizer``'s
and whose state also holds the average ``ema`` of the parameters after each update:
ema_t = d_t ema_{t-1} + (1 - d_t) p_t, with d_t = min(decay, (1 + t) / (10 + t)) so that early
steps, far from the final weights, are soon forgotten. ``eval_params(params, opt_state)`` is
the average when the state holds one, else ``params``.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.nn.optim import Optimizer, apply_updates

PyTree = Any


class EmaState(NamedTuple):
    inner: PyTree  # the wrapped optimizer's state
    ema: PyTree  # like params: the moving average of the weights
    count: Array  # () int32, updates averaged


def check_decay(decay: float) -> float:
    if not 0.0 <= decay < 1.0:
        raise JaxscratchError(f"EMA decay must be in [0, 1) (0 = off), got {decay}; e.g. 0.999")
    return float(decay)


def with_ema(optimizer: Optimizer, decay: float) -> Optimizer:
    """``optimizer`` plus the moving average of the weights it produces (see the module)."""
    decay = check_decay(decay)

    def init(params):
        return EmaState(optimizer.init(params), params, jnp.zeros((), jnp.int32))

    def update(grads, state, params=None):
        if params is None:
            raise JaxscratchError("with_ema needs the parameters: update(grads, state, params)")
        updates, inner = optimizer.update(grads, state.inner, params)
        new_params = apply_updates(params, updates)
        t = state.count.astype(jnp.float32)
        d = jnp.minimum(decay, (1.0 + t) / (10.0 + t))
        ema = jax.tree.map(lambda e, p: (d * e + (1 - d) * p).astype(e.dtype), state.ema,
                           new_params)  # fmt: skip
        return updates, EmaState(inner, ema, state.count + 1)

    return Optimizer(init, update)


def eval_params(params: PyTree, opt_state: PyTree) -> PyTree:
    """The weights to evaluate: the moving average if ``opt_state`` keeps one, else ``params``."""
    return opt_state.ema if isinstance(opt_state, EmaState) else params
