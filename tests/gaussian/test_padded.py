"""Fixed-shape MVN experiments: the padded problem has the law of the unpadded one."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import gaussian as g
from jaxscratch.errors import JaxscratchError

_convergence = jax.jit(g.convergence, static_argnames="ns")  # one compile, not one per op


@pytest.mark.parametrize("d", [1, 2, 7, 8])
def test_padded_problem_is_blockdiag_spd_with_the_asked_condition_number(key, d):
    mean, cov = g.random_mvn_padded(key, d, 8, condition_number=100.0, mean_scale=2.0)
    mean, cov = np.asarray(mean, np.float64), np.asarray(cov, np.float64)
    assert np.all(mean[d:] == 0) and np.all(np.abs(mean[:d]) < 2.0)
    np.testing.assert_allclose(cov[d:, d:], np.eye(8 - d), atol=1e-6)
    np.testing.assert_allclose(cov[:d, d:], 0, atol=1e-6)
    lam = np.linalg.eigvalsh(cov[:d, :d])
    np.testing.assert_allclose([lam[0], lam[-1]], [1.0, 100.0 if d > 1 else 1.0], rtol=1e-4)


def test_padded_rotation_is_haar_in_the_first_d_coordinates(key):
    """Under Haar measure on O(d) a fixed entry of Q has mean 0 and variance 1/d, so the
    covariance's (0, 0) entry sum_k Q_0k^2 lam_k has mean mean(lam) at d = 2 with lam = (1, 9)."""
    keys = jax.random.split(key, 2000)
    c00 = np.asarray(
        jax.vmap(lambda k: g.random_mvn_padded(k, 2, 6, condition_number=9.0)[1][0, 0])(keys)
    )
    # c00 = 1 + 8 cos^2(theta) with theta uniform: mean 5, sd 8 / sqrt(8)
    assert abs(c00.mean() - 5.0) < 5 * (8 / np.sqrt(8)) / np.sqrt(2000)


def test_one_compiled_function_serves_every_d(key):
    z = g.standard_normal(key, (2000, 6))
    first = g.convergence_padded(key, z, 2, 10.0, (100, 2000))
    size = g.convergence_padded._cache_size()
    for d in (1, 3, 6):
        c = g.convergence_padded(key, z, d, 30.0, (100, 2000))
        assert np.isnan(np.asarray(c.z_mean)[d:]).all() and np.isfinite(c.z_mean[:d]).all()
    assert g.convergence_padded._cache_size() == size
    assert not np.allclose(first.mean_err, c.mean_err)


def test_padded_reconstruction_equals_the_direct_one(key):
    """The first d coordinates of mean + z L^T are the d-dimensional draw mean_d + z_d L_d^T."""
    z = g.standard_normal(key, (3000, 5))
    c = g.convergence_padded(key, z, 3, 10.0, (3000,))
    mean, cov = g.random_mvn_padded(key, 3, 5, condition_number=10.0)
    x = mean[:3] + z[:, :3] @ jnp.linalg.cholesky(cov[:3, :3]).T
    direct = _convergence(x, mean[:3], cov[:3, :3], (3000,))
    np.testing.assert_allclose(c.max_z_cov, direct.max_z_cov, rtol=1e-4)
    np.testing.assert_allclose(c.mean_err, direct.mean_err, rtol=1e-4)


@pytest.mark.parametrize(
    ("args", "needle"),
    [((0, 4, 10.0), "dimension d = 0"), ((5, 4, 10.0), "1..4"), ((2, 0, 10.0), "d_max"),
     ((2, 4, 0.5), "condition_number")],
)  # fmt: skip
def test_bad_arguments_are_clear_errors(key, args, needle):
    d, d_max, kappa = args
    with pytest.raises(JaxscratchError, match=needle):
        g.random_mvn_padded(key, d, d_max, condition_number=kappa)
