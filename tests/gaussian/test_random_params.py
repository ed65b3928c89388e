"""Random means, rotations and covariances built from uniforms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import gaussian as g
from jaxscratch.errors import JaxscratchError


@pytest.mark.parametrize("d", [1, 2, 10, 100])
@pytest.mark.parametrize("kappa", [1.0, 10.0, 1000.0])
def test_covariance_is_spd_with_the_asked_condition_number(key, d, kappa):
    cov = np.asarray(g.random_covariance(key, d, condition_number=kappa, scale=2.0), np.float64)
    assert cov.shape == (d, d)
    np.testing.assert_allclose(cov, cov.T, atol=0)
    lam = np.linalg.eigvalsh(cov)
    assert lam[0] > 0
    np.testing.assert_allclose(lam[0], 2.0, rtol=1e-4)
    if d > 1:
        np.testing.assert_allclose(lam[-1] / lam[0], kappa, rtol=1e-3)


def test_float32_cholesky_is_finite_at_d_1000(key):
    cov = g.random_covariance(key, 1000)
    assert bool(jnp.all(jnp.isfinite(jnp.linalg.cholesky(cov))))


def test_rotation_is_orthogonal_and_haar_first_column(key):
    q = np.asarray(g.random_orthogonal(key, 8), np.float64)
    np.testing.assert_allclose(q @ q.T, np.eye(8), atol=1e-5)
    # under Haar measure a fixed entry has mean 0 and variance 1/d
    keys = jax.random.split(key, 4000)
    entries = np.asarray(jax.vmap(lambda k: g.random_orthogonal(k, 8)[0, 0])(keys))
    assert abs(entries.mean()) < 5 * np.sqrt(1 / 8 / 4000)
    assert abs(entries.var() - 1 / 8) < 5 * np.sqrt(2 * (1 / 8) ** 2 / 4000) * 1.5


def test_mean_entries_lie_in_the_box(key):
    m = g.random_mean(key, 1000, scale=3.0)
    assert m.shape == (1000,) and float(jnp.max(jnp.abs(m))) < 3.0


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"d": 0}, "dimension"),
        ({"d": 3, "condition_number": 0.5}, "condition_number"),
        ({"d": 3, "scale": -1.0}, "scale"),
    ],  # fmt: skip
)
def test_bad_arguments_are_clear_errors(key, kwargs, needle):
    with pytest.raises(JaxscratchError, match=needle):
        g.random_covariance(key, **kwargs)
