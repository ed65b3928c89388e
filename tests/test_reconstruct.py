"""Standard errors of sample moments, and the verdict they support."""

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch import gaussian as g


def test_standard_errors_match_the_spread_over_repeated_experiments(key):
    """The formula's standard errors equal the empirical spread of the estimates over many
    independent experiments (relative error of an sd estimate from R runs ~ 1/sqrt(2R))."""
    d, n, runs = 3, 400, 2000
    cov = g.random_covariance(key, d)
    dist = g.from_cov(jnp.zeros(d), cov)
    x = g.sample(jax.random.fold_in(key, 1), dist, (runs, n))  # (runs, n, d)
    means, covs = jax.vmap(g.sample_moments)(x)
    mean_se, cov_se = g.standard_errors(cov, n)
    tol = 5 / np.sqrt(2 * runs)
    np.testing.assert_allclose(np.std(np.asarray(means), axis=0), mean_se, rtol=tol)
    np.testing.assert_allclose(np.std(np.asarray(covs), axis=0), cov_se, rtol=tol)


def test_verdict_rejects_a_wrong_truth(key):
    dist = g.from_cov(jnp.zeros(2), jnp.eye(2))
    x = g.sample(key, dist, (100_000,))
    assert g.reconstruct(x, dist.mean, dist.cov).consistent
    assert not g.reconstruct(x, dist.mean + 0.05, dist.cov).consistent
    assert not g.reconstruct(x, dist.mean, 1.05 * dist.cov).consistent


def test_bonferroni_bound_grows_with_the_number_of_tests():
    assert abs(g.bonferroni_z(1, 0.05) - 1.95996) < 1e-4
    assert g.bonferroni_z(5150, 1e-3) > g.bonferroni_z(65, 1e-3) > g.bonferroni_z(1, 1e-3)
