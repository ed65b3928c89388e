"""The MVN: sampling reconstructs its moments; densities, marginals, conditionals, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.scipy.stats import multivariate_normal as jax_mvn
from scipy import stats

from jaxscratch import gaussian as g
from jaxscratch.errors import JaxscratchError

N = 1_000_000
ALPHA = 1e-3


def random_mvn(key, d, dtype=jnp.float32):
    k_mean, k_cov = jax.random.split(key)
    mean = g.random_mean(k_mean, d, dtype=dtype)
    cov = g.random_covariance(k_cov, d, condition_number=10.0, dtype=dtype)
    return g.from_cov(mean, cov)


@pytest.mark.parametrize("d", [1, 2, 10, 100])
def test_mean_and_covariance_reconstructed_within_standard_errors(key, d):
    dist = random_mvn(key, d)
    x = g.sample(jax.random.fold_in(key, d), dist, (N,))
    assert x.shape == (N, d)
    rec = g.reconstruct(x, dist.mean, dist.cov, alpha=ALPHA)
    assert rec.consistent, (rec.max_abs_z, rec.threshold)


@pytest.mark.parametrize("d", [2, 10])
def test_whitened_samples_have_identity_covariance(key, d):
    dist = random_mvn(key, d)
    w = g.whiten(dist, g.sample(jax.random.fold_in(key, 1), dist, (N // 4,)))
    assert g.reconstruct(w, jnp.zeros(d), jnp.eye(d), alpha=ALPHA).consistent


@pytest.mark.parametrize("d", [1, 2, 10, 100])
def test_squared_mahalanobis_follows_chi_square(key, d):
    dist = random_mvn(key, d)
    m2 = g.mahalanobis(dist, g.sample(jax.random.fold_in(key, 2), dist, (100_000,))) ** 2
    assert stats.kstest(np.asarray(m2, np.float64), stats.chi2(d).cdf).pvalue > ALPHA


def test_mardia_skewness_and_kurtosis_do_not_reject(key):
    d, n = 10, 4000
    dist = random_mvn(key, d)
    x = np.asarray(g.sample(jax.random.fold_in(key, 3), dist, (n,)), np.float64)
    xc = x - x.mean(0)
    gram = xc @ np.linalg.solve(np.cov(x.T, bias=True), xc.T)  # (n, n)
    skew = np.sum(gram**3) / n**2
    dof = d * (d + 1) * (d + 2) / 6
    assert stats.chi2(dof).sf(n * skew / 6) > ALPHA
    kurt = np.mean(np.diag(gram) ** 2)
    z = (kurt - d * (d + 2)) / np.sqrt(8 * d * (d + 2) / n)
    assert 2 * stats.norm.sf(abs(z)) > ALPHA


@pytest.mark.parametrize("method", list(g.METHODS))
def test_every_normal_method_gives_the_right_moments(key, method):
    dist = random_mvn(key, 5)
    x = g.sample(jax.random.fold_in(key, 4), dist, (N // 4,), method=method)
    assert g.reconstruct(x, dist.mean, dist.cov, alpha=ALPHA).consistent


def test_float64_sampling(key, x64):
    dist = random_mvn(key, 4, jnp.float64)
    x = g.sample(key, dist, (N // 4,))
    assert x.dtype == jnp.float64
    assert g.reconstruct(x, dist.mean, dist.cov, alpha=ALPHA).consistent


def test_same_key_same_draws_different_key_different(key):
    dist = random_mvn(key, 3)
    a = g.sample(key, dist, (100,))
    assert jnp.array_equal(a, g.sample(key, dist, (100,)))
    assert not jnp.array_equal(a, g.sample(jax.random.fold_in(key, 9), dist, (100,)))


def test_log_prob_matches_jax_scipy_float32(key):
    dist = random_mvn(key, 10)
    x = g.sample(key, dist, (1000,))
    ref = jax_mvn.logpdf(x, dist.mean, dist.cov)
    np.testing.assert_allclose(g.log_prob(dist, x), ref, rtol=1e-5)


def test_log_prob_matches_jax_scipy_float64(key, x64):
    dist = random_mvn(key, 10, jnp.float64)
    x = g.sample(key, dist, (1000,))
    ref = jax_mvn.logpdf(x, dist.mean, dist.cov)
    np.testing.assert_allclose(g.log_prob(dist, x), ref, rtol=1e-10)
    np.testing.assert_allclose(g.prob(dist, x), np.exp(ref), rtol=1e-10)


def test_marginal_matches_closed_form_and_samples(key, x64):
    dist = random_mvn(key, 6, jnp.float64)
    idx = [4, 1]
    m = g.marginal(dist, idx)
    np.testing.assert_allclose(m.mean, dist.mean[jnp.array(idx)], rtol=1e-12)
    np.testing.assert_allclose(m.cov, dist.cov[np.ix_(idx, idx)], rtol=1e-10)
    x = g.sample(key, dist, (N // 4,))[:, jnp.array(idx)]
    assert g.reconstruct(x, m.mean, m.cov, alpha=ALPHA).consistent


def test_conditional_matches_closed_form(key, x64):
    dist = random_mvn(key, 5, jnp.float64)
    b, a = np.array([0, 3]), np.array([1, 2, 4])
    value = np.array([0.3, -1.2])
    cond = g.conditional(dist, b, value)
    s = np.asarray(dist.cov)
    mu = np.asarray(dist.mean)
    gain = np.linalg.solve(s[np.ix_(b, b)], s[np.ix_(b, a)]).T  # Sigma_ab Sigma_bb^-1
    np.testing.assert_allclose(cond.mean, mu[a] + gain @ (value - mu[b]), rtol=1e-10)
    np.testing.assert_allclose(cond.cov, s[np.ix_(a, a)] - gain @ s[np.ix_(b, a)], rtol=1e-10)


def test_conditional_matches_regression_on_samples(key, x64):
    """x_a = mean_a|b(x_b) + noise: the least-squares fit of x_a on x_b recovers the
    conditional's gain and covariance within their sampling error."""
    dist = random_mvn(key, 3, jnp.float64)
    n = N // 4
    x = np.asarray(g.sample(key, dist, (n,)))
    design = np.column_stack([np.ones(n), x[:, 0]])  # condition on component 0
    coef, *_ = np.linalg.lstsq(design, x[:, 1:], rcond=None)
    resid = x[:, 1:] - design @ coef
    for value in (-1.0, 0.5):
        cond = g.conditional(dist, [0], value)
        predicted = coef[0] + coef[1] * value
        se = np.sqrt(
            np.diag(cond.cov) * (1 / n + (value - dist.mean[0]) ** 2 / (n * dist.cov[0, 0]))
        )
        assert np.all(np.abs(predicted - np.asarray(cond.mean)) < 5 * se)
    rec = g.reconstruct(resid, jnp.zeros(2), cond.cov, alpha=ALPHA)
    assert np.max(np.abs(rec.cov_hat - cond.cov) / rec.cov_se) < rec.threshold


def test_singular_covariance_needs_opt_in_then_samples_in_the_subspace(key):
    v = np.array([[1.0], [2.0], [-1.0]])
    cov = v @ v.T + np.diag([0.0, 0.0, 0.0])  # rank 1
    with pytest.raises(JaxscratchError, match="singular"):
        g.from_cov(np.zeros(3), cov)
    dist = g.from_cov(np.zeros(3), cov, allow_singular=True)
    np.testing.assert_allclose(dist.cov, cov, atol=1e-5)
    x = np.asarray(g.sample(key, dist, (10_000,)))
    assert np.all(np.isfinite(x))
    resid = x - np.outer(x @ v[:, 0] / 6.0, v[:, 0])  # distance from the line spanned by v
    assert np.max(np.abs(resid)) < 1e-4
    assert np.all(np.asarray(g.log_prob(dist, x[:3])) == -np.inf)


@pytest.mark.parametrize(
    ("mean", "cov", "needle"),
    [
        (np.zeros(2), np.array([[1.0, 2.0], [3.0, 4.0]]), "not symmetric"),
        (np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]), "smallest eigenvalue -1"),
        (np.zeros(2), np.ones((2, 3)), "square"),
        (np.zeros(3), np.eye(2), "length 3"),
        (np.array([0.0, np.nan]), np.eye(2), "NaN"),
        (np.zeros(2), np.array([[1.0, np.inf], [np.inf, 1.0]]), "NaN or inf"),
        (np.zeros(0), np.zeros((0, 0)), "d >= 1"),
    ],
)
def test_bad_parameters_are_clear_errors(mean, cov, needle):
    with pytest.raises(JaxscratchError, match=needle):
        g.from_cov(mean, cov)


def test_bad_index_sets_are_clear_errors(key):
    dist = random_mvn(key, 3)
    with pytest.raises(JaxscratchError, match="out of range"):
        g.marginal(dist, [3])
    with pytest.raises(JaxscratchError, match="repeats"):
        g.conditional(dist, [1, 1], [0.0, 0.0])
    with pytest.raises(JaxscratchError, match="every component"):
        g.conditional(dist, [0, 1, 2], [0.0, 0.0, 0.0])
