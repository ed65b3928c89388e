"""Loss: stable softmax cross-entropy, label smoothing, and gradients vs finite differences."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree
from scipy.special import log_softmax as scipy_log_softmax

from jaxscratch import nn


def test_log_softmax_is_stable_for_huge_logits():
    logits = jnp.array([[1000.0, 0.0, -1000.0], [3.0, 2.0, 1.0]])
    out = nn.log_softmax(logits)
    assert jnp.all(jnp.isfinite(out))
    np.testing.assert_allclose(out, scipy_log_softmax(np.asarray(logits), axis=1), rtol=1e-6)


def test_cross_entropy_with_label_smoothing_matches_the_formula(key):
    logits = jax.random.uniform(key, (8, 5), minval=-3, maxval=3)
    y = jnp.arange(8) % 5
    logp = scipy_log_softmax(np.asarray(logits, np.float64), axis=1)
    eps = 0.1
    t = (1 - eps) * np.eye(5)[np.asarray(y)] + eps / 5
    expected = -np.mean(np.sum(t * logp, axis=1))
    np.testing.assert_allclose(nn.softmax_cross_entropy(logits, y, eps), expected, rtol=1e-5)
    np.testing.assert_allclose(
        nn.softmax_cross_entropy(logits, y), -np.mean(logp[np.arange(8), y]), rtol=1e-5
    )


@pytest.mark.parametrize(("activation", "batchnorm"), [("tanh", False), ("gelu", True)])
def test_gradients_match_central_finite_differences(x64, key, activation, batchnorm):
    config = nn.MLPConfig((3, 4, 5, 3), activation, batchnorm=batchnorm, dropout=0.0)
    params, state = nn.init_mlp(key=key, config=config, dtype=jnp.float64)
    x = jax.random.uniform(jax.random.fold_in(key, 1), (7, 3), jnp.float64, -2, 2)
    y = jnp.arange(7) % 3

    def loss(p):
        logits, _ = nn.apply_mlp(p, state, x, config=config, train=True)
        return nn.softmax_cross_entropy(logits, y, 0.05) + 0.01 * nn.l2_penalty(p)

    flat, unravel = ravel_pytree(params)
    grad = ravel_pytree(jax.grad(loss)(params))[0]
    h = 1e-6
    eye = np.eye(flat.size)
    f = jax.jit(lambda v: loss(unravel(v)))
    fd = np.array([(f(flat + h * e) - f(flat - h * e)) / (2 * h) for e in eye])
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)


def test_l2_penalty_counts_weight_matrices_only():
    params = nn.MLP((nn.Dense(jnp.ones((2, 3)), jnp.ones(3)),), ())
    assert float(nn.l2_penalty(params)) == 3.0
