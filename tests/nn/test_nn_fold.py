"""Batch norm folded into the dense layers gives the evaluation-mode network's logits."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.nn.layers import BatchNorm, BatchStats, relu


def _forward(layers, x, act):
    h = x
    for layer in layers[:-1]:
        h = act(nn.dense(layer, h))
    return nn.dense(layers[-1], h)


def _trained_looking(key, config):
    """Fresh parameters with batch-norm scales, shifts and running statistics far from 1, 0."""
    k_init, k_norm, k_x = jax.random.split(key, 3)
    params, state = nn.init_mlp(key=k_init, config=config)
    norms, stats = [], []
    for i, (p, _) in enumerate(zip(params.norm, state, strict=True)):
        k = jax.random.split(jax.random.fold_in(k_norm, i), 4)
        d = p.gamma.shape[0]
        norms.append(
            BatchNorm(
                jax.random.uniform(k[0], (d,), minval=0.2, maxval=3.0),
                jax.random.uniform(k[1], (d,), minval=-1.0, maxval=1.0),
            )
        )
        stats.append(
            BatchStats(
                jax.random.uniform(k[2], (d,), minval=-2.0, maxval=2.0),
                jax.random.uniform(k[3], (d,), minval=0.01, maxval=4.0),
            )
        )
    x = jax.random.uniform(k_x, (64, config.sizes[0]))
    return params._replace(norm=tuple(norms)), tuple(stats), x


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_folded_layers_give_the_eval_logits(key, activation):
    config = nn.MLPConfig(sizes=(20, 32, 16, 5), activation=activation)
    params, state, x = _trained_looking(key, config)
    want, _ = nn.apply_mlp(params, state, x, config=config, train=False)
    act = relu if activation == "relu" else jnp.tanh
    got = _forward(nn.fold_batch_norm(params, state), x, act)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-5, atol=2e-5)
    assert all(
        layer.w.dtype == params.dense[0].w.dtype for layer in nn.fold_batch_norm(params, state)
    )


def test_without_batch_norm_the_layers_are_unchanged(key):
    config = nn.MLPConfig(sizes=(6, 8, 3), batchnorm=False)
    params, state = nn.init_mlp(key=key, config=config)
    assert nn.fold_batch_norm(params, state) == params.dense
