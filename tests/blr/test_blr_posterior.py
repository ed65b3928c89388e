"""jaxscratch.blr.posterior: scikit-learn's BayesianRidge as oracle, band coverage, bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.linear_model import BayesianRidge

from jaxscratch.blr import basis, data, posterior
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import standard_normal

RTOL = 1e-6  # the tolerance against scikit-learn


@pytest.fixture
def sin_problem(key, x64):
    d = data.make_data(key, 60, truth="sin", noise=0.2, dtype=jnp.float64)
    b = basis.make_basis("poly", d.x, degree=4)
    return d, b, basis.design(b, d.x)


def test_matches_sklearn_bayesian_ridge_at_its_alpha_beta(sin_problem):
    d, b, phi = sin_problem
    ridge = BayesianRidge(fit_intercept=False, tol=1e-10, max_iter=1000)
    ridge.fit(np.asarray(phi), np.asarray(d.y))
    # scikit-learn names the noise precision alpha_ and the weight precision lambda_
    post = posterior.checked_posterior(posterior.stats(phi, d.y), ridge.lambda_, ridge.alpha_)
    np.testing.assert_allclose(post.mean, ridge.coef_, rtol=RTOL)
    np.testing.assert_allclose(posterior.covariance(post), ridge.sigma_, rtol=RTOL, atol=1e-12)
    x_new = jnp.linspace(-1.3, 1.3, 41)
    phi_new = basis.design(b, x_new)
    mean, std = ridge.predict(np.asarray(phi_new), return_std=True)
    pred = posterior.predict(post, phi_new)
    np.testing.assert_allclose(pred.mean, mean, rtol=RTOL)
    np.testing.assert_allclose(pred.predictive_sd, std, rtol=RTOL)
    assert np.all(pred.epistemic_sd < pred.predictive_sd)


def test_bands_are_two_sds_and_differ_by_the_noise(sin_problem):
    d, b, phi = sin_problem
    post = posterior.checked_posterior(posterior.stats(phi, d.y), 2.0, 25.0)
    pred = posterior.predict(post, phi)
    np.testing.assert_allclose(pred.predictive_sd**2 - pred.epistemic_sd**2, 1 / 25.0, rtol=1e-9)
    lo, hi = pred.predictive_band
    np.testing.assert_allclose(hi - lo, 4 * pred.predictive_sd, rtol=1e-12)
    lo, hi = pred.epistemic_band
    np.testing.assert_allclose(hi - lo, 4 * pred.epistemic_sd, rtol=1e-12)


def test_weight_draws_have_the_posterior_moments(key, sin_problem):
    d, b, phi = sin_problem
    post = posterior.checked_posterior(posterior.stats(phi, d.y), 2.0, 25.0)
    w = np.asarray(posterior.sample_weights(key, post, 40_000))  # (n, M)
    sd = np.sqrt(np.diag(posterior.covariance(post)))
    # 5 standard errors of a mean of 40 000 independent draws
    assert np.all(np.abs(w.mean(0) - np.asarray(post.mean)) < 5 * sd / np.sqrt(40_000))
    np.testing.assert_allclose(w.std(0), sd, rtol=5 * np.sqrt(0.5 / 40_000))


ALPHA, BETA, N_TRAIN, N_FRESH, N_REPS = 2.0, 25.0, 30, 50, 400


def _coverage_one(key):
    """Weights from the prior, data from the model; how often bands hold fresh truths."""
    k_w, k_x, k_e, k_xs, k_es = jax.random.split(key, 5)
    b = basis.Basis("linear")
    w = standard_normal(k_w, (2,), jnp.float64) / np.sqrt(ALPHA)
    x, xs = jax.random.uniform(k_x, (N_TRAIN,), jnp.float64, -1, 1), jax.random.uniform(
        k_xs, (N_FRESH,), jnp.float64, -1, 1)  # fmt: skip
    phi, phis = basis.design(b, x), basis.design(b, xs)
    y = phi @ w + standard_normal(k_e, (N_TRAIN,), jnp.float64) / np.sqrt(BETA)
    f_new = phis @ w
    y_new = f_new + standard_normal(k_es, (N_FRESH,), jnp.float64) / np.sqrt(BETA)
    pred = posterior.predict(posterior.exact_posterior(posterior.stats(phi, y), ALPHA, BETA), phis)
    inside = lambda v, band: (band[0] <= v) & (v <= band[1])  # noqa: E731
    return (inside(y_new, pred.predictive_band), inside(f_new, pred.epistemic_band),
            inside(y_new, pred.epistemic_band))  # fmt: skip


def test_predictive_band_holds_95_4_percent_of_fresh_observations(key, x64):
    y_pred, f_epi, y_epi = jax.jit(jax.vmap(_coverage_one))(jax.random.split(key, N_REPS))
    n = N_REPS * N_FRESH
    p = 0.9544997361036416  # P(|Z| <= 2)
    tol = 4 * np.sqrt(p * (1 - p) / n)  # binomial error of n = 20 000 fresh points
    assert abs(float(y_pred.mean()) - p) < tol
    assert abs(float(f_epi.mean()) - p) < tol  # the epistemic band covers f(x), not y
    assert float(y_epi.mean()) < p - 10 * tol  # and misses many fresh y: don't confuse them


@pytest.mark.parametrize(
    ("alpha", "beta", "needle"),
    [(0.0, 1.0, "alpha \\(prior precision\\) must be finite and > 0"),
     (1.0, -2.0, "beta \\(noise precision\\) must be finite and > 0"),
     (np.nan, 1.0, "alpha")],
)  # fmt: skip
def test_non_positive_precisions_are_refused(sin_problem, alpha, beta, needle):
    _, _, phi = sin_problem
    with pytest.raises(JaxscratchError, match=needle):
        posterior.checked_posterior(posterior.stats(phi, phi[:, 0]), alpha, beta)


def test_numerically_singular_gram_is_refused_not_nan(key, x64):
    d = data.make_data(key, 200, truth="sin", dtype=jnp.float64)
    b = basis.make_basis("poly", d.x, degree=40)
    s = posterior.stats(basis.design(b, d.x), d.y)
    with pytest.raises(
        JaxscratchError, match="numerically singular.*lower degree.*stronger prior"
    ):
        posterior.checked_posterior(s, 1e-12, 1e4)
    # a stronger prior makes the same design usable, and the bands finite
    post = posterior.checked_posterior(s, 1.0, 25.0)
    assert np.all(np.isfinite(posterior.predict(post, basis.design(b, d.x)).predictive_sd))


def test_weighted_stats_match_sklearn_sample_weight(key, sin_problem):
    """BayesianRidge fits with sample_weight by scaling rows by sqrt(w): Phi^T W Phi, Phi^T W y."""
    d, b, phi = sin_problem
    w = 0.2 + 2.0 * jax.random.uniform(key, d.y.shape, jnp.float64)  # (n,) real weights
    ridge = BayesianRidge(fit_intercept=False, tol=1e-10, max_iter=1000)
    ridge.fit(np.asarray(phi), np.asarray(d.y), sample_weight=np.asarray(w))
    post = posterior.checked_posterior(posterior.stats(phi, d.y, w), ridge.lambda_, ridge.alpha_)
    np.testing.assert_allclose(post.mean, ridge.coef_, rtol=RTOL)
    np.testing.assert_allclose(posterior.covariance(post), ridge.sigma_, rtol=RTOL, atol=1e-12)


def test_integer_weights_repeat_rows_and_a_mask_drops_them(sin_problem):
    d, b, phi = sin_problem
    counts = np.arange(phi.shape[0]) % 3  # 0, 1, 2 copies of each row
    repeated = posterior.stats(jnp.repeat(phi, counts, axis=0), jnp.repeat(d.y, counts))
    weighted = posterior.stats(phi, d.y, jnp.asarray(counts, phi.dtype))
    for a, c in zip(weighted, repeated, strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-12)
    keep = counts > 0
    masked = posterior.stats(phi, d.y, jnp.asarray(keep, phi.dtype))
    for a, c in zip(masked, posterior.stats(phi[keep], d.y[keep]), strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-12)
    assert float(masked.n) == keep.sum() and float(weighted.n) == counts.sum()
