"""Learning-rate schedules: pure functions of the step count ``count`` (0-based).

Contract: ``schedule(count) -> lr``, jit-friendly (``count`` may be a traced int array).
"""

import math
from collections.abc import Callable

import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError

Schedule = Callable[[Array], Array]


def check_lr(value: float, name: str = "learning rate") -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise JaxscratchError(f"{name} must be a positive number, got {value}; e.g. --lr 1e-3")
    return float(value)


def constant(lr: float) -> Schedule:
    """lr at every step."""
    lr = check_lr(lr)
    return lambda count: jnp.asarray(lr, jnp.float32)


def step_decay(lr: float, every: int, factor: float = 0.1) -> Schedule:
    """lr * factor ** floor(count / every): a drop by ``factor`` every ``every`` steps."""
    lr = check_lr(lr)
    if every < 1 or not 0 < factor <= 1:
        raise JaxscratchError(
            f"step decay needs every >= 1 and 0 < factor <= 1, got {every}, {factor}"
        )
    return lambda count: lr * jnp.power(jnp.float32(factor), jnp.floor_divide(count, every))


def warmup_cosine(
    lr: float, total_steps: int, warmup_steps: int = 0, final: float = 0.0
) -> Schedule:
    """Linear warm-up from 0 to ``lr`` over ``warmup_steps``, then a cosine to ``final``.

    Loshchilov & Hutter (2017), SGDR without restarts; Goyal et al. (2017) warm-up.
    lr_t = final + (lr - final) * (1 + cos(pi * (t - w) / (T - w))) / 2 for w <= t <= T.
    """
    lr = check_lr(lr)
    if total_steps < 1 or not 0 <= warmup_steps < max(total_steps, 1):
        raise JaxscratchError(
            f"cosine schedule needs 0 <= warm-up steps ({warmup_steps}) "
            f"< total steps ({total_steps})"
        )

    def schedule(count):
        t = jnp.asarray(count, jnp.float32)
        warm = lr * (t + 1.0) / max(warmup_steps, 1)
        frac = jnp.clip((t - warmup_steps) / (total_steps - warmup_steps), 0.0, 1.0)
        cos = final + (lr - final) * 0.5 * (1.0 + jnp.cos(jnp.pi * frac))
        return jnp.where(t < warmup_steps, warm, cos)

    return schedule


def as_schedule(lr: float | Schedule) -> Schedule:
    """A number becomes a constant schedule; a callable is returned as is."""
    return lr if callable(lr) else constant(lr)
