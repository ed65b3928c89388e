"""jaxscratch.blr.blocked: blockwise statistics and predictions equal the whole-matrix ones."""

import jax.numpy as jnp
import numpy as np

from jaxscratch.blr import basis, blocked, data, posterior


def test_blocked_equals_whole_design_with_a_ragged_last_block(key, x64):
    d = data.make_data(key, 1001, truth="sin", dtype=jnp.float64)  # 1001 = 7 * 128 + 105
    b = basis.make_basis("rbf", d.x, n_centres=6)
    phi = basis.design(b, d.x)
    whole = posterior.stats(phi, d.y)
    for a, c in zip(blocked.blocked_stats(b, d.x, d.y, 128), whole, strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-11)
    post = posterior.checked_posterior(whole, 2.0, 25.0)
    x_new = jnp.linspace(-1.5, 1.5, 300)
    ref = posterior.predict(post, basis.design(b, x_new))
    got = blocked.blocked_predict(post, b, x_new, 128)
    assert got.mean.shape == (300,)
    for a, c in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-11)
