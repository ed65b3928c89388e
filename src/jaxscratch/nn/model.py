"""A multilayer perceptron of any depth (two hidden layers by default) as pure functions.

Contract: ``params, state = init_mlp(key=key, config=config)``;
``logits, state = apply_mlp(params, state, x, config=config, key=key, train=True)``.
Each hidden block is dense -> [batch norm] -> activation -> [dropout]; the last layer is dense.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import init as initialisers
from jaxscratch.nn import precision
from jaxscratch.nn.layers import (
    ACTIVATIONS,
    BN_EPS,
    BatchNorm,
    BatchStats,
    Dense,
    activation,
    batch_norm,
    dense,
    dropout,
    init_batch_norm,
    init_dense,
)


class MLPConfig(NamedTuple):
    """Architecture as hashable data (usable as a static jit argument).

    The defaults are the project's default network (what ``jaxscratch mnist train`` builds):
    784-512-256-10, ReLU, batch norm after each hidden dense, dropout 0.1.
    """

    sizes: tuple[int, ...] = (784, 512, 256, 10)  # input, hidden..., classes
    activation: str = "relu"
    batchnorm: bool = True
    dropout: float = 0.1
    init: str = ""  # "" picks He-uniform for ReLU/GELU and Glorot-uniform for tanh


class MLP(NamedTuple):
    dense: tuple[Dense, ...]
    norm: tuple[BatchNorm, ...]  # empty without batch norm


MLPState = tuple[BatchStats, ...]  # running statistics, one per hidden layer (or empty)


def check_config(config: MLPConfig) -> MLPConfig:
    """Validate ``config``; raises a one-line error naming the bad value."""
    sizes = tuple(int(s) for s in config.sizes)
    if len(sizes) < 2:
        raise JaxscratchError(f"sizes {sizes} need at least an input and an output size")
    if min(sizes) < 1:
        raise JaxscratchError(
            f"layer widths must be >= 1, got {sizes[1:-1]}; give positive widths"
        )
    if config.activation not in ACTIVATIONS:
        activation(config.activation)
    if not 0.0 <= config.dropout < 1.0:
        raise JaxscratchError(f"dropout rate {config.dropout} must be in [0, 1)")
    if config.init:
        initialisers.get(config.init)
    return config._replace(sizes=sizes, dropout=float(config.dropout))


def _initialiser(config: MLPConfig):
    if config.init:
        return initialisers.get(config.init)
    return initialisers.glorot_uniform if config.activation == "tanh" else initialisers.he_uniform


def init_mlp(*, key: Array, config: MLPConfig, dtype=jnp.float32) -> tuple[MLP, MLPState]:
    """Fresh parameters and batch-norm state; one subkey per layer."""
    config = check_config(config)
    init = _initialiser(config)
    keys = jax.random.split(key, len(config.sizes) - 1)
    pairs = zip(config.sizes[:-1], config.sizes[1:], strict=True)
    layers = tuple(init_dense(k, a, b, init, dtype) for k, (a, b) in zip(keys, pairs, strict=True))
    hidden = config.sizes[1:-1] if config.batchnorm else ()
    norms = [init_batch_norm(d, dtype) for d in hidden]
    return MLP(layers, tuple(p for p, _ in norms)), tuple(s for _, s in norms)


def apply_mlp(
    params: MLP,
    state: MLPState,
    x: Array,
    *,
    config: MLPConfig,
    key: Array | None = None,
    train: bool = False,
    policy: precision.Policy = precision.F32,
) -> tuple[Array, MLPState]:
    """Logits (n, classes) for inputs x (n, ...) flattened to (n, sizes[0]).

    ``key`` is needed only when training with dropout. ``policy`` sets the precision of the
    dense layers' products (``nn.precision``); everything else is float32 under any policy.
    """
    h = x.reshape(x.shape[0], -1)  # (n, d_in)
    act = activation(config.activation)
    use_dropout = train and config.dropout > 0.0
    if use_dropout and key is None:
        raise JaxscratchError("dropout in training needs a key; pass key=...")
    keys = jax.random.split(key, len(params.dense)) if use_dropout else [None] * len(params.dense)
    new_state = []
    for i, layer in enumerate(params.dense[:-1]):
        h = dense(layer, h, policy)  # (n, width_i)
        if params.norm:
            h, stats = batch_norm(params.norm[i], state[i], h, train=train)
            new_state.append(stats)
        h = act(h)
        if use_dropout:
            h = dropout(keys[i], h, config.dropout, train=True)
    return dense(params.dense[-1], h, policy), tuple(new_state)


def fold_batch_norm(params: MLP, state: MLPState, eps: float = BN_EPS) -> tuple[Dense, ...]:
    """The evaluation-mode network as dense layers only: each batch norm folded into the dense
    layer before it (Ioffe & Szegedy 2015, §3.2: at inference the transform is affine).

    gamma (x W + b - mu) / sqrt(var + eps) + beta = x (W s) + ((b - mu) s + beta) with
    s = gamma / sqrt(var + eps) per output column. Computed in float64 and returned in the
    parameters' dtype; ``apply_mlp(train=False)`` equals dense -> activation -> ... -> dense
    with the returned layers. Without batch norm the dense layers come back unchanged.
    """
    if not params.norm:
        return params.dense
    folded = []
    for i, layer in enumerate(params.dense):
        if i == len(params.norm):
            folded.append(layer)  # the output layer has no batch norm
            continue
        w, b = (np.asarray(a, np.float64) for a in layer)
        g, beta = (np.asarray(a, np.float64) for a in params.norm[i])
        mu, var = (np.asarray(a, np.float64) for a in state[i])
        s = g / np.sqrt(var + eps)  # (fan_out,)
        dtype = layer.w.dtype
        folded.append(Dense(jnp.asarray(w * s, dtype), jnp.asarray((b - mu) * s + beta, dtype)))
    return tuple(folded)


def count_params(params: MLP) -> int:
    """Number of trained scalars."""
    return sum(int(jnp.size(a)) for a in jax.tree.leaves(params))
