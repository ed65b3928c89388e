"""The moving average of the weights (nn.ema) and the step budget (nn.config.with_budget)."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import config, ema


def test_the_average_follows_its_recursion_and_is_what_is_evaluated():
    opt = ema.with_ema(nn.sgd(0.5), decay=0.9)
    params = {"w": jnp.array([1.0, -2.0])}
    state = opt.init(params)
    want = np.asarray(params["w"])
    for t in range(30):
        grads = {"w": jnp.array([1.0, 0.5])}
        updates, state = opt.update(grads, state, params)
        params = nn.apply_updates(params, updates)
        d = min(0.9, (1 + t) / (10 + t))  # the decay's warm-up
        want = d * want + (1 - d) * np.asarray(params["w"])
    np.testing.assert_allclose(state.ema["w"], want, rtol=1e-5)
    assert ema.eval_params(params, state) is state.ema
    assert ema.eval_params(params, nn.sgd(0.5).init(params)) is params  # no average kept
    with pytest.raises(JaxscratchError, match="EMA decay must be in"):
        ema.with_ema(nn.sgd(0.5), 1.0)


def test_the_step_budget_raises_the_epochs_of_small_sets_only():
    recipe = nn.TrainConfig(epochs=10, batch_size=100, step_budget=5000)
    assert config.with_budget(recipe, 8_000).epochs == 63  # 80 steps an epoch
    assert config.with_budget(recipe, 100_000).epochs == 10  # 1000 steps: the floor holds
    assert config.with_budget(recipe, 200).epochs == config.MAX_BUDGET_EPOCHS
    assert config.with_budget(recipe._replace(step_budget=0), 200).epochs == 10
