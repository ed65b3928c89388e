"""Layers, initialisers and the MLP: batch norm train/eval, dropout expectation, init scales."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import init as initialisers
from jaxscratch.nn.layers import batch_norm, dropout, init_batch_norm


def test_batch_norm_train_normalises_with_batch_statistics(key):
    x = 3.0 + 2.0 * jax.random.uniform(key, (64, 5))
    p, stats = init_batch_norm(5)
    y, new = batch_norm(p, stats, x, train=True)
    np.testing.assert_allclose(y.mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.var(0), 1.0, rtol=1e-3)
    # running averages move 10 % towards the batch mean and the unbiased batch variance
    np.testing.assert_allclose(new.mean, 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(new.var, 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-5)


def test_batch_norm_eval_uses_running_statistics_and_keeps_them(key):
    x = jax.random.uniform(key, (16, 3))
    p, _ = init_batch_norm(3)
    stats = nn.BatchStats(jnp.array([0.5, 1.0, -1.0]), jnp.array([4.0, 1.0, 0.25]))
    p = p._replace(gamma=jnp.array([1.0, 2.0, 3.0]), beta=jnp.array([0.0, 1.0, -1.0]))
    y, same = batch_norm(p, stats, x, train=False)
    expected = p.gamma * (x - stats.mean) / jnp.sqrt(stats.var + 1e-5) + p.beta
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    assert same is stats
    # each row is normalised on its own: eval output does not depend on the rest of the batch
    np.testing.assert_allclose(batch_norm(p, stats, x[:1], train=False)[0], y[:1], rtol=1e-6)


def test_dropout_keeps_the_expectation(key):
    rate, n_masks = 0.3, 4000
    x = jnp.linspace(-2.0, 2.0, 40)
    keys = jax.random.split(key, n_masks)
    draws = jax.vmap(lambda k: dropout(k, x, rate, train=True))(keys)  # (n_masks, 40)
    sd = jnp.abs(x) * np.sqrt(rate / (1 - rate) / n_masks)
    assert jnp.all(jnp.abs(draws.mean(0) - x) <= 5 * sd + 1e-6)
    kept = jnp.mean(draws != 0)
    assert abs(kept - (1 - rate)) < 5 * np.sqrt(rate * (1 - rate) / draws.size)
    assert dropout(key, x, rate, train=False) is x


@pytest.mark.parametrize(
    ("name", "var"),
    [
        ("he-uniform", 2 / 200),
        ("glorot-uniform", 2 / 300),
        ("he-normal", 2 / 200),
        ("glorot-normal", 2 / 300),
    ],
)
def test_initialisers_have_the_published_variance(key, name, var):
    w = initialisers.get(name)(key, (200, 100))
    # sample variance of 20,000 draws: relative sd ~ sqrt(2 / n) = 1 % (uniform: less)
    assert abs(float(w.var()) / var - 1) < 0.05
    assert abs(float(w.mean())) < 5 * np.sqrt(var / w.size)


def test_mlp_shapes_depth_and_state(key):
    config = nn.MLPConfig((12, 7, 5, 3, 4), "gelu", batchnorm=True, dropout=0.2)
    params, state = nn.init_mlp(key=key, config=config)
    assert [d.w.shape for d in params.dense] == [(12, 7), (7, 5), (5, 3), (3, 4)]
    assert len(params.norm) == len(state) == 3
    x = jax.random.uniform(key, (6, 3, 4))  # flattened to 12 features
    logits, new = nn.apply_mlp(params, state, x, config=config, key=key, train=True)
    assert logits.shape == (6, 4) and len(new) == 3
    eval_logits, same = nn.apply_mlp(params, state, x, config=config)
    assert eval_logits.shape == (6, 4) and same == state
    assert nn.count_params(params) == 12 * 7 + 7 + 7 * 5 + 5 + 5 * 3 + 3 + 3 * 4 + 4 + 2 * 15


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (nn.MLPConfig((4, 0, 2)), "widths must be >= 1"),
        (nn.MLPConfig((4, 3, 2), "sigmoidal"), "unknown activation 'sigmoidal'"),
        (nn.MLPConfig((4, 3, 2), dropout=1.0), "dropout rate"),
        (nn.MLPConfig((4, 3, 2), init="lecun"), "unknown initialiser"),
    ],
)
def test_bad_configs_raise_one_line(key, config, match):
    with pytest.raises(JaxscratchError, match=match):
        nn.init_mlp(key=key, config=config)
